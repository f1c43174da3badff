import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsTo, emitEngineEvent, mockBackend } from "../test/fixtures";
import type { QuarantinedPacket } from "../gen";
import { QuarantineView } from "./QuarantineView";

const item: QuarantinedPacket = {
  id: 1,
  endpoint_id: "ep1",
  remote_id: "r-9",
  received_at: "2025-01-01T00:00:00Z",
  code: "field_too_large",
  reason: "reasoning exceeds 1 MiB",
  raw_size: 5_242_880,
  raw_preview: '{"reasoning": "<script>alert(1)</script>',
};

describe("QuarantineView", () => {
  it("lists set-aside packets with code and reason, as text", async () => {
    let items: QuarantinedPacket[] = [];
    const calls = mockBackend({ quarantine_list: () => items });
    const { container } = render(<QuarantineView />);
    expect(await screen.findByText("Nothing quarantined.")).toBeInTheDocument();
    expect(callsTo(calls, "quarantine_list")[0]?.args).toEqual({ limit: 500 });
    items = [item];
    await emitEngineEvent({ type: "quarantined", endpoint_id: "ep1", code: "field_too_large" });
    expect(await screen.findByText("field_too_large")).toBeInTheDocument();
    expect(screen.getByText(/reasoning exceeds 1 MiB/)).toBeInTheDocument();
    expect(screen.getByText(/5.0 MB/)).toBeInTheDocument();
    expect(container.querySelector("script")).toBeNull();
  });
});
