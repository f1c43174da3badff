import { backend } from "../backend";
import { formatBytes, formatDate } from "../format";
import { FoldedText } from "../packet/FoldedText";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useAsync } from "../shell/useAsync";
import { useEngineEvent } from "../shell/useEngineEvent";

const LIMIT = 500;

/** Packets that failed validation: kept for inspection, never rendered as anything but text. */
export function QuarantineView() {
  const list = useAsync(() => backend.quarantineList(LIMIT), []);
  useEngineEvent((e) => {
    if (e.type === "quarantined") list.reload();
  });
  return (
    <div className="quarantine-view">
      <h2>Quarantine</h2>
      <p className="hint">
        Packets set aside because they failed validation. They never enter the queue.
      </p>
      <ErrorMessage error={list.error} context="Could not load the quarantine" />
      <ul className="quarantine-list" aria-label="Quarantined packets">
        {list.data?.length === 0 ? <li>Nothing quarantined.</li> : null}
        {list.data?.map((q) => (
          <li key={q.id} className="quarantined">
            <p>
              <code className="error-code">{q.code}</code> {q.reason.slice(0, 500)}
            </p>
            <p className="hint">
              From {q.endpoint_id}
              {q.remote_id ? ` (packet ${q.remote_id.slice(0, 100)})` : ""} · received{" "}
              {formatDate(q.received_at)} · {formatBytes(q.raw_size)}
            </p>
            <FoldedText text={q.raw_preview} limit={500} label={`raw payload of ${q.id}`} />
          </li>
        ))}
      </ul>
    </div>
  );
}
