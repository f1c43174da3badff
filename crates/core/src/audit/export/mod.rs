//! Writes an export directory from one snapshot of the store: selected decision rows
//! (JSONL and CSV, streamed; see `rows`) and, at the same time, the ledger segment from
//! the first row's entry to the chain head (see `ledger`); then the manifest and its
//! signature. Reports progress, honours a cancel flag and removes what it wrote if it
//! does not finish.

mod cancel;
mod ledger;
mod rows;

use crate::audit::filter::AuditFilter;
use crate::audit::format::files::{
    DECISIONS_CSV, DECISIONS_JSONL, LEDGER_JSONL, MANIFEST_JSON, MANIFEST_JWS,
};
use crate::audit::format::manifest::{
    FileDigest, LedgerSpan, Manifest, FORMAT, FORMAT_VERSION, MANIFEST_TYP,
};
use crate::audit::hashing::HashingFile;
use crate::audit::parallel::write_behind;
use crate::error::{CoreError, Result};
use crate::signing::ReviewerKey;
use crate::store::audit::AuditSnapshot;
use crate::store::ledger::GENESIS;
use crate::store::Store;
use cancel::check_cancel;
use chrono::{DateTime, Utc};
use countersign_protocol::ReviewerRef;
use ledger::write_ledger;
use rows::RowFiles;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Export what `filter` selects into `options.out`, signing the manifest with `key`.
#[allow(clippy::too_many_arguments)]
pub fn export(
    store: &Store,
    key: &ReviewerKey,
    exported_by: ReviewerRef,
    filter: &AuditFilter,
    options: &ExportOptions,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(&ExportProgress),
    cancel: &AtomicBool,
) -> Result<ExportSummary> {
    let out = &options.out;
    let created_dir = prepare_dir(out)?;
    let result = write_all(
        store,
        key,
        exported_by,
        filter,
        options,
        now,
        progress,
        cancel,
    );
    if result.is_err() {
        for name in [
            DECISIONS_JSONL,
            DECISIONS_CSV,
            LEDGER_JSONL,
            MANIFEST_JSON,
            MANIFEST_JWS,
        ] {
            let _ = std::fs::remove_file(out.join(name));
        }
        if created_dir {
            let _ = std::fs::remove_dir(out);
        }
    }
    result
}

/// Create the directory, or accept an existing empty one; returns whether it was created.
fn prepare_dir(out: &Path) -> Result<bool> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(|e| CoreError::Io(format!("{}: {e}", out.display())))?
            .next()
            .is_none();
        if !empty {
            return Err(CoreError::InvalidInput(format!(
                "{} is not empty; export into a new directory",
                out.display()
            )));
        }
        return Ok(false);
    }
    std::fs::create_dir_all(out).map_err(|e| CoreError::Io(format!("{}: {e}", out.display())))?;
    Ok(true)
}

fn create(path: &Path) -> Result<HashingFile> {
    HashingFile::create(path).map_err(|e| CoreError::Io(format!("{}: {e}", path.display())))
}

/// Decisions read per chunk; the chunk's rows are built and printed on all cores while
/// the next chunk is read.
const ROW_CHUNK: usize = 4096;

#[allow(clippy::too_many_arguments)]
fn write_all(
    store: &Store,
    key: &ReviewerKey,
    exported_by: ReviewerRef,
    filter: &AuditFilter,
    options: &ExportOptions,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(&ExportProgress),
    cancel: &AtomicBool,
) -> Result<ExportSummary> {
    let out = &options.out;
    let selection = filter.selection();
    let mut jsonl = create(&out.join(DECISIONS_JSONL))?;
    let mut csv_file = create(&out.join(DECISIONS_CSV))?;
    let mut ledger = create(&out.join(LEDGER_JSONL))?;
    let rows = RowFiles::start(&mut jsonl, &mut csv_file, options.digests_only)?;

    let (head_seq, head_hash, rows, first_seq, first_prev_hash, ledger_entries) = store
        .audit_snapshot(|snap| {
            let (head_seq, head_hash) = snap.head()?.unwrap_or((0, GENESIS.to_string()));
            let ids = snap.decision_ids(&selection, head_seq, None)?;
            // The segment starts at the first row's entry.
            let first_seq = ids.first().map(|(seq, _)| *seq);
            let (rows, (first_prev, entries)) = match first_seq {
                None => (
                    write_rows(snap, &ids, head_seq, rows, progress, cancel)?,
                    (None, 0),
                ),
                // Entries up to the head never change, so a second connection reads the
                // same segment as this snapshot while the rows are written.
                Some(first) if store.reads_alongside() => {
                    // Failed rows fail the export: the ledger side stops like on cancel.
                    let rows_failed = AtomicBool::new(false);
                    let written = std::thread::scope(|s| {
                        let ledger_side = std::thread::Builder::new()
                            .name("audit-ledger".into())
                            .spawn_scoped(s, || {
                                store.audit_snapshot(|other| {
                                    let stop = [cancel, &rows_failed];
                                    write_ledger(other, first, head_seq, &mut ledger, &stop)
                                })
                            })
                            .map_err(|e| CoreError::Io(format!("cannot start a thread: {e}")))?;
                        let rows = write_rows(snap, &ids, head_seq, rows, progress, cancel);
                        rows_failed.store(rows.is_err(), Ordering::Relaxed);
                        let ledger = ledger_side.join().unwrap_or_else(|_| {
                            Err(CoreError::Io("the ledger writer stopped".into()))
                        });
                        Ok::<_, CoreError>((rows?, ledger?))
                    })?;
                    ledger_done(progress, written.1 .1);
                    written
                }
                Some(first) => {
                    let rows = write_rows(snap, &ids, head_seq, rows, progress, cancel)?;
                    let ledger = write_ledger(snap, first, head_seq, &mut ledger, &[cancel])?;
                    ledger_done(progress, ledger.1);
                    (rows, ledger)
                }
            };
            Ok((head_seq, head_hash, rows, first_seq, first_prev, entries))
        })?;
    let mut counts = rows.counts;
    counts.ledger_entries = ledger_entries;
    let (first, last, rows_digest, mut key_ids) =
        (rows.first, rows.last, rows.prev_row_hash, rows.key_ids);
    check_cancel(cancel)?;

    let mut files = BTreeMap::new();
    for (name, w) in [
        (DECISIONS_JSONL, jsonl),
        (DECISIONS_CSV, csv_file),
        (LEDGER_JSONL, ledger),
    ] {
        let (sha256, bytes, lines) = w.finish()?;
        // The CSV's first line is its header.
        let rows = if name == DECISIONS_CSV {
            counts.decisions
        } else {
            lines
        };
        files.insert(
            name.to_string(),
            FileDigest {
                sha256,
                bytes,
                rows,
            },
        );
    }
    let mut public_keys = BTreeMap::new();
    public_keys.insert(key.key_id().to_string(), key.public_jwk());
    key_ids.remove(key.key_id());
    let manifest = Manifest {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        exported_at: now,
        exported_by,
        signer_key_id: key.key_id().to_string(),
        filter: filter.clone(),
        digests_only: options.digests_only,
        counts: counts.clone(),
        first,
        last,
        rows_digest,
        ledger: LedgerSpan {
            first_seq,
            first_prev_hash,
            head_seq,
            head_hash: head_hash.clone(),
        },
        public_keys,
        unknown_key_ids: key_ids.into_iter().collect(),
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    std::fs::write(out.join(MANIFEST_JSON), &bytes)?;
    std::fs::write(
        out.join(MANIFEST_JWS),
        format!("{}\n", key.sign_detached(&bytes, MANIFEST_TYP)),
    )?;
    Ok(ExportSummary {
        out: out.clone(),
        decisions: counts.decisions,
        ledger_entries: counts.ledger_entries,
        chain_head_seq: head_seq,
        chain_head: head_hash,
        signer_key_id: key.key_id().to_string(),
    })
}

/// Read the selected decisions on the snapshot's thread while another thread turns them
/// into rows; returns the files' state for the manifest.
fn write_rows<'a>(
    snap: &AuditSnapshot<'_>,
    ids: &[(i64, String)],
    head_seq: i64,
    rows: RowFiles<'a>,
    progress: &mut dyn FnMut(&ExportProgress),
    cancel: &AtomicBool,
) -> Result<RowFiles<'a>> {
    let total = ids.len() as u64;
    let (read, written) = write_behind(2, rows, RowFiles::append, |send| -> Result<()> {
        for (i, chunk) in ids.chunks(ROW_CHUNK).enumerate() {
            check_cancel(cancel)?;
            progress(&ExportProgress {
                phase: "decisions",
                done: (i * ROW_CHUNK) as u64,
                total,
            });
            let ids: Vec<&str> = chunk.iter().map(|(_, id)| id.as_str()).collect();
            let chunk = snap.decisions_text(&ids, head_seq)?;
            if !send(chunk) {
                break;
            }
        }
        Ok(())
    });
    read?;
    let rows = written?;
    progress(&ExportProgress {
        phase: "decisions",
        done: total,
        total,
    });
    Ok(rows)
}

/// The ledger phase is done: `entries` written.
fn ledger_done(progress: &mut dyn FnMut(&ExportProgress), entries: u64) {
    progress(&ExportProgress {
        phase: "ledger",
        done: entries,
        total: entries,
    });
}
