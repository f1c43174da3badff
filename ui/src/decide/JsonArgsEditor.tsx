import { useId, useState } from "react";
import type { JsonValue } from "../gen";

interface Props {
  initial: JsonValue;
  onChange: (value: JsonValue | undefined) => void;
}

/** Raw JSON editing for packets without an args_schema; reports undefined while invalid. */
export function JsonArgsEditor({ initial, onChange }: Props) {
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(initial, null, 2));
  const [error, setError] = useState<string>();
  return (
    <div className="json-editor">
      <label htmlFor={id}>Arguments (JSON)</label>
      <textarea
        id={id}
        value={text}
        rows={12}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value) as JsonValue);
            setError(undefined);
          } catch (err) {
            onChange(undefined);
            setError((err as Error).message);
          }
        }}
      />
      {error ? (
        <p id={`${id}-error`} role="alert" className="error-inline">
          Not valid JSON: {error}
        </p>
      ) : null}
    </div>
  );
}
