import { useCallback, useEffect, useRef, useState } from "react";
import { toBackendError } from "../backend";
import type { BackendError } from "../backendError";

export interface AsyncState<T> {
  data: T | undefined;
  error: BackendError | undefined;
  loading: boolean;
  /** Re-run the loader; overlapping calls are coalesced so an event storm costs one extra fetch. */
  reload: () => void;
}

/** Loads data with `load` whenever `deps` change, keeping the last good data on reload. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<BackendError>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  const generation = useRef(0);
  const inFlight = useRef(false);
  const dirty = useRef(false);

  useEffect(() => {
    loadRef.current = load;
  });

  const run = useCallback(() => {
    if (inFlight.current) {
      dirty.current = true;
      return;
    }
    const go = () => {
      inFlight.current = true;
      const gen = generation.current;
      setLoading(true);
      loadRef
        .current()
        .then(
          (value) => {
            if (gen !== generation.current) return;
            setData(value);
            setError(undefined);
          },
          (e: unknown) => {
            if (gen !== generation.current) return;
            setError(toBackendError(e));
          },
        )
        .finally(() => {
          inFlight.current = false;
          if (gen === generation.current) setLoading(false);
          if (dirty.current) {
            dirty.current = false;
            go();
          }
        });
    };
    go();
  }, []);

  useEffect(() => {
    // New inputs: results of older requests must not overwrite the new ones.
    generation.current += 1;
    inFlight.current = false;
    dirty.current = false;
    run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { data, error, loading, reload: run };
}
