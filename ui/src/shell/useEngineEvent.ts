import { useEffect, useRef } from "react";
import { onEngineEvent, onNotifierStatus, onOpenPacket } from "../backend";
import type { EngineEvent, NotifierStatus } from "../gen";
import type { OpenPacketRequest } from "../backend";

type Subscribe<T> = (handler: (payload: T) => void) => Promise<() => void>;

/**
 * Calls `handler` for every event `subscribe` delivers while the component is mounted.
 * The handler is kept in a ref so callers can pass inline closures without re-subscribing
 * each render.
 */
function useSubscription<T>(subscribe: Subscribe<T>, handler: (payload: T) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let cancelled = false;
    subscribe((e) => ref.current(e))
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
  }, [subscribe]);
}

/** Engine events (queue, decisions, endpoint health) while mounted. */
export function useEngineEvent(handler: (event: EngineEvent) => void): void {
  useSubscription(onEngineEvent, handler);
}

/** "Show this review" requests from OS notifications while mounted. */
export function useOpenPacketRequest(handler: (request: OpenPacketRequest) => void): void {
  useSubscription(onOpenPacket, handler);
}

/** Notifier status changes (paused, service unavailable) while mounted. */
export function useNotifierStatus(handler: (status: NotifierStatus) => void): void {
  useSubscription(onNotifierStatus, handler);
}
