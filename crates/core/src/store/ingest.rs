//! Ingest of an endpoint's change feed: one page is validated, applied and its cursor
//! advanced in a single transaction, so a crash mid-page replays the page instead of
//! losing or half-applying it. Bad entries are quarantined without stopping the page.

use super::convert::{ms, risk_rank, urgency_rank};
use super::{decisions, endpoints, fts, ledger, quarantine, Store};
use crate::error::Result;
use chrono::{DateTime, Utc};
use countersign_protocol::digest::packet_digest;
use countersign_protocol::limits::Limits;
use countersign_protocol::validate::validate_packet;
use countersign_protocol::{Change, ChangeKind, PacketStatus};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashSet;

/// What one page changed, for the events the engine emits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    /// Local ids of packets created or updated, in page order, each once.
    pub packet_ids: Vec<i64>,
    pub quarantined: usize,
    /// Packets closed by someone else while a decision of ours still waits in the outbox.
    pub decided_elsewhere: Vec<i64>,
}

impl Store {
    /// Apply one page of changes from `endpoint_id` and move its cursor to `next_cursor`.
    pub fn apply_changes(
        &self,
        endpoint_id: &str,
        changes: &[Value],
        next_cursor: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IngestReport> {
        self.write(|tx| {
            endpoints::require_live(tx, endpoint_id)?;
            let mut report = IngestReport::default();
            let mut seen = HashSet::new();
            for raw in changes {
                match apply_one(tx, endpoint_id, raw, now)? {
                    Applied::Skipped => {}
                    Applied::Quarantined => report.quarantined += 1,
                    Applied::Packet {
                        id,
                        decided_elsewhere,
                    } => {
                        if seen.insert(id) {
                            report.packet_ids.push(id);
                        }
                        if decided_elsewhere && !report.decided_elsewhere.contains(&id) {
                            report.decided_elsewhere.push(id);
                        }
                    }
                }
            }
            if let Some(cursor) = next_cursor {
                tx.prepare_cached("UPDATE endpoints SET cursor = ?2 WHERE id = ?1")?
                    .execute(params![endpoint_id, cursor])?;
            }
            Ok(report)
        })
    }
}

enum Applied {
    Skipped,
    Quarantined,
    Packet { id: i64, decided_elsewhere: bool },
}

fn apply_one(
    tx: &Transaction<'_>,
    endpoint_id: &str,
    raw: &Value,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let remote_id = raw.pointer("/packet/id").and_then(Value::as_str);
    let reject = |code: &str, reason: &str| -> Result<Applied> {
        let bytes = serde_json::to_vec(raw)?;
        quarantine::insert(tx, endpoint_id, remote_id, code, reason, &bytes, now)?;
        Ok(Applied::Quarantined)
    };
    let change = match Change::deserialize(raw) {
        Ok(c) => c,
        Err(e) if !raw.is_object() => return reject("malformed_json", &e.to_string()),
        Err(e) => return reject("invalid_field", &e.to_string()),
    };
    let raw_size = raw.get("packet").map_or(0, json_size);
    if let Err(e) = validate_packet(&change.packet, raw_size, &Limits::V1) {
        return reject(e.code(), &e.to_string());
    }
    let packet = &change.packet;
    let seq = i64::try_from(change.seq).unwrap_or(i64::MAX);
    let existing: Option<(i64, i64, String)> = tx
        .prepare_cached(
            "SELECT id, last_seq, digest FROM packets WHERE endpoint_id = ?1 AND remote_id = ?2",
        )?
        .query_row(params![endpoint_id, packet.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    if existing
        .as_ref()
        .is_some_and(|(_, last_seq, _)| seq <= *last_seq)
    {
        // Pull and SSE overlap: this change (or a newer one) was already applied.
        return Ok(Applied::Skipped);
    }
    let digest = packet_digest(packet);
    let body = serde_json::to_string(packet)?;
    let amount = packet
        .impact
        .amount
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let (status, urgency, risk) = (
        packet.status.as_str(),
        urgency_rank(packet.urgency),
        risk_rank(packet.impact.risk),
    );
    let (deadline, created, updated) = (
        packet.deadline.map(ms),
        ms(packet.created_at),
        ms(packet.updated_at),
    );
    let (id, ledger_kind) = match &existing {
        None => {
            tx.prepare_cached(
                "INSERT INTO packets (endpoint_id, remote_id, status, urgency_rank, risk_rank, agent,
                    action, amount, deadline_ms, created_ms, updated_ms, last_seq, digest, body, received_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                endpoint_id, packet.id, status, urgency, risk, packet.agent.name, packet.action.name,
                amount, deadline, created, updated, seq, digest, body, ms(now)
            ])?;
            let id = tx.last_insert_rowid();
            fts::index(tx, id, packet, false)?;
            (id, "packet_received")
        }
        Some((id, _, old_digest)) => {
            tx.prepare_cached(
                "UPDATE packets SET status = ?2, urgency_rank = ?3, risk_rank = ?4, agent = ?5,
                    action = ?6, amount = ?7, deadline_ms = ?8, created_ms = ?9, updated_ms = ?10,
                    last_seq = ?11, digest = ?12, body = ?13
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                status,
                urgency,
                risk,
                packet.agent.name,
                packet.action.name,
                amount,
                deadline,
                created,
                updated,
                seq,
                digest,
                body
            ])?;
            // Every indexed field is covered by the digest, so an unchanged digest means
            // the index row is still right (the common case: urgency or status moved).
            if *old_digest != digest {
                fts::index(tx, *id, packet, true)?;
            }
            (*id, change_ledger_kind(change.kind))
        }
    };
    let payload = json!({
        "endpoint_id": endpoint_id,
        "remote_id": packet.id,
        "seq": seq,
        "status": packet.status.as_str(),
        "urgency": packet.urgency,
        "deadline": packet.deadline,
        "digest": digest,
    });
    ledger::append(tx, ledger_kind, &id.to_string(), &payload, now)?;

    let mut accepted = HashSet::new();
    for signed in &change.decisions {
        accepted.insert(signed.decision_id.as_str());
        decisions::learn_accepted(tx, id, endpoint_id, signed, now)?;
    }
    Ok(Applied::Packet {
        id,
        decided_elsewhere: packet.status != PacketStatus::Pending
            && has_waiting_local_decision(tx, id, &accepted)?,
    })
}

fn change_ledger_kind(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created | ChangeKind::Changed => "packet_changed",
        ChangeKind::Withdrawn => "packet_withdrawn",
        ChangeKind::Expired => "packet_expired",
        ChangeKind::Decided => "packet_decided",
    }
}

/// Whether a decision signed here is still in the outbox and was not among the accepted
/// ones: the reviewer's decision lost a race (the outbox learns the details from the 409).
fn has_waiting_local_decision(
    tx: &Transaction<'_>,
    packet_id: i64,
    accepted: &HashSet<&str>,
) -> Result<bool> {
    let mut stmt = tx.prepare_cached(
        "SELECT d.decision_id FROM decisions d JOIN outbox o ON o.decision_id = d.decision_id
         WHERE d.packet_id = ?1 AND d.local = 1",
    )?;
    let waiting = stmt.query_map([packet_id], |r| r.get::<_, String>(0))?;
    for id in waiting {
        if !accepted.contains(id?.as_str()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Serialized size of a JSON value, without building the bytes.
fn json_size(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).map_or(usize::MAX, |()| count.0)
}
