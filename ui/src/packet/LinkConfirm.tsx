import { useState } from "react";
import { backend } from "../backend";
import { Dialog } from "../shell/Dialog";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { BackendError } from "../backendError";

/** Only these may leave the app; the shell re-checks, this is the first gate. */
export function isOpenableUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * Links in packets are agent-controlled, so a click never navigates: the reviewer sees the
 * full URL (a lookalike host is visible here) and confirms before the system browser opens.
 */
export function LinkConfirm({ url, onClose }: { url: string; onClose: () => void }) {
  const [error, setError] = useState<BackendError>();
  const open = () => {
    backend.openLink(url).then(onClose, (e: BackendError) => setError(e));
  };
  return (
    <Dialog title="Open link in your browser?" onClose={onClose} onEnter={open}>
      <p>This link comes from the agent&apos;s packet. Check the address before opening it:</p>
      <p className="url-full">
        <code>{url}</code>
      </p>
      <ErrorMessage error={error} context="Could not open the link" />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={open} data-autofocus>
          Open in browser
        </button>
      </div>
    </Dialog>
  );
}
