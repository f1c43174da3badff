//! Offline verification of an export directory, with no database and no keyring: the
//! manifest signature, the ledger segment's chain (see `chain`) and, read at the same
//! time, every row (see `rows`), then file digests and counts. Stops at the first bad entry and
//! names it; a broken chain comes before any bad row.

mod chain;
mod chunks;
mod file_digest;
mod ledger_index;
mod record;
mod report;
mod rows;

pub use report::{VerifyFailure, VerifyReport};

use crate::audit::format::files::{LEDGER_JSONL, MANIFEST_JSON, MANIFEST_JWS};
use crate::audit::format::manifest::verify_manifest;
use chain::check_ledger;
use ledger_index::LedgerIndex;
use rows::check_rows;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ScopedJoinHandle;
use std::time::Instant;

/// The chain check's result; the thread is joined once.
fn join(
    chain: &mut Option<ScopedJoinHandle<'_, Result<LedgerIndex, VerifyFailure>>>,
) -> Result<LedgerIndex, VerifyFailure> {
    match chain.take() {
        Some(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(VerifyFailure::file(LEDGER_JSONL, "the chain check stopped"))),
        None => Err(VerifyFailure::file(
            LEDGER_JSONL,
            "the chain was already taken",
        )),
    }
}

/// Verify the export in `dir`. Never panics on hostile input; any problem is a failure.
pub fn verify_export(dir: &Path) -> VerifyReport {
    let mut report = VerifyReport::default();
    if let Err(f) = run(dir, &mut report) {
        report.failure = Some(f);
    }
    report.ok = report.failure.is_none();
    report
}

fn run(dir: &Path, report: &mut VerifyReport) -> Result<(), VerifyFailure> {
    let bytes = std::fs::read(dir.join(MANIFEST_JSON))
        .map_err(|e| VerifyFailure::file(MANIFEST_JSON, format!("cannot read: {e}")))?;
    let detached = std::fs::read_to_string(dir.join(MANIFEST_JWS))
        .map_err(|e| VerifyFailure::file(MANIFEST_JWS, format!("cannot read: {e}")))?;
    let manifest =
        verify_manifest(&bytes, &detached).map_err(|r| VerifyFailure::file(MANIFEST_JSON, r))?;
    report.signer_key_id = Some(manifest.signer_key_id.clone());

    // The chain and the rows are read side by side: rows only need the chain to hold
    // their ledger references against, which waits until both are read.
    let chain_failed = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut chain = Some(
            std::thread::Builder::new()
                .name("audit-chain".into())
                .spawn_scoped(s, || {
                    let started = Instant::now();
                    let checked = check_ledger(dir, &manifest);
                    chain_failed.store(checked.is_err(), Ordering::Relaxed);
                    checked.map(|ledger| LedgerIndex {
                        seconds: started.elapsed().as_secs_f64(),
                        ..ledger
                    })
                })
                .map_err(|e| {
                    VerifyFailure::file(LEDGER_JSONL, format!("cannot start a thread: {e}"))
                })?,
        );
        let started = Instant::now();
        let rows = check_rows(
            dir,
            &manifest,
            &chain_failed,
            &mut || join(&mut chain),
            report,
        );
        report.rows_seconds = started.elapsed().as_secs_f64();
        // Rows that stopped before asking for the chain: a broken chain still comes first.
        if chain.is_some() {
            report.chain_checked(&join(&mut chain)?, &manifest);
        }
        rows
    })
}
