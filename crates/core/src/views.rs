//! What the engine hands to its callers (shell, CLI): plain serializable views of the
//! queue, packets, decisions and endpoints.

use chrono::{DateTime, Utc};
use countersign_protocol::{DecisionRecord, Outcome, Packet, PacketStatus, Risk, Urgency};
use serde::{Deserialize, Serialize};

/// Where a locally signed decision is in its delivery.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum DeliveryState {
    /// Signed and durable locally, waiting in the outbox.
    Signed,
    /// Handed to the endpoint, no answer yet (retried if the answer never comes).
    Sent,
    Acknowledged,
    /// Someone else decided first; `winner` holds their decision.
    Conflict,
    /// The endpoint refused it (bad signature, schema, packet closed...).
    Refused,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Signed => "signed",
            DeliveryState::Sent => "sent",
            DeliveryState::Acknowledged => "acknowledged",
            DeliveryState::Conflict => "conflict",
            DeliveryState::Refused => "refused",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            DeliveryState::Signed,
            DeliveryState::Sent,
            DeliveryState::Acknowledged,
            DeliveryState::Conflict,
            DeliveryState::Refused,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryState::Acknowledged | DeliveryState::Conflict | DeliveryState::Refused
        )
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Health {
    /// Not contacted yet since start.
    Unknown,
    Online,
    Offline,
    Unauthorized,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Online => "online",
            Health::Offline => "offline",
            Health::Unauthorized => "unauthorized",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "online" => Health::Online,
            "offline" => Health::Offline,
            "unauthorized" => Health::Unauthorized,
            _ => Health::Unknown,
        }
    }
}

/// Filters for the queue; every field narrows the result.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct QueueQuery {
    pub status: Option<PacketStatus>,
    pub urgency: Option<Urgency>,
    pub risk: Option<Risk>,
    pub endpoint_id: Option<String>,
    pub agent: Option<String>,
    pub action: Option<String>,
    /// Only packets whose deadline is at or before this instant.
    pub deadline_before: Option<DateTime<Utc>>,
    /// Full-text search (FTS5 syntax-safe: the text is quoted as terms).
    pub text: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// One row of the queue list (sorted by urgency, then deadline, then age).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PacketSummary {
    /// Local id (stable for this database).
    pub id: i64,
    pub remote_id: String,
    pub endpoint_id: String,
    pub endpoint_name: String,
    pub agent: String,
    pub action: String,
    pub status: PacketStatus,
    pub urgency: Urgency,
    pub risk: Risk,
    pub amount: Option<countersign_protocol::Amount>,
    pub deadline: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Delivery state of this reviewer's latest decision on it, if any.
    pub my_decision: Option<DeliveryState>,
}

/// A decision on a packet: one signed here, or one learned from the endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DecisionView {
    pub decision_id: String,
    pub packet_id: i64,
    pub outcome: Outcome,
    pub state: DeliveryState,
    /// True when signed by this device's key.
    pub local: bool,
    pub record: DecisionRecord,
    pub jws: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// On conflict: the decision that won.
    pub winner: Option<DecisionRecord>,
    pub updated_at: DateTime<Utc>,
}

/// A packet with everything the packet view shows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PacketView {
    pub id: i64,
    pub endpoint_id: String,
    pub endpoint_name: String,
    pub packet: Packet,
    pub packet_digest: String,
    pub received_at: DateTime<Utc>,
    pub decisions: Vec<DecisionView>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum EndpointKind {
    /// Countersign protocol v1 (the reference endpoint or a compatible service).
    #[default]
    Native,
    /// A LangGraph server (`langgraph dev` or LangGraph Platform): interrupted threads are
    /// the review packets, resumes carry the decisions.
    #[serde(rename = "langgraph")]
    LangGraph,
}

impl EndpointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Native => "native",
            EndpointKind::LangGraph => "langgraph",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [EndpointKind::Native, EndpointKind::LangGraph]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EndpointView {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub kind: EndpointKind,
    pub health: Health,
    pub health_detail: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub enrolled: bool,
    /// Decisions for this endpoint not yet in a final state.
    pub outbox: u32,
    /// LangGraph only: review just the threads of this assistant id or graph id.
    #[serde(default)]
    pub assistant_filter: Option<String>,
}

/// A packet that failed validation, kept with its reason instead of entering the queue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QuarantinedPacket {
    pub id: i64,
    pub endpoint_id: String,
    pub remote_id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub code: String,
    pub reason: String,
    pub raw_size: u64,
    /// The raw payload, truncated to a safe preview size.
    pub raw_preview: String,
}

/// Counts for status bars and the tray.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueStats {
    pub pending: u64,
    pub urgent: u64,
    pub outbox: u64,
    pub quarantined: u64,
}

/// What subscribers are told when something changes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum EngineEvent {
    QueueChanged {
        packet_ids: Vec<i64>,
    },
    DecisionState {
        decision_id: String,
        packet_id: i64,
        state: DeliveryState,
    },
    EndpointHealth {
        endpoint_id: String,
        health: Health,
        detail: Option<String>,
    },
    Quarantined {
        endpoint_id: String,
        code: String,
    },
}

/// One entry of the hash-chained audit ledger.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LedgerEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// What happened (`packet_received`, `decision_signed`, ...).
    pub kind: String,
    /// What it happened to: a local packet id, a decision id or an endpoint id.
    pub subject: String,
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// Result of walking the whole ledger chain without finding a break.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LedgerCheck {
    pub entries: u64,
    /// Hash of the last entry (the genesis hash when the ledger is empty).
    pub head: String,
}
