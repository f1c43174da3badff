import { emit } from "@tauri-apps/api/event";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { callsTo, mockBackend, packetView, summary } from "./test/fixtures";

describe("App and notifications", () => {
  it("Open on a notification shows that review, even from another view", async () => {
    const calls = mockBackend({
      queue_list: () => [summary(3), summary(7, { action: "wire_transfer" })],
      queue_count: () => 2,
      packet_get: (args) =>
        packetView(args.id as number, { action: { name: "wire_transfer", args: {} } }),
    });
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Endpoints" }));
    await act(async () => {
      await emit("open-packet", { packet_id: 7 });
    });
    expect(screen.getByRole("button", { name: "Queue" })).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(callsTo(calls, "packet_get").map((c) => c.args.id)).toContain(7));

    // A second request for another review moves the selection again.
    await act(async () => {
      await emit("open-packet", { packet_id: 3 });
    });
    await waitFor(() => expect(callsTo(calls, "packet_get").map((c) => c.args.id)).toContain(3));
  });

  it("tells the notifier which review is on screen", async () => {
    const calls = mockBackend({
      queue_list: () => [summary(7)],
      queue_count: () => 1,
      packet_get: (args) => packetView(args.id as number),
    });
    render(<App />);
    await act(async () => {
      await emit("open-packet", { packet_id: 7 });
    });
    await waitFor(() => expect(callsTo(calls, "packet_get").length).toBeGreaterThan(0));
    const focus = callsTo(calls, "notifications_focus");
    expect(focus.length).toBeGreaterThan(0);
    // jsdom's document never has focus: a window in the background protects nothing.
    expect(focus.at(-1)?.args).toEqual({ packetId: document.hasFocus() ? 7 : null });
  });
});

describe("App views", () => {
  it("the queue keeps its filter and selection while another view is shown", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({
      queue_list: () => [summary(3), summary(7, { action: "wire_transfer" })],
      queue_count: () => 2,
      packet_get: (args) =>
        packetView(args.id as number, { action: { name: "wire_transfer", args: {} } }),
    });
    render(<App />);
    await user.click(await screen.findByRole("button", { name: /^wire_transfer by/ }));
    await user.selectOptions(screen.getByLabelText("Risk"), "high");
    await user.type(screen.getByLabelText("Agent"), "billing{Enter}");
    const filtered = { status: "pending", risk: "high", agent: "billing" };
    await waitFor(() => expect(callsTo(calls, "queue_count").at(-1)?.args.query).toEqual(filtered));

    for (const view of ["Audit", "Endpoints", "Quarantine"]) {
      await user.click(screen.getByRole("button", { name: view }));
      await user.click(screen.getByRole("button", { name: "Queue" }));
    }

    expect(screen.getByLabelText("Risk")).toHaveValue("high");
    expect(screen.getByLabelText("Agent")).toHaveValue("billing");
    expect(callsTo(calls, "queue_count").at(-1)?.args.query).toEqual(filtered);
    const packet = screen.getByRole("region", { name: "Packet" });
    expect(within(packet).queryByText(/Select a packet/)).not.toBeInTheDocument();
    await waitFor(() => expect(callsTo(calls, "packet_get").at(-1)?.args.id).toBe(7));
    expect(await screen.findByRole("button", { name: /^wire_transfer by/ })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
  });
});
