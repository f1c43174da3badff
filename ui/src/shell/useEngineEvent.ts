import { useEffect, useRef } from "react";
import { onEngineEvent } from "../backend";
import type { EngineEvent } from "../types";

/**
 * Calls `handler` for every engine event while the component is mounted. The handler is
 * kept in a ref so callers can pass inline closures without re-subscribing each render.
 */
export function useEngineEvent(handler: (event: EngineEvent) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let cancelled = false;
    onEngineEvent((e) => ref.current(e))
      .then((fn) => {
        // listen() is async: if we unmounted meanwhile, drop the subscription at once.
        if (cancelled) fn();
        else unlisten = fn;
      })
      .catch(() => {
        // No event bridge (e.g. opened in a plain browser): the UI still works by polling
        // on user actions, so a missing subscription is not fatal.
      });
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, []);
}
