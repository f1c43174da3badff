//! The append-only change feed behind `GET /v1/reviews` and `GET /v1/events`.

use countersign_protocol::{Change, ChangeKind, Packet, SignedDecision};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::{enum_text, json_column, to_json, StoreResult};

/// What a change row stores besides its seq and kind: the packet's state at that moment.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    packet: Packet,
    #[serde(default)]
    decisions: Vec<SignedDecision>,
}

pub(super) fn append(
    conn: &Connection,
    kind: ChangeKind,
    packet: &Packet,
    decisions: Vec<SignedDecision>,
) -> StoreResult<Change> {
    let snapshot = Snapshot {
        packet: packet.clone(),
        decisions,
    };
    conn.execute(
        "INSERT INTO changes (kind, packet_id, snapshot) VALUES (?1, ?2, ?3)",
        params![enum_text(&kind)?, packet.id, to_json(&snapshot)?],
    )?;
    let seq = conn.last_insert_rowid() as u64;
    Ok(Change {
        seq,
        kind,
        packet: snapshot.packet,
        decisions: snapshot.decisions,
    })
}

/// Up to `limit` changes with `seq > after`, oldest first.
pub fn changes_after(conn: &Connection, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, snapshot FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![after as i64, limit as i64], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(seq, kind, snapshot)| {
            let kind: ChangeKind = json_column(&format!("\"{kind}\""), "change kind")?;
            let snapshot: Snapshot = json_column(&snapshot, "change snapshot")?;
            Ok(Change {
                seq: seq as u64,
                kind,
                packet: snapshot.packet,
                decisions: snapshot.decisions,
            })
        })
        .collect()
}

pub fn has_changes_after(conn: &Connection, after: u64) -> StoreResult<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM changes WHERE seq > ?1)",
        [after as i64],
        |row| row.get(0),
    )?)
}

/// The newest seq, 0 when the feed is empty.
pub fn latest_seq(conn: &Connection) -> StoreResult<u64> {
    let seq: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |row| {
        row.get(0)
    })?;
    Ok(seq as u64)
}
