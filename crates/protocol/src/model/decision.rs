//! Decision records as reviewers sign them, and how they travel to an endpoint.

use super::{Outcome, PacketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
