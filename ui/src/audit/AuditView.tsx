import { useState } from "react";
import { backend } from "../backend";
import { ErrorMessage } from "../shell/ErrorMessage";
import { useAsync } from "../shell/useAsync";
import { useEngineEvent } from "../shell/useEngineEvent";
import type { AuditFilter } from "../gen";
import { AuditFilters } from "./AuditFilters";
import { AuditPreviewTable } from "./AuditPreviewTable";
import { ExportPanel } from "./ExportPanel";
import { VerifyPanel } from "./VerifyPanel";

const PREVIEW_ROWS = 100;

/**
 * For compliance: filter the signed decisions, preview them, export them with the ledger
 * and verify an export. Read-only by design: the ledger cannot be edited or deleted here.
 */
export function AuditView() {
  const [filter, setFilter] = useState<AuditFilter>({});
  const [verifyDir, setVerifyDir] = useState("");
  const endpoints = useAsync(() => backend.endpointsList(), []);
  const preview = useAsync(() => backend.auditPreview(filter, PREVIEW_ROWS), [filter]);
  useEngineEvent((e) => {
    if (e.type === "decision_state" || e.type === "queue_changed") preview.reload();
  });
  return (
    <div className="audit-view">
      <h2>Audit trail</h2>
      <p className="hint">
        Every signed decision and the hash-chained ledger behind it. Nothing here can be edited or
        deleted; exports are signed and can be verified offline.
      </p>
      <AuditFilters endpoints={endpoints.data ?? []} onApply={setFilter} />
      <ErrorMessage error={preview.error} context="Could not read the audit trail" />
      {preview.data ? <AuditPreviewTable preview={preview.data} /> : null}
      <ExportPanel filter={filter} total={preview.data?.total} onVerify={setVerifyDir} />
      <VerifyPanel dir={verifyDir} onDirChange={setVerifyDir} />
    </div>
  );
}
