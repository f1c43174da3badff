//! Decision records as reviewers sign them, and how they travel to an endpoint.

use super::{Outcome, PacketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The reviewer named on a signed record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReviewerRef {
    /// The reviewer's stable id, unique at the endpoint.
    pub id: String,
    /// The printed name shown beside the signature.
    pub display_name: String,
}

/// Where the reviewer made the decision (recorded so that a one-click approval from a
/// notification is distinguishable from a deliberate review).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum DecisionVia {
    /// In the review window (the default).
    #[default]
    Window,
    /// From an OS notification's action button.
    Notification,
    /// With the `countersign` command line.
    Cli,
}

impl DecisionVia {
    /// The wire name (`"window"`, ...), as serde writes it.
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct DecisionRecord {
    /// Record format version (`PROTOCOL_VERSION`).
    pub version: u32,
    /// A UUIDv7 the reviewer's app creates; submissions are idempotent by it.
    pub decision_id: String,
    /// The `Packet::id` decided on.
    pub packet_id: String,
    /// The endpoint's base URL: the audience, so a record is not replayable elsewhere.
    pub endpoint: String,
    /// `packet_digest` of what the reviewer saw (hex SHA-256).
    pub packet_digest: String,
    /// The reviewer's answer.
    pub outcome: Outcome,
    /// The arguments the agent may run with: the proposed ones for `approve`, the edited
    /// ones for `edit`, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_args: Option<serde_json::Value>,
    /// `args_digest` of `final_args` (hex SHA-256), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_digest: Option<String>,
    /// Why, in the reviewer's words (required for `reject`; at most 16 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The answer text for `respond` (at most 256 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// What the signature means, e.g. `"approval"` (`Outcome::meaning`).
    pub meaning: String,
    /// Where the decision was made.
    pub via: DecisionVia,
    /// Who signed.
    pub reviewer: ReviewerRef,
    /// When it was signed (RFC 3339, UTC, whole milliseconds).
    pub decided_at: DateTime<Utc>,
    /// The signing key's RFC 7638 thumbprint (`jws::key_id`); also the JWS `kid`.
    pub key_id: String,
}

/// A decision as it travels: the compact JWS (the only thing a verifier trusts) plus its
/// decoded record for convenience.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignedDecision {
    /// The record's `decision_id`.
    pub decision_id: String,
    /// The compact JWS over the record (`jws::sign_decision`).
    pub jws: String,
    /// The decoded payload of `jws` (untrusted until the JWS verifies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<DecisionRecord>,
}

/// Body of `POST /v1/reviews/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionSubmission {
    /// The record's `decision_id` (the idempotency key).
    pub decision_id: String,
    /// The compact JWS over the record.
    pub jws: String,
}

/// Answer to an accepted (or idempotently replayed) decision submission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionReceipt {
    /// The accepted decision.
    pub decision_id: String,
    /// The packet it decided on.
    pub packet_id: String,
    /// When the endpoint first accepted it (RFC 3339, UTC).
    pub acknowledged_at: DateTime<Utc>,
    /// Packet status after this decision (still `pending` while an all-of quorum waits).
    pub packet_status: PacketStatus,
}
