//! Wire model of protocol v1: review packets as agents create them and endpoints serve
//! them, decision records as reviewers sign them, and the change feed that syncs both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who asked for the review.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct AgentRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

/// The tool call the agent wants to make.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Action {
    pub name: String,
    #[serde(default)]
    pub args: Value,
}

/// A piece of evidence the agent shows the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ContextItem {
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub excerpt: String,
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    High,
    Critical,
}

/// Money at stake, as a decimal string so no float rounding enters a signed digest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Amount {
    pub value: String,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Impact {
    #[serde(default)]
    pub risk: Risk,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default = "default_true")]
    pub reversible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl Default for Impact {
    fn default() -> Self {
        Impact {
            risk: Risk::Low,
            amount: None,
            reversible: true,
            summary: None,
        }
    }
}

fn default_true() -> bool {
    true
}

/// What the endpoint does when the deadline passes without a decision.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnExpiry {
    /// Fail closed: the agent is told the packet expired unapproved.
    #[default]
    FailClosed,
    /// Raise urgency to critical and give reviewers `extend_seconds` more.
    Escalate,
    /// Quietly move the deadline by `extend_seconds`.
    Extend,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimeoutPolicy {
    #[serde(default)]
    pub on_expiry: OnExpiry,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extend_seconds: Option<u64>,
    /// How many times escalate/extend may apply before failing closed.
    #[serde(default = "default_max_extensions")]
    pub max_extensions: u32,
}

fn default_max_extensions() -> u32 {
    1
}

impl Default for TimeoutPolicy {
    fn default() -> Self {
        TimeoutPolicy {
            on_expiry: OnExpiry::FailClosed,
            extend_seconds: None,
            max_extensions: default_max_extensions(),
        }
    }
}

/// What a reviewer may answer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approve,
    Edit,
    Reject,
    Respond,
    Escalate,
    Ignore,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Approve,
        Outcome::Edit,
        Outcome::Reject,
        Outcome::Respond,
        Outcome::Escalate,
        Outcome::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approve => "approve",
            Outcome::Edit => "edit",
            Outcome::Reject => "reject",
            Outcome::Respond => "respond",
            Outcome::Escalate => "escalate",
            Outcome::Ignore => "ignore",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The meaning of a signature with this outcome (21 CFR 11.50 style manifestation).
    pub fn meaning(self) -> &'static str {
        match self {
            Outcome::Approve => "approval",
            Outcome::Edit => "approval with edits",
            Outcome::Reject => "rejection",
            Outcome::Respond => "response",
            Outcome::Escalate => "escalation",
            Outcome::Ignore => "dismissal",
        }
    }

    /// Whether the agent may go ahead with `final_args`.
    pub fn permits_action(self) -> bool {
        matches!(self, Outcome::Approve | Outcome::Edit)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn default_outcomes() -> Vec<Outcome> {
    vec![Outcome::Approve, Outcome::Reject]
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Assignment {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum QuorumMode {
    #[default]
    AnyOf,
    AllOf,
}

/// How many distinct reviewers must approve. `any_of` with `required: 1` is the norm; a
/// rejection by anyone closes the packet.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Quorum {
    #[serde(default)]
    pub mode: QuorumMode,
    #[serde(default = "default_required")]
    pub required: u32,
}

fn default_required() -> u32 {
    1
}

impl Default for Quorum {
    fn default() -> Self {
        Quorum {
            mode: QuorumMode::AnyOf,
            required: 1,
        }
    }
}

/// What an agent submits to `POST /v1/agent/reviews`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PacketDraft {
    /// The agent's idempotency key: creating twice with the same key returns the first packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_key: Option<String>,
    pub agent: AgentRef,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_schema: Option<Value>,
    #[serde(default)]
    pub reasoning: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextItem>,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub urgency: Urgency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timeout_policy: TimeoutPolicy,
    #[serde(default = "default_outcomes")]
    pub allowed_outcomes: Vec<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    #[serde(default)]
    pub quorum: Quorum,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum PacketStatus {
    #[default]
    Pending,
    Decided,
    Withdrawn,
    Expired,
}

impl PacketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PacketStatus::Pending => "pending",
            PacketStatus::Decided => "decided",
            PacketStatus::Withdrawn => "withdrawn",
            PacketStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<PacketStatus> {
        [
            PacketStatus::Pending,
            PacketStatus::Decided,
            PacketStatus::Withdrawn,
            PacketStatus::Expired,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self == PacketStatus::Pending
    }
}

/// A review packet as an endpoint serves it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Packet {
    pub version: u32,
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub status: PacketStatus,
    pub agent: AgentRef,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_schema: Option<Value>,
    #[serde(default)]
    pub reasoning: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextItem>,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub urgency: Urgency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timeout_policy: TimeoutPolicy,
    #[serde(default = "default_outcomes")]
    pub allowed_outcomes: Vec<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    #[serde(default)]
    pub quorum: Quorum,
    /// How many times the timeout policy escalated or extended this packet.
    #[serde(default)]
    pub extensions: u32,
}

impl Packet {
    /// Turn an agent's draft into a served packet.
    pub fn from_draft(id: String, now: DateTime<Utc>, draft: PacketDraft) -> Packet {
        Packet {
            version: crate::PROTOCOL_VERSION,
            id,
            created_at: now,
            updated_at: now,
            status: PacketStatus::Pending,
            agent: draft.agent,
            action: draft.action,
            args_schema: draft.args_schema,
            reasoning: draft.reasoning,
            context: draft.context,
            impact: draft.impact,
            urgency: draft.urgency,
            deadline: draft.deadline,
            timeout_policy: draft.timeout_policy,
            allowed_outcomes: draft.allowed_outcomes,
            assignment: draft.assignment,
            quorum: draft.quorum,
            extensions: 0,
        }
    }

    pub fn allows(&self, outcome: Outcome) -> bool {
        self.allowed_outcomes.contains(&outcome)
    }
}

/// The reviewer named on a signed record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ReviewerRef {
    pub id: String,
    pub display_name: String,
}

/// Where the reviewer made the decision (recorded so that a one-click approval from a
/// notification is distinguishable from a deliberate review).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum DecisionVia {
    #[default]
    Window,
    Notification,
    Cli,
}

impl DecisionVia {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionVia::Window => "window",
            DecisionVia::Notification => "notification",
            DecisionVia::Cli => "cli",
        }
    }
}

/// The record a reviewer signs (the payload of the compact JWS). Never change the meaning
/// or serialization of a field: add a new `version` instead.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionRecord {
    pub version: u32,
    pub decision_id: String,
    pub packet_id: String,
    pub endpoint: String,
    pub packet_digest: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_args: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    pub meaning: String,
    pub via: DecisionVia,
    pub reviewer: ReviewerRef,
    pub decided_at: DateTime<Utc>,
    pub key_id: String,
}

/// A decision as it travels: the compact JWS (the only thing a verifier trusts) plus its
/// decoded record for convenience.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignedDecision {
    pub decision_id: String,
    pub jws: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<DecisionRecord>,
}

/// Body of `POST /v1/reviews/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionSubmission {
    pub decision_id: String,
    pub jws: String,
}

/// Answer to an accepted (or idempotently replayed) decision submission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionReceipt {
    pub decision_id: String,
    pub packet_id: String,
    pub acknowledged_at: DateTime<Utc>,
    /// Packet status after this decision (still `pending` while an all-of quorum waits).
    pub packet_status: PacketStatus,
}

/// Kinds of change in the desktop sync feed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Changed,
    Withdrawn,
    Expired,
    Decided,
}

/// One entry of `GET /v1/reviews?cursor=` and of the SSE stream (`id:` = `seq`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Change {
    pub seq: u64,
    pub kind: ChangeKind,
    pub packet: Packet,
    /// Accepted decisions on the packet so far (the winners, when decided).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<SignedDecision>,
}

/// A page of the sync feed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Pass back as `?cursor=` to continue.
    pub next_cursor: String,
    pub has_more: bool,
}

/// An Ed25519 public key as an RFC 8037 JWK.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PublicJwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

/// Body of `POST /v1/reviewers`: registers a reviewer's public key with an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Enrollment {
    pub reviewer: ReviewerRef,
    pub key_id: String,
    pub public_key: PublicJwk,
}

/// What an agent reads from `GET /v1/agent/reviews/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgentDecisionView {
    pub packet_id: String,
    pub status: PacketStatus,
    /// The deciding outcome once `status` is `decided`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The arguments the agent may execute with (approve: as proposed; edit: as edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_args: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<SignedDecision>,
}
