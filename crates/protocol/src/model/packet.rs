//! Review packets: what an agent asks a reviewer to approve, and how urgent and risky it is.

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
