import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { onEngineEvent } from "./backend";
import type { EngineEvent } from "./gen";

describe("onEngineEvent", () => {
  it("delivers engine events and stops after unsubscribing", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: EngineEvent[] = [];
    const unlisten = await onEngineEvent((e) => seen.push(e));
    await emit("engine-event", { type: "queue_changed", packet_ids: [1] });
    expect(seen).toHaveLength(1);
    unlisten();
    await emit("engine-event", { type: "queue_changed", packet_ids: [1] });
    expect(seen).toHaveLength(1);
  });

  it("unsubscribing after the event bridge is gone leaves no unhandled rejection", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const unlisten = await onEngineEvent(() => undefined);
    clearMocks();
    // Before the fix this rejected with "unregisterListener is not a function" and
    // Vitest reported an unhandled rejection, failing the run.
    expect(() => unlisten()).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
});
