import { emit } from "@tauri-apps/api/event";
import { act, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { STATS, callsTo, emitEngineEvent, endpoint, mockBackend } from "../test/fixtures";
import { StatusBar } from "./StatusBar";

describe("StatusBar", () => {
  it("shows offline health and the outbox count", async () => {
    mockBackend({
      endpoints_list: () => [
        endpoint({ health: "offline", outbox: 3 }),
        endpoint({ id: "ep2", name: "Staging" }),
      ],
      queue_stats: () => ({ ...STATS, outbox: 3 }),
    });
    render(<StatusBar />);
    expect(await screen.findByText("Prod agents: offline")).toBeInTheDocument();
    expect(screen.getByText("Staging: online")).toBeInTheDocument();
    expect(screen.getByText("Outbox 3")).toBeInTheDocument();
  });

  it("follows health events and refreshes counts on other events", async () => {
    let outbox = 0;
    const calls = mockBackend({ queue_stats: () => ({ ...STATS, outbox }) });
    render(<StatusBar />);
    expect(await screen.findByText("Prod agents: online")).toBeInTheDocument();
    expect(screen.getByText("Outbox 0")).toBeInTheDocument();
    await emitEngineEvent({
      type: "endpoint_health",
      endpoint_id: "ep1",
      health: "offline",
      detail: "timeout",
    });
    expect(await screen.findByText("Prod agents: offline")).toBeInTheDocument();
    outbox = 1;
    await emitEngineEvent({
      type: "decision_state",
      decision_id: "d",
      packet_id: 1,
      state: "signed",
    });
    await waitFor(() => expect(screen.getByText("Outbox 1")).toBeInTheDocument());
    expect(callsTo(calls, "queue_stats").length).toBeGreaterThanOrEqual(2);
  });

  it("says when notifications are paused, and when the service is unavailable and why", async () => {
    mockBackend({ notifications_status: () => ({ paused: true, available: true, message: null }) });
    render(<StatusBar />);
    expect(await screen.findByText("Notifications paused")).toBeInTheDocument();
    await act(async () => {
      await emit("notifier-status", {
        paused: false,
        available: false,
        message: "no desktop notification service answered",
      });
    });
    expect(
      await screen.findByText(
        "Notifications unavailable: no desktop notification service answered",
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText("Notifications paused")).not.toBeInTheDocument();
    await act(async () => {
      await emit("notifier-status", { paused: false, available: true, message: null });
    });
    await waitFor(() => expect(screen.queryByText(/^Notifications/)).not.toBeInTheDocument());
  });
});
