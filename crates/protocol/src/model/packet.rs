//! Review packets: what an agent asks a reviewer to approve, and how urgent and risky it is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who asked for the review.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct AgentRef {
    /// The agent's name as reviewers see it (required; at most 512 bytes).
    pub name: String,
    /// The agent framework's run id, to find the run in its own logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The conversation or thread the run belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

/// The tool call the agent wants to make.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Action {
    /// The tool's name (required; at most 512 bytes).
    pub name: String,
    /// The arguments the agent proposes: any JSON, at most 256 KiB serialized. `approve`
    /// signs exactly these; `edit` signs the reviewer's replacement.
    #[serde(default)]
    pub args: Value,
}

/// A piece of evidence the agent shows the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct ContextItem {
    /// A heading for the evidence (at most 512 bytes).
    #[serde(default)]
    pub title: String,
    /// Where it comes from, typically a URL (at most 2 KiB); shown as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The evidence itself, Markdown (at most 64 KiB).
    #[serde(default)]
    pub excerpt: String,
}

/// How much harm the action can do if it is wrong, as the agent assesses it.
#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Risk {
    /// Little harm, easily undone (the default).
    #[default]
    Low,
    /// Noticeable harm.
    Medium,
    /// Serious harm: money, data or people affected.
    High,
    /// Severe or irreversible harm.
    Critical,
}

/// How soon a reviewer should look; the queue sorts by it first.
#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Urgency {
    /// Whenever convenient.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Soon.
    High,
    /// Now; an `escalate` timeout raises a packet to this.
    Critical,
}

/// Money at stake, as a decimal string so no float rounding enters a signed digest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Amount {
    /// A decimal number as a string, e.g. `"1250.00"`.
    pub value: String,
    /// The currency, by convention an ISO 4217 code such as `EUR`.
    pub currency: String,
}

/// What is at stake if the action goes ahead.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct Impact {
    /// Defaults to `low`.
    #[serde(default)]
    pub risk: Risk,
    /// Money at stake, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// Whether the action can be undone afterwards (defaults to true).
    #[serde(default = "default_true")]
    pub reversible: bool,
    /// One line on the consequences (at most 512 bytes).
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum OnExpiry {
    /// Fail closed: the agent is told the packet expired unapproved.
    #[default]
    FailClosed,
    /// Raise urgency to critical and give reviewers `extend_seconds` more.
    Escalate,
    /// Quietly move the deadline by `extend_seconds`.
    Extend,
}

/// What happens at the deadline (a packet without one never expires).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct TimeoutPolicy {
    /// Defaults to `fail_closed`.
    #[serde(default)]
    pub on_expiry: OnExpiry,
    /// Seconds `escalate` and `extend` add to the deadline.
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Outcome {
    /// Go ahead with the proposed arguments.
    Approve,
    /// Go ahead with the reviewer's edited arguments (`final_args`).
    Edit,
    /// Do not act; a `reason` is required.
    Reject,
    /// Do not act; answer the agent with a `response` text instead.
    Respond,
    /// Hand the packet on to someone else to decide.
    Escalate,
    /// Dismiss the packet without an answer.
    Ignore,
}

impl Outcome {
    /// Every outcome, in declaration order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Approve,
        Outcome::Edit,
        Outcome::Reject,
        Outcome::Respond,
        Outcome::Escalate,
        Outcome::Ignore,
    ];

    /// The wire name (`"approve"`, ...), as serde writes it.
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

    /// The outcome with this wire name, if any.
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

/// Who is asked to review (neither field set: any reviewer of the endpoint).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct Assignment {
    /// Reviewer ids (`ReviewerRef::id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub reviewers: Vec<String>,
    /// A reviewer group, as the endpoint names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// How a [`Quorum`] closes a packet.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum QuorumMode {
    /// The first decision decides (the default).
    #[default]
    AnyOf,
    /// `required` distinct approvals of the same arguments; any other outcome decides at
    /// once.
    AllOf,
}

/// How many distinct reviewers must approve. `any_of` with `required: 1` is the norm; a
/// rejection by anyone closes the packet.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Quorum {
    /// Defaults to `any_of`.
    #[serde(default)]
    pub mode: QuorumMode,
    /// Approvals an `all_of` packet needs: at least 1 (the default).
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
    /// Who asks (see [`Packet`] for every field below).
    pub agent: AgentRef,
    /// The tool call to review.
    pub action: Action,
    /// JSON Schema of `action.args`, for the edit form (at most 64 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_schema: Option<Value>,
    /// Why the agent wants to act, Markdown (at most 256 KiB).
    #[serde(default)]
    pub reasoning: String,
    /// Evidence for the reviewer (at most 64 items).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextItem>,
    /// What is at stake.
    #[serde(default)]
    pub impact: Impact,
    /// Defaults to `normal`.
    #[serde(default)]
    pub urgency: Urgency,
    /// When the timeout policy applies (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// What happens at the deadline.
    #[serde(default)]
    pub timeout_policy: TimeoutPolicy,
    /// What reviewers may answer (defaults to approve and reject; never empty).
    #[serde(default = "default_outcomes")]
    pub allowed_outcomes: Vec<Outcome>,
    /// Who is asked (absent: anyone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// How many approvals it takes (defaults to one).
    #[serde(default)]
    pub quorum: Quorum,
}

/// Where a packet is in its life; only `pending` packets take decisions.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum PacketStatus {
    /// Waiting for decisions (the default).
    #[default]
    Pending,
    /// Closed by a decision (or a quorum of them).
    Decided,
    /// The agent took the request back.
    Withdrawn,
    /// The deadline passed and the timeout policy failed it closed.
    Expired,
}

impl PacketStatus {
    /// The wire name (`"pending"`, ...), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PacketStatus::Pending => "pending",
            PacketStatus::Decided => "decided",
            PacketStatus::Withdrawn => "withdrawn",
            PacketStatus::Expired => "expired",
        }
    }

    /// The status with this wire name, if any.
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

    /// Whether decisions are still accepted.
    pub fn is_open(self) -> bool {
        self == PacketStatus::Pending
    }
}

/// A review packet as an endpoint serves it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct Packet {
    /// Protocol version of the packet (`PROTOCOL_VERSION`).
    pub version: u32,
    /// Assigned by the endpoint; unique there.
    pub id: String,
    /// When the agent created it (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last change: status, urgency or deadline (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// Defaults to `pending`.
    #[serde(default)]
    pub status: PacketStatus,
    /// Who asks.
    pub agent: AgentRef,
    /// The tool call to review.
    pub action: Action,
    /// JSON Schema of `action.args`, for the edit form (at most 64 KiB). Edited arguments
    /// must satisfy it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_schema: Option<Value>,
    /// Why the agent wants to act, Markdown (at most 256 KiB).
    #[serde(default)]
    pub reasoning: String,
    /// Evidence for the reviewer (at most 64 items).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub context: Vec<ContextItem>,
    /// What is at stake.
    #[serde(default)]
    pub impact: Impact,
    /// Defaults to `normal`.
    #[serde(default)]
    pub urgency: Urgency,
    /// When the timeout policy applies (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// What happens at the deadline.
    #[serde(default)]
    pub timeout_policy: TimeoutPolicy,
    /// What reviewers may answer (defaults to approve and reject; never empty).
    #[serde(default = "default_outcomes")]
    pub allowed_outcomes: Vec<Outcome>,
    /// Who is asked (absent: anyone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// How many approvals it takes (defaults to one).
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

    /// Whether reviewers may answer this packet with `outcome`.
    pub fn allows(&self, outcome: Outcome) -> bool {
        self.allowed_outcomes.contains(&outcome)
    }
}
