import { useId, useState, type FormEvent } from "react";
import { backend } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { BackendError, EndpointView } from "../types";

/** Adds an endpoint. The token goes straight to the backend, which keeps it in the OS keyring. */
export function AddEndpointForm({ onAdded }: { onAdded: (e: EndpointView) => void }) {
  const id = useId();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const [insecure, setInsecure] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError>();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() || !url.trim() || !token) {
      setError({ code: "invalid_input", message: "Name, URL and token are all required." });
      return;
    }
    setBusy(true);
    setError(undefined);
    backend
      .endpointAdd({ name: name.trim(), base_url: url.trim(), token, allow_insecure_http: insecure })
      .then((ep) => {
        // Do not keep the secret in memory longer than needed.
        setName("");
        setUrl("");
        setToken("");
        setInsecure(false);
        onAdded(ep);
      })
      .catch((err: BackendError) => setError(err))
      .finally(() => setBusy(false));
  };

  return (
    <form className="add-endpoint" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>Add an endpoint</h3>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </label>
      <label>
        URL
        <input
          type="url"
          value={url}
          placeholder="https://agents.example.com"
          onChange={(e) => setUrl(e.target.value)}
          autoComplete="off"
        />
      </label>
      <label>
        Token
        <input
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} />
        Allow plain http:// to a non-local host (not recommended)
      </label>
      <p className="hint">The token is stored in your OS keyring, never in the database.</p>
      <ErrorMessage error={error} context="Could not add the endpoint" />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Adding…" : "Add endpoint"}
      </button>
    </form>
  );
}
