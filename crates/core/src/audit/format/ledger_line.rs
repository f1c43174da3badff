//! One line of an export's `ledger.jsonl`, read and written without building the payload
//! as a JSON tree: the payload is carried as the canonical text the store hashed, so the
//! exporter copies it and the verifier hashes it as it stands (a million entries each).

use crate::store::ledger::{hash_canonical, StoredLedgerEntry};
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

impl<'a> LedgerLine<'a> {
    /// The export line of an entry as stored, borrowing its text.
    pub fn of(entry: &'a StoredLedgerEntry) -> serde_json::Result<Self> {
        Ok(LedgerLine {
            seq: entry.seq,
            at: entry.at,
            kind: Cow::Borrowed(&entry.kind),
            subject: Cow::Borrowed(&entry.subject),
            payload: serde_json::from_str(&entry.payload)?,
            prev_hash: Cow::Borrowed(&entry.prev_hash),
            hash: Cow::Borrowed(&entry.hash),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::{entry_hash, GENESIS};
    use chrono::TimeZone;
    use countersign_protocol::digest::canonical_value;
    use serde_json::json;

    /// An export line for `payload_text`, its hash computed from `payload` by definition.
    fn line(payload: &Value, payload_text: &str) -> String {
        let at = Utc.timestamp_millis_opt(1_790_000_000_000).unwrap();
        let hash = entry_hash(GENESIS, 7, at, "decision_signed", "d-1", payload);
        format!(
            r#"{{"seq":7,"at":"{}","kind":"decision_signed","subject":"d-1","payload":{payload_text},"prev_hash":"{GENESIS}","hash":"{hash}"}}"#,
            at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        )
    }

    fn matches(text: &str) -> bool {
        serde_json::from_str::<LedgerLine<'_>>(text)
            .unwrap()
            .hash_matches()
    }

    #[test]
    fn canonical_payloads_and_earlier_exports_match_and_edits_do_not() {
        // serde_json prints 1e20 as `1e20`, RFC 8785 as `100000000000000000000`.
        let payload = json!({"jws_sha256": "ab", "amount": 1e20, "note": "é"});
        let canonical = String::from_utf8(canonical_value(&payload)).unwrap();
        let printed = serde_json::to_string(&payload).unwrap();
        assert_ne!(canonical, printed);
        assert!(matches(&line(&payload, &canonical)));
        assert!(matches(&line(&payload, &printed)), "an earlier export");
        let spaced = canonical.replacen(':', ": ", 1);
        assert!(!matches(&line(&payload, &spaced)), "whitespace added");
        let edited = canonical.replace("ab", "ac");
        assert!(!matches(&line(&payload, &edited)), "a value changed");
    }

    #[test]
    fn lines_read_back_byte_for_byte() {
        let payload = json!({"b": [1, 2], "a": null});
        let text = line(
            &payload,
            &String::from_utf8(canonical_value(&payload)).unwrap(),
        );
        let parsed: LedgerLine<'_> = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
        assert_eq!(parsed.payload_digests()[0], "");
    }
}
