import { useSyncExternalStore } from "react";

// One shared 1 s clock for every countdown on screen, instead of a timer per row.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Current time in ms, updated once a second while anything is subscribed. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => {
    // Refresh on first read after a pause so a newly mounted row is not stale.
    if (!timer) now = Date.now();
    return now;
  });
}
