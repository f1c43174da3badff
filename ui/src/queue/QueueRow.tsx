import { formatAmount } from "../format";
import type { PacketSummary } from "../gen";
import { Countdown } from "./Countdown";

interface Props {
  row: PacketSummary | undefined;
  selected: boolean;
  onSelect: () => void;
}

/** One queue row. Text only: every field here comes from an agent and may be hostile. */
export function QueueRow({ row, selected, onSelect }: Props) {
  if (!row) return <div className="queue-row placeholder">Loading…</div>;
  const label = `${row.action} by ${row.agent} on ${row.endpoint_name}, urgency ${row.urgency}, risk ${row.risk}, ${row.status}`;
  return (
    <button
      type="button"
      className={`queue-row urgency-${row.urgency}${selected ? " selected" : ""}`}
      aria-label={label}
      aria-pressed={selected}
      onClick={onSelect}
    >
      <span className={`badge urgency urgency-${row.urgency}`}>{row.urgency}</span>
      <span className="row-main">
        <span className="row-action">{row.action}</span>
        <span className="row-meta">
          {row.agent} · {row.endpoint_name}
        </span>
      </span>
      <span className={`badge risk risk-${row.risk}`}>{row.risk}</span>
      <span className="row-amount">{row.amount ? formatAmount(row.amount) : ""}</span>
      {row.status === "pending" ? (
        <Countdown deadline={row.deadline} />
      ) : (
        <span className={`status status-${row.status}`}>{row.status}</span>
      )}
      {row.my_decision ? (
        <span className={`delivery delivery-${row.my_decision}`}>{row.my_decision}</span>
      ) : null}
    </button>
  );
}
