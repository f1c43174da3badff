//! Audit trail export and offline verification for compliance officers.
//!
//! An export is a directory: `decisions.jsonl` (complete rows), `decisions.csv` (the same
//! rows for a spreadsheet), `ledger.jsonl` (the contiguous hash-chain segment the rows point
//! into, up to the chain head), `manifest.json` (filter, counts, chain head, public keys,
//! file digests, running row digest) and `manifest.jws` (detached EdDSA signature over the
//! manifest bytes). [`verify_export`] checks one with no database and no keyring.
//! The format is documented in docs/audit-export.md.

mod csv_row;
mod export;
mod export_rows;
mod hashing;
mod ledger_line;
mod manifest;
mod parallel;
mod preview;
mod row;
mod verify;
mod verify_record;
mod verify_rows;

pub use csv_row::{neutralize, CSV_HEADER};
pub use export::export;
pub use ledger_line::{LedgerLine, StoredLedgerEntry};
pub use manifest::{Manifest, MANIFEST_TYP};
pub use preview::{preview, AuditPreview, AuditPreviewRow};
pub use row::ExportRow;
pub use verify::{verify_export, VerifyFailure, VerifyReport};

use crate::store::audit::DecisionSelection;
use chrono::{DateTime, Utc};
use countersign_protocol::Outcome;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const DECISIONS_JSONL: &str = "decisions.jsonl";
pub const DECISIONS_CSV: &str = "decisions.csv";
pub const LEDGER_JSONL: &str = "ledger.jsonl";
pub const MANIFEST_JSON: &str = "manifest.json";
pub const MANIFEST_JWS: &str = "manifest.jws";

/// Which decisions an export holds; every field narrows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct AuditFilter {
    /// Decided at or after this instant (the signed `decided_at`).
    pub from: Option<DateTime<Utc>>,
    /// Decided strictly before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Endpoint id or name.
    pub endpoint: Option<String>,
    pub agent: Option<String>,
    pub action: Option<String>,
    /// Reviewer id or printed name.
    pub reviewer: Option<String>,
    pub outcome: Option<Outcome>,
}

impl AuditFilter {
    /// The same filter as the store applies it.
    pub fn selection(&self) -> DecisionSelection {
        // Signed times are whole milliseconds, so "at or after t" is "at or after the next
        // whole millisecond" and "before t" likewise: rounding up keeps the bounds exact.
        let ceil_ms = |t: &DateTime<Utc>| {
            let ms = t.timestamp_millis();
            if t.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
                ms
            } else {
                ms + 1
            }
        };
        DecisionSelection {
            endpoint: self.endpoint.clone(),
            agent: self.agent.clone(),
            action: self.action.clone(),
            outcome: self.outcome.map(|o| o.as_str().to_string()),
            decided_from_ms: self.from.as_ref().map(ceil_ms),
            decided_before_ms: self.to.as_ref().map(ceil_ms),
            reviewer: self.reviewer.clone(),
        }
    }
}

/// Where and how to write an export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportOptions {
    /// A new or empty directory.
    pub out: PathBuf,
    /// Show digests instead of the proposed and final arguments in the readable columns.
    /// The JWS still carries the signed record (verification needs it).
    #[serde(default)]
    pub digests_only: bool,
}

/// Reported while an export runs (the app shows it as a progress bar).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportProgress {
    /// `decisions`, then `ledger`.
    #[cfg_attr(feature = "ts", ts(type = r#""decisions" | "ledger""#))]
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportSummary {
    pub out: PathBuf,
    pub decisions: u64,
    pub ledger_entries: u64,
    pub chain_head_seq: i64,
    pub chain_head: String,
    pub signer_key_id: String,
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_large;
#[cfg(test)]
mod tests_tamper;
