//! Tests of the store on real SQLite files, with fixtures that build protocol changes and
//! signed decisions the way an endpoint and a reviewer would.

mod decisions;
mod endpoints;
mod ingest;
mod langgraph;
mod ledger;
mod open;
mod perf;
mod queue;

use super::{NewEndpoint, Store};
use crate::views::EndpointKind;
use chrono::{DateTime, Duration, TimeZone, Utc};
use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::jws::{key_id, sign_decision};
use countersign_protocol::{
    DecisionRecord, DecisionVia, Outcome, Packet, PacketDraft, ReviewerRef, SignedDecision,
};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use std::path::PathBuf;
use tempfile::TempDir;

/// A fixed instant plus `secs`, so tests never depend on the wall clock.
pub fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::seconds(secs)
}

pub struct Fixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub store: Store,
}

impl Fixture {
    /// Close and reopen the same file, as after an app restart.
    pub fn reopen(self) -> Fixture {
        let Fixture { dir, path, store } = self;
        drop(store);
        let store = Store::open(&path).unwrap();
        Fixture { dir, path, store }
    }

    /// A second, raw connection to the file, for tampering the way an attacker would.
    pub fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }
}

pub fn new_endpoint(id: &str) -> NewEndpoint {
    NewEndpoint {
        id: id.into(),
        name: format!("{id} name"),
        base_url: format!("http://127.0.0.1:9/{id}"),
        kind: EndpointKind::Native,
        assistant_filter: None,
    }
}

/// A store in a fresh temp dir (inside a not-yet-existing subfolder) with endpoint `ep1`.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile").join("countersign.db");
    let store = Store::open(&path).unwrap();
    store.add_endpoint(&new_endpoint("ep1"), t(0)).unwrap();
    Fixture { dir, path, store }
}

/// A valid pending packet created at `t(0)`.
pub fn pkt(id: &str) -> Packet {
    let draft: PacketDraft = serde_json::from_value(json!({
        "agent": {"name": "refund-bot", "run_id": "run-1"},
        "action": {"name": "issue_refund", "args": {"order": "A-17", "amount": 120}},
        "args_schema": {"type": "object", "properties": {"amount": {"type": "number"}}},
        "reasoning": "Customer was charged twice for the same order.",
        "context": [{"title": "Ticket", "excerpt": "double charge on invoice zebra-42"}],
        "allowed_outcomes": ["approve", "edit", "reject"]
    }))
    .unwrap();
    Packet::from_draft(id.into(), t(0), draft)
}

/// One feed entry as JSON, as the endpoint would send it.
pub fn change(seq: u64, kind: &str, packet: &Packet) -> Value {
    json!({"seq": seq, "kind": kind, "packet": packet})
}

pub fn change_with(seq: u64, kind: &str, packet: &Packet, decisions: &[SignedDecision]) -> Value {
    json!({"seq": seq, "kind": kind, "packet": packet, "decisions": decisions})
}

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// A decision record on `packet`, signed by the key of `seed`.
pub fn record(packet: &Packet, decision_id: &str, outcome: Outcome, seed: u8) -> DecisionRecord {
    let final_args = outcome.permits_action().then(|| packet.action.args.clone());
    DecisionRecord {
        version: 1,
        decision_id: decision_id.into(),
        packet_id: packet.id.clone(),
        endpoint: "http://127.0.0.1:9/ep1".into(),
        packet_digest: packet_digest(packet),
        outcome,
        args_digest: final_args.as_ref().map(args_digest),
        final_args,
        reason: (outcome == Outcome::Reject).then(|| "not justified".into()),
        response: None,
        meaning: outcome.meaning().into(),
        via: DecisionVia::Window,
        reviewer: ReviewerRef {
            id: format!("reviewer-{seed}"),
            display_name: format!("Reviewer {seed}"),
        },
        decided_at: t(60),
        key_id: key_id(&key(seed).verifying_key()),
    }
}

pub fn sign(record: &DecisionRecord, seed: u8) -> String {
    sign_decision(record, &key(seed))
}

/// As the feed carries an accepted decision: the JWS plus (optionally) its record.
pub fn signed(record: &DecisionRecord, seed: u8, with_record: bool) -> SignedDecision {
    SignedDecision {
        decision_id: record.decision_id.clone(),
        jws: sign(record, seed),
        record: with_record.then(|| record.clone()),
    }
}

/// Ingest `packet` as a fresh `created` change and return its local id.
pub fn ingest(store: &Store, packet: &Packet, seq: u64) -> i64 {
    let report = store
        .apply_changes("ep1", &[change(seq, "created", packet)], None, t(1))
        .unwrap();
    report.packet_ids[0]
}

pub fn ledger_kinds(store: &Store) -> Vec<String> {
    store
        .ledger_entries(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}
