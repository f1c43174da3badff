import { useCallback, useEffect, useRef, useState } from "react";
import { backend } from "../backend";
import { PacketView } from "../packet/PacketView";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useShortcuts } from "../shell/Shortcuts";
import { useAsync } from "../shell/useAsync";
import { useEngineEvent } from "../shell/useEngineEvent";
import type { QueueQuery } from "../gen";
import { QueueFilters } from "./QueueFilters";
import { QueueList } from "./QueueList";
import { useQueue } from "./useQueue";

/** The default view is the work to do: pending packets. */
export const DEFAULT_QUERY: QueueQuery = { status: "pending" };

interface Selection {
  id: number;
  /** Where the packet was when selected; keeps j/k meaningful if it leaves the list. */
  index: number;
}

type OpenRequest = { id: number; seq: number };

/** What the queue view hands its host to keep while another view is shown. */
export interface QueueViewMemory {
  query: QueueQuery;
  selection: Selection | undefined;
  /** The open request already applied, so coming back does not apply it again. */
  seenRequest: OpenRequest | undefined;
}

interface QueueViewProps {
  /** Show this review (from a notification); `seq` tells repeated requests apart. */
  openRequest?: OpenRequest;
  /** Where the view was when last shown (it starts there); undefined: the first visit. */
  memory?: QueueViewMemory;
  /** Hears every change of the filter, the selection and the applied open request. */
  onMemoryChange?: (memory: QueueViewMemory) => void;
}

export function QueueView({ openRequest, memory, onMemoryChange }: QueueViewProps = {}) {
  const [query, setQuery] = useState<QueueQuery>(memory?.query ?? DEFAULT_QUERY);
  const [selection, setSelection] = useState<Selection | undefined>(
    memory ? memory.selection : openRequest ? { id: openRequest.id, index: -1 } : undefined,
  );
  const searchRef = useRef<HTMLInputElement>(null);
  const queue = useQueue(query);

  // A new open request moves the selection (adjusted while rendering, as React advises
  // for state that follows a prop); a queue refresh does not.
  const [seenRequest, setSeenRequest] = useState(memory ? memory.seenRequest : openRequest);
  if (openRequest !== seenRequest) {
    setSeenRequest(openRequest);
    if (openRequest) setSelection({ id: openRequest.id, index: queue.indexOf(openRequest.id) });
  }

  // The view unmounts while another one is shown; the host keeps where it was.
  useEffect(() => {
    onMemoryChange?.({ query, selection, seenRequest });
  }, [onMemoryChange, query, selection, seenRequest]);

  // Tell the notifier which review is on screen: it gets no popup. A window in the
  // background shows nothing to anyone.
  const selectedId = selection?.id ?? null;
  useEffect(() => {
    const report = () => {
      const visible = document.hasFocus() && document.visibilityState === "visible";
      backend.notificationsFocus(visible ? selectedId : null).catch(() => undefined);
    };
    report();
    window.addEventListener("focus", report);
    window.addEventListener("blur", report);
    document.addEventListener("visibilitychange", report);
    return () => {
      window.removeEventListener("focus", report);
      window.removeEventListener("blur", report);
      document.removeEventListener("visibilitychange", report);
    };
  }, [selectedId]);
  const endpoints = useAsync(() => backend.endpointsList(), []);

  useEngineEvent((e) => {
    if (e.type === "queue_changed") queue.refresh();
  });

  // Follow the selected packet if a refresh moved it; otherwise stay at the old index.
  const liveIndex = selection ? queue.indexOf(selection.id) : -1;
  const selectedIndex = liveIndex >= 0 ? liveIndex : (selection?.index ?? -1);

  const { row } = queue;
  const selectIndex = useCallback(
    (index: number) => {
      const r = row(index);
      if (r) setSelection({ id: r.id, index });
    },
    [row],
  );

  const move = (delta: number) => {
    const count = queue.count ?? 0;
    if (count === 0) return;
    const next = selectedIndex < 0 ? 0 : Math.min(count - 1, Math.max(0, selectedIndex + delta));
    selectIndex(next);
  };

  useShortcuts({
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    "/": () => searchRef.current?.focus(),
  });

  return (
    <div className="queue-view">
      <section className="queue-pane" aria-label="Queue">
        <QueueFilters
          value={query}
          onChange={(q) => setQuery(q)}
          endpoints={endpoints.data ?? []}
          searchRef={searchRef}
        />
        <p className="queue-count" aria-live="polite">
          {queue.count === undefined
            ? "Loading…"
            : `${queue.count} packet${queue.count === 1 ? "" : "s"}`}
        </p>
        <ErrorMessage error={queue.error} context="Could not load the queue" />
        <QueueList queue={queue} selectedIndex={selectedIndex} onSelect={selectIndex} />
      </section>
      <section className="packet-pane" aria-label="Packet">
        {selection ? (
          <PacketView key={selection.id} id={selection.id} />
        ) : (
          <p className="placeholder">Select a packet (j / k or click). Press ? for shortcuts.</p>
        )}
      </section>
    </div>
  );
}
