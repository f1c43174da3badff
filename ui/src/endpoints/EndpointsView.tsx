import { useState } from "react";
import { backend } from "../backend";
import { formatDate } from "../format";
import { Dialog } from "../shell/Dialog";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useAsync } from "../shell/useAsync";
import { useEngineEvent } from "../shell/useEngineEvent";
import type { EndpointView } from "../gen";
import type { BackendError } from "../backendError";
import { AddEndpointForm } from "./AddEndpointForm";
import { ReviewerSettings } from "./ReviewerSettings";

export function EndpointsView() {
  const list = useAsync(() => backend.endpointsList(), []);
  const [removing, setRemoving] = useState<EndpointView>();
  const [error, setError] = useState<BackendError>();

  useEngineEvent((e) => {
    if (e.type === "endpoint_health" || e.type === "decision_state") list.reload();
  });

  const act = (p: Promise<unknown>) => {
    setError(undefined);
    p.then(list.reload, (err: BackendError) => setError(err));
  };

  return (
    <div className="endpoints-view">
      <h2>Endpoints</h2>
      <ErrorMessage error={list.error ?? error} context="Endpoints" />
      <ul className="endpoint-list" aria-label="Endpoints">
        {list.data?.length === 0 ? <li>No endpoints yet. Add one below.</li> : null}
        {list.data?.map((ep) => (
          <li key={ep.id} className="endpoint">
            <div>
              <strong>{ep.name}</strong> <code>{ep.base_url}</code>
            </div>
            <div className={`badge health-${ep.health}`}>
              {ep.health}
              {ep.health_detail ? `: ${ep.health_detail}` : ""}
            </div>
            <div className="hint">
              Last sync {formatDate(ep.last_sync_at)} · {ep.outbox} waiting to send ·{" "}
              {ep.kind === "langgraph"
                ? `LangGraph server${ep.assistant_filter ? ` · assistant ${ep.assistant_filter}` : " · all threads"}`
                : ep.enrolled
                  ? "key enrolled"
                  : "key not enrolled"}
            </div>
            <div className="endpoint-actions">
              {/* A LangGraph server takes no reviewer keys: its decisions are signed locally. */}
              {ep.kind === "native" ? (
                <button
                  type="button"
                  aria-label={`${ep.enrolled ? "Re-enroll" : "Enroll"} signing key with ${ep.name}`}
                  onClick={() => act(backend.endpointEnroll(ep.id))}
                >
                  {ep.enrolled ? "Re-enroll key" : "Enroll key"}
                </button>
              ) : null}
              <button
                type="button"
                className="danger"
                aria-label={`Remove ${ep.name}`}
                onClick={() => setRemoving(ep)}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      {removing ? (
        <Dialog title={`Remove ${removing.name}?`} onClose={() => setRemoving(undefined)}>
          <p>
            Packets from this endpoint stay in your local history and audit trail. Decisions not yet
            delivered ({removing.outbox}) will not be sent.
          </p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setRemoving(undefined)} data-autofocus>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                act(backend.endpointRemove(removing.id));
                setRemoving(undefined);
              }}
            >
              Remove endpoint
            </button>
          </div>
        </Dialog>
      ) : null}
      <AddEndpointForm onAdded={() => list.reload()} />
      <ReviewerSettings />
    </div>
  );
}
