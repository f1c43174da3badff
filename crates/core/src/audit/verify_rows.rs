//! Row checks of an export: each `decisions.jsonl` row against its own hash chain, its
//! JWS (signatures batch-verified), its args digests, the ledger entries it points at and
//! its `decisions.csv` twin; then counts, running digest and file digests.

use super::csv_row::{cells, CSV_HEADER};
use super::hashing::HashingLines;
use super::manifest::{Counts, Manifest, RowMark};
use super::row::ExportRow;
use super::verify::{check_file_digest, LedgerIndex, VerifyFailure, VerifyReport};
use super::verify_record::{check_record, check_refs};
use super::{DECISIONS_CSV, DECISIONS_JSONL};
use crate::store::ledger::GENESIS;
use countersign_protocol::jws::{self, ParsedJws};
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Signatures are verified in batches of this many rows (split across cores).
const BATCH: usize = 2048;

struct Pending {
    parsed: ParsedJws,
    key: VerifyingKey,
    row: u64,
    decision_id: String,
}

fn row_failure(file: &str, row: &ExportRow, reason: impl Into<String>) -> VerifyFailure {
    VerifyFailure {
        row: Some(row.row),
        decision_id: Some(row.decision_id.clone()),
        ..VerifyFailure::file(file, reason)
    }
}

/// Batch-verify the pending signatures; names the first row whose signature is bad.
fn flush(pending: &mut Vec<Pending>, report: &mut VerifyReport) -> Result<(), VerifyFailure> {
    if pending.is_empty() {
        return Ok(());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = pending.len().div_ceil(threads).max(64);
    let bad = std::thread::scope(|s| {
        let handles: Vec<_> = pending
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| {
                s.spawn(move || {
                    let items: Vec<_> = part.iter().map(|p| (&p.parsed, &p.key)).collect();
                    jws::verify_batch(&items).err().map(|j| i * chunk + j)
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .min()
    });
    if let Some(idx) = bad {
        let p = &pending[idx];
        return Err(VerifyFailure {
            row: Some(p.row),
            decision_id: Some(p.decision_id.clone()),
            ..VerifyFailure::file(DECISIONS_JSONL, "the JWS signature does not verify")
        });
    }
    report.signatures_verified += pending.len() as u64;
    pending.clear();
    Ok(())
}

fn file_sha256(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex::encode(h.finalize()), bytes))
}

pub fn check_rows(
    dir: &Path,
    manifest: &Manifest,
    ledger: &LedgerIndex,
    report: &mut VerifyReport,
) -> Result<(), VerifyFailure> {
    let io = |name: &str| {
        let name = name.to_string();
        move |e: std::io::Error| VerifyFailure::file(&name, format!("cannot read: {e}"))
    };
    let mut keys = HashMap::new();
    for (kid, jwk) in &manifest.public_keys {
        let key = jws::verifying_key_from_jwk(jwk)
            .ok()
            .filter(|k| jws::key_id(k) == *kid)
            .ok_or_else(|| {
                VerifyFailure::file("manifest.json", format!("public key {kid} is invalid"))
            })?;
        keys.insert(kid.clone(), key);
    }
    let jsonl = File::open(dir.join(DECISIONS_JSONL)).map_err(io(DECISIONS_JSONL))?;
    let mut lines = HashingLines::new(BufReader::with_capacity(1 << 20, jsonl));
    let csv_file = File::open(dir.join(DECISIONS_CSV)).map_err(io(DECISIONS_CSV))?;
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 20, csv_file));
    let mut records = csv.records();
    let header = records.next().and_then(|r| r.ok());
    let header_ok = header.is_some_and(|h| {
        h.iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.trim_start_matches('\u{feff}')
                } else {
                    c
                }
            })
            .eq(CSV_HEADER.iter().copied())
    });
    if !header_ok {
        return Err(VerifyFailure::file(
            DECISIONS_CSV,
            "the header row is not the export's header",
        ));
    }

    let mut pending: Vec<Pending> = Vec::new();
    let mut counts = Counts::default();
    let (mut first, mut last): (Option<RowMark>, Option<RowMark>) = (None, None);
    let mut prev = GENESIS.to_string();
    let mut expected = 1u64;
    loop {
        let line = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => return Err(io(DECISIONS_JSONL)(e)),
        };
        let result = check_line(
            line,
            expected,
            &prev,
            manifest,
            ledger,
            &keys,
            &mut pending,
            report,
        );
        let row = match result {
            Ok(row) => row,
            Err(f) => {
                flush(&mut pending, report)?;
                return Err(f);
            }
        };
        if pending.len() >= BATCH {
            flush(&mut pending, report)?;
        }
        let csv_ok = match records.next() {
            None => Err(row_failure(
                DECISIONS_CSV,
                &row,
                "the row is missing from decisions.csv",
            )),
            Some(Err(e)) => Err(row_failure(
                DECISIONS_CSV,
                &row,
                format!("not valid CSV: {e}"),
            )),
            Some(Ok(rec)) => {
                let want = cells(&row);
                match (0..CSV_HEADER.len().max(rec.len()))
                    .find(|&i| rec.get(i) != want.get(i).map(|s| s.as_str()))
                {
                    None => Ok(()),
                    Some(i) => Err(row_failure(
                        DECISIONS_CSV,
                        &row,
                        format!(
                            "cell `{}` differs from decisions.jsonl",
                            CSV_HEADER.get(i).unwrap_or(&"(extra)")
                        ),
                    )),
                }
            }
        };
        if let Err(f) = csv_ok {
            flush(&mut pending, report)?;
            return Err(f);
        }
        counts.decisions += 1;
        *counts
            .by_outcome
            .entry(row.outcome.as_str().into())
            .or_default() += 1;
        *counts
            .by_delivery_state
            .entry(row.delivery_state.as_str().into())
            .or_default() += 1;
        let mark = RowMark {
            row: row.row,
            decision_id: row.decision_id.clone(),
            decided_at: row.decided_at,
            ledger_seq: row.ledger.first().map(|r| r.seq).unwrap_or_default(),
        };
        first.get_or_insert_with(|| mark.clone());
        last = Some(mark);
        prev = row.row_hash;
        expected += 1;
    }
    flush(&mut pending, report)?;
    report.decisions = counts.decisions;

    let missing = |reason: String| VerifyFailure {
        row: Some(expected),
        ..VerifyFailure::file(DECISIONS_JSONL, reason)
    };
    if counts.decisions != manifest.counts.decisions {
        return Err(missing(format!(
            "row {expected} is missing: the manifest counts {} rows",
            manifest.counts.decisions
        )));
    }
    if prev != manifest.rows_digest {
        return Err(missing(
            "the running row digest differs from the manifest (rows removed, added or reordered)"
                .into(),
        ));
    }
    if first != manifest.first || last != manifest.last {
        return Err(VerifyFailure::file(
            DECISIONS_JSONL,
            "first or last row differs from the manifest",
        ));
    }
    if counts.by_outcome != manifest.counts.by_outcome
        || counts.by_delivery_state != manifest.counts.by_delivery_state
    {
        return Err(VerifyFailure::file(
            DECISIONS_JSONL,
            "counts by outcome or state differ from the manifest",
        ));
    }
    if let Some(extra) = records.next() {
        let row = expected;
        let detail = extra
            .map(|r| r.get(1).unwrap_or_default().to_string())
            .unwrap_or_default();
        return Err(VerifyFailure {
            row: Some(row),
            decision_id: Some(detail).filter(|d| !d.is_empty()),
            ..VerifyFailure::file(DECISIONS_CSV, "the row is not in decisions.jsonl")
        });
    }
    let (sha, bytes) = lines.finish().map_err(io(DECISIONS_JSONL))?;
    check_file_digest(manifest, DECISIONS_JSONL, &sha, bytes, counts.decisions)?;
    let (sha, bytes) = file_sha256(&dir.join(DECISIONS_CSV)).map_err(io(DECISIONS_CSV))?;
    check_file_digest(manifest, DECISIONS_CSV, &sha, bytes, counts.decisions)
}

#[allow(clippy::too_many_arguments)]
fn check_line(
    line: &[u8],
    expected: u64,
    prev: &str,
    manifest: &Manifest,
    ledger: &LedgerIndex,
    keys: &HashMap<String, VerifyingKey>,
    pending: &mut Vec<Pending>,
    report: &mut VerifyReport,
) -> Result<ExportRow, VerifyFailure> {
    let row: ExportRow = serde_json::from_slice(line).map_err(|e| VerifyFailure {
        row: Some(expected),
        ..VerifyFailure::file(
            DECISIONS_JSONL,
            format!("not a decision row ({e}); the line was changed"),
        )
    })?;
    let fail = |reason: String| row_failure(DECISIONS_JSONL, &row, reason);
    if row.row != expected {
        let reason = if row.row > expected {
            format!(
                "row {expected} is missing (the next line holds row {})",
                row.row
            )
        } else {
            format!(
                "row {} appears where row {expected} belongs (rows moved)",
                row.row
            )
        };
        return Err(VerifyFailure {
            row: Some(expected),
            ..fail(reason)
        });
    }
    if serde_json::to_vec(&row).ok().as_deref() != Some(line) {
        return Err(fail(
            "the line differs from the exported form (row changed)".into(),
        ));
    }
    if row.prev_row_hash != prev {
        return Err(fail(
            "prev_row_hash does not match the previous row (row removed, moved or changed)".into(),
        ));
    }
    if row.compute_hash() != row.row_hash {
        return Err(fail(
            "content does not match its row_hash (row changed)".into(),
        ));
    }
    let parsed = check_record(&row, manifest.digests_only).map_err(&fail)?;
    check_refs(&row, ledger).map_err(&fail)?;
    match keys.get(&parsed.header.kid) {
        Some(key) => pending.push(Pending {
            parsed,
            key: *key,
            row: row.row,
            decision_id: row.decision_id.clone(),
        }),
        None if !row.local && manifest.unknown_key_ids.contains(&row.key_id) => {
            report.signatures_unverifiable += 1
        }
        None => {
            return Err(fail(format!(
                "signed by key {} whose public key the export does not carry",
                row.key_id
            )))
        }
    }
    Ok(row)
}
