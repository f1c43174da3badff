//! The audit ledger: an append-only SHA-256 hash chain of every state change, written in
//! the same transaction as the change itself so the two can never disagree.
//!
//! `hash = sha256_hex(prev_hash + "\n" + canonical_json({seq, at, kind, subject, payload}))`
//! with `at` in Unix milliseconds; the first entry's `prev_hash` is [`GENESIS`]. An edited,
//! deleted or reordered row breaks the chain at that row.

use super::convert::{ms, time};
use super::{clamp_limit, Store};
use crate::error::{CoreError, Result};
use crate::views::{LedgerCheck, LedgerEntry};
use chrono::{DateTime, Utc};
use countersign_protocol::digest::{canonical_value, sha256_hex};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain hash of one entry; exporters and offline verifiers use the same function.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: DateTime<Utc>,
    kind: &str,
    subject: &str,
    payload: &Value,
) -> String {
    let payload = String::from_utf8(canonical_value(payload)).unwrap_or_default();
    hash_canonical(prev_hash, seq, ms(at), kind, subject, &payload)
}

/// [`entry_hash`] given the payload already in canonical form (as stored), which spares
/// re-parsing and re-canonicalizing every row when appending and verifying. The body is
/// assembled in RFC 8785 key order (at, kind, payload, seq, subject); serde_json escapes
/// strings exactly as RFC 8785 does.
pub(crate) fn hash_canonical(
    prev_hash: &str,
    seq: i64,
    at_ms: i64,
    kind: &str,
    subject: &str,
    canonical_payload: &str,
) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let input = format!(
        "{prev_hash}\n{{\"at\":{at_ms},\"kind\":{},\"payload\":{canonical_payload},\"seq\":{seq},\"subject\":{}}}",
        quote(kind),
        quote(subject)
    );
    sha256_hex(input.as_bytes())
}

/// Append one entry inside the caller's transaction; returns its seq.
pub(super) fn append(
    tx: &Transaction<'_>,
    kind: &str,
    subject: &str,
    payload: &Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let payload = String::from_utf8(canonical_value(payload)).unwrap_or_default();
    let hash = hash_canonical(&prev_hash, seq, ms(now), kind, subject, &payload);
    tx.prepare_cached(
        "INSERT INTO ledger (seq, at_ms, kind, subject, payload, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        seq,
        ms(now),
        kind,
        subject,
        payload,
        prev_hash,
        hash
    ])?;
    Ok(seq)
}

/// A ledger entry as stored, owned so that another core can write its export line.
#[derive(Debug, Clone)]
pub struct StoredLedgerEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub subject: String,
    /// The canonical JSON text that was hashed.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

pub(super) type RawEntry = (i64, i64, String, String, String, String, String);

pub(super) fn raw_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

pub(super) fn to_entry(raw: RawEntry) -> std::result::Result<LedgerEntry, serde_json::Error> {
    let (seq, at_ms, kind, subject, payload, prev_hash, hash) = raw;
    Ok(LedgerEntry {
        seq,
        at: time(at_ms),
        kind,
        subject,
        payload: serde_json::from_str(&payload)?,
        prev_hash,
        hash,
    })
}

pub(super) const SELECT_ENTRIES: &str =
    "SELECT seq, at_ms, kind, subject, payload, prev_hash, hash FROM ledger";

impl Store {
    /// Entries with `seq > after_seq`, oldest first (at most 10 000 per call).
    pub fn ledger_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<LedgerEntry>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "{SELECT_ENTRIES} WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after_seq, clamp_limit(Some(limit))], raw_entry)?;
            let mut out = Vec::new();
            for raw in rows {
                out.push(to_entry(raw?)?);
            }
            Ok(out)
        })
    }

    /// Walk the whole chain in seq order; fails with `LedgerBroken` naming the first entry
    /// that was changed, removed or moved.
    pub fn verify_ledger(&self) -> Result<LedgerCheck> {
        self.read(|tx| {
            let mut stmt = tx.prepare(&format!("{SELECT_ENTRIES} ORDER BY seq"))?;
            let mut rows = stmt.query([])?;
            let mut expected_seq = 1;
            let mut prev_hash = GENESIS.to_string();
            while let Some(row) = rows.next()? {
                let raw = raw_entry(row)?;
                let seq = raw.0;
                let broken = |reason: String| CoreError::LedgerBroken {
                    seq: expected_seq,
                    reason,
                };
                if seq != expected_seq {
                    // The entry that should be here is gone; name it, not its successor.
                    return Err(broken(format!("entry {expected_seq} is missing (next entry is {seq})")));
                }
                if raw.5 != prev_hash {
                    return Err(broken(
                        "prev_hash does not match the previous entry's hash (entry removed or moved)".into(),
                    ));
                }
                let (_, at_ms, kind, subject, payload, _, stored_hash) = raw;
                // Hashing the stored text as is: any byte changed in it breaks the hash,
                // even an edit that would not change the parsed JSON.
                if hash_canonical(&prev_hash, seq, at_ms, &kind, &subject, &payload) != stored_hash {
                    return Err(broken("content does not match its hash (entry changed)".into()));
                }
                prev_hash = stored_hash;
                expected_seq += 1;
            }
            Ok(LedgerCheck {
                entries: (expected_seq - 1) as u64,
                head: prev_hash,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use countersign_protocol::digest::canonical_json;
    use serde_json::json;

    #[test]
    fn fast_hash_equals_the_canonical_definition() {
        let payload = json!({"z": [1, 2.5, "é\u{1}\"/"], "a": {"b": null, "A": true}});
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let body = json!({"seq": 7, "at": ms(at), "kind": "k\n", "subject": "s\u{7f}é", "payload": payload});
        let mut input = format!("{GENESIS}\n").into_bytes();
        input.extend_from_slice(&canonical_json(&body));
        assert_eq!(
            entry_hash(GENESIS, 7, at, "k\n", "s\u{7f}é", &payload),
            sha256_hex(&input)
        );
    }
}
