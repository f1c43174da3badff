//! What verifying an export found: the report it returns and the first failure, located
//! as precisely as possible (file, row, ledger entry, decision).

use super::ledger_index::LedgerIndex;
use crate::audit::format::files::LEDGER_JSONL;
use crate::audit::format::manifest::Manifest;
use serde::Serialize;

/// The first thing found wrong in an export, located as precisely as possible.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VerifyFailure {
    pub file: String,
    /// 1-based row of decisions.jsonl / decisions.csv.
    pub row: Option<u64>,
    /// Ledger sequence number.
    pub seq: Option<i64>,
    pub decision_id: Option<String>,
    pub reason: String,
}

impl VerifyFailure {
    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        VerifyFailure {
            file: file.into(),
            row: None,
            seq: None,
            decision_id: None,
            reason: reason.into(),
        }
    }

    pub(super) fn entry(seq: i64, reason: impl Into<String>) -> Self {
        VerifyFailure {
            seq: Some(seq),
            ..Self::file(LEDGER_JSONL, reason)
        }
    }
}

impl std::fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        if let Some(seq) = self.seq {
            write!(f, " ledger entry {seq}")?;
        }
        if let Some(id) = &self.decision_id {
            write!(f, " (decision {id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// What `verify_export` found in an export.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VerifyReport {
    pub ok: bool,
    pub failure: Option<VerifyFailure>,
    pub decisions: u64,
    pub ledger_entries: u64,
    pub signatures_verified: u64,
    /// Rows signed by keys this export does not carry (learned from the endpoint).
    pub signatures_unverifiable: u64,
    pub signer_key_id: Option<String>,
    pub chain_head_seq: Option<i64>,
    pub chain_head: Option<String>,
    /// Time spent on the ledger chain and on the rows (signatures included), in seconds.
    pub ledger_seconds: f64,
    pub rows_seconds: f64,
}

impl VerifyReport {
    /// What a chain that checked out adds to the report.
    pub(super) fn chain_checked(&mut self, ledger: &LedgerIndex, manifest: &Manifest) {
        self.ledger_seconds = ledger.seconds;
        self.ledger_entries = ledger.fingerprints.len() as u64;
        self.chain_head_seq = Some(manifest.ledger.head_seq);
        self.chain_head = Some(manifest.ledger.head_hash.clone());
    }
}
