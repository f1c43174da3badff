//! The desktop sync feed, reviewer enrollment and the agent's view of a decision.

use super::{Outcome, Packet, PacketStatus, ReviewerRef, SignedDecision};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
