//! One exported decision (a line of `decisions.jsonl`): what a compliance officer reads
//! (printed name, time, meaning, outcome, arguments) next to what proves it (the JWS and
//! the ledger entries it points at), chained to the previous row by `row_hash`.

use crate::store::audit::{LedgerRef, StoredDecision};
use crate::views::DeliveryState;
use chrono::{DateTime, Local, Utc};
use countersign_protocol::digest::{args_digest, canonical_json, sha256_hex};
use countersign_protocol::Outcome;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExportRow {
    /// 1-based position in the export; rows are in the order they entered the chain.
    pub row: u64,
    pub decision_id: String,
    pub decided_at: DateTime<Utc>,
    /// The same instant in the exporter's local time, with its UTC offset.
    pub decided_at_local: String,
    /// Printed name of the signer (21 CFR 11.50).
    pub signer_name: String,
    pub signer_id: String,
    /// Meaning of the signature ("approval", "rejection", ...).
    pub meaning: String,
    pub outcome: Outcome,
    pub endpoint: String,
    pub endpoint_url: String,
    pub agent: String,
    pub action: String,
    /// The packet's remote id.
    pub packet_id: String,
    pub packet_digest: String,
    /// As the agent proposed them (null with `digests_only`).
    pub proposed_args: Option<Value>,
    pub proposed_args_digest: String,
    /// As signed (null when the outcome has none, or with `digests_only`).
    pub final_args: Option<Value>,
    pub args_digest: Option<String>,
    pub reason: Option<String>,
    pub response: Option<String>,
    pub delivery_state: DeliveryState,
    /// Signed by the exporting device's key (false: learned from the endpoint).
    pub local: bool,
    pub key_id: String,
    pub jws: String,
    /// Ledger entries about this decision, oldest first; all are in `ledger.jsonl`.
    pub ledger: Vec<LedgerRef>,
    pub prev_row_hash: String,
    /// sha256_hex(RFC 8785 JSON of this row without `row_hash`).
    pub row_hash: String,
}

impl ExportRow {
    pub fn build(
        row: u64,
        d: StoredDecision,
        digests_only: bool,
        prev_row_hash: &str,
    ) -> ExportRow {
        let r = d.record;
        let mut out = ExportRow {
            row,
            decision_id: d.decision_id,
            decided_at: r.decided_at,
            decided_at_local: local_time(&r.decided_at),
            signer_name: r.reviewer.display_name,
            signer_id: r.reviewer.id,
            meaning: r.meaning,
            outcome: r.outcome,
            endpoint: d.endpoint_name,
            endpoint_url: d.endpoint_url,
            agent: d.agent,
            action: d.action,
            packet_id: d.packet_remote_id,
            packet_digest: r.packet_digest,
            proposed_args_digest: args_digest(&d.proposed_args),
            proposed_args: (!digests_only).then_some(d.proposed_args),
            final_args: if digests_only { None } else { r.final_args },
            args_digest: r.args_digest,
            reason: r.reason,
            response: r.response,
            delivery_state: d.state,
            local: d.local,
            key_id: r.key_id,
            jws: d.jws,
            ledger: d.refs,
            prev_row_hash: prev_row_hash.to_string(),
            row_hash: String::new(),
        };
        out.row_hash = out.compute_hash();
        out
    }

    /// The hash this row should carry given its other fields.
    pub fn compute_hash(&self) -> String {
        let mut v = serde_json::to_value(self).expect("rows serialize");
        if let Some(obj) = v.as_object_mut() {
            obj.remove("row_hash");
        }
        sha256_hex(&canonical_json(&v))
    }

    /// The ledger entry that records the signature (signed here or received).
    pub fn signing_ref(&self) -> Option<&LedgerRef> {
        self.ledger.first()
    }

    /// The most recent ledger entry about this decision.
    pub fn state_ref(&self) -> Option<&LedgerRef> {
        self.ledger.last()
    }
}

/// A UTC instant in the exporter's local time zone, with the offset, to the millisecond.
pub fn local_time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S%.3f %:z")
        .to_string()
}

/// The delivery state that a decision's ledger entries imply (None: not a decision trail).
pub fn state_from_refs(refs: &[LedgerRef]) -> Option<DeliveryState> {
    let mut state = None;
    for r in refs {
        state = Some(match r.kind.as_str() {
            "decision_signed" => DeliveryState::Signed,
            "decision_received" => DeliveryState::Acknowledged,
            other => other
                .strip_prefix("decision_")
                .and_then(DeliveryState::parse)?,
        });
    }
    state
}

/// Fingerprint tying a row's ledger reference to the entry in `ledger.jsonl`: kind,
/// subject, hash and, for the entry that records the signature, the JWS, args and packet
/// digests in its payload.
pub fn ref_fingerprint(
    kind: &str,
    subject: &str,
    hash: &str,
    jws_sha256: &str,
    args_digest: &str,
    packet_digest: &str,
) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [kind, subject, hash, jws_sha256, args_digest, packet_digest] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}
