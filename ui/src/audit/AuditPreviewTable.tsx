import { capitalize, formatDate } from "../format";
import type { AuditPreview } from "../gen";

interface Props {
  preview: AuditPreview;
}

/** The first decisions an export would hold, as the signer's manifestation shows them. */
export function AuditPreviewTable({ preview }: Props) {
  const { total, rows } = preview;
  return (
    <section aria-label="Preview" className="audit-preview">
      <p className="audit-count">
        <strong>{total.toLocaleString()}</strong>{" "}
        {total === 1 ? "decision matches" : "decisions match"}
        {rows.length < total ? ` · showing the first ${rows.length.toLocaleString()}` : ""} · the
        ledger holds {preview.ledger_entries.toLocaleString()} entries, chain head{" "}
        <code title={preview.chain_head}>{preview.chain_head.slice(0, 12)}…</code>
      </p>
      {rows.length === 0 ? (
        <p className="hint">No decision matches these filters.</p>
      ) : (
        <div className="table-scroll">
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">Decided</th>
                <th scope="col">Signed by</th>
                <th scope="col">Meaning</th>
                <th scope="col">Outcome</th>
                <th scope="col">Agent</th>
                <th scope="col">Action</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Delivery</th>
                <th scope="col">Reason</th>
                <th scope="col">Ledger #</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.decision_id}>
                  <td>
                    <time dateTime={r.decided_at}>{formatDate(r.decided_at)}</time>
                  </td>
                  <td>{r.signer_name}</td>
                  <td>{r.meaning}</td>
                  <td>{capitalize(r.outcome)}</td>
                  <td>{r.agent}</td>
                  <td>{r.action}</td>
                  <td>{r.endpoint}</td>
                  <td>{capitalize(r.delivery_state)}</td>
                  <td className="audit-reason">{r.reason ? r.reason.slice(0, 200) : ""}</td>
                  <td>{r.ledger_seq ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
