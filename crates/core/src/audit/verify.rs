//! Offline verification of an export directory, with no database and no keyring: the
//! manifest signature, the ledger segment's chain and, read at the same time, every row
//! (see `verify_rows`), then file digests and counts. Stops at the first bad entry and
//! names it; a broken chain comes before any bad row.

use super::hashing::HashingLines;
use super::ledger_line::LedgerLine;
use super::manifest::{verify_manifest, Manifest};
use super::parallel::{in_parts, read_ahead};
use super::row::ref_fingerprint;
use super::verify_rows::check_rows;
use super::{LEDGER_JSONL, MANIFEST_JSON, MANIFEST_JWS};
use crate::store::ledger::GENESIS;
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ScopedJoinHandle;
use std::time::Instant;

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

    fn entry(seq: i64, reason: impl Into<String>) -> Self {
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

/// Outcome of [`verify_export`].
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

impl VerifyReport {
    /// What a chain that checked out adds to the report.
    pub(super) fn chain_checked(&mut self, ledger: &LedgerIndex, manifest: &Manifest) {
        self.ledger_seconds = ledger.seconds;
        self.ledger_entries = ledger.fingerprints.len() as u64;
        self.chain_head_seq = Some(manifest.ledger.head_seq);
        self.chain_head = Some(manifest.ledger.head_hash.clone());
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

/// What the row checks need from the ledger segment.
pub struct LedgerIndex {
    pub first_seq: i64,
    /// [`ref_fingerprint`] of each entry, by `seq - first_seq`.
    pub fingerprints: Vec<[u8; 32]>,
    /// How long checking the chain took.
    pub seconds: f64,
}

impl LedgerIndex {
    pub fn fingerprint(&self, seq: i64) -> Option<&[u8; 32]> {
        let idx = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.fingerprints.get(idx)
    }
}

fn fingerprint_of(e: &LedgerLine<'_>) -> [u8; 32] {
    let [jws, args, packet] = match e.kind.as_ref() {
        "decision_signed" => e.payload_digests(),
        "decision_received" => {
            let [jws, ..] = e.payload_digests();
            [jws, String::new(), String::new()]
        }
        _ => Default::default(),
    };
    ref_fingerprint(&e.kind, &e.subject, &e.hash, &jws, &args, &packet)
}

/// Lines are read this many at a time; the checks of a chunk are split across cores.
/// Bigger chunks gained nothing measurable and doubled the verifier's memory (a chunk of
/// rows is read ahead while one is checked).
pub const CHUNK: usize = 4096;

/// What one ledger line says and what checking it on its own found; the links between
/// entries (seq order, prev_hash) are checked in order by the caller.
struct EntryFacts {
    seq: i64,
    prev_hash: String,
    hash: String,
    /// The line reads back byte for byte as exported.
    as_exported: bool,
    /// Its hash matches its content.
    hash_ok: bool,
    fingerprint: [u8; 32],
}

fn entry_facts(line: &[u8]) -> Result<EntryFacts, serde_json::Error> {
    let entry: LedgerLine<'_> = serde_json::from_slice(line)?;
    Ok(EntryFacts {
        seq: entry.seq,
        as_exported: serde_json::to_vec(&entry).ok().as_deref() == Some(line),
        hash_ok: entry.hash_matches(),
        fingerprint: fingerprint_of(&entry),
        prev_hash: entry.prev_hash.into_owned(),
        hash: entry.hash.into_owned(),
    })
}

/// The next `CHUNK` lines (fewer at the end; None when there are none left).
pub fn read_chunk<R: BufRead>(
    lines: &mut HashingLines<R>,
) -> std::io::Result<Option<Vec<Vec<u8>>>> {
    let mut chunk = Vec::with_capacity(CHUNK);
    while chunk.len() < CHUNK {
        match lines.next_line()? {
            Some(line) => chunk.push(line.to_vec()),
            None => break,
        }
    }
    Ok((!chunk.is_empty()).then_some(chunk))
}

/// An entry's place in the chain: its seq, its exported form and its link to `prev`.
fn check_link(e: &EntryFacts, expected: i64, prev: &str) -> Result<(), VerifyFailure> {
    let broken = |reason: String| Err(VerifyFailure::entry(expected, reason));
    if e.seq != expected {
        return broken(if e.seq > expected {
            format!(
                "entry {expected} is missing (the next line holds entry {})",
                e.seq
            )
        } else {
            format!(
                "entry {} appears where entry {expected} belongs (entries moved)",
                e.seq
            )
        });
    }
    if !e.as_exported {
        return broken("the line differs from the exported form (entry changed)".into());
    }
    if e.prev_hash != prev {
        return broken(
            "prev_hash does not match the previous entry's hash (entry removed, moved or changed)"
                .into(),
        );
    }
    if !e.hash_ok {
        return broken("content does not match its hash (entry changed)".into());
    }
    Ok(())
}

fn check_ledger(dir: &Path, manifest: &Manifest) -> Result<LedgerIndex, VerifyFailure> {
    let span = &manifest.ledger;
    let file = File::open(dir.join(LEDGER_JSONL))
        .map_err(|e| VerifyFailure::file(LEDGER_JSONL, format!("cannot read: {e}")))?;
    let mut lines = HashingLines::new(BufReader::with_capacity(1 << 20, file));
    let first_seq = span.first_seq.unwrap_or(span.head_seq + 1);
    let mut prev = span.first_prev_hash.clone().unwrap_or_default();
    if first_seq == 1 && prev != GENESIS {
        return Err(VerifyFailure::entry(
            1,
            "the first entry's prev_hash must be the genesis hash",
        ));
    }
    let mut expected = first_seq;
    let mut fingerprints = Vec::new();
    let io = |e: std::io::Error| VerifyFailure::file(LEDGER_JSONL, format!("cannot read: {e}"));
    let (read, checked) = read_ahead(
        2,
        |send| {
            while let Some(chunk) = read_chunk(&mut lines)? {
                if !send(chunk) {
                    return Ok(None);
                }
            }
            lines.finish().map(Some)
        },
        |chunks| -> Result<(), VerifyFailure> {
            for chunk in chunks {
                let facts = in_parts(chunk.len(), 1024, |r| {
                    chunk[r].iter().map(|l| entry_facts(l)).collect()
                });
                for facts in facts {
                    let e = facts.map_err(|e| {
                        VerifyFailure::entry(
                            expected,
                            format!("not a ledger entry ({e}); the line was changed"),
                        )
                    })?;
                    check_link(&e, expected, &prev)?;
                    fingerprints.push(e.fingerprint);
                    prev = e.hash;
                    expected += 1;
                }
            }
            Ok(())
        },
    );
    checked?;
    // Only a reader that reached the end hashed the whole file; it stops early only when
    // the checks did, which returned above.
    let (sha256, bytes) = read
        .map_err(io)?
        .ok_or_else(|| io(std::io::Error::other("stopped")))?;
    if span.first_seq.is_some() && expected - 1 != span.head_seq {
        return Err(VerifyFailure::entry(
            expected,
            format!(
                "entry {expected} is missing: the segment must end at the chain head, entry {}",
                span.head_seq
            ),
        ));
    }
    if span.first_seq.is_some() && prev != span.head_hash {
        return Err(VerifyFailure::entry(
            span.head_seq,
            "the chain head differs from the manifest",
        ));
    }
    check_file_digest(
        manifest,
        LEDGER_JSONL,
        &sha256,
        bytes,
        fingerprints.len() as u64,
    )?;
    Ok(LedgerIndex {
        first_seq,
        fingerprints,
        seconds: 0.0,
    })
}

/// Compare a file's digest, size and row count with the manifest.
pub fn check_file_digest(
    manifest: &Manifest,
    name: &str,
    sha256: &str,
    bytes: u64,
    rows: u64,
) -> Result<(), VerifyFailure> {
    let listed = manifest
        .files
        .get(name)
        .ok_or_else(|| VerifyFailure::file(name, "not listed in the manifest"))?;
    if listed.rows != rows {
        return Err(VerifyFailure::file(
            name,
            format!("{rows} rows, the manifest lists {}", listed.rows),
        ));
    }
    if listed.sha256 != sha256 || listed.bytes != bytes {
        return Err(VerifyFailure::file(
            name,
            "the file's SHA-256 differs from the manifest (file changed)",
        ));
    }
    Ok(())
}
