import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { PacketView } from "../packet/PacketView";
import {
  callsTo,
  decisionView,
  emitEngineEvent,
  mockBackend,
  packetView,
  summary,
} from "../test/fixtures";
import type { DecideRequest, Outcome } from "../gen";

function decideMock() {
  return (a: Record<string, unknown>) => {
    const req = a.request as DecideRequest;
    return decisionView(a.id as number, { outcome: req.outcome, state: "signed" });
  };
}

describe("deciding", () => {
  it("approves with j, a, Enter and says Signed and stored only after decide resolves", async () => {
    const user = userEvent.setup();
    const view = packetView(7);
    let resolveDecide: (v: unknown) => void = () => {};
    const calls = mockBackend({
      queue_list: () => [summary(7, { action: "send_refund" })],
      queue_count: () => 1,
      packet_get: () => view,
      decide: () => new Promise((r) => (resolveDecide = r)),
    });
    render(<App />);
    await screen.findByText("send_refund");
    await user.keyboard("j");
    await screen.findByRole("heading", { name: "send_refund" });
    await user.keyboard("a");
    expect(screen.getByRole("dialog", { name: "Approve send_refund?" })).toBeInTheDocument();
    await user.keyboard("{Enter}");
    expect(callsTo(calls, "decide")).toEqual([
      { cmd: "decide", args: { id: 7, request: { outcome: "approve", via: "window" } } },
    ]);
    // Still signing: nothing may claim success yet.
    expect(screen.queryByText("Signed and stored")).toBeNull();
    resolveDecide(decisionView(7, { state: "signed" }));
    expect(await screen.findByText("Signed and stored")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.getByRole("status", { name: "" })).toHaveTextContent("waiting to send");
    await emitEngineEvent({
      type: "decision_state",
      decision_id: "0190-dec",
      packet_id: 7,
      state: "acknowledged",
    });
    await waitFor(() =>
      expect(screen.getByText(/acknowledged by the endpoint/)).toBeInTheDocument(),
    );
  });

  it("Escape cancels the approval without deciding", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({ packet_get: () => packetView(1) });
    render(<PacketView id={1} />);
    await screen.findByRole("heading", { name: "send_refund" });
    await user.keyboard("a");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(callsTo(calls, "decide")).toHaveLength(0);
  });

  it("answers a LangGraph interrupt of unknown shape with a raw JSON resume value", async () => {
    const user = userEvent.setup();
    const view = packetView(3, {
      action: { name: "langgraph_interrupt", args: { question: "Pick a colour" } },
      allowed_outcomes: ["respond"],
    });
    const calls = mockBackend({ packet_get: () => view, decide: decideMock() });
    render(<PacketView id={3} />);
    // The unknown payload is shown as it came.
    expect(await screen.findByText(/Pick a colour/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Respond" }));
    const dialog = screen.getByRole("dialog", { name: /^Answer with a raw resume value/ });
    const editor = within(dialog).getByLabelText(/Resume value \(JSON\)/);
    await user.type(editor, '{{"pick": "red"');
    expect(within(dialog).getByText(/Not JSON/)).toBeInTheDocument();
    await user.type(editor, "}");
    expect(within(dialog).getByText(/Valid JSON/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Sign and resume" }));
    expect(callsTo(calls, "decide")[0]?.args).toEqual({
      id: 3,
      request: { outcome: "respond", response: '{"pick": "red"}', via: "window" },
    });
  });

  it("offers only the outcomes the packet allows", async () => {
    const allowed: Outcome[] = ["reject", "respond"];
    const calls = mockBackend({ packet_get: () => packetView(1, { allowed_outcomes: allowed }) });
    const user = userEvent.setup();
    render(<PacketView id={1} />);
    const group = await screen.findByRole("group", { name: "Decide" });
    const names = within(group)
      .getAllByRole("button")
      .map((b) => b.textContent);
    expect(names).toEqual(["Rejectr", "Respond"]);
    await user.keyboard("a"); // approve is not allowed: the shortcut does nothing
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(callsTo(calls, "decide")).toHaveLength(0);
  });

  it.each([
    ["decided", /has been decided/],
    ["expired", /expired before a decision/],
    ["withdrawn", /withdrew this packet/],
  ] as const)("a %s packet offers no outcome and says why", async (status, why) => {
    mockBackend({ packet_get: () => packetView(1, { status }) });
    render(<PacketView id={1} />);
    expect(await screen.findByText(why)).toBeInTheDocument();
    expect(screen.queryByRole("group", { name: "Decide" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Approve/ })).toBeNull();
  });

  it("blocks a reject without reason, then sends the reason", async () => {
    const user = userEvent.setup();
    const view = packetView(3);
    const calls = mockBackend({ packet_get: () => view, decide: decideMock() });
    render(<PacketView id={3} />);
    await screen.findByRole("heading", { name: "send_refund" });
    await user.keyboard("r");
    const dialog = screen.getByRole("dialog", { name: "Reject: send_refund" });
    await user.click(within(dialog).getByRole("button", { name: "Reject and sign" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("A reason is required to reject.");
    expect(within(dialog).getByLabelText(/Reason for rejecting/)).toHaveAttribute(
      "aria-invalid",
      "true",
    );
    await user.type(within(dialog).getByLabelText(/Reason for rejecting/), "   ");
    await user.click(within(dialog).getByRole("button", { name: "Reject and sign" }));
    expect(callsTo(calls, "decide")).toHaveLength(0);
    await user.type(within(dialog).getByLabelText(/Reason for rejecting/), "Wrong customer");
    await user.click(within(dialog).getByRole("button", { name: "Reject and sign" }));
    expect(callsTo(calls, "decide")[0]?.args).toEqual({
      id: 3,
      request: { outcome: "reject", reason: "Wrong customer", via: "window" },
    });
    expect(await screen.findByText("Signed and stored")).toBeInTheDocument();
  });

  it("shows the {code, message} of a failed decide and keeps the dialog", async () => {
    const user = userEvent.setup();
    mockBackend({
      packet_get: () => packetView(1),
      decide: () => {
        throw {
          code: "keyring_unavailable",
          message: "the OS keyring is not available: no secret service",
        };
      },
    });
    render(<PacketView id={1} />);
    await screen.findByRole("heading", { name: "send_refund" });
    await user.keyboard("a");
    await user.keyboard("{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The OS keyring is not available");
    expect(alert).toHaveTextContent("no secret service");
    expect(alert).toHaveTextContent("keyring_unavailable");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.queryByText("Signed and stored")).toBeNull();
  });

  it("edits with the schema form, shows the diff, and signs the edited args", async () => {
    const user = userEvent.setup();
    const view = packetView(4, {
      args_schema: {
        type: "object",
        required: ["to", "amount"],
        properties: {
          to: { type: "string", title: "Recipient" },
          amount: { type: "number", title: "Amount", maximum: 100 },
        },
      },
    });
    const calls = mockBackend({ packet_get: () => view, decide: decideMock() });
    render(<PacketView id={4} />);
    await screen.findByRole("heading", { name: "send_refund" });
    await user.keyboard("e");
    const dialog = screen.getByRole("dialog", { name: "Edit and approve: send_refund" });
    const sign = within(dialog).getByRole("button", { name: "Sign edited approval" });
    expect(sign).toBeDisabled(); // nothing changed yet
    const amount = await within(dialog).findByLabelText(/Amount/);
    await user.clear(amount);
    await user.type(amount, "500");
    expect(
      await within(dialog).findByText(/500/, { selector: ".diff-after *" }),
    ).toBeInTheDocument();
    // Over the schema's maximum: cannot sign.
    expect(sign).toBeDisabled();
    await user.clear(amount);
    await user.type(amount, "25");
    const diff = within(dialog).getByRole("table", { name: "Changes to the arguments" });
    const row = within(diff).getByRole("row", { name: /amount/ });
    expect(row).toHaveTextContent("40");
    expect(row).toHaveTextContent("25");
    expect(within(diff).queryByRole("row", { name: /^to/ })).toBeNull();
    await waitFor(() => expect(sign).toBeEnabled());
    await user.click(sign);
    expect(callsTo(calls, "decide")[0]?.args).toEqual({
      id: 4,
      request: { outcome: "edit", args: { to: "alice@example.com", amount: 25 }, via: "window" },
    });
    expect(await screen.findByText("Signed and stored")).toBeInTheDocument();
  });

  it("edits raw JSON when there is no schema", async () => {
    const user = userEvent.setup();
    const view = packetView(5, {
      action: { name: "run_sql", args: { query: "DELETE FROM users" } },
    });
    const calls = mockBackend({ packet_get: () => view, decide: decideMock() });
    render(<PacketView id={5} />);
    await screen.findByRole("heading", { name: "run_sql" });
    await user.click(screen.getByRole("button", { name: /Edit and approve/ }));
    const box = screen.getByLabelText("Arguments (JSON)");
    await user.clear(box);
    await user.type(box, '{{"query": "DELETE');
    expect(screen.getByText(/Not valid JSON/)).toBeInTheDocument();
    await user.type(box, ' FROM users WHERE id = 1"}');
    const diff = screen.getByRole("table", { name: "Changes to the arguments" });
    expect(diff).toHaveTextContent("WHERE id = 1");
    await user.click(screen.getByRole("button", { name: "Sign edited approval" }));
    expect(callsTo(calls, "decide")[0]?.args).toEqual({
      id: 5,
      request: {
        outcome: "edit",
        args: { query: "DELETE FROM users WHERE id = 1" },
        via: "window",
      },
    });
  });

  it("responds with text as `response`", async () => {
    const user = userEvent.setup();
    const view = packetView(6, { allowed_outcomes: ["respond"] });
    const calls = mockBackend({ packet_get: () => view, decide: decideMock() });
    render(<PacketView id={6} />);
    await user.click(await screen.findByRole("button", { name: "Respond" }));
    await user.type(screen.getByLabelText(/Response/), "Use the EU account");
    await user.click(screen.getByRole("button", { name: "Send response" }));
    expect(callsTo(calls, "decide")[0]?.args).toEqual({
      id: 6,
      request: { outcome: "respond", response: "Use the EU account", via: "window" },
    });
  });
});
