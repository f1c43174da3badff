import type { RJSFSchema } from "@rjsf/utils";
import { lazy, Suspense, useState, type KeyboardEvent } from "react";
import { Dialog } from "../shell/Dialog";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { JsonValue, Packet } from "../gen";
import type { BackendError } from "../backendError";
import { ArgsDiff } from "./ArgsDiff";
import { diffArgs } from "./argsDiff";
import { JsonArgsEditor } from "./JsonArgsEditor";
import { SchemaFormBoundary } from "./SchemaFormBoundary";

// The generated form (@rjsf/core) is most of the bundle and only needed when editing.
const SchemaForm = lazy(() => import("./SchemaForm"));

interface Props {
  packet: Packet;
  busy: boolean;
  error: BackendError | undefined;
  onSign: (args: JsonValue) => void;
  onClose: () => void;
}

function usableSchema(s: JsonValue | undefined): s is RJSFSchema & JsonValue {
  // rjsf needs an object schema; `true`, arrays or junk fall back to the JSON editor.
  return typeof s === "object" && s !== null && !Array.isArray(s);
}

/** Edit-and-approve: change the arguments, see the diff, sign the edited call. */
export function EditForm({ packet, busy, error, onSign, onClose }: Props) {
  const proposed = packet.action.args;
  const [edited, setEdited] = useState<JsonValue | undefined>(proposed);
  const [valid, setValid] = useState(true);
  const schema = packet.args_schema;

  const jsonEditor = (
    <JsonArgsEditor
      initial={proposed}
      onChange={(v) => {
        setEdited(v);
        setValid(v !== undefined);
      }}
    />
  );

  const changed = edited !== undefined && diffArgs(proposed, edited).length > 0;
  const canSign = !busy && valid && changed;

  // Enter in a generated input would submit the form; signing must be a deliberate click.
  const stopEnter = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Enter" && e.target instanceof HTMLInputElement) e.preventDefault();
  };

  return (
    <Dialog title={`Edit and approve: ${packet.action.name}`} onClose={onClose}>
      <div className="edit-form" onKeyDown={stopEnter}>
        {usableSchema(schema) ? (
          <SchemaFormBoundary
            fallback={(e) => (
              <>
                <p role="alert" className="error-inline">
                  The agent&apos;s argument schema could not be used ({e.message}); edit the JSON
                  instead. The endpoint still checks it.
                </p>
                {jsonEditor}
              </>
            )}
          >
            <Suspense fallback={<p className="hint">Loading the form…</p>}>
              <SchemaForm
                schema={schema}
                value={edited ?? proposed}
                onChange={(v, ok) => {
                  setEdited(v);
                  setValid(ok);
                }}
              />
            </Suspense>
          </SchemaFormBoundary>
        ) : (
          jsonEditor
        )}
      </div>
      <h3>Changes you are about to sign</h3>
      {edited === undefined ? (
        <p className="hint">Fix the JSON to see the changes.</p>
      ) : (
        <ArgsDiff before={proposed} after={edited} />
      )}
      {!valid ? (
        <p className="error-inline" role="alert">
          The edited arguments do not match the agent&apos;s schema.
        </p>
      ) : null}
      <ErrorMessage error={error} context="Could not sign the decision" />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!canSign}
          onClick={() => edited !== undefined && onSign(edited)}
        >
          {busy ? "Signing…" : "Sign edited approval"}
        </button>
      </div>
    </Dialog>
  );
}
