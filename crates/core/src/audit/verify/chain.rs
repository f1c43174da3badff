//! The ledger segment of an export checked on its own: every line read back as exported,
//! in seq order, linked to the previous entry and matching its hash, from the manifest's
//! first entry to its chain head; what the rows need of it is kept as a [`LedgerIndex`].

use super::chunks::read_chunk;
use super::file_digest::check_file_digest;
use super::ledger_index::LedgerIndex;
use super::report::VerifyFailure;
use crate::audit::format::files::LEDGER_JSONL;
use crate::audit::format::ledger_line::LedgerLine;
use crate::audit::format::manifest::Manifest;
use crate::audit::format::row::ref_fingerprint;
use crate::audit::hashing::HashingLines;
use crate::audit::parallel::{in_parts, read_ahead};
use crate::store::ledger::GENESIS;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// The fingerprint a row's reference to this entry must match.
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

pub fn check_ledger(dir: &Path, manifest: &Manifest) -> Result<LedgerIndex, VerifyFailure> {
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
