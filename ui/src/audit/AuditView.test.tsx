import type { Channel } from "@tauri-apps/api/core";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { callsTo, mockBackend } from "../test/fixtures";
import type { AuditPreview, ExportProgress, ExportSummary, VerifyReport } from "../gen";
import { AuditView } from "./AuditView";
import { localInputToIso } from "./AuditFilters";

function preview(total: number): AuditPreview {
  return {
    total,
    ledger_entries: 40,
    chain_head: "ab".repeat(32),
    rows: Array.from({ length: Math.min(total, 2) }, (_, i) => ({
      decision_id: `dec-${i}`,
      decided_at: "2026-03-01T09:0" + (i + 1) + ":00Z",
      signer_name: "Dana Reviewer",
      meaning: i === 0 ? "approval" : "rejection",
      outcome: i === 0 ? ("approve" as const) : ("reject" as const),
      endpoint: "Prod agents",
      agent: "refund-bot",
      action: "issue_refund",
      reason: i === 0 ? null : '=HYPERLINK("x") not allowed',
      delivery_state: "acknowledged" as const,
      ledger_seq: 10 + i,
    })),
  };
}

const SUMMARY: ExportSummary = {
  out: "/home/dana/Documents/Countersign audit",
  decisions: 24,
  ledger_entries: 40,
  chain_head_seq: 40,
  chain_head: "cd".repeat(32),
  signer_key_id: "k".repeat(43),
};

const REPORT_OK: VerifyReport = {
  ok: true,
  failure: null,
  decisions: 24,
  ledger_entries: 40,
  signatures_verified: 24,
  signatures_unverifiable: 0,
  signer_key_id: "k1",
  chain_head_seq: 40,
  chain_head: "cd".repeat(32),
  ledger_seconds: 0.01,
  rows_seconds: 0.02,
};

describe("AuditView", () => {
  it("previews the selection and sends the filters the reviewer applied", async () => {
    const calls = mockBackend({
      audit_preview: (a) => preview((a.filter as { outcome?: string }).outcome ? 8 : 24),
      audit_default_dir: () => "/tmp/out",
    });
    const user = userEvent.setup();
    render(<AuditView />);
    expect(await screen.findByText("24")).toBeInTheDocument();
    const table = screen.getByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(3); // header + 2
    expect(within(table).getByText("rejection")).toBeInTheDocument();
    // Packet content is shown as text: a formula stays a string.
    expect(within(table).getByText(/=HYPERLINK/)).toBeInTheDocument();
    expect(callsTo(calls, "audit_preview")[0]?.args).toEqual({ filter: {}, limit: 100 });

    const filters = screen.getByRole("form", { name: "Audit filters" });
    await user.selectOptions(within(filters).getByLabelText("Outcome"), "reject");
    await user.type(within(filters).getByLabelText("Agent"), " refund-bot ");
    await user.type(within(filters).getByLabelText("Decided from"), "2026-03-01T09:03");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));
    expect(await screen.findByText("8")).toBeInTheDocument();
    expect(callsTo(calls, "audit_preview").at(-1)?.args).toEqual({
      filter: {
        outcome: "reject",
        agent: "refund-bot",
        from: localInputToIso("2026-03-01T09:03"),
      },
      limit: 100,
    });
    expect(screen.getByRole("button", { name: "Export 8 decisions" })).toBeEnabled();
  });

  it("refuses a date range that ends before it starts", async () => {
    mockBackend({ audit_preview: () => preview(1), audit_default_dir: () => "/tmp/out" });
    const user = userEvent.setup();
    render(<AuditView />);
    const filters = screen.getByRole("form", { name: "Audit filters" });
    await user.type(within(filters).getByLabelText("Decided from"), "2026-03-02T00:00");
    await user.type(within(filters).getByLabelText("Decided before"), "2026-03-01T00:00");
    expect(within(filters).getByRole("alert")).toHaveTextContent("must be before");
    expect(within(filters).getByRole("button", { name: "Apply filters" })).toBeDisabled();
  });

  it("exports with a progress bar, then verifies that export", async () => {
    let channel: Channel<ExportProgress> | undefined;
    let finish: (s: ExportSummary) => void = () => undefined;
    const calls = mockBackend({
      audit_preview: () => preview(24),
      audit_default_dir: () => "/home/dana/Documents/Countersign audit",
      audit_export: (a) => {
        channel = a.onProgress as Channel<ExportProgress>;
        return new Promise<ExportSummary>((resolve) => {
          finish = resolve;
        });
      },
      audit_verify: () => REPORT_OK,
    });
    const user = userEvent.setup();
    render(<AuditView />);
    await screen.findByDisplayValue("/home/dana/Documents/Countersign audit");
    await user.click(screen.getByLabelText(/digests instead of arguments/));
    await user.click(await screen.findByRole("button", { name: "Export 24 decisions" }));
    expect(callsTo(calls, "audit_export")[0]?.args).toMatchObject({
      filter: {},
      options: { out: "/home/dana/Documents/Countersign audit", digests_only: true },
    });
    act(() => channel?.onmessage({ phase: "decisions", done: 12, total: 24 }));
    const bar = screen.getByRole("progressbar", { name: "Export progress" });
    expect(bar).toHaveAttribute("value", "12");
    expect(bar).toHaveAttribute("max", "24");
    expect(screen.getByText(/Writing decisions 12 \/ 24/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Export 24/ })).toBeDisabled();

    await act(async () => finish(SUMMARY));
    expect(
      await screen.findByText(/Exported 24 decisions and 40 ledger entries/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Verify this export" }));
    expect(screen.getByLabelText("Export folder")).toHaveValue(SUMMARY.out);
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByText("Verified.")).toBeInTheDocument();
    expect(callsTo(calls, "audit_verify")[0]?.args).toEqual({ dir: SUMMARY.out });
  });

  it("cancels a running export and says the partial files are gone", async () => {
    let fail: (e: unknown) => void = () => undefined;
    const calls = mockBackend({
      audit_preview: () => preview(24),
      audit_default_dir: () => "/tmp/out",
      audit_export: () =>
        new Promise((_, reject) => {
          fail = reject;
        }),
      audit_export_cancel: () => {
        fail({ code: "cancelled", message: "cancelled" });
        return true;
      },
    });
    const user = userEvent.setup();
    render(<AuditView />);
    await user.click(await screen.findByRole("button", { name: "Export 24 decisions" }));
    await user.click(screen.getByRole("button", { name: "Cancel export" }));
    expect(callsTo(calls, "audit_export_cancel")).toHaveLength(1);
    expect(
      await screen.findByText(/Export cancelled; the partial files were removed/),
    ).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export 24 decisions" })).toBeEnabled();
  });

  it("names the first bad entry when verification fails", async () => {
    mockBackend({
      audit_preview: () => preview(0),
      audit_default_dir: () => "/tmp/out",
      audit_verify: () => ({
        ...REPORT_OK,
        ok: false,
        failure: {
          file: "decisions.jsonl",
          row: 7,
          seq: null,
          decision_id: "0190-abc",
          reason: "signature does not verify",
        },
      }),
    });
    const user = userEvent.setup();
    render(<AuditView />);
    expect(await screen.findByText("No decision matches these filters.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export 0 decisions" })).toBeDisabled();
    await user.type(screen.getByLabelText("Export folder"), "/tmp/tampered");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    const alert = await screen.findByText(/Verification failed/);
    expect(alert.closest("[role=alert]")).toHaveTextContent(
      "decisions.jsonl row 7 (decision 0190-abc): signature does not verify",
    );
  });
});
