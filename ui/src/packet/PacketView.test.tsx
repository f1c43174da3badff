import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { callsTo, decisionView, emitEngineEvent, mockBackend, packetView } from "../test/fixtures";
import { PacketView } from "./PacketView";

const HOSTILE = [
  "# Please approve",
  "<script>window.pwned = true</script>",
  '<img src="x" onerror="window.pwned = true">',
  "[click me](javascript:window.pwned=true)",
  '<a href="https://evil.example" onclick="window.pwned=true">raw link</a>',
  "[docs](https://docs.example.com/refunds?id=1)",
  "![tracker](https://tracker.example/pixel.png)",
].join("\n\n");

describe("PacketView", () => {
  it("renders hostile Markdown inert", async () => {
    mockBackend({
      packet_get: () =>
        packetView(1, {
          reasoning: HOSTILE,
          context: [{ title: "Ticket", excerpt: '<svg onload="alert(1)"></svg> **bold excerpt**' }],
        }),
    });
    const { container } = render(<PacketView id={1} />);
    await screen.findByText("Please approve");
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("svg")).toBeNull();
    const withHandlers = container.querySelectorAll("[onerror],[onclick],[onload]");
    expect(withHandlers).toHaveLength(0);
    for (const a of container.querySelectorAll("a")) {
      expect(a.getAttribute("href") ?? "").not.toMatch(/^\s*javascript:/i);
    }
    // Raw HTML is shown as text so the reviewer can see what the agent tried.
    expect(screen.getByText(/<script>window.pwned = true<\/script>/)).toBeInTheDocument();
    expect(screen.getByText("bold excerpt").tagName).toBe("STRONG");
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it("asks before opening a link, then calls open_link with the full URL", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({
      packet_get: () => packetView(1, { reasoning: HOSTILE }),
      open_link: () => null,
    });
    render(<PacketView id={1} />);
    const link = await screen.findByRole("link", { name: "docs" });
    await user.click(link);
    const dialog = screen.getByRole("dialog", { name: "Open link in your browser?" });
    expect(dialog).toHaveTextContent("https://docs.example.com/refunds?id=1");
    expect(callsTo(calls, "open_link")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Open in browser" }));
    expect(callsTo(calls, "open_link")).toEqual([
      { cmd: "open_link", args: { url: "https://docs.example.com/refunds?id=1" } },
    ]);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("cancelling the link dialog with Escape opens nothing", async () => {
    const user = userEvent.setup();
    const calls = mockBackend({ packet_get: () => packetView(1, { reasoning: HOSTILE }) });
    render(<PacketView id={1} />);
    await user.click(await screen.findByRole("link", { name: "docs" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(callsTo(calls, "open_link")).toHaveLength(0);
  });

  it("folds a 5 MB argument quickly and shows it all as text on request", async () => {
    const user = userEvent.setup();
    const huge = "<b>A</b>".repeat((5 * 1024 * 1024) / 8);
    mockBackend({
      packet_get: () =>
        packetView(1, {
          action: { name: "upload", args: { body: huge, to: "bob" } },
          reasoning: huge,
        }),
    });
    const started = performance.now();
    const { container } = render(<PacketView id={1} />);
    await screen.findByText("bob");
    expect(performance.now() - started).toBeLessThan(3000);
    // Folded: the DOM holds only a prefix of the 5 MB (twice: argument + reasoning).
    expect(container.textContent!.length).toBeLessThan(300_000);
    expect(container.querySelector("b")).toBeNull();
    await user.click(screen.getByRole("button", { name: /Show all of argument body/ }));
    expect(container.textContent!.length).toBeGreaterThan(5_000_000);
    expect(container.querySelector("b")).toBeNull();
  });

  it("shows impact, deadline and decision history with conflict winner", async () => {
    const winner = {
      ...decisionView(1).record,
      decision_id: "other",
      reviewer: { id: "r2", display_name: "Sam Other" },
      outcome: "reject" as const,
    };
    mockBackend({
      packet_get: () =>
        packetView(1, {}, [
          decisionView(1, { state: "conflict", winner, last_error: "409 already decided" }),
        ]),
    });
    render(<PacketView id={1} />);
    expect(await screen.findByText("Risk: medium")).toBeInTheDocument();
    expect(screen.getByText("Amount: 40.00 EUR")).toBeInTheDocument();
    expect(screen.getByText("Not reversible")).toBeInTheDocument();
    expect(screen.getByText(/Conflict: someone else decided first/)).toBeInTheDocument();
    expect(screen.getByText(/Winning decision/)).toHaveTextContent("Reject by Sam Other");
    expect(screen.getByText(/409 already decided/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Deadline" })).toBeInTheDocument();
  });

  it("shows a decision held back for the rest of a LangGraph interrupt as status, not as an error", async () => {
    const note =
      "waiting for the other 2 actions of this thread's interrupts; they are sent together";
    mockBackend({
      packet_get: () => packetView(1, {}, [decisionView(1, { state: "signed", last_error: note })]),
    });
    render(<PacketView id={1} />);
    const shown = await screen.findByText(/Waiting for the other 2 actions/);
    expect(shown).toHaveClass("hint");
    expect(screen.queryByText(/Last error/)).toBeNull();
  });

  it("reloads when an event concerns this packet", async () => {
    let status: "pending" | "withdrawn" = "pending";
    const calls = mockBackend({ packet_get: () => packetView(1, { status }) });
    render(<PacketView id={1} />);
    await screen.findByRole("button", { name: /Approve/ });
    status = "withdrawn";
    await emitEngineEvent({ type: "queue_changed", packet_ids: [2] });
    expect(callsTo(calls, "packet_get")).toHaveLength(1);
    await emitEngineEvent({ type: "queue_changed", packet_ids: [1] });
    expect(await screen.findByText(/The agent withdrew this packet/)).toBeInTheDocument();
  });
});
