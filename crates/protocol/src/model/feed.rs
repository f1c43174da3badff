//! The desktop sync feed, reviewer enrollment and the agent's view of a decision.

use super::{Outcome, Packet, PacketStatus, ReviewerRef, SignedDecision};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Kinds of change in the desktop sync feed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new packet.
    Created,
    /// Urgency, deadline or accepted decisions changed; still pending.
    Changed,
    /// The agent withdrew it.
    Withdrawn,
    /// Its deadline passed and it failed closed.
    Expired,
    /// It was decided.
    Decided,
}

/// One entry of `GET /v1/reviews?cursor=` and of the SSE stream (`id:` = `seq`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Change {
    /// Position in the feed, increasing; pass the last one seen as the SSE `Last-Event-ID`.
    pub seq: u64,
    /// What happened.
    pub kind: ChangeKind,
    /// The packet as it is after the change.
    pub packet: Packet,
    /// Accepted decisions on the packet so far (the winners, when decided).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<SignedDecision>,
}

/// A page of the sync feed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChangePage {
    /// The changes after the cursor, oldest first.
    pub changes: Vec<Change>,
    /// Pass back as `?cursor=` to continue.
    pub next_cursor: String,
    /// Whether more changes wait beyond this page.
    pub has_more: bool,
}

/// An Ed25519 public key as an RFC 8037 JWK.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct PublicJwk {
    /// Key type: always `OKP`.
    pub kty: String,
    /// Curve: always `Ed25519`.
    pub crv: String,
    /// The 32-byte public key, base64url without padding.
    pub x: String,
    /// The key id (`jws::key_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

/// Body of `POST /v1/reviewers`: registers a reviewer's public key with an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Enrollment {
    /// Who the key belongs to.
    pub reviewer: ReviewerRef,
    /// The key's id; must match `public_key`.
    pub key_id: String,
    /// The key that will sign the reviewer's decisions.
    pub public_key: PublicJwk,
}

/// What an agent reads from `GET /v1/agent/reviews/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgentDecisionView {
    /// The packet asked about.
    pub packet_id: String,
    /// Its status now: act only once it is `decided`.
    pub status: PacketStatus,
    /// The deciding outcome once `status` is `decided`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The arguments the agent may execute with (approve: as proposed; edit: as edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_args: Option<Value>,
    /// The deciding reviewer's reason, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `respond` text, if that was the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The accepted signed decisions, for agents that verify them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<SignedDecision>,
}
