//! Writes an export directory from one snapshot of the store: selected decision rows
//! (JSONL and CSV, streamed), the ledger segment from the first row's entry to the chain
//! head, then the manifest and its signature. Reports progress, honours a cancel flag and
//! removes what it wrote if it does not finish.

use super::csv_row;
use super::hashing::HashingFile;
use super::manifest::{Counts, FileDigest, LedgerSpan, Manifest, RowMark, FORMAT, FORMAT_VERSION};
use super::row::ExportRow;
use super::*;
use crate::error::{CoreError, Result};
use crate::signing::ReviewerKey;
use crate::store::ledger::GENESIS;
use crate::store::Store;
use countersign_protocol::ReviewerRef;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// How often (in rows or entries) progress is reported and the cancel flag read.
const TICK: u64 = 1000;

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

fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        return Err(CoreError::Cancelled);
    }
    Ok(())
}

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
    // A BOM so spreadsheets read the file as UTF-8; standard CSV readers skip it.
    csv_file.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv_row::writer(&mut csv_file);
    csv.write_record(csv_row::CSV_HEADER)
        .map_err(|e| CoreError::Io(e.to_string()))?;

    let mut counts = Counts::default();
    let mut key_ids = BTreeSet::new();
    let (mut first, mut last) = (None, None);
    let mut prev_row_hash = GENESIS.to_string();
    let mut line = Vec::with_capacity(4096);
    let (head_seq, head_hash, first_seq, first_prev_hash) = store.audit_snapshot(|snap| {
        let (head_seq, head_hash) = snap.head()?.unwrap_or((0, GENESIS.to_string()));
        let ids = snap.decision_ids(&selection, head_seq, None)?;
        let total = ids.len() as u64;
        for (i, (_, id)) in ids.iter().enumerate() {
            if (i as u64).is_multiple_of(TICK) {
                check_cancel(cancel)?;
                progress(&ExportProgress {
                    phase: "decisions",
                    done: i as u64,
                    total,
                });
            }
            let d = snap.decision(id, head_seq)?;
            let row = ExportRow::build(
                counts.decisions + 1,
                d,
                options.digests_only,
                &prev_row_hash,
            );
            // One write per line: the hashing writer's per-call cost adds up over
            // serde's many small writes.
            line.clear();
            serde_json::to_writer(&mut line, &row)?;
            line.push(b'\n');
            jsonl.write_all(&line)?;
            csv.write_record(csv_row::cells(&row))
                .map_err(|e| CoreError::Io(e.to_string()))?;
            counts.add_row(&row);
            key_ids.insert(row.key_id.clone());
            let mark = RowMark::of(&row);
            if first.is_none() {
                first = Some(mark.clone());
            }
            last = Some(mark);
            prev_row_hash = row.row_hash;
        }
        progress(&ExportProgress {
            phase: "decisions",
            done: total,
            total,
        });

        let Some(first_seq) = first.as_ref().map(|m: &RowMark| m.ledger_seq) else {
            return Ok((head_seq, head_hash, None, None));
        };
        let total = (head_seq - first_seq + 1) as u64;
        let mut first_prev = None;
        let mut done = 0u64;
        snap.ledger_segment(first_seq, head_seq, |entry| {
            if done.is_multiple_of(TICK * 10) {
                check_cancel(cancel)?;
                progress(&ExportProgress {
                    phase: "ledger",
                    done,
                    total,
                });
            }
            if first_prev.is_none() {
                first_prev = Some(entry.prev_hash.to_string());
            }
            line.clear();
            serde_json::to_writer(&mut line, entry)?;
            line.push(b'\n');
            ledger.write_all(&line)?;
            done += 1;
            Ok(())
        })?;
        progress(&ExportProgress {
            phase: "ledger",
            done,
            total,
        });
        counts.ledger_entries = done;
        Ok((head_seq, head_hash, Some(first_seq), first_prev))
    })?;
    csv.flush()?;
    drop(csv);
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
        rows_digest: prev_row_hash,
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
