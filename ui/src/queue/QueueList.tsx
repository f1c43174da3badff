import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import type { QueueData } from "./useQueue";
import { markQueueReady } from "../shell/readyMark";
import { QueueRow } from "./QueueRow";

export const ROW_HEIGHT = 56;

interface Props {
  queue: QueueData;
  selectedIndex: number;
  onSelect: (index: number) => void;
}

/**
 * Virtualized queue: only the rows in view (plus overscan) exist in the DOM, and only
 * their pages are fetched. Rows have a fixed height so no measuring pass is needed.
 */
export function QueueList({ queue, selectedIndex, onSelect }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = queue.count ?? 0;
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is designed for this
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 400, height: 800 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { showRange } = queue;

  useEffect(() => {
    if (count > 0) showRange(first, last);
  }, [first, last, count, showRange]);

  const ready = queue.count === 0 || queue.row(first) !== undefined;
  useEffect(() => {
    if (ready) markQueueReady();
  }, [ready]);

  useEffect(() => {
    if (selectedIndex >= 0 && selectedIndex < count) {
      virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
    }
  }, [selectedIndex, count, virtualizer]);

  if (queue.count === 0) {
    return <p className="queue-empty">No packets match. Nothing waiting for you here.</p>;
  }

  return (
    <div ref={scrollRef} className="queue-scroll">
      <div
        role="list"
        aria-label="Review queue"
        className="queue-inner"
        // Positioning via React's style prop is set through the CSSOM (element.style),
        // which CSP style-src 'self' allows; only style *attributes* in markup are blocked.
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => (
          <div
            key={item.key}
            role="listitem"
            aria-setsize={count}
            aria-posinset={item.index + 1}
            aria-current={item.index === selectedIndex ? "true" : undefined}
            className="queue-item"
            style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
          >
            <QueueRow
              row={queue.row(item.index)}
              selected={item.index === selectedIndex}
              onSelect={() => onSelect(item.index)}
            />
          </div>
        ))}
      </div>
    </div>
  );
}
