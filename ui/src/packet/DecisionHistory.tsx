import { capitalize, formatDate } from "../format";
import type { DecisionRecord, DecisionView } from "../gen";
import { FoldedText } from "./FoldedText";

const STATE_TEXT: Record<DecisionView["state"], string> = {
  signed: "Signed and stored, waiting to send",
  sent: "Sent, waiting for the endpoint",
  acknowledged: "Acknowledged by the endpoint",
  conflict: "Conflict: someone else decided first",
  refused: "Refused by the endpoint",
};

/**
 * A decision held back on purpose (the LangGraph connector sends all actions of a thread's
 * interrupts together) carries a "waiting for …" note: show it as status, not as an error.
 */
function isWaitingNote(d: DecisionView): boolean {
  return d.state === "signed" && (d.last_error ?? "").startsWith("waiting for ");
}

function Who({ record }: { record: DecisionRecord }) {
  return (
    <>
      {capitalize(record.outcome)} by {record.reviewer.display_name || record.reviewer.id} at{" "}
      {formatDate(record.decided_at)} (via {record.via})
    </>
  );
}

/** Every decision known on this packet: ours with delivery state, and the endpoint's. */
export function DecisionHistory({ decisions }: { decisions: DecisionView[] }) {
  if (decisions.length === 0) return <p className="hint">No decisions yet.</p>;
  return (
    <ol className="history">
      {decisions.map((d) => (
        <li key={d.decision_id} className={`history-item delivery-${d.state}`}>
          <p>
            <Who record={d.record} />
            {d.local ? " — signed on this device" : null}
          </p>
          <p className={`delivery delivery-${d.state}`}>
            {STATE_TEXT[d.state]}
            {d.attempts > 1 ? ` (${d.attempts} attempts)` : null}
          </p>
          {d.last_error && isWaitingNote(d) ? (
            <p className="hint">{capitalize(d.last_error)}</p>
          ) : null}
          {d.last_error && !isWaitingNote(d) ? (
            <p className="error-inline">Last error: {d.last_error}</p>
          ) : null}
          {d.record.reason ? (
            <FoldedText text={`Reason: ${d.record.reason}`} label="reason" />
          ) : null}
          {d.record.response ? (
            <FoldedText text={`Response: ${d.record.response}`} label="response" />
          ) : null}
          {d.winner ? (
            <p className="winner">
              Winning decision: <Who record={d.winner} />
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
