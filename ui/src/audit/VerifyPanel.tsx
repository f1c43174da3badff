import { useState } from "react";
import { backend, toBackendError } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import type { VerifyFailure, VerifyReport } from "../gen";
import type { BackendError } from "../backendError";
import { FolderField } from "./FolderField";

type VerifyState =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "done"; report: VerifyReport }
  | { kind: "failed"; error: BackendError };

/** "decisions.jsonl row 12, ledger entry 40 (decision 0190…)": where to look. */
export function describeFailure(f: VerifyFailure): string {
  let at = f.file;
  if (f.row !== null) at += ` row ${f.row}`;
  if (f.seq !== null) at += `, ledger entry ${f.seq}`;
  if (f.decision_id) at += ` (decision ${f.decision_id})`;
  return at;
}

interface Props {
  dir: string;
  onDirChange: (dir: string) => void;
}

/** Checks an export offline, as an auditor would with the CLI: same code, same verdict. */
export function VerifyPanel({ dir, onDirChange }: Props) {
  const [state, setState] = useState<VerifyState>({ kind: "idle" });
  const verify = async () => {
    setState({ kind: "running" });
    try {
      setState({ kind: "done", report: await backend.auditVerify(dir) });
    } catch (e) {
      setState({ kind: "failed", error: toBackendError(e) });
    }
  };
  return (
    <section aria-label="Verify" className="audit-verify">
      <h3>Verify an export</h3>
      <p className="hint">
        Checks the manifest signature, the ledger chain, every decision signature and argument
        digest, and the file digests. Needs no database and no keyring; the command line does the
        same with <code>countersign audit verify FOLDER</code>.
      </p>
      <FolderField
        label="Export folder"
        value={dir}
        onChange={onDirChange}
        pickerTitle="Verify the audit export in…"
        disabled={state.kind === "running"}
      />
      <div className="audit-actions">
        <button
          type="button"
          disabled={state.kind === "running" || !dir.trim()}
          onClick={() => void verify()}
        >
          {state.kind === "running" ? "Verifying…" : "Verify"}
        </button>
      </div>
      {state.kind === "done" ? <VerifyResult report={state.report} /> : null}
      {state.kind === "failed" ? (
        <ErrorMessage error={state.error} context="Could not verify" />
      ) : null}
    </section>
  );
}

function VerifyResult({ report }: { report: VerifyReport }) {
  if (!report.ok && report.failure) {
    return (
      <div role="alert" className="audit-result bad">
        <strong>Verification failed</strong> at {describeFailure(report.failure)}:{" "}
        {report.failure.reason}
      </div>
    );
  }
  const seconds = report.ledger_seconds + report.rows_seconds;
  return (
    <div role="status" className="audit-result ok">
      <strong>Verified.</strong> {report.decisions.toLocaleString()} decisions,{" "}
      {report.signatures_verified.toLocaleString()} signatures checked
      {report.signatures_unverifiable > 0
        ? ` (${report.signatures_unverifiable.toLocaleString()} signed by other devices' keys not in this export)`
        : ""}
      , {report.ledger_entries.toLocaleString()} ledger entries chained to head #
      {report.chain_head_seq ?? 0} in {seconds.toFixed(2)} s.
    </div>
  );
}
