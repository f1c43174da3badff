// Hand-written mirror of the Rust types the shell sends over IPC (serde JSON).
// Sources: crates/protocol/src/model.rs, crates/core/src/views.rs, crates/core/src/engine.rs.
// Rule: a Rust `Option<T>` with `skip_serializing_if` becomes `field?: T`; a plain
// `Option<T>` (serialized as null) becomes `field: T | null`. Timestamps are RFC 3339 strings.

export type Iso8601 = string;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---- protocol/model.rs ----

export interface AgentRef {
  name: string;
  run_id?: string;
  thread_id?: string;
}

export interface Action {
  name: string;
  args: Json;
}

export interface ContextItem {
  title: string;
  source?: string;
  excerpt: string;
}

export type Risk = "low" | "medium" | "high" | "critical";
export type Urgency = "low" | "normal" | "high" | "critical";

export interface Amount {
  /** Decimal string: never parsed to a float, it is part of a signed digest. */
  value: string;
  currency: string;
}

export interface Impact {
  risk: Risk;
  amount?: Amount;
  reversible: boolean;
  summary?: string;
}

export type OnExpiry = "fail_closed" | "escalate" | "extend";

export interface TimeoutPolicy {
  on_expiry: OnExpiry;
  extend_seconds?: number;
  max_extensions: number;
}

export type Outcome = "approve" | "edit" | "reject" | "respond" | "escalate" | "ignore";

export interface Assignment {
  reviewers?: string[];
  group?: string;
}

export type QuorumMode = "any_of" | "all_of";

export interface Quorum {
  mode: QuorumMode;
  required: number;
}

export type PacketStatus = "pending" | "decided" | "withdrawn" | "expired";

export interface Packet {
  version: number;
  id: string;
  created_at: Iso8601;
  updated_at: Iso8601;
  status: PacketStatus;
  agent: AgentRef;
  action: Action;
  args_schema?: Json;
  reasoning: string;
  context?: ContextItem[];
  impact: Impact;
  urgency: Urgency;
  deadline?: Iso8601;
  timeout_policy: TimeoutPolicy;
  allowed_outcomes: Outcome[];
  assignment?: Assignment;
  quorum: Quorum;
  extensions: number;
}

export interface ReviewerRef {
  id: string;
  display_name: string;
}

export type DecisionVia = "window" | "notification" | "cli";

export interface DecisionRecord {
  version: number;
  decision_id: string;
  packet_id: string;
  endpoint: string;
  packet_digest: string;
  outcome: Outcome;
  final_args?: Json;
  args_digest?: string;
  reason?: string;
  response?: string;
  meaning: string;
  via: DecisionVia;
  reviewer: ReviewerRef;
  decided_at: Iso8601;
  key_id: string;
}

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  kid?: string;
}

// ---- core/views.rs ----

export type DeliveryState = "signed" | "sent" | "acknowledged" | "conflict" | "refused";
export type Health = "unknown" | "online" | "offline" | "unauthorized";

/** Every field narrows the result; the Rust side has `#[serde(default)]`, so omit freely. */
export interface QueueQuery {
  status?: PacketStatus | null;
  urgency?: Urgency | null;
  risk?: Risk | null;
  endpoint_id?: string | null;
  agent?: string | null;
  action?: string | null;
  deadline_before?: Iso8601 | null;
  text?: string | null;
  limit?: number | null;
  offset?: number | null;
}

export interface PacketSummary {
  id: number;
  remote_id: string;
  endpoint_id: string;
  endpoint_name: string;
  agent: string;
  action: string;
  status: PacketStatus;
  urgency: Urgency;
  risk: Risk;
  amount: Amount | null;
  deadline: Iso8601 | null;
  created_at: Iso8601;
  my_decision: DeliveryState | null;
}

export interface DecisionView {
  decision_id: string;
  packet_id: number;
  outcome: Outcome;
  state: DeliveryState;
  local: boolean;
  record: DecisionRecord;
  jws: string;
  attempts: number;
  last_error: string | null;
  winner: DecisionRecord | null;
  updated_at: Iso8601;
}

export interface PacketView {
  id: number;
  endpoint_id: string;
  endpoint_name: string;
  packet: Packet;
  packet_digest: string;
  received_at: Iso8601;
  decisions: DecisionView[];
}

/** `native`: Countersign protocol v1. `langgraph`: a LangGraph server (interrupts → packets). */
export type EndpointKind = "native" | "langgraph";

export interface EndpointView {
  id: string;
  name: string;
  base_url: string;
  kind: EndpointKind;
  health: Health;
  health_detail: string | null;
  last_sync_at: Iso8601 | null;
  enrolled: boolean;
  outbox: number;
  /** LangGraph only: the assistant id or graph id whose threads are reviewed. */
  assistant_filter: string | null;
}

export interface QuarantinedPacket {
  id: number;
  endpoint_id: string;
  remote_id: string | null;
  received_at: Iso8601;
  code: string;
  reason: string;
  raw_size: number;
  raw_preview: string;
}

export interface QueueStats {
  pending: number;
  urgent: number;
  outbox: number;
  quarantined: number;
}

export type EngineEvent =
  | { type: "queue_changed"; packet_ids: number[] }
  | { type: "decision_state"; decision_id: string; packet_id: number; state: DeliveryState }
  | { type: "endpoint_health"; endpoint_id: string; health: Health; detail: string | null }
  | { type: "quarantined"; endpoint_id: string; code: string };

// ---- core/engine.rs ----

export interface DecideRequest {
  outcome: Outcome;
  args?: Json;
  reason?: string;
  response?: string;
  via: DecisionVia;
}

export interface NewEndpointRequest {
  name: string;
  base_url: string;
  /** Native: the bearer token (required). LangGraph: the optional `x-api-key`. */
  token: string;
  allow_insecure_http?: boolean;
  kind?: EndpointKind;
  /** LangGraph only: review just this assistant id or graph id. */
  assistant?: string | null;
}

export interface KeyInfo {
  key_id: string;
  fingerprint: string;
  public_jwk: PublicJwk;
  reviewer: ReviewerRef;
}

/** Every rejected IPC call carries this (src-tauri/error.rs). */
export interface BackendError {
  code: string;
  message: string;
}

// ---- core/audit ----
/** Every field narrows the selection; absent means any. Times are ISO-8601 UTC instants. */
export interface AuditFilter {
  from?: Iso8601;
  to?: Iso8601;
  endpoint?: string;
  agent?: string;
  action?: string;
  reviewer?: string;
  outcome?: Outcome;
}

export interface AuditPreviewRow {
  decision_id: string;
  decided_at: Iso8601;
  signer_name: string;
  meaning: string;
  outcome: Outcome;
  endpoint: string;
  agent: string;
  action: string;
  reason: string | null;
  delivery_state: DeliveryState;
  ledger_seq: number | null;
}

export interface AuditPreview {
  total: number;
  rows: AuditPreviewRow[];
  ledger_entries: number;
  chain_head: string;
}

export interface ExportOptions {
  /** A new or empty folder. */
  out: string;
  digests_only: boolean;
}

export interface ExportProgress {
  phase: "decisions" | "ledger";
  done: number;
  total: number;
}

export interface ExportSummary {
  out: string;
  decisions: number;
  ledger_entries: number;
  chain_head_seq: number;
  chain_head: string;
  signer_key_id: string;
}

export interface VerifyFailure {
  file: string;
  row: number | null;
  seq: number | null;
  decision_id: string | null;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  failure: VerifyFailure | null;
  decisions: number;
  ledger_entries: number;
  signatures_verified: number;
  signatures_unverifiable: number;
  signer_key_id: string | null;
  chain_head_seq: number | null;
  chain_head: string | null;
  ledger_seconds: number;
  rows_seconds: number;
}

/** Whether OS notifications are paused or unavailable (and why, in plain words). */
export interface NotifierStatus {
  paused: boolean;
  available: boolean;
  message: string | null;
}

/** A notification asks the window to show a review (null: the queue). */
export interface OpenPacketRequest {
  packet_id: number | null;
}
