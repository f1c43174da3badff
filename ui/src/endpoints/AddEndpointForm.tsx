import { useId, useState, type FormEvent } from "react";
import { backend } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { EndpointKind, EndpointView, NewEndpointRequest } from "../gen";
import type { BackendError } from "../backendError";

/**
 * Adds an endpoint: a Countersign protocol endpoint (token required) or a LangGraph server
 * (optional API key, optional assistant/graph filter). Secrets go straight to the backend,
 * which keeps them in the OS keyring.
 */
export function AddEndpointForm({ onAdded }: { onAdded: (e: EndpointView) => void }) {
  const id = useId();
  const [kind, setKind] = useState<EndpointKind>("native");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const [assistant, setAssistant] = useState("");
  const [insecure, setInsecure] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError>();
  const langgraph = kind === "langgraph";

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() || !url.trim() || (!langgraph && !token)) {
      setError({
        code: "invalid_input",
        message: langgraph ? "Name and URL are required." : "Name, URL and token are all required.",
      });
      return;
    }
    setBusy(true);
    setError(undefined);
    const request: NewEndpointRequest = {
      name: name.trim(),
      base_url: url.trim(),
      token,
      allow_insecure_http: insecure,
      kind,
    };
    if (langgraph && assistant.trim()) request.assistant = assistant.trim();
    backend
      .endpointAdd(request)
      .then((ep) => {
        // Do not keep the secret in memory longer than needed.
        setName("");
        setUrl("");
        setToken("");
        setAssistant("");
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
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as EndpointKind)}>
          <option value="native">Countersign protocol</option>
          <option value="langgraph">LangGraph server</option>
        </select>
      </label>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </label>
      <label>
        URL
        <input
          type="url"
          value={url}
          placeholder={langgraph ? "http://127.0.0.1:2024" : "https://agents.example.com"}
          onChange={(e) => setUrl(e.target.value)}
          autoComplete="off"
        />
      </label>
      <label>
        {langgraph ? "API key (optional)" : "Token"}
        <input
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      {langgraph ? (
        <label>
          Assistant or graph (optional)
          <input
            value={assistant}
            placeholder="all threads"
            onChange={(e) => setAssistant(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} />
        Allow plain http:// to a non-local host (not recommended)
      </label>
      <p className="hint">
        {langgraph
          ? "Interrupted threads become review packets; your decisions resume them. The API key (x-api-key of a deployment; none for langgraph dev) is stored in your OS keyring."
          : "The token is stored in your OS keyring, never in the database."}
      </p>
      <ErrorMessage error={error} context="Could not add the endpoint" />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Adding…" : "Add endpoint"}
      </button>
    </form>
  );
}
