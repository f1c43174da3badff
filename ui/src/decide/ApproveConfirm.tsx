import { formatAmount } from "../format";
import { Dialog } from "../shell/Dialog";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { Packet } from "../gen";
import type { BackendError } from "../backendError";

interface Props {
  packet: Packet;
  busy: boolean;
  error: BackendError | undefined;
  onConfirm: () => void;
  onClose: () => void;
}

/** The one confirm step of a routine approval: `a` opens it, Enter signs. */
export function ApproveConfirm({ packet, busy, error, onConfirm, onClose }: Props) {
  const { impact } = packet;
  const confirm = () => {
    if (!busy) onConfirm();
  };
  return (
    <Dialog title={`Approve ${packet.action.name}?`} onClose={onClose} onEnter={confirm}>
      <p>
        You are signing an approval of this exact call with its proposed arguments
        {impact.amount ? `, for ${formatAmount(impact.amount)}` : ""}.
      </p>
      <p className={`badge risk risk-${impact.risk}`}>Risk: {impact.risk}</p>
      {!impact.reversible ? <p className="warning">This action cannot be reversed.</p> : null}
      <ErrorMessage error={error} context="Could not sign the decision" />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={confirm} disabled={busy} data-autofocus>
          {busy ? "Signing…" : "Approve and sign"}
        </button>
      </div>
      <p className="hint">
        <kbd>Enter</kbd> approves, <kbd>Esc</kbd> cancels.
      </p>
    </Dialog>
  );
}
