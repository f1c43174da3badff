import { useId, useState, type FormEvent } from "react";
import { Dialog } from "../shell/Dialog";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { BackendError, Outcome } from "../types";

type TextOutcome = Extract<Outcome, "reject" | "respond" | "escalate" | "ignore">;

// What the text means for each outcome, and whether the protocol requires it.
const SPEC: Record<TextOutcome, { title: string; field: string; required: boolean; submit: string }> = {
  reject: { title: "Reject", field: "Reason for rejecting", required: true, submit: "Reject and sign" },
  respond: { title: "Respond to the agent", field: "Response", required: true, submit: "Send response" },
  escalate: { title: "Escalate", field: "Note (optional)", required: false, submit: "Escalate and sign" },
  ignore: { title: "Dismiss", field: "Note (optional)", required: false, submit: "Dismiss and sign" },
};

interface Props {
  outcome: TextOutcome;
  action: string;
  busy: boolean;
  error: BackendError | undefined;
  onSubmit: (text: string | undefined) => void;
  onClose: () => void;
}

/** Reject / respond / escalate / dismiss: one text field, required where the protocol says. */
export function TextDecision({ outcome, action, busy, error, onSubmit, onClose }: Props) {
  const spec = SPEC[outcome];
  const id = useId();
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    const value = text.trim();
    if (spec.required && value === "") {
      setMissing(true);
      return;
    }
    onSubmit(value === "" ? undefined : value);
  };

  return (
    <Dialog title={`${spec.title}: ${action}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <label htmlFor={id}>
          {spec.field}
          {spec.required ? " (required)" : ""}
        </label>
        <textarea
          id={id}
          rows={4}
          value={text}
          data-autofocus
          aria-required={spec.required}
          aria-invalid={missing ? true : undefined}
          aria-describedby={missing ? `${id}-missing` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value.trim() !== "") setMissing(false);
          }}
          onKeyDown={(e) => {
            // Plain Enter adds a line; Ctrl/Cmd+Enter submits, as in most editors.
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit();
          }}
        />
        {missing ? (
          <p id={`${id}-missing`} role="alert" className="error-inline">
            {outcome === "reject" ? "A reason is required to reject." : "A response is required."}
          </p>
        ) : null}
        <ErrorMessage error={error} context="Could not sign the decision" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={outcome === "reject" ? "danger" : "primary"} disabled={busy}>
            {busy ? "Signing…" : spec.submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export type { TextOutcome };
