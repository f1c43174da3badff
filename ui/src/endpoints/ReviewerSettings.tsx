import { useState, type FormEvent } from "react";
import { backend } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useAsync } from "../shell/useAsync";
import type { BackendError } from "../backendError";

/** The printed name that appears on every signed record, and this device's signing key. */
export function ReviewerSettings() {
  const reviewer = useAsync(() => backend.reviewerGet(), []);
  const key = useAsync(() => backend.keyInfo(), []);
  const [draft, setDraft] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<BackendError>();
  const name = draft ?? reviewer.data?.display_name ?? "";

  const save = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    backend.reviewerSetName(name.trim()).then(
      () => {
        setDraft(undefined);
        setSaved(true);
        setError(undefined);
        reviewer.reload();
      },
      (err: BackendError) => setError(err),
    );
  };

  return (
    <section className="reviewer" aria-labelledby="reviewer-title">
      <h3 id="reviewer-title">You</h3>
      <form onSubmit={save}>
        <label>
          Display name (printed on your signed decisions)
          <input
            value={name}
            onChange={(e) => {
              setDraft(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        <button type="submit" disabled={!name.trim()}>
          Save name
        </button>
        {saved ? <span role="status">Saved.</span> : null}
      </form>
      <ErrorMessage error={error ?? reviewer.error} context="Reviewer name" />
      {key.data ? (
        <p className="key-info">
          Signing key <code>{key.data.key_id}</code>, fingerprint{" "}
          <code>{key.data.fingerprint}</code>
        </p>
      ) : null}
      <ErrorMessage error={key.error} context="Signing key" />
    </section>
  );
}
