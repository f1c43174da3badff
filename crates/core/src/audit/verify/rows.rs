//! Row checks of an export: each `decisions.jsonl` row against its own hash chain, its
//! JWS (signatures batch-verified), its args digests, the ledger entries it points at and
//! its `decisions.csv` twin; then counts, running digest and file digests.

use super::chunks::read_chunk;
use super::file_digest::check_file_digest;
use super::ledger_index::LedgerIndex;
use super::record::{check_record, ref_claims, RefClaims};
use super::report::{VerifyFailure, VerifyReport};
use crate::audit::format::csv_row::{cells, CSV_HEADER};
use crate::audit::format::files::{DECISIONS_CSV, DECISIONS_JSONL};
use crate::audit::format::manifest::{Counts, Manifest, RowMark};
use crate::audit::format::row::ExportRow;
use crate::audit::hashing::{HashingLines, HashingRead};
use crate::audit::parallel::{in_parts, read_ahead};
use crate::store::ledger::GENESIS;
use countersign_protocol::jws::{self, ParsedJws};
use csv::StringRecord;
use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// What checking one row on its own found. A reader checks the link to the previous
/// row after the row's form and before its content, so the two are kept apart.
struct Checked {
    /// The row, or why the line is not one (unparseable, out of place, not as exported).
    row: Result<ExportRow, VerifyFailure>,
    /// The first content check that failed: hash, signed record, ledger references
    /// (those that need no ledger), signature, CSV twin.
    failure: Option<VerifyFailure>,
    /// What its ledger references claim, once the checks before them passed.
    claims: Option<RefClaims>,
    /// Its signature verified with a key the export carries.
    signed: bool,
    /// Signed by a key learned from the endpoint, which the export does not carry.
    unverifiable: bool,
}

fn row_failure(file: &str, row: &ExportRow, reason: impl Into<String>) -> VerifyFailure {
    VerifyFailure {
        row: Some(row.row),
        decision_id: Some(row.decision_id.clone()),
        ..VerifyFailure::file(file, reason)
    }
}

/// What the per-row checks read; shared by the threads checking one chunk.
struct RowContext<'a> {
    manifest: &'a Manifest,
    keys: &'a HashMap<String, VerifyingKey>,
}

/// Check rows `first_row..` of a chunk (JSONL line and CSV record each) on their own,
/// signatures batch-verified; the results are in row order.
fn check_part(
    ctx: &RowContext<'_>,
    first_row: u64,
    lines: &[Vec<u8>],
    csv: &[Option<Result<StringRecord, String>>],
) -> Vec<Checked> {
    let mut out = Vec::with_capacity(lines.len());
    let mut pending: Vec<(usize, ParsedJws, VerifyingKey)> = Vec::new();
    for (i, (line, rec)) in lines.iter().zip(csv).enumerate() {
        let (checked, signature) = check_alone(ctx, first_row + i as u64, line, rec);
        if let Some((parsed, key)) = signature {
            pending.push((out.len(), parsed, key));
        }
        out.push(checked);
    }
    let items: Vec<_> = pending.iter().map(|(_, p, k)| (p, k)).collect();
    let bad = jws::verify_batch(&items).err();
    for (j, (idx, _, _)) in pending.iter().enumerate() {
        match bad {
            // Rows after the first bad signature stay unconfirmed; the reader stops there.
            Some(b) if j > b => {}
            Some(b) if j == b => {
                let c = &mut out[*idx];
                if let Ok(row) = &c.row {
                    // The signature is checked before the CSV twin.
                    c.failure = Some(row_failure(
                        DECISIONS_JSONL,
                        row,
                        "the JWS signature does not verify",
                    ));
                }
            }
            _ => out[*idx].signed = true,
        }
    }
    out
}

/// The checks of one row that need no other row; the signature to verify, if any.
fn check_alone(
    ctx: &RowContext<'_>,
    expected: u64,
    line: &[u8],
    csv: &Option<Result<StringRecord, String>>,
) -> (Checked, Option<(ParsedJws, VerifyingKey)>) {
    let failed = |row: Result<ExportRow, VerifyFailure>, failure: Option<VerifyFailure>| Checked {
        row,
        failure,
        claims: None,
        signed: false,
        unverifiable: false,
    };
    let row: ExportRow = match serde_json::from_slice(line) {
        Ok(row) => row,
        Err(e) => {
            let f = VerifyFailure {
                row: Some(expected),
                ..VerifyFailure::file(
                    DECISIONS_JSONL,
                    format!("not a decision row ({e}); the line was changed"),
                )
            };
            return (failed(Err(f), None), None);
        }
    };
    if let Err(f) = check_form(&row, expected, line) {
        return (failed(Err(f), None), None);
    }
    let (claims, signature, unverifiable) = match check_content(ctx, &row) {
        Ok(found) => found,
        Err(reason) => {
            let f = row_failure(DECISIONS_JSONL, &row, reason);
            return (failed(Ok(row), Some(f)), None);
        }
    };
    let failure = check_csv_twin(&row, csv).err();
    let checked = Checked {
        row: Ok(row),
        failure,
        claims: Some(claims),
        signed: false,
        unverifiable,
    };
    (checked, signature)
}

/// Position and exported form: a row must be where it belongs and read back as written.
fn check_form(row: &ExportRow, expected: u64, line: &[u8]) -> Result<(), VerifyFailure> {
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
            ..row_failure(DECISIONS_JSONL, row, reason)
        });
    }
    if serde_json::to_vec(row).ok().as_deref() != Some(line) {
        return Err(row_failure(
            DECISIONS_JSONL,
            row,
            "the line differs from the exported form (row changed)",
        ));
    }
    Ok(())
}

/// Row hash, signed record, ledger references and key; returns what the references
/// claim, the signature to verify (None when the key is one the export does not carry)
/// and whether that is allowed.
#[allow(clippy::type_complexity)]
fn check_content(
    ctx: &RowContext<'_>,
    row: &ExportRow,
) -> Result<(RefClaims, Option<(ParsedJws, VerifyingKey)>, bool), String> {
    if row.compute_hash() != row.row_hash {
        return Err("content does not match its row_hash (row changed)".into());
    }
    let parsed = check_record(row, ctx.manifest.digests_only)?;
    let claims = ref_claims(row)?;
    match ctx.keys.get(&parsed.header.kid) {
        Some(key) => Ok((claims, Some((parsed, *key)), false)),
        None if !row.local && ctx.manifest.unknown_key_ids.contains(&row.key_id) => {
            Ok((claims, None, true))
        }
        None => Err(format!(
            "signed by key {} whose public key the export does not carry",
            row.key_id
        )),
    }
}

/// The row's line in decisions.csv must hold exactly the row's cells.
fn check_csv_twin(
    row: &ExportRow,
    rec: &Option<Result<StringRecord, String>>,
) -> Result<(), VerifyFailure> {
    let rec = match rec {
        None => {
            return Err(row_failure(
                DECISIONS_CSV,
                row,
                "the row is missing from decisions.csv",
            ))
        }
        Some(Err(e)) => {
            return Err(row_failure(
                DECISIONS_CSV,
                row,
                format!("not valid CSV: {e}"),
            ))
        }
        Some(Ok(rec)) => rec,
    };
    let want = cells(row);
    match (0..CSV_HEADER.len().max(rec.len()))
        .find(|&i| rec.get(i) != want.get(i).map(|s| s.as_ref()))
    {
        None => Ok(()),
        Some(i) => Err(row_failure(
            DECISIONS_CSV,
            row,
            format!(
                "cell `{}` differs from decisions.jsonl",
                CSV_HEADER.get(i).unwrap_or(&"(extra)")
            ),
        )),
    }
}

/// Check one chunk's rows on all cores; results in row order.
fn check_chunk(
    ctx: &RowContext<'_>,
    first_row: u64,
    lines: &[Vec<u8>],
    csv: &[Option<Result<StringRecord, String>>],
) -> Vec<Checked> {
    in_parts(lines.len(), 256, |r| {
        check_part(ctx, first_row + r.start as u64, &lines[r.clone()], &csv[r])
    })
}

/// A chunk of rows: JSONL lines and, side by side, what decisions.csv holds for each.
type RowChunk = (Vec<Vec<u8>>, Vec<Option<Result<StringRecord, String>>>);

/// Read both files in step, a chunk at a time, and `send` the chunks; returns whether it
/// reached the end of decisions.jsonl (false: the checks stopped taking chunks).
fn read_rows<R: BufRead, C: Read>(
    lines: &mut HashingLines<R>,
    csv: &mut csv::Reader<C>,
    send: &mut dyn FnMut(RowChunk) -> bool,
) -> Result<bool, (&'static str, std::io::Error)> {
    while let Some(chunk) = read_chunk(lines).map_err(|e| (DECISIONS_JSONL, e))? {
        let records = chunk
            .iter()
            .map(|_| {
                let mut rec = StringRecord::new();
                match csv.read_record(&mut rec) {
                    Ok(true) => Some(Ok(rec)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e.to_string())),
                }
            })
            .collect();
        if !send((chunk, records)) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A row's reference claims, kept until the chain is checked.
struct PendingClaims {
    row: u64,
    decision_id: String,
    claims: RefClaims,
}

/// Check every row while the chain is checked elsewhere: `chain_failed` says it broke
/// (the rows stop), `chain` waits for its result. A broken chain is reported before any
/// row; a row's references are held against the chain before its later checks count.
pub fn check_rows(
    dir: &Path,
    manifest: &Manifest,
    chain_failed: &AtomicBool,
    chain: &mut dyn FnMut() -> Result<LedgerIndex, VerifyFailure>,
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
        .buffer_capacity(1 << 20)
        .from_reader(HashingRead::new(csv_file));
    let mut header = StringRecord::new();
    let header_ok = csv.read_record(&mut header).unwrap_or(false)
        && header
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.trim_start_matches('\u{feff}')
                } else {
                    c
                }
            })
            .eq(CSV_HEADER.iter().copied());
    if !header_ok {
        return Err(VerifyFailure::file(
            DECISIONS_CSV,
            "the header row is not the export's header",
        ));
    }

    let ctx = RowContext {
        manifest,
        keys: &keys,
    };
    let mut pending = Vec::new();
    let mut counts = Counts::default();
    let (mut first, mut last): (Option<RowMark>, Option<RowMark>) = (None, None);
    let mut prev = GENESIS.to_string();
    let mut expected = 1u64;
    let (read, checked) = read_ahead(
        2,
        |send| read_rows(&mut lines, &mut csv, send).map(|done| done.then_some((lines, csv))),
        |chunks| -> Result<(), VerifyFailure> {
            for (lines, csv) in chunks {
                if chain_failed.load(Ordering::Relaxed) {
                    return Ok(());
                }
                for checked in check_chunk(&ctx, expected, &lines, &csv) {
                    let row = checked.row?;
                    if row.prev_row_hash != prev {
                        return Err(row_failure(
                            DECISIONS_JSONL,
                            &row,
                            "prev_row_hash does not match the previous row (row removed, moved or changed)",
                        ));
                    }
                    if let Some(claims) = checked.claims {
                        pending.push(PendingClaims {
                            row: row.row,
                            decision_id: row.decision_id.clone(),
                            claims,
                        });
                    }
                    if let Some(f) = checked.failure {
                        return Err(f);
                    }
                    report.signatures_verified += u64::from(checked.signed);
                    report.signatures_unverifiable += u64::from(checked.unverifiable);
                    counts.add_row(&row);
                    let mark = RowMark::of(&row);
                    first.get_or_insert_with(|| mark.clone());
                    last = Some(mark);
                    prev = row.row_hash;
                    expected += 1;
                }
            }
            Ok(())
        },
    );
    let ledger = chain()?;
    report.chain_checked(&ledger, manifest);
    for p in &pending {
        p.claims.check(&ledger).map_err(|reason| VerifyFailure {
            row: Some(p.row),
            decision_id: Some(p.decision_id.clone()),
            ..VerifyFailure::file(DECISIONS_JSONL, reason)
        })?;
    }
    drop(pending);
    checked?;
    // The reader stops early only when the checks or the chain did, which returned above.
    let (lines, mut csv) = read
        .map_err(|(name, e)| io(name)(e))?
        .ok_or_else(|| io(DECISIONS_JSONL)(std::io::Error::other("stopped")))?;
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
    let mut extra = StringRecord::new();
    match csv.read_record(&mut extra) {
        Ok(false) => {}
        found => {
            let detail = found.ok().and_then(|_| extra.get(1)).unwrap_or_default();
            return Err(VerifyFailure {
                row: Some(expected),
                decision_id: Some(detail.to_string()).filter(|d| !d.is_empty()),
                ..VerifyFailure::file(DECISIONS_CSV, "the row is not in decisions.jsonl")
            });
        }
    }
    let (sha, bytes) = lines.finish().map_err(io(DECISIONS_JSONL))?;
    check_file_digest(manifest, DECISIONS_JSONL, &sha, bytes, counts.decisions)?;
    let (sha, bytes) = csv.into_inner().finish().map_err(io(DECISIONS_CSV))?;
    check_file_digest(manifest, DECISIONS_CSV, &sha, bytes, counts.decisions)
}
