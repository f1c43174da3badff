import { useState } from "react";
import { backend, toBackendError } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { BackendError } from "../backendError";

interface Props {
  label: string;
  value: string;
  onChange: (path: string) => void;
  /** Title of the system folder picker. */
  pickerTitle: string;
  disabled?: boolean;
}

/** A folder path typed in or picked with the system dialog (typing keeps it scriptable). */
export function FolderField({ label, value, onChange, pickerTitle, disabled }: Props) {
  const [error, setError] = useState<BackendError>();
  const choose = async () => {
    setError(undefined);
    try {
      const picked = await backend.chooseFolder(pickerTitle, value || undefined);
      if (picked) onChange(picked);
    } catch (e) {
      setError(toBackendError(e));
    }
  };
  return (
    <div className="folder-field">
      <label className="filter">
        <span>{label}</span>
        <input
          type="text"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          spellCheck={false}
        />
      </label>
      <button type="button" onClick={() => void choose()} disabled={disabled}>
        Choose…
      </button>
      <ErrorMessage error={error} context="Could not open the folder picker" />
    </div>
  );
}
