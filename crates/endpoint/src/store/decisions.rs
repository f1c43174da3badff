//! Accepted decisions and the counters that prove each one was applied exactly once.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use countersign_protocol::{PacketStatus, SignedDecision};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{json_column, to_json, StoreResult};
use crate::error::EndpointError;

/// An accepted decision as stored.
#[derive(Debug, Clone)]
pub struct StoredDecision {
    /// Always carries its decoded `record`.
    pub signed: SignedDecision,
    /// The reviewer the signing key is enrolled for (not merely what the record claims).
    pub reviewer_id: String,
    pub received_at: DateTime<Utc>,
    pub packet_status_after: PacketStatus,
}

impl StoredDecision {
    pub fn record(&self) -> &countersign_protocol::DecisionRecord {
        self.signed
            .record
            .as_ref()
            .expect("stored decisions always carry their record")
    }
}

pub fn insert_decision(conn: &Connection, decision: &StoredDecision) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO decisions (decision_id, packet_id, reviewer_id, jws, record, received_at, packet_status_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            decision.signed.decision_id,
            decision.record().packet_id,
            decision.reviewer_id,
            decision.signed.jws,
            to_json(decision.record())?,
            decision.received_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            decision.packet_status_after.as_str(),
        ],
    )?;
    // Counted in the same transaction as the insert, so the count means "accepted".
    conn.execute(
        "INSERT INTO decision_acceptances (decision_id, times) VALUES (?1, 1)
         ON CONFLICT (decision_id) DO UPDATE SET times = times + 1",
        [&decision.signed.decision_id],
    )?;
    Ok(())
}

const COLUMNS: &str = "decision_id, reviewer_id, jws, record, received_at, packet_status_after";

fn from_row(row: &Row<'_>) -> rusqlite::Result<[String; 6]> {
    Ok([
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ])
}

fn decode(
    [decision_id, reviewer_id, jws, record, received_at, status]: [String; 6],
) -> StoreResult<StoredDecision> {
    let received_at = DateTime::parse_from_rfc3339(&received_at)
        .map_err(|e| EndpointError::Corrupt(format!("decision received_at: {e}")))?
        .with_timezone(&Utc);
    let packet_status_after = PacketStatus::parse(&status)
        .ok_or_else(|| EndpointError::Corrupt(format!("decision packet status `{status}`")))?;
    Ok(StoredDecision {
        signed: SignedDecision {
            decision_id,
            jws,
            record: Some(json_column(&record, "decision record")?),
        },
        reviewer_id,
        received_at,
        packet_status_after,
    })
}

pub fn get_decision(conn: &Connection, decision_id: &str) -> StoreResult<Option<StoredDecision>> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM decisions WHERE decision_id = ?1"),
            [decision_id],
            from_row,
        )
        .optional()?;
    row.map(decode).transpose()
}

/// A packet's accepted decisions in the order they were accepted.
pub fn decisions_for_packet(
    conn: &Connection,
    packet_id: &str,
) -> StoreResult<Vec<StoredDecision>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM decisions WHERE packet_id = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt
        .query_map([packet_id], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(decode).collect()
}

pub fn count_decisions(conn: &Connection) -> StoreResult<u64> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM decisions", [], |row| row.get(0))?;
    Ok(count as u64)
}

/// `decision_id` → times accepted as new.
pub fn decision_counts(conn: &Connection) -> StoreResult<BTreeMap<String, u64>> {
    let mut stmt = conn.prepare_cached("SELECT decision_id, times FROM decision_acceptances")?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn bump_counter(conn: &Connection, name: &str) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1",
        [name],
    )?;
    Ok(())
}

pub fn counter(conn: &Connection, name: &str) -> StoreResult<u64> {
    Ok(conn
        .query_row(
            "SELECT value FROM counters WHERE name = ?1",
            [name],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
        .unwrap_or(0) as u64)
}
