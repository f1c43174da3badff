import { useCallback, useEffect, useRef, useState } from "react";
import { backend, toBackendError } from "../backend";
import type { PacketSummary, QueueQuery } from "../gen";
import type { BackendError } from "../backendError";

export const PAGE_SIZE = 100;

export interface QueueData {
  /** Total rows matching the filter; undefined until the first count arrives. */
  count: number | undefined;
  error: BackendError | undefined;
  row: (index: number) => PacketSummary | undefined;
  /** Tell the hook which rows are on screen so it fetches (only) their pages. */
  showRange: (start: number, end: number) => void;
  /** Re-read count and visible pages (after queue_changed). Coalesces bursts. */
  refresh: () => void;
  /** Finds a loaded row by packet id (-1 when not loaded). */
  indexOf: (id: number) => number;
}

/** What is loaded, tagged with the filter it was loaded for. */
interface Snapshot {
  key: string;
  count: number | undefined;
  pages: Map<number, PacketSummary[]>;
  error: BackendError | undefined;
}

const pagesIn = ([start, end]: [number, number]) => {
  const out: number[] = [];
  for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(end / PAGE_SIZE); p++) out.push(p);
  return out;
};

/**
 * The queue as a sparse, paged array: the backend sorts (urgency, deadline, age) and
 * pages via limit/offset, so 100k rows cost only the pages the viewport touches.
 */
export function useQueue(filter: QueueQuery): QueueData {
  const key = JSON.stringify(filter);
  const [snap, setSnap] = useState<Snapshot>(() => ({
    key,
    count: undefined,
    pages: new Map(),
    error: undefined,
  }));
  // Mutable bookkeeping for the fetch logic (never read during render).
  const current = useRef({
    key,
    range: [0, 0] as [number, number],
    known: new Set<number>(),
    loading: new Set<number>(),
  });
  const refreshing = useRef(false);
  const dirty = useRef(false);

  const fetchPage = (k: string, page: number) =>
    backend.queueList({
      ...(JSON.parse(k) as QueueQuery),
      limit: PAGE_SIZE,
      offset: page * PAGE_SIZE,
    });

  const refresh = useCallback(() => {
    if (refreshing.current) {
      dirty.current = true;
      return;
    }
    const run = () => {
      refreshing.current = true;
      const k = current.current.key;
      const wanted = pagesIn(current.current.range);
      Promise.all([
        backend.queueCount(JSON.parse(k) as QueueQuery),
        ...wanted.map((p) => fetchPage(k, p)),
      ])
        .then(([n, ...rows]) => {
          if (k !== current.current.key) return;
          // Replace the cache wholesale: pages outside the viewport may be stale now.
          const pages = new Map<number, PacketSummary[]>();
          wanted.forEach((p, i) => pages.set(p, rows[i] as PacketSummary[]));
          current.current.known = new Set(wanted);
          setSnap({ key: k, count: n as number, pages, error: undefined });
        })
        .catch((e: unknown) => {
          if (k === current.current.key)
            setSnap((s) => ({ ...s, key: k, error: toBackendError(e) }));
        })
        .finally(() => {
          refreshing.current = false;
          if (dirty.current || k !== current.current.key) {
            dirty.current = false;
            run();
          }
        });
    };
    run();
  }, []);

  useEffect(() => {
    // New filter: forget what was loaded for the old one and start at the top.
    current.current = { key, range: [0, 0], known: new Set(), loading: new Set() };
    refresh();
  }, [key, refresh]);

  const showRange = useCallback((start: number, end: number) => {
    const c = current.current;
    c.range = [start, end];
    for (const p of pagesIn([start, end])) {
      if (c.known.has(p) || c.loading.has(p)) continue;
      c.loading.add(p);
      fetchPage(c.key, p)
        .then((rows) => {
          if (c !== current.current) return;
          c.known.add(p);
          setSnap((s) => (s.key === c.key ? { ...s, pages: new Map(s.pages).set(p, rows) } : s));
        })
        .catch((e: unknown) => {
          if (c === current.current) setSnap((s) => ({ ...s, error: toBackendError(e) }));
        })
        .finally(() => c.loading.delete(p));
    }
  }, []);

  // Data loaded for an older filter is never shown under the new one.
  const live = snap.key === key ? snap : undefined;
  const pages = live?.pages;
  const row = (index: number) => pages?.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  const indexOf = (id: number) => {
    for (const [p, rows] of pages ?? []) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * PAGE_SIZE + i;
    }
    return -1;
  };

  return { count: live?.count, error: live?.error, row, showRange, refresh, indexOf };
}
