import { useState } from "react";
import { backend } from "../backend";
import type { EngineEvent, Health, NotifierStatus } from "../gen";
import { useAsync } from "./useAsync";
import { useEngineEvent, useNotifierStatus } from "./useEngineEvent";

const HEALTH_LABEL: Record<Health, string> = {
  unknown: "connecting",
  online: "online",
  offline: "offline",
  unauthorized: "token refused",
};

/** Always-visible sync state: per-endpoint health, outbox and queue counts, and whether
 * OS notifications are paused or unavailable. */
export function StatusBar() {
  const endpoints = useAsync(() => backend.endpointsList(), []);
  const stats = useAsync(() => backend.queueStats(), []);
  // Health events arrive faster than a full reload would; overlay them on the last list.
  const [health, setHealth] = useState<Record<string, { health: Health; detail: string | null }>>(
    {},
  );

  const initialNotifier = useAsync(() => backend.notificationsStatus(), []);
  const [notifierUpdate, setNotifierUpdate] = useState<NotifierStatus>();
  useNotifierStatus(setNotifierUpdate);
  const notifier = notifierUpdate ?? initialNotifier.data;

  useEngineEvent((e: EngineEvent) => {
    if (e.type === "endpoint_health") {
      setHealth((h) => ({ ...h, [e.endpoint_id]: { health: e.health, detail: e.detail } }));
    } else {
      // Outbox counts per endpoint and queue totals change with any other event.
      stats.reload();
      endpoints.reload();
    }
  });

  const s = stats.data;
  return (
    <footer className="status-bar" aria-label="Sync status">
      <ul className="endpoint-badges" aria-label="Endpoints">
        {endpoints.data?.length === 0 ? <li>No endpoints</li> : null}
        {endpoints.data?.map((ep) => {
          const h = health[ep.id] ?? { health: ep.health, detail: ep.health_detail };
          return (
            <li
              key={ep.id}
              className={`badge health-${h.health}`}
              title={h.detail ?? undefined}
              aria-label={`${ep.name}: ${HEALTH_LABEL[h.health]}, ${ep.outbox} waiting to send`}
            >
              <span className="dot" aria-hidden="true" />
              {ep.name}: {HEALTH_LABEL[h.health]}
            </li>
          );
        })}
      </ul>
      {s ? (
        <p className="counts">
          <span>Pending {s.pending}</span>
          <span className={s.urgent > 0 ? "urgent" : undefined}>Urgent {s.urgent}</span>
          <span aria-label={`Outbox: ${s.outbox} decisions not yet acknowledged`}>
            Outbox {s.outbox}
          </span>
          {s.quarantined > 0 ? <span>Quarantined {s.quarantined}</span> : null}
        </p>
      ) : null}
      {notifier && !notifier.available ? (
        <p role="status" className="notifier-state" title={notifier.message ?? undefined}>
          Notifications unavailable: {notifier.message ?? "no notification service"}
        </p>
      ) : null}
      {notifier?.available && notifier.paused ? (
        <p role="status" className="notifier-state">
          Notifications paused
        </p>
      ) : null}
      {stats.error || endpoints.error ? (
        <p role="alert" className="error-inline">
          Status unavailable: {(stats.error ?? endpoints.error)?.message}
        </p>
      ) : null}
    </footer>
  );
}
