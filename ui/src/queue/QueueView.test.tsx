import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import {
  callsTo,
  emitEngineEvent,
  endpoint,
  mockBackend,
  packetView,
  summary,
} from "../test/fixtures";
import type { QueueQuery } from "../gen";
import { QueueView } from "./QueueView";

const rows = [
  summary(1, { action: "send_refund", urgency: "critical" }),
  summary(2, { action: "delete_repo" }),
];

describe("QueueView", () => {
  it("renders rows from queue_list, asks for pending first, in pages", async () => {
    const calls = mockBackend({ queue_list: () => rows, queue_count: () => 2 });
    render(<QueueView />);
    const list = await screen.findByRole("list", { name: "Review queue" });
    const items = await within(list).findAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("send_refund");
    expect(items[1]).toHaveTextContent("delete_repo");
    expect(screen.getByText("2 packets")).toBeInTheDocument();
    const q = callsTo(calls, "queue_list")[0]?.args.query as QueueQuery;
    expect(q).toEqual({ status: "pending", limit: 100, offset: 0 });
    expect(callsTo(calls, "queue_count")[0]?.args).toEqual({ query: { status: "pending" } });
  });

  it("re-fetches when the engine says the queue changed", async () => {
    let current = rows;
    const calls = mockBackend({ queue_list: () => current, queue_count: () => current.length });
    render(<QueueView />);
    await screen.findByText("delete_repo");
    const before = callsTo(calls, "queue_list").length;
    current = [...rows, summary(3, { action: "wire_transfer" })];
    await emitEngineEvent({ type: "queue_changed", packet_ids: [3] });
    expect(await screen.findByText("wire_transfer")).toBeInTheDocument();
    expect(callsTo(calls, "queue_list").length).toBeGreaterThan(before);
    expect(screen.getByText("3 packets")).toBeInTheDocument();
  });

  it("only fetches the pages in view for a 100k queue", async () => {
    const calls = mockBackend({
      queue_count: () => 100_000,
      queue_list: (a) => {
        const q = a.query as QueueQuery;
        return Array.from({ length: q.limit ?? 0 }, (_, i) => summary((q.offset ?? 0) + i + 1));
      },
    });
    render(<QueueView />);
    await screen.findByText("100000 packets");
    const items = await screen.findAllByRole("listitem");
    // 800 px viewport / 56 px rows + overscan: a few dozen rows, never 100k.
    expect(items.length).toBeLessThan(60);
    expect(items[0]).toHaveAttribute("aria-setsize", "100000");
    const offsets = callsTo(calls, "queue_list").map((c) => (c.args.query as QueueQuery).offset);
    expect(new Set(offsets)).toEqual(new Set([0]));
  });

  it("passes filters and search in the QueueQuery", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({
      queue_list: () => rows,
      queue_count: () => 2,
      endpoints_list: () => [endpoint(), endpoint({ id: "ep2", name: "Staging" })],
    });
    render(<QueueView />);
    await screen.findByText("send_refund");
    await screen.findByRole("option", { name: "Staging" });

    await user.selectOptions(screen.getByLabelText("Risk"), "high");
    await user.selectOptions(screen.getByLabelText("Endpoint"), "Staging");
    await user.selectOptions(screen.getByLabelText("Status"), "");
    await user.type(screen.getByLabelText("Agent"), "billing");
    await user.type(screen.getByLabelText("Action"), "refund");
    await user.type(screen.getByLabelText("Search"), "double charged");

    const expected = {
      risk: "high",
      endpoint_id: "ep2",
      agent: "billing",
      action: "refund",
      text: "double charged",
    };
    await waitFor(() => {
      const last = callsTo(calls, "queue_count").at(-1)?.args.query;
      expect(last).toEqual(expected);
    });
    expect(callsTo(calls, "queue_list").at(-1)?.args.query).toEqual({
      ...expected,
      limit: 100,
      offset: 0,
    });
  });

  it("moves the selection with j/k and arrows, and / focuses search", async () => {
    const user = userEvent.setup();
    mockBackend({
      queue_list: () => rows,
      queue_count: () => 2,
      packet_get: (a) =>
        packetView(a.id as number, { action: { name: `packet ${String(a.id)}`, args: {} } }),
    });
    render(<QueueView />);
    await screen.findByText("send_refund");
    await user.keyboard("j");
    expect(await screen.findByRole("heading", { name: "packet 1" })).toBeInTheDocument();
    await user.keyboard("{ArrowDown}");
    expect(await screen.findByRole("heading", { name: "packet 2" })).toBeInTheDocument();
    expect(screen.getAllByRole("listitem")[1]).toHaveAttribute("aria-current", "true");
    await user.keyboard("k");
    expect(await screen.findByRole("heading", { name: "packet 1" })).toBeInTheDocument();
    await user.keyboard("/");
    expect(screen.getByLabelText("Search")).toHaveFocus();
    // Typing in the search field must not move the selection.
    await user.keyboard("j");
    expect(screen.getByLabelText("Search")).toHaveValue("j");
    expect(screen.getAllByRole("listitem")[0]).toHaveAttribute("aria-current", "true");
  });

  it("shows a backend error with its code", async () => {
    mockBackend({
      queue_count: () => {
        throw { code: "database", message: "database error: disk I/O" };
      },
    });
    render(<QueueView />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("database error: disk I/O");
    expect(alert).toHaveTextContent("database");
  });
});
