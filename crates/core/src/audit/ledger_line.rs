//! One line of an export's `ledger.jsonl`, read and written without building the payload
//! as a JSON tree: the payload is carried as the canonical text the store hashed, so the
//! exporter copies it and the verifier hashes it as it stands (a million entries each).

use crate::store::ledger::hash_canonical;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// Field for field what [`crate::views::LedgerEntry`] serializes to, so lines written by
/// earlier versions (payload printed from a parsed value) read the same way.
#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerLine<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub subject: Cow<'a, str>,
    #[serde(borrow)]
    pub payload: &'a RawValue,
    #[serde(borrow)]
    pub prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    pub hash: Cow<'a, str>,
}

impl LedgerLine<'_> {
    /// Whether `hash` is this entry's chain hash after `prev_hash`. The payload's text is
    /// hashed as it stands, which only the canonical text the store hashed can match;
    /// exports written before payloads were copied verbatim printed them from a parsed
    /// value, and are accepted when their text is exactly that print of the same value.
    pub fn hash_matches(&self) -> bool {
        let raw = self.payload.get();
        let at_ms = self.at.timestamp_millis();
        let hash = |payload: &str| {
            hash_canonical(
                &self.prev_hash,
                self.seq,
                at_ms,
                &self.kind,
                &self.subject,
                payload,
            )
        };
        if hash(raw) == self.hash {
            return true;
        }
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            return false;
        };
        if serde_json::to_string(&value).ok().as_deref() != Some(raw) {
            return false;
        }
        let canonical = countersign_protocol::digest::canonical_value(&value);
        hash(&String::from_utf8_lossy(&canonical)) == self.hash
    }

    /// The payload's digest fields that a decision row's ledger reference fingerprints
    /// (jws_sha256, args_digest, packet_digest; empty when absent).
    pub fn payload_digests(&self) -> [String; 3] {
        let value: Value = serde_json::from_str(self.payload.get()).unwrap_or(Value::Null);
        let field = |k: &str| {
            value
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        [
            field("jws_sha256"),
            field("args_digest"),
            field("packet_digest"),
        ]
    }
}
