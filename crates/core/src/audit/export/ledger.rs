//! The ledger half of an export: the segment from the first row's entry to the chain
//! head, read in chunks on one snapshot and printed as `ledger.jsonl` lines on all cores
//! while the next chunk is read.

use super::cancel::check_cancel;
use crate::audit::format::ledger_line::LedgerLine;
use crate::audit::hashing::HashingFile;
use crate::audit::parallel::{in_parts, write_behind};
use crate::error::{CoreError, Result};
use crate::store::audit::AuditSnapshot;
use crate::store::ledger::StoredLedgerEntry;
use std::io::Write;
use std::sync::atomic::AtomicBool;

/// Ledger entries read per chunk.
const LEDGER_CHUNK: usize = 16384;

/// Write ledger entries `first_seq..=head_seq`, printed on all cores while the next are
/// read; returns the first entry's `prev_hash` and how many were written. Stops as
/// cancelled when any of `stop` is set. Reports no progress: it runs beside the rows,
/// which do.
pub fn write_ledger(
    snap: &AuditSnapshot<'_>,
    first_seq: i64,
    head_seq: i64,
    ledger: &mut HashingFile,
    stop: &[&AtomicBool],
) -> Result<(Option<String>, u64)> {
    let mut first_prev = None;
    let mut done = 0u64;
    let take = |file: &mut &mut HashingFile, chunk: Vec<StoredLedgerEntry>| -> Result<()> {
        for part in in_parts(chunk.len(), 1024, |r| vec![print_entries(&chunk[r])]) {
            file.write_all(&part?)?;
        }
        Ok(())
    };
    let (read, written) = write_behind(2, ledger, take, |send| -> Result<()> {
        snap.ledger_segment(first_seq, head_seq, LEDGER_CHUNK, |chunk| {
            for flag in stop {
                check_cancel(flag)?;
            }
            if first_prev.is_none() {
                first_prev = chunk.first().map(|e| e.prev_hash.clone());
            }
            done += chunk.len() as u64;
            Ok(send(chunk))
        })
    });
    read?;
    written?;
    Ok((first_prev, done))
}

/// The export lines of consecutive ledger entries.
fn print_entries(entries: &[StoredLedgerEntry]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(entries.len() * 512);
    for entry in entries {
        let line = LedgerLine::of(entry)
            .map_err(|e| CoreError::Database(format!("ledger payload is not JSON: {e}")))?;
        serde_json::to_writer(&mut out, &line)?;
        out.push(b'\n');
    }
    Ok(out)
}
