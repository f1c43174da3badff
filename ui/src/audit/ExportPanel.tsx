import { useEffect, useState } from "react";
import { backend, toBackendError } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { AuditFilter, ExportProgress, ExportSummary } from "../gen";
import type { BackendError } from "../backendError";
import { FolderField } from "./FolderField";

type ExportState =
  | { kind: "idle" }
  | { kind: "running"; progress: ExportProgress | null; cancelling: boolean }
  | { kind: "done"; summary: ExportSummary }
  | { kind: "cancelled" }
  | { kind: "failed"; error: BackendError };

const PHASE: Record<ExportProgress["phase"], string> = {
  decisions: "Writing decisions",
  ledger: "Writing the ledger segment",
};

interface Props {
  filter: AuditFilter;
  /** Decisions the filter selects now (from the preview). */
  total: number | undefined;
  /** Hands a finished export to the verifier. */
  onVerify: (dir: string) => void;
}

/** Writes the selected decisions to a folder, with progress and cancel for large exports. */
export function ExportPanel({ filter, total, onVerify }: Props) {
  const [out, setOut] = useState("");
  const [digestsOnly, setDigestsOnly] = useState(false);
  const [state, setState] = useState<ExportState>({ kind: "idle" });
  const running = state.kind === "running";

  useEffect(() => {
    backend.auditDefaultDir().then(
      (dir) => setOut((current) => current || dir),
      () => undefined, // the field stays empty and the user types or picks a folder
    );
  }, []);

  const start = async () => {
    setState({ kind: "running", progress: null, cancelling: false });
    try {
      const summary = await backend.auditExport(filter, { out, digests_only: digestsOnly }, (p) =>
        setState((s) => (s.kind === "running" ? { ...s, progress: p } : s)),
      );
      setState({ kind: "done", summary });
      // The next export goes to a fresh folder rather than failing on a non-empty one.
      backend.auditDefaultDir().then(setOut, () => undefined);
    } catch (e) {
      const error = toBackendError(e);
      setState(error.code === "cancelled" ? { kind: "cancelled" } : { kind: "failed", error });
    }
  };

  const cancel = () => {
    setState((s) => (s.kind === "running" ? { ...s, cancelling: true } : s));
    void backend.auditExportCancel();
  };

  return (
    <section aria-label="Export" className="audit-export">
      <h3>Export</h3>
      <FolderField
        label="Export to folder (new or empty)"
        value={out}
        onChange={setOut}
        pickerTitle="Export the audit trail to…"
        disabled={running}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={digestsOnly}
          onChange={(e) => setDigestsOnly(e.target.checked)}
          disabled={running}
        />
        Show argument digests instead of arguments (the signed records still carry them)
      </label>
      <div className="audit-actions">
        <button
          type="button"
          className="primary"
          disabled={running || !out.trim() || total === 0}
          onClick={() => void start()}
        >
          {total === undefined ? "Export" : `Export ${total.toLocaleString()} decisions`}
        </button>
        {running ? (
          <button type="button" onClick={cancel} disabled={state.cancelling}>
            {state.cancelling ? "Cancelling…" : "Cancel export"}
          </button>
        ) : null}
      </div>
      {state.kind === "running" ? <ExportProgressBar progress={state.progress} /> : null}
      {state.kind === "done" ? (
        <div role="status" className="audit-result ok">
          <p>
            Exported {state.summary.decisions.toLocaleString()} decisions and{" "}
            {state.summary.ledger_entries.toLocaleString()} ledger entries to{" "}
            <code>{state.summary.out}</code>. Chain head #{state.summary.chain_head_seq}{" "}
            <code title={state.summary.chain_head}>{state.summary.chain_head.slice(0, 12)}…</code>,
            manifest signed by key <code>{state.summary.signer_key_id.slice(0, 16)}…</code>
          </p>
          <button type="button" onClick={() => onVerify(state.summary.out)}>
            Verify this export
          </button>
        </div>
      ) : null}
      {state.kind === "cancelled" ? (
        <p role="status" className="audit-result">
          Export cancelled; the partial files were removed.
        </p>
      ) : null}
      {state.kind === "failed" ? (
        <ErrorMessage error={state.error} context="Export failed" />
      ) : null}
    </section>
  );
}

function ExportProgressBar({ progress }: { progress: ExportProgress | null }) {
  if (!progress) {
    return (
      <p role="status" className="audit-progress">
        <progress aria-label="Export progress" /> Reading the ledger snapshot…
      </p>
    );
  }
  const { phase, done, total } = progress;
  return (
    <p role="status" className="audit-progress">
      <progress aria-label="Export progress" value={done} max={Math.max(total, 1)} /> {PHASE[phase]}{" "}
      {done.toLocaleString()} / {total.toLocaleString()}
    </p>
  );
}
