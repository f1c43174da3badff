//! The quarantine table: what an endpoint sent that cannot be used (not JSON, an invalid
//! packet or decision), kept with a bounded preview and audited, so the reviewer can see
//! why it is missing from the queue.

use super::convert::{ms, time};
use super::{clamp_limit, ledger, Store};
use crate::error::Result;
use crate::views::QuarantinedPacket;
use chrono::{DateTime, Utc};
use countersign_protocol::digest::sha256_hex;
use rusqlite::{params, Transaction};
use serde_json::json;

/// Longest raw payload kept for inspection; the hash and size cover the whole of it.
const PREVIEW_LIMIT: usize = 64 * 1024;

impl Store {
    /// Keep something an endpoint sent that cannot be used (not JSON, invalid packet), with
    /// a bounded preview, so the reviewer can see why it is missing from the queue.
    pub fn quarantine_raw(
        &self,
        endpoint_id: &str,
        remote_id: Option<&str>,
        code: &str,
        reason: &str,
        raw: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.write(|tx| insert(tx, endpoint_id, remote_id, code, reason, raw, now))
    }

    /// Quarantined entries, newest first.
    pub fn quarantine(&self, limit: u32) -> Result<Vec<QuarantinedPacket>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, endpoint_id, remote_id, received_ms, code, reason, raw_size, raw_preview
                 FROM quarantine ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([clamp_limit(Some(limit))], |r| {
                Ok(QuarantinedPacket {
                    id: r.get(0)?,
                    endpoint_id: r.get(1)?,
                    remote_id: r.get(2)?,
                    received_at: time(r.get(3)?),
                    code: r.get(4)?,
                    reason: r.get(5)?,
                    raw_size: r.get::<_, i64>(6)? as u64,
                    raw_preview: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}

/// Keep `raw` in the quarantine inside the caller's transaction; returns its id.
pub(super) fn insert(
    tx: &Transaction<'_>,
    endpoint_id: &str,
    remote_id: Option<&str>,
    code: &str,
    reason: &str,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<i64> {
    let sha = sha256_hex(raw);
    let lossy = String::from_utf8_lossy(&raw[..raw.len().min(PREVIEW_LIMIT)]);
    // Lossy decoding may grow invalid bytes into 3-byte replacement characters.
    let preview = truncate(&lossy, PREVIEW_LIMIT);
    // A hostile endpoint controls remote_id too; keep it to a displayable size.
    let remote_id = remote_id.map(|r| truncate(r, 512));
    tx.prepare_cached(
        "INSERT INTO quarantine (endpoint_id, remote_id, received_ms, code, reason, raw_size, raw_preview, raw_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        endpoint_id,
        remote_id,
        ms(now),
        code,
        truncate(reason, 4096),
        raw.len() as i64,
        preview,
        sha
    ])?;
    let id = tx.last_insert_rowid();
    let payload = json!({
        "endpoint_id": endpoint_id,
        "remote_id": remote_id,
        "code": code,
        "raw_size": raw.len(),
        "raw_sha256": sha,
    });
    ledger::append(tx, "packet_quarantined", &id.to_string(), &payload, now)?;
    Ok(id)
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
