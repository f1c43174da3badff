//! Packet rows and the agent idempotency keys that point at them.

use countersign_protocol::Packet;
use rusqlite::{params, Connection, OptionalExtension};

use super::{enum_text, json_column, to_json, to_ms, StoreResult};

pub fn insert_packet(conn: &Connection, packet: &Packet) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO packets (id, status, urgency, deadline_ms, created_ms, updated_ms, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            packet.id,
            packet.status.as_str(),
            enum_text(&packet.urgency)?,
            packet.deadline.map(to_ms),
            to_ms(packet.created_at),
            to_ms(packet.updated_at),
            to_json(packet)?,
        ],
    )?;
    Ok(())
}

/// Overwrite a packet's state, keeping the indexed columns in step with the body.
pub fn save_packet(conn: &Connection, packet: &Packet) -> StoreResult<()> {
    conn.execute(
        "UPDATE packets SET status = ?2, urgency = ?3, deadline_ms = ?4, updated_ms = ?5, body = ?6
         WHERE id = ?1",
        params![
            packet.id,
            packet.status.as_str(),
            enum_text(&packet.urgency)?,
            packet.deadline.map(to_ms),
            to_ms(packet.updated_at),
            to_json(packet)?,
        ],
    )?;
    Ok(())
}

pub fn get_packet(conn: &Connection, id: &str) -> StoreResult<Option<Packet>> {
    let body: Option<String> = conn
        .query_row("SELECT body FROM packets WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?;
    body.map(|b| json_column(&b, "packet")).transpose()
}

pub fn count_packets(conn: &Connection) -> StoreResult<u64> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM packets", [], |row| row.get(0))?;
    Ok(count as u64)
}

pub fn packet_for_agent_key(
    conn: &Connection,
    agent_token_hash: &str,
    agent_key: &str,
) -> StoreResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT packet_id FROM agent_keys WHERE agent_token_hash = ?1 AND agent_key = ?2",
            params![agent_token_hash, agent_key],
            |row| row.get(0),
        )
        .optional()?)
}

pub fn remember_agent_key(
    conn: &Connection,
    agent_token_hash: &str,
    agent_key: &str,
    packet_id: &str,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO agent_keys (agent_token_hash, agent_key, packet_id) VALUES (?1, ?2, ?3)",
        params![agent_token_hash, agent_key, packet_id],
    )?;
    Ok(())
}

/// Pending packets whose deadline is at or before `now_ms`, earliest first.
pub fn due_packets(conn: &Connection, now_ms: i64) -> StoreResult<Vec<Packet>> {
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM packets
         WHERE status = 'pending' AND deadline_ms IS NOT NULL AND deadline_ms <= ?1
         ORDER BY deadline_ms",
    )?;
    let bodies = stmt
        .query_map([now_ms], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    bodies.iter().map(|b| json_column(b, "packet")).collect()
}

/// The earliest deadline of any pending packet, in epoch milliseconds.
pub fn nearest_deadline(conn: &Connection) -> StoreResult<Option<i64>> {
    Ok(conn.query_row(
        "SELECT MIN(deadline_ms) FROM packets WHERE status = 'pending' AND deadline_ms IS NOT NULL",
        [],
        |row| row.get(0),
    )?)
}
