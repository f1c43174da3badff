/**
 * Marks, once per page load, the moment the queue first showed real content (rows or the
 * empty message). `scripts/bench-app.sh` reads it through WebDriver to measure app start to
 * first queue render; it is a standard User Timing mark, so devtools show it too.
 */
export const QUEUE_READY_MARK = "countersign:queue-ready";

export function markQueueReady(): void {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return;
  if (performance.getEntriesByName(QUEUE_READY_MARK).length > 0) return;
  // The next frame starts after the committed rows were painted.
  requestAnimationFrame(() => {
    if (performance.getEntriesByName(QUEUE_READY_MARK).length === 0) {
      performance.mark(QUEUE_READY_MARK);
    }
  });
}
