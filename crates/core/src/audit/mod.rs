//! Audit trail export and offline verification for compliance officers.
//!
//! An export is a directory: `decisions.jsonl` (complete rows), `decisions.csv` (the same
//! rows for a spreadsheet), `ledger.jsonl` (the contiguous hash-chain segment the rows point
//! into, up to the chain head), `manifest.json` (filter, counts, chain head, public keys,
//! file digests, running row digest) and `manifest.jws` (detached EdDSA signature over the
//! manifest bytes). [`verify_export`] checks one with no database and no keyring.
//! The format is documented in docs/audit-export.md.

mod export;
mod filter;
mod format;
mod hashing;
mod parallel;
mod preview;
mod verify;

pub use export::{export, ExportOptions, ExportProgress, ExportSummary};
pub use filter::AuditFilter;
pub use format::csv_row::{neutralize, CSV_HEADER};
pub use format::files::{
    DECISIONS_CSV, DECISIONS_JSONL, LEDGER_JSONL, MANIFEST_JSON, MANIFEST_JWS,
};
pub use format::ledger_line::LedgerLine;
pub use format::manifest::{Manifest, MANIFEST_TYP};
pub use format::row::ExportRow;
pub use preview::{preview, AuditPreview, AuditPreviewRow};
pub use verify::{verify_export, VerifyFailure, VerifyReport};

#[cfg(test)]
mod tests;
