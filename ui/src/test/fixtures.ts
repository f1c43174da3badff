// Test data shaped exactly like the Rust views, and a recording IPC mock.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { act } from "@testing-library/react";
import type {
  DecisionView,
  EndpointView,
  EngineEvent,
  Packet,
  PacketSummary,
  PacketView,
  QueueStats,
} from "../gen";

export function summary(id: number, over: Partial<PacketSummary> = {}): PacketSummary {
  return {
    id,
    remote_id: `r-${id}`,
    endpoint_id: "ep1",
    endpoint_name: "Prod agents",
    agent: "billing-bot",
    action: `action_${id}`,
    status: "pending",
    urgency: "normal",
    risk: "low",
    amount: null,
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    created_at: "2025-01-01T00:00:00Z",
    my_decision: null,
    ...over,
  };
}

export function packet(over: Partial<Packet> = {}): Packet {
  return {
    version: 1,
    id: "r-1",
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    status: "pending",
    agent: { name: "billing-bot" },
    action: { name: "send_refund", args: { to: "alice@example.com", amount: 40 } },
    reasoning: "Customer was **double charged**.",
    impact: { risk: "medium", reversible: false, amount: { value: "40.00", currency: "EUR" } },
    urgency: "high",
    deadline: new Date(Date.now() + 600_000).toISOString(),
    timeout_policy: { on_expiry: "fail_closed", max_extensions: 1 },
    allowed_outcomes: ["approve", "edit", "reject"],
    quorum: { mode: "any_of", required: 1 },
    extensions: 0,
    ...over,
  };
}

export function packetView(
  id: number,
  p: Partial<Packet> = {},
  decisions: DecisionView[] = [],
): PacketView {
  return {
    id,
    endpoint_id: "ep1",
    endpoint_name: "Prod agents",
    packet: packet({ id: `r-${id}`, ...p }),
    packet_digest: "sha256:abc",
    received_at: "2025-01-01T00:00:01Z",
    decisions,
  };
}

export function decisionView(packetId: number, over: Partial<DecisionView> = {}): DecisionView {
  return {
    decision_id: "0190-dec",
    packet_id: packetId,
    outcome: "approve",
    state: "signed",
    local: true,
    record: {
      version: 1,
      decision_id: "0190-dec",
      packet_id: `r-${packetId}`,
      endpoint: "https://agents.example.com",
      packet_digest: "sha256:abc",
      outcome: "approve",
      meaning: "approval",
      via: "window",
      reviewer: { id: "rev-1", display_name: "Dana Reviewer" },
      decided_at: "2025-01-01T00:01:00Z",
      key_id: "k1",
    },
    jws: "a.b.c",
    attempts: 0,
    last_error: null,
    winner: null,
    updated_at: "2025-01-01T00:01:00Z",
    ...over,
  };
}

export function endpoint(over: Partial<EndpointView> = {}): EndpointView {
  return {
    id: "ep1",
    name: "Prod agents",
    base_url: "https://agents.example.com",
    kind: "native",
    health: "online",
    health_detail: null,
    last_sync_at: null,
    enrolled: true,
    outbox: 0,
    assistant_filter: null,
    ...over,
  };
}

export const STATS: QueueStats = { pending: 2, urgent: 0, outbox: 0, quarantined: 0 };

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Installs an IPC mock with sensible defaults for every command; `handlers` override
 * per command. Returns the list of calls, in order, for assertions.
 */
export function mockBackend(handlers: Record<string, Handler> = {}): Call[] {
  const calls: Call[] = [];
  const defaults: Record<string, Handler> = {
    queue_list: () => [],
    queue_count: () => 0,
    queue_stats: () => STATS,
    endpoints_list: () => [endpoint()],
    reviewer_get: () => ({ id: "rev-1", display_name: "Dana Reviewer" }),
    key_info: () => ({
      key_id: "k1",
      fingerprint: "SHA256:ff",
      public_jwk: { kty: "OKP", crv: "Ed25519", x: "xx" },
      reviewer: { id: "rev-1", display_name: "Dana Reviewer" },
    }),
    quarantine_list: () => [],
    notifications_status: () => ({ paused: false, available: true, message: null }),
    notifications_focus: () => null,
  };
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const h = handlers[cmd] ?? defaults[cmd];
      if (!h) throw { code: "not_mocked", message: `no mock for ${cmd}` };
      return h(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export async function emitEngineEvent(e: EngineEvent): Promise<void> {
  await act(async () => {
    await emit("engine-event", e);
  });
}

export const callsTo = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd);
