import type { BackendError } from "../backendError";

// Errors the reviewer must act on outside the app (unlock or install a keyring): shown as a
// banner with an explanation rather than an inline line of text.
const PROMINENT: Partial<Record<BackendError["code"], string>> = {
  keyring_unavailable: "The OS keyring is not available",
  keyring_locked: "The OS keyring is locked",
  keyring: "Keyring error",
};

interface Props {
  error: BackendError | undefined;
  /** What was being attempted, e.g. "Could not sign the decision". */
  context?: string;
}

export function ErrorMessage({ error, context }: Props) {
  if (!error) return null;
  const title = PROMINENT[error.code];
  if (title) {
    return (
      <div role="alert" className="error error-prominent">
        <strong>{title}</strong>
        <p>{error.message}</p>
        <p className="hint">
          Decisions cannot be signed and endpoint tokens cannot be stored until the keyring works.
          Countersign never falls back to storing secrets in a plain file.
        </p>
        <code className="error-code">{error.code}</code>
      </div>
    );
  }
  return (
    <div role="alert" className="error">
      {context ? <strong>{context}: </strong> : null}
      <span>{error.message}</span> <code className="error-code">{error.code}</code>
    </div>
  );
}
