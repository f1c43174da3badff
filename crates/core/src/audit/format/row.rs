//! One exported decision (a line of `decisions.jsonl`): what a compliance officer reads
//! (printed name, time, meaning, outcome, arguments) next to what proves it (the JWS and
//! the ledger entries it points at), chained to the previous row by `row_hash`.

use crate::store::audit::{LedgerRef, StoredDecision};
use crate::store::ledger::GENESIS;
use crate::views::DeliveryState;
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Local, Utc};
use countersign_protocol::canonical;
use countersign_protocol::digest::{args_digest, sha256_hex};
use countersign_protocol::Outcome;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::ops::Range;
use std::sync::OnceLock;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExportRow {
    /// 1-based position in the export; rows are in the order they entered the chain.
    pub row: u64,
    pub decision_id: String,
    pub decided_at: DateTime<Utc>,
    /// The same instant in the exporter's local time, with its UTC offset.
    pub decided_at_local: String,
    /// Printed name of the signer (21 CFR 11.50).
    pub signer_name: String,
    pub signer_id: String,
    /// Meaning of the signature ("approval", "rejection", ...).
    pub meaning: String,
    pub outcome: Outcome,
    pub endpoint: String,
    pub endpoint_url: String,
    pub agent: String,
    pub action: String,
    /// The packet's remote id.
    pub packet_id: String,
    pub packet_digest: String,
    /// As the agent proposed them (null with `digests_only`).
    pub proposed_args: Option<Value>,
    pub proposed_args_digest: String,
    /// As signed (null when the outcome has none, or with `digests_only`).
    pub final_args: Option<Value>,
    pub args_digest: Option<String>,
    pub reason: Option<String>,
    pub response: Option<String>,
    pub delivery_state: DeliveryState,
    /// Signed by the exporting device's key (false: learned from the endpoint).
    pub local: bool,
    pub key_id: String,
    pub jws: String,
    /// Ledger entries about this decision, oldest first; all are in `ledger.jsonl`.
    pub ledger: Vec<LedgerRef>,
    pub prev_row_hash: String,
    /// sha256_hex(RFC 8785 JSON of this row without `row_hash`).
    pub row_hash: String,
}

impl ExportRow {
    /// Build the row without its hash, which [`UnchainedRow::chain`] sets once the
    /// previous row's hash is known; rows are built in parallel and chained in order.
    pub fn build_unchained(row: u64, d: StoredDecision, digests_only: bool) -> UnchainedRow {
        UnchainedRow::of(Self::unhashed(row, d, digests_only))
    }

    fn unhashed(row: u64, d: StoredDecision, digests_only: bool) -> Self {
        let r = d.record;
        ExportRow {
            row,
            decision_id: d.decision_id,
            decided_at: r.decided_at,
            decided_at_local: local_time(&r.decided_at),
            signer_name: r.reviewer.display_name,
            signer_id: r.reviewer.id,
            meaning: r.meaning,
            outcome: r.outcome,
            endpoint: d.endpoint_name,
            endpoint_url: d.endpoint_url,
            agent: d.agent,
            action: d.action,
            packet_id: d.packet_remote_id,
            packet_digest: r.packet_digest,
            proposed_args_digest: args_digest(&d.proposed_args),
            proposed_args: (!digests_only).then_some(d.proposed_args),
            final_args: if digests_only { None } else { r.final_args },
            args_digest: r.args_digest,
            reason: r.reason,
            response: r.response,
            delivery_state: d.state,
            local: d.local,
            key_id: r.key_id,
            jws: d.jws,
            ledger: d.refs,
            prev_row_hash: String::new(),
            row_hash: String::new(),
        }
    }

    /// The hash this row should carry given its other fields.
    pub fn compute_hash(&self) -> String {
        sha256_hex(&self.canonical_unhashed().0)
    }

    /// RFC 8785 JSON of the row without `row_hash`, written member by member in sorted
    /// key order. Equivalent to canonicalizing the row's serde form minus `row_hash`
    /// (tested), without building that tree: exports and verifies hash every row. Also
    /// returns where the text of `prev_row_hash` lies in it.
    fn canonical_unhashed(&self) -> (Vec<u8>, Range<usize>) {
        let mut out = Vec::with_capacity(2048);
        // Timestamps and enums serialize as plain JSON strings, which serde_json prints
        // exactly as RFC 8785 does.
        fn serde<T: Serialize>(out: &mut Vec<u8>, v: &T) {
            let _ = serde_json::to_writer(&mut *out, v);
        }
        let text = |out: &mut Vec<u8>, s: &str| canonical::write_str(out, s);
        let opt_text = |out: &mut Vec<u8>, s: &Option<String>| match s {
            Some(s) => canonical::write_str(out, s),
            None => out.extend_from_slice(b"null"),
        };
        let opt_value = |out: &mut Vec<u8>, v: &Option<Value>| match v {
            Some(v) => canonical::write_value(out, v),
            None => out.extend_from_slice(b"null"),
        };
        let key = |out: &mut Vec<u8>, k: &str| {
            out.push(if out.is_empty() { b'{' } else { b',' });
            canonical::write_str(out, k);
            out.push(b':');
        };
        key(&mut out, "action");
        text(&mut out, &self.action);
        key(&mut out, "agent");
        text(&mut out, &self.agent);
        key(&mut out, "args_digest");
        opt_text(&mut out, &self.args_digest);
        key(&mut out, "decided_at");
        serde(&mut out, &self.decided_at);
        key(&mut out, "decided_at_local");
        text(&mut out, &self.decided_at_local);
        key(&mut out, "decision_id");
        text(&mut out, &self.decision_id);
        key(&mut out, "delivery_state");
        serde(&mut out, &self.delivery_state);
        key(&mut out, "endpoint");
        text(&mut out, &self.endpoint);
        key(&mut out, "endpoint_url");
        text(&mut out, &self.endpoint_url);
        key(&mut out, "final_args");
        opt_value(&mut out, &self.final_args);
        key(&mut out, "jws");
        text(&mut out, &self.jws);
        key(&mut out, "key_id");
        text(&mut out, &self.key_id);
        key(&mut out, "ledger");
        out.push(b'[');
        for (i, r) in self.ledger.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"hash\":");
            text(&mut out, &r.hash);
            out.extend_from_slice(b",\"kind\":");
            text(&mut out, &r.kind);
            out.extend_from_slice(b",\"seq\":");
            canonical::write_f64(&mut out, r.seq as f64);
            out.push(b'}');
        }
        out.push(b']');
        key(&mut out, "local");
        out.extend_from_slice(if self.local { b"true" } else { b"false" });
        key(&mut out, "meaning");
        text(&mut out, &self.meaning);
        key(&mut out, "outcome");
        serde(&mut out, &self.outcome);
        key(&mut out, "packet_digest");
        text(&mut out, &self.packet_digest);
        key(&mut out, "packet_id");
        text(&mut out, &self.packet_id);
        key(&mut out, "prev_row_hash");
        // A hex digest needs no escaping: its text sits between the quotes.
        let prev_at = out.len() + 1..out.len() + 1 + self.prev_row_hash.len();
        text(&mut out, &self.prev_row_hash);
        key(&mut out, "proposed_args");
        opt_value(&mut out, &self.proposed_args);
        key(&mut out, "proposed_args_digest");
        text(&mut out, &self.proposed_args_digest);
        key(&mut out, "reason");
        opt_text(&mut out, &self.reason);
        key(&mut out, "response");
        opt_text(&mut out, &self.response);
        key(&mut out, "row");
        canonical::write_f64(&mut out, self.row as f64);
        key(&mut out, "signer_id");
        text(&mut out, &self.signer_id);
        key(&mut out, "signer_name");
        text(&mut out, &self.signer_name);
        out.push(b'}');
        (out, prev_at)
    }

    /// The ledger entry that records the signature (signed here or received).
    pub fn signing_ref(&self) -> Option<&LedgerRef> {
        self.ledger.first()
    }

    /// The most recent ledger entry about this decision.
    pub fn state_ref(&self) -> Option<&LedgerRef> {
        self.ledger.last()
    }
}

/// Stands in for `prev_row_hash` until the row is chained; row hashes (and the genesis
/// hash before the first row) are 64 hex digits, so the real one takes its place in the
/// canonical text byte for byte.
const PREV_PLACEHOLDER: &str = GENESIS;

/// A row whose canonical text is written but whose link to the previous row is not.
pub struct UnchainedRow {
    row: ExportRow,
    canonical: Vec<u8>,
    prev_at: usize,
}

impl UnchainedRow {
    fn of(mut row: ExportRow) -> Self {
        row.prev_row_hash = PREV_PLACEHOLDER.to_string();
        let (canonical, prev_at) = row.canonical_unhashed();
        UnchainedRow {
            row,
            canonical,
            prev_at: prev_at.start,
        }
    }

    /// Link the row to the previous row's hash and compute its own.
    pub fn chain(mut self, prev_row_hash: &str) -> ExportRow {
        let span = self.prev_at..self.prev_at + PREV_PLACEHOLDER.len();
        if prev_row_hash.len() == span.len() && prev_row_hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            self.canonical[span].copy_from_slice(prev_row_hash.as_bytes());
            self.row.prev_row_hash = prev_row_hash.to_string();
            self.row.row_hash = sha256_hex(&self.canonical);
        } else {
            self.row.prev_row_hash = prev_row_hash.to_string();
            self.row.row_hash = self.row.compute_hash();
        }
        self.row
    }
}

/// A UTC instant in the exporter's local time zone, with the offset, to the millisecond.
pub fn local_time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format_with_items(local_time_format().iter())
        .to_string()
}

/// How `decided_at_local` is written and read, parsed once: exports and verifies
/// format or parse it for every row.
pub fn local_time_format() -> &'static [Item<'static>] {
    static ITEMS: OnceLock<Vec<Item<'static>>> = OnceLock::new();
    ITEMS.get_or_init(|| StrftimeItems::new("%Y-%m-%d %H:%M:%S%.3f %:z").collect())
}

/// The delivery state that a decision's ledger entries imply (None: not a decision trail).
pub fn state_from_refs(refs: &[LedgerRef]) -> Option<DeliveryState> {
    let mut state = None;
    for r in refs {
        state = Some(match r.kind.as_str() {
            "decision_signed" => DeliveryState::Signed,
            "decision_received" => DeliveryState::Acknowledged,
            other => other
                .strip_prefix("decision_")
                .and_then(DeliveryState::parse)?,
        });
    }
    state
}

/// Fingerprint tying a row's ledger reference to the entry in `ledger.jsonl`: kind,
/// subject, hash and, for the entry that records the signature, the JWS, args and packet
/// digests in its payload.
pub fn ref_fingerprint(
    kind: &str,
    subject: &str,
    hash: &str,
    jws_sha256: &str,
    args_digest: &str,
    packet_digest: &str,
) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [kind, subject, hash, jws_sha256, args_digest, packet_digest] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    /// The definition `canonical_unhashed` must agree with: the row's serde form without
    /// `row_hash`, canonicalized.
    fn by_definition(row: &ExportRow) -> Vec<u8> {
        let mut v = serde_json::to_value(row).unwrap();
        v.as_object_mut().unwrap().remove("row_hash");
        canonical::canonical_value(&v)
    }

    fn row(text: &str, args: Option<Value>, n: u64) -> ExportRow {
        let opt = |on: bool| on.then(|| format!("{text} reason"));
        ExportRow {
            row: n,
            decision_id: format!("d-{text}"),
            decided_at: Utc
                .timestamp_millis_opt(1_790_000_000_123 + n as i64)
                .unwrap(),
            decided_at_local: "2026-09-21 12:00:00.123 +02:00".into(),
            signer_name: text.into(),
            signer_id: "r-1".into(),
            meaning: "approval".into(),
            outcome: if n.is_multiple_of(2) {
                Outcome::Approve
            } else {
                Outcome::Reject
            },
            endpoint: format!("{text}\u{e000}"),
            endpoint_url: "http://127.0.0.1:9/".into(),
            agent: "agent \"q\" \\ /".into(),
            action: "=HYPERLINK(\"x\")".into(),
            packet_id: "p-1".into(),
            packet_digest: "ab".repeat(32),
            proposed_args: args.clone(),
            proposed_args_digest: "cd".repeat(32),
            final_args: if n.is_multiple_of(3) { None } else { args },
            args_digest: opt(!n.is_multiple_of(3)),
            reason: opt(n % 2 == 1),
            response: opt(n.is_multiple_of(5)),
            delivery_state: if n.is_multiple_of(2) {
                DeliveryState::Acknowledged
            } else {
                DeliveryState::Refused
            },
            local: !n.is_multiple_of(4),
            key_id: "kid".into(),
            jws: "a.b.c".into(),
            ledger: (0..(n % 4))
                .map(|i| LedgerRef {
                    seq: (n * 10 + i) as i64 * 9_007_199,
                    kind: format!("decision_{text}"),
                    hash: "ef".repeat(32),
                })
                .collect(),
            prev_row_hash: "01".repeat(32),
            row_hash: "ignored".into(),
        }
    }

    #[test]
    fn chaining_a_row_built_ahead_equals_building_it_linked() {
        let prevs = ["9f".repeat(32), GENESIS.to_string(), "not a digest".into()];
        for (n, prev) in (1..40).zip(prevs.iter().cycle()) {
            let text = ["plain", "é😀\u{1}", ""][n as usize % 3];
            let args = (n % 2 == 0).then(|| json!({"amount": n, "note": text}));
            let mut linked = row(text, args, n * 7_919);
            linked.prev_row_hash = prev.clone();
            linked.row_hash = linked.compute_hash();
            let chained = UnchainedRow::of(linked.clone()).chain(prev);
            assert_eq!(chained, linked);
        }
    }

    #[test]
    fn canonical_form_is_the_definition_for_varied_rows() {
        let texts = [
            "plain",
            "",
            "é😀\u{1}\n\t\u{7f}<script>",
            "\u{ffff}\u{10000}",
        ];
        let args = [
            None,
            Some(json!({"amount": 12.50, "z": [1e21, -0.0, 3], "\u{e000}": {"😀": null}})),
            Some(json!("just a string")),
            Some(Value::Null),
        ];
        let mut n = 0;
        for text in texts {
            for a in &args {
                n += 1;
                let r = row(text, a.clone(), n * 1_000_003);
                assert_eq!(
                    String::from_utf8(r.canonical_unhashed().0).unwrap(),
                    String::from_utf8(by_definition(&r)).unwrap()
                );
            }
        }
    }
}
