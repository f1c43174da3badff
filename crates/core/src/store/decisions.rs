//! The decisions table and every transition of a decision row: one signed here becomes
//! durable and queued in the outbox in a single transaction; ones learned from the
//! endpoint are kept beside ours; delivery moves ours `signed → sent → acknowledged |
//! conflict | refused`, each step audited once.

use super::convert::{delivery, ms, outcome, time};
use super::{ledger, quarantine, Store};
use crate::error::{CoreError, Result};
use crate::views::{DecisionView, DeliveryState};
use chrono::{DateTime, Utc};
use countersign_protocol::digest::sha256_hex;
use countersign_protocol::{jws, DecisionRecord, PacketStatus, ProtocolError, SignedDecision};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

const SELECT_VIEW: &str =
    "SELECT decision_id, packet_id, outcome, state, local, record, jws, attempts,
        last_error, winner, updated_ms FROM decisions";

fn view(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<DecisionView>> {
    let (outcome_s, state_s, record_s): (String, String, String) =
        (r.get(2)?, r.get(3)?, r.get(5)?);
    let winner_s: Option<String> = r.get(9)?;
    let (decision_id, packet_id, local, jws, attempts, last_error, updated_ms) = (
        r.get(0)?,
        r.get(1)?,
        r.get(4)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(10)?,
    );
    Ok((|| {
        let winner = match winner_s {
            Some(w) => record_of(&serde_json::from_str(&w)?).ok(),
            None => None,
        };
        Ok(DecisionView {
            decision_id,
            packet_id,
            outcome: outcome(&outcome_s)?,
            state: delivery(&state_s)?,
            local,
            record: serde_json::from_str(&record_s)?,
            jws,
            attempts,
            last_error,
            winner,
            updated_at: time(updated_ms),
        })
    })())
}

/// The record a signed decision carries. The JWS payload is what the signature covers,
/// so it wins over the convenience `record` copy when both are present.
fn record_of(signed: &SignedDecision) -> Result<DecisionRecord, ProtocolError> {
    jws::parse(&signed.jws)
        .and_then(|p| p.record())
        .or_else(|e| signed.record.clone().ok_or(e))
}

pub(super) fn load(tx: &Transaction<'_>, decision_id: &str) -> Result<DecisionView> {
    tx.prepare_cached(&format!("{SELECT_VIEW} WHERE decision_id = ?1"))?
        .query_row([decision_id], view)
        .optional()?
        .ok_or_else(|| CoreError::NotFound {
            what: "decision",
            id: decision_id.to_string(),
        })?
}

pub(super) fn for_packet(tx: &Transaction<'_>, packet_id: i64) -> Result<Vec<DecisionView>> {
    let mut stmt = tx.prepare_cached(&format!(
        "{SELECT_VIEW} WHERE packet_id = ?1 ORDER BY created_ms, rowid"
    ))?;
    let rows = stmt.query_map([packet_id], view)?;
    rows.map(|r| r?).collect()
}

/// An accepted decision seen in the change feed: ours becomes acknowledged, someone
/// else's is stored as a remote decision.
pub(super) fn learn_accepted(
    tx: &Transaction<'_>,
    packet_id: i64,
    endpoint_id: &str,
    signed: &SignedDecision,
    now: DateTime<Utc>,
) -> Result<()> {
    let known: Option<String> = tx
        .prepare_cached("SELECT state FROM decisions WHERE decision_id = ?1")?
        .query_row([&signed.decision_id], |r| r.get(0))
        .optional()?;
    match known {
        Some(state) if !delivery(&state)?.is_final() => finish(
            tx,
            &signed.decision_id,
            DeliveryState::Acknowledged,
            None,
            None,
            now,
        ),
        Some(_) => Ok(()),
        None => insert_remote(tx, packet_id, endpoint_id, signed, now),
    }
}

pub(super) fn insert_remote(
    tx: &Transaction<'_>,
    packet_id: i64,
    endpoint_id: &str,
    signed: &SignedDecision,
    now: DateTime<Utc>,
) -> Result<()> {
    let record = match record_of(signed) {
        Ok(r) => r,
        Err(e) => {
            let raw = serde_json::to_vec(signed)?;
            let remote_id: Option<String> = tx
                .query_row(
                    "SELECT remote_id FROM packets WHERE id = ?1",
                    [packet_id],
                    |r| r.get(0),
                )
                .optional()?;
            quarantine::insert(
                tx,
                endpoint_id,
                remote_id.as_deref(),
                e.code(),
                &e.to_string(),
                &raw,
                now,
            )?;
            return Ok(());
        }
    };
    tx.prepare_cached(
        "INSERT OR IGNORE INTO decisions (decision_id, packet_id, endpoint_id, outcome, state, local, jws,
            record, created_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, 'acknowledged', 0, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        signed.decision_id,
        packet_id,
        endpoint_id,
        record.outcome.as_str(),
        signed.jws,
        serde_json::to_string(&record)?,
        ms(now)
    ])?;
    let payload = json!({
        "packet_id": packet_id,
        "outcome": record.outcome,
        "reviewer": record.reviewer,
        "key_id": record.key_id,
        "jws_sha256": sha256_hex(signed.jws.as_bytes()),
    });
    ledger::append(tx, "decision_received", &signed.decision_id, &payload, now)?;
    Ok(())
}

/// A delivery attempt of a decision not yet final: the first one moves it `signed → sent`
/// and is audited, later ones only count.
pub(super) fn sent(tx: &Transaction<'_>, current: &DecisionView, now: DateTime<Utc>) -> Result<()> {
    let decision_id = current.decision_id.as_str();
    tx.execute(
        "UPDATE decisions SET state = 'sent', attempts = attempts + 1, updated_ms = ?2
         WHERE decision_id = ?1",
        params![decision_id, ms(now)],
    )?;
    if current.state == DeliveryState::Signed {
        ledger::append(
            tx,
            "decision_sent",
            decision_id,
            &json!({"packet_id": current.packet_id}),
            now,
        )?;
    }
    Ok(())
}

/// Schedule another delivery attempt after a transient failure, on the decision and its
/// outbox row (retry bookkeeping is not audited).
pub(super) fn retry_later(
    tx: &Transaction<'_>,
    decision_id: &str,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let next = ms(next_attempt_at);
    tx.execute(
        "UPDATE decisions SET last_error = ?2, next_attempt_ms = ?3, updated_ms = ?4 WHERE decision_id = ?1",
        params![decision_id, error, next, ms(now)],
    )?;
    tx.execute(
        "UPDATE outbox SET next_attempt_ms = ?2 WHERE decision_id = ?1",
        params![decision_id, next],
    )?;
    Ok(())
}

/// Move a decision to a final state (once), take it out of the outbox and audit it.
pub(super) fn finish(
    tx: &Transaction<'_>,
    decision_id: &str,
    state: DeliveryState,
    detail: Option<&str>,
    winner: Option<&SignedDecision>,
    now: DateTime<Utc>,
) -> Result<()> {
    let winner_json = winner.map(serde_json::to_string).transpose()?;
    tx.prepare_cached(
        "UPDATE decisions SET state = ?2, last_error = ?3,
            winner = coalesce(?4, winner), next_attempt_ms = NULL, updated_ms = ?5
         WHERE decision_id = ?1",
    )?
    .execute(params![
        decision_id,
        state.as_str(),
        detail,
        winner_json,
        ms(now)
    ])?;
    tx.prepare_cached("DELETE FROM outbox WHERE decision_id = ?1")?
        .execute([decision_id])?;
    let payload = json!({
        "detail": detail,
        "winner": winner.map(|w| &w.decision_id),
    });
    ledger::append(
        tx,
        &format!("decision_{}", state.as_str()),
        decision_id,
        &payload,
        now,
    )?;
    Ok(())
}

impl Store {
    /// Make a signed decision durable and queue it for delivery, in one fsynced commit.
    pub fn record_decision(
        &self,
        packet_id: i64,
        record: &DecisionRecord,
        jws: &str,
        now: DateTime<Utc>,
    ) -> Result<DecisionView> {
        self.write(|tx| {
            let (endpoint_id, remote_id, status): (String, String, String) = tx
                .query_row(
                    "SELECT endpoint_id, remote_id, status FROM packets WHERE id = ?1",
                    [packet_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| CoreError::NotFound {
                    what: "packet",
                    id: packet_id.to_string(),
                })?;
            if status != PacketStatus::Pending.as_str() {
                return Err(CoreError::PacketClosed(packet_id, status));
            }
            let open_local: Option<String> = tx
                .query_row(
                    "SELECT state FROM decisions WHERE packet_id = ?1 AND local = 1
                       AND state NOT IN ('conflict', 'refused') LIMIT 1",
                    [packet_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(state) = open_local {
                return Err(CoreError::PacketClosed(packet_id, format!("already decided here ({state})")));
            }
            if record.packet_id != remote_id {
                return Err(CoreError::InvalidInput(format!(
                    "the record is for packet `{}`, not `{remote_id}`",
                    record.packet_id
                )));
            }
            let exists: Option<i64> = tx
                .query_row("SELECT 1 FROM decisions WHERE decision_id = ?1", [&record.decision_id], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return Err(CoreError::InvalidInput(format!("decision {} already exists", record.decision_id)));
            }
            tx.execute(
                "INSERT INTO decisions (decision_id, packet_id, endpoint_id, outcome, state, local, jws, record,
                    next_attempt_ms, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, 'signed', 1, ?5, ?6, ?7, ?7, ?7)",
                params![
                    record.decision_id,
                    packet_id,
                    endpoint_id,
                    record.outcome.as_str(),
                    jws,
                    serde_json::to_string(record)?,
                    ms(now)
                ],
            )?;
            tx.execute(
                "INSERT INTO outbox (decision_id, endpoint_id, next_attempt_ms) VALUES (?1, ?2, ?3)",
                params![record.decision_id, endpoint_id, ms(now)],
            )?;
            let payload = json!({
                "packet_id": packet_id,
                "remote_id": remote_id,
                "endpoint_id": endpoint_id,
                "outcome": record.outcome,
                "args_digest": record.args_digest,
                "packet_digest": record.packet_digest,
                "jws_sha256": sha256_hex(jws.as_bytes()),
                "reviewer": record.reviewer,
                "key_id": record.key_id,
                "via": record.via,
            });
            ledger::append(tx, "decision_signed", &record.decision_id, &payload, now)?;
            load(tx, &record.decision_id)
        })
    }

    pub fn decision(&self, decision_id: &str) -> Result<DecisionView> {
        self.read(|tx| load(tx, decision_id))
    }

    /// Every decision on a packet, ours and others', oldest first.
    pub fn decisions_for_packet(&self, packet_id: i64) -> Result<Vec<DecisionView>> {
        self.read(|tx| for_packet(tx, packet_id))
    }
}
