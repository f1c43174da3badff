//! Bulk filler for benchmarks: appends synthetic decided packets with signed decisions
//! (four ledger entries each: packet received, decision signed, sent, acknowledged) in big
//! transactions, through the same ledger append as the real paths; and synthetic pending
//! packets for filling a queue. Never used by the app: only built with the
//! `synthetic-data` feature (and in unit tests).

use super::convert::ms;
use super::{ledger, Store};
use crate::error::Result;
use crate::signing::ReviewerKey;
use chrono::{DateTime, Utc};
use countersign_protocol::digest::{args_digest, sha256_hex};
use countersign_protocol::{DecisionRecord, DecisionVia, Outcome, ReviewerRef};
use rusqlite::params;
use serde_json::{json, Value};

/// What one synthetic decision needs from the caller: the packet's remote id and args,
/// and a signed record for it.
pub struct SyntheticDecision {
    pub remote_id: String,
    pub agent: String,
    pub action: String,
    pub proposed_args: Value,
    pub record: DecisionRecord,
    pub jws: String,
}

impl SyntheticDecision {
    /// The `i`th decision of a synthetic trail, decided at `now` and signed with `key`:
    /// every fifth rejected, the others approved as proposed.
    pub fn signed(i: u32, key: &ReviewerKey, reviewer: &ReviewerRef, now: DateTime<Utc>) -> Self {
        let outcome = if i.is_multiple_of(5) {
            Outcome::Reject
        } else {
            Outcome::Approve
        };
        let args = json!({"amount": i % 900, "customer": format!("C-{}", i % 5000)});
        let final_args = outcome.permits_action().then(|| args.clone());
        let record = DecisionRecord {
            version: 1,
            decision_id: format!("bench-decision-{i:08}"),
            packet_id: format!("bench-packet-{i:08}"),
            endpoint: "http://127.0.0.1:9".into(),
            packet_digest: sha256_hex(format!("packet {i}").as_bytes()),
            outcome,
            args_digest: final_args.as_ref().map(args_digest),
            final_args,
            reason: (outcome == Outcome::Reject).then(|| "not justified".into()),
            response: None,
            meaning: outcome.meaning().into(),
            via: DecisionVia::Cli,
            reviewer: reviewer.clone(),
            decided_at: now,
            key_id: key.key_id().into(),
        };
        SyntheticDecision {
            remote_id: record.packet_id.clone(),
            agent: "bench-agent".into(),
            action: "issue_refund".into(),
            proposed_args: args,
            jws: key.sign(&record),
            record,
        }
    }
}

impl Store {
    /// Append `items` (each a decided packet) in one transaction; returns the new head seq.
    pub fn append_synthetic_decisions(
        &self,
        endpoint_id: &str,
        items: &[SyntheticDecision],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(|tx| {
            let mut last = 0;
            for it in items {
                let body = json!({
                    "version": 1, "id": it.remote_id, "created_at": now, "updated_at": now,
                    "status": "decided", "agent": {"name": it.agent},
                    "action": {"name": it.action, "args": it.proposed_args},
                });
                tx.prepare_cached(
                    "INSERT INTO packets (endpoint_id, remote_id, status, urgency_rank, risk_rank,
                        agent, action, created_ms, received_ms, updated_ms, last_seq, digest, body)
                     VALUES (?1, ?2, 'decided', 1, 0, ?3, ?4, ?5, ?5, ?5, 0, ?6, ?7)",
                )?
                .execute(params![
                    endpoint_id,
                    it.remote_id,
                    it.agent,
                    it.action,
                    ms(now),
                    it.record.packet_digest,
                    body.to_string()
                ])?;
                let packet_id = tx.last_insert_rowid();
                ledger::append(
                    tx,
                    "packet_received",
                    &packet_id.to_string(),
                    &json!({"remote_id": it.remote_id, "digest": it.record.packet_digest}),
                    now,
                )?;
                let r = &it.record;
                tx.prepare_cached(
                    "INSERT INTO decisions (decision_id, packet_id, endpoint_id, outcome, state,
                        local, jws, record, created_ms, updated_ms)
                     VALUES (?1, ?2, ?3, ?4, 'acknowledged', 1, ?5, ?6, ?7, ?7)",
                )?
                .execute(params![
                    r.decision_id,
                    packet_id,
                    endpoint_id,
                    r.outcome.as_str(),
                    it.jws,
                    serde_json::to_string(r)?,
                    ms(now)
                ])?;
                let payload = json!({
                    "packet_id": packet_id, "remote_id": it.remote_id, "endpoint_id": endpoint_id,
                    "outcome": r.outcome, "args_digest": r.args_digest,
                    "packet_digest": r.packet_digest, "jws_sha256": sha256_hex(it.jws.as_bytes()),
                    "reviewer": r.reviewer, "key_id": r.key_id, "via": r.via,
                });
                ledger::append(tx, "decision_signed", &r.decision_id, &payload, now)?;
                let sent = json!({"packet_id": packet_id});
                ledger::append(tx, "decision_sent", &r.decision_id, &sent, now)?;
                let ack = json!({"detail": null, "winner": null});
                last = ledger::append(tx, "decision_acknowledged", &r.decision_id, &ack, now)?;
            }
            Ok(last)
        })
    }
}

const ACTIONS: [&str; 5] = [
    "issue_refund",
    "send_email",
    "update_crm_record",
    "deploy_service",
    "export_dataset",
];
const AGENTS: [&str; 5] = [
    "refund-bot",
    "outreach-agent",
    "crm-sync",
    "release-captain",
    "data-steward",
];
const RISKS: [&str; 4] = ["low", "medium", "high", "critical"];
const URGENCIES: [&str; 4] = ["low", "normal", "high", "critical"];
const WORDS: [&str; 12] = [
    "customer",
    "invoice",
    "duplicate",
    "charge",
    "production",
    "rollback",
    "quarterly",
    "marketing",
    "contract",
    "renewal",
    "latency",
    "warehouse",
];

/// A pending packet `i` as the change feed would carry it: agents, actions, risks,
/// urgencies and deadlines vary with `i` so filters and sorting have work to do.
pub fn synthetic_packet_change(i: u32, now: DateTime<Utc>) -> Value {
    let k = i as usize;
    json!({
        "seq": i + 1,
        "kind": "created",
        "packet": {
            "version": 1,
            "id": format!("bench-{i}"),
            "created_at": now,
            "updated_at": now,
            "status": "pending",
            "agent": {"name": AGENTS[k % 5], "run_id": format!("run-{}", i / 7)},
            "action": {"name": ACTIONS[k % 5], "args": {"amount": (i % 900) + 10, "customer": format!("C-{}", i % 5000), "note": WORDS[k % 12]}},
            "reasoning": format!("The {} for {} {} looks like a {} case; ticket {} has details.", WORDS[k % 12], WORDS[(k / 12) % 12], i, WORDS[(k / 144) % 12], i * 7),
            "context": [{"title": "ticket", "excerpt": format!("Customer C-{} wrote about the {}.", i % 5000, WORDS[(k + 3) % 12])}],
            "impact": {"risk": RISKS[k % 4], "reversible": !k.is_multiple_of(3)},
            "urgency": URGENCIES[(k / 4) % 4],
            "deadline": now + chrono::Duration::minutes((k % 600) as i64 + 5),
            "allowed_outcomes": ["approve", "edit", "reject"]
        }
    })
}
