//! Tampering with an export of a real engine: every kind of change to a row, a CSV
//! record, a ledger entry or the manifest is detected and the first bad entry is named.

use super::{export_with, rows, setup, EXPORT_FILES, N};
use crate::audit::*;
use std::path::Path;

/// Copy an export, apply `edit` to one file's lines, verify the copy.
fn tampered(src: &Path, file: &str, edit: impl FnOnce(&mut Vec<String>)) -> VerifyFailure {
    let mut edit = Some(edit);
    tampered_files(src, &[file], |_, lines| (edit.take().unwrap())(lines))
}

/// Copy an export, apply `edit` to the lines of each of `files`, verify the copy.
fn tampered_files(
    src: &Path,
    files: &[&str],
    mut edit: impl FnMut(&str, &mut Vec<String>),
) -> VerifyFailure {
    let dst = src.with_extension(format!("t{}", rand::random::<u32>()));
    std::fs::create_dir(&dst).unwrap();
    for f in EXPORT_FILES {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    for file in files {
        let text = std::fs::read_to_string(dst.join(file)).unwrap();
        let sep = if *file == DECISIONS_CSV { "\r\n" } else { "\n" };
        let mut lines: Vec<String> = text.split_terminator(sep).map(String::from).collect();
        edit(file, &mut lines);
        std::fs::write(dst.join(file), lines.join(sep) + sep).unwrap();
    }
    let report = verify_export(&dst);
    assert!(!report.ok, "tampering {files:?} went unnoticed");
    report.failure.unwrap()
}

fn flip_byte(line: &mut String, at: usize) {
    let mut bytes = std::mem::take(line).into_bytes();
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    *line = String::from_utf8_lossy(&bytes).into_owned();
}

#[test]
fn each_tamper_case_is_detected_and_named() {
    let s = setup();
    let (out, _) = export_with(&s, "base", &AuditFilter::default(), false);
    let all = rows(&out);

    let f = tampered(&out, DECISIONS_JSONL, |l| {
        l[6] = l[6].replacen("Dana", "Dina", 1)
    });
    assert_eq!(
        (f.row, f.decision_id.as_deref()),
        (Some(7), Some(all[6].decision_id.as_str())),
        "{f}"
    );
    let f = tampered(&out, DECISIONS_JSONL, |l| {
        l.remove(4);
    });
    assert_eq!(f.row, Some(5), "{f}");
    let f = tampered(&out, DECISIONS_JSONL, |l| l.swap(2, 3));
    assert_eq!(f.row, Some(3), "{f}");
    let f = tampered(&out, DECISIONS_JSONL, |l| {
        l.pop();
    });
    assert_eq!(f.row, Some(N as u64), "{f}");
    let f = tampered(&out, DECISIONS_CSV, |l| {
        l[9] = l[9].replacen("approve", "apprové", 1)
    });
    assert_eq!((f.file.as_str(), f.row), (DECISIONS_CSV, Some(9)), "{f}");
    let f = tampered(&out, DECISIONS_CSV, |l| {
        l.remove(2);
    });
    assert_eq!((f.file.as_str(), f.row), (DECISIONS_CSV, Some(2)), "{f}");
    let f = tampered(&out, DECISIONS_CSV, |l| l.swap(4, 5));
    assert_eq!((f.file.as_str(), f.row), (DECISIONS_CSV, Some(4)), "{f}");
    let f = tampered(&out, DECISIONS_CSV, |l| l.push(l[N].clone()));
    assert_eq!(
        (f.file.as_str(), f.row, f.decision_id.as_deref()),
        (
            DECISIONS_CSV,
            Some(N as u64 + 1),
            Some(all[N - 1].decision_id.as_str())
        ),
        "{f}"
    );
    let f = tampered(&out, DECISIONS_CSV, |l| {
        l[0] = l[0].replace("signer_name", "signer")
    });
    assert!(f.row.is_none() && f.reason.contains("header"), "{f}");

    let seq0 = all[0].ledger[0].seq;
    let f = tampered(&out, LEDGER_JSONL, |l| {
        l[3] = l[3].replacen("decision_signed", "decision_signeD", 1)
    });
    assert_eq!(f.seq, Some(seq0 + 3), "{f}");
    let f = tampered(&out, LEDGER_JSONL, |l| {
        l.remove(5);
    });
    assert_eq!(f.seq, Some(seq0 + 5), "{f}");
    let f = tampered(&out, LEDGER_JSONL, |l| l.swap(7, 8));
    assert_eq!(f.seq, Some(seq0 + 7), "{f}");

    let f = tampered(&out, MANIFEST_JSON, |l| {
        let i = l.iter().position(|x| x.contains("\"decisions\":")).unwrap();
        l[i] = l[i].replace(&N.to_string(), &(N - 1).to_string());
    });
    assert_eq!(f.file, MANIFEST_JSON, "{f}");
    assert!(f.reason.contains("does not verify"), "{f}");
}

#[test]
fn any_changed_byte_of_a_row_or_entry_is_named() {
    let s = setup();
    let (out, _) = export_with(&s, "bytes", &AuditFilter::default(), false);
    for (file, skip_first) in [
        (DECISIONS_JSONL, false),
        (LEDGER_JSONL, false),
        (DECISIONS_CSV, true),
    ] {
        let len = std::fs::read_to_string(out.join(file))
            .unwrap()
            .split_terminator('\n')
            .count();
        for line in (skip_first as usize)..len {
            let width = std::fs::read_to_string(out.join(file))
                .unwrap()
                .split_terminator('\n')
                .nth(line)
                .unwrap()
                .len();
            for at in (0..width.saturating_sub(1)).step_by(61) {
                let f = tampered(&out, file, |l| flip_byte(&mut l[line], at));
                assert!(
                    f.row.is_some() || f.seq.is_some(),
                    "{file} line {line} byte {at}: {f}"
                );
            }
        }
    }
}

#[test]
fn a_broken_chain_is_named_before_any_bad_row() {
    let s = setup();
    let (out, _) = export_with(&s, "both", &AuditFilter::default(), false);
    let all = rows(&out);
    let last = all[N - 1].ledger.last().unwrap().seq;
    // The rows are read while the chain is checked; a late entry is found after the
    // first row's change and still comes first.
    for rows_file in [DECISIONS_JSONL, DECISIONS_CSV] {
        let f = tampered_files(&out, &[rows_file, LEDGER_JSONL], |file, l| {
            if file == LEDGER_JSONL {
                let i = l.len() - 1;
                l[i] = l[i].replacen("decision_", "decision-", 1);
            } else {
                let i = usize::from(file == DECISIONS_CSV);
                l[i] = l[i].replacen("Dana", "Dina", 1);
            }
        });
        assert_eq!((f.file.as_str(), f.seq), (LEDGER_JSONL, Some(last)), "{f}");
    }
}
