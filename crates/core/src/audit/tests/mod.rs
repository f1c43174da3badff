//! Exports of a real engine (SQLite file, in-memory key store): what an export holds,
//! CSV is a table with formulas neutralised, filters select rows, cancel cleans up,
//! secrets stay out. The engine set up here is shared with the tamper tests.

use super::*;
use crate::clock::{Clock, ManualClock, SeededEntropy};
use crate::keystore::{KeyStore, MemoryKeyStore, SIGNING_KEY_ACCOUNT};
use crate::views::DeliveryState;
use crate::{DecideRequest, Engine, EngineConfig, NewEndpointRequest};
use chrono::TimeZone;
use chrono::{DateTime, Utc};
use countersign_protocol::{DecisionVia, Outcome, Packet, PacketDraft};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub(super) const TOKEN: &str = "endpoint-secret-token-123";
pub(super) const N: usize = 24;
/// Every file an export holds.
pub(super) const EXPORT_FILES: [&str; 5] = [
    DECISIONS_JSONL,
    DECISIONS_CSV,
    LEDGER_JSONL,
    MANIFEST_JSON,
    MANIFEST_JWS,
];

pub(super) struct Setup {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub engine: Engine,
    keys: Arc<MemoryKeyStore>,
    clock: Arc<ManualClock>,
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn packet(i: usize) -> Packet {
    let agent = if i == 5 {
        "@mallory"
    } else if i.is_multiple_of(2) {
        "refund-bot"
    } else {
        "mailer"
    };
    let action = if i.is_multiple_of(3) {
        "send_email"
    } else {
        "issue_refund"
    };
    let draft: PacketDraft = serde_json::from_value(json!({
        "agent": {"name": agent},
        "action": {"name": action, "args": {"amount": i * 10, "note": "=2+3", "ratio": 0.1 + i as f64}},
        "reasoning": "because",
        "allowed_outcomes": ["approve", "edit", "reject"]
    }))
    .unwrap();
    Packet::from_draft(format!("remote-{i}"), start(), draft)
}

/// An engine with N decisions: every third rejected (one with a formula as reason), one
/// edited, the rest approved; one minute apart.
pub(super) fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let keys = Arc::new(MemoryKeyStore::default());
    let clock = Arc::new(ManualClock::at(start()));
    let engine = Engine::open(EngineConfig {
        data_dir: root.join("data"),
        keys: keys.clone(),
        clock: clock.clone(),
        entropy: Arc::new(SeededEntropy::new(7)),
    })
    .unwrap();
    let ep = engine
        .add_endpoint(NewEndpointRequest {
            name: "main".into(),
            base_url: "http://127.0.0.1:9".into(),
            token: TOKEN.into(),
            allow_insecure_http: false,
            ..Default::default()
        })
        .unwrap();
    engine.set_display_name("Dana Reviewer").unwrap();
    let changes: Vec<Value> = (0..N)
        .map(|i| json!({"seq": i + 1, "kind": "created", "packet": packet(i)}))
        .collect();
    let report = engine
        .store()
        .apply_changes(&ep.id, &changes, None, start())
        .unwrap();
    for (i, id) in report.packet_ids.iter().enumerate() {
        clock.advance(chrono::Duration::minutes(1));
        let (outcome, args, reason) = match i % 3 {
            0 => (
                Outcome::Reject,
                None,
                Some(if i == 3 { "=HYPERLINK(\"x\")" } else { "no" }),
            ),
            _ if i == 4 => (
                Outcome::Edit,
                Some(json!({"amount": 1, "note": "-1", "ratio": 0.5})),
                None,
            ),
            _ => (Outcome::Approve, None, None),
        };
        engine
            .decide(
                *id,
                DecideRequest {
                    outcome,
                    args,
                    reason: reason.map(String::from),
                    response: None,
                    via: DecisionVia::Cli,
                },
            )
            .unwrap();
    }
    Setup {
        _dir: dir,
        root,
        engine,
        keys,
        clock,
    }
}

pub(super) fn export_with(
    s: &Setup,
    name: &str,
    filter: &AuditFilter,
    digests_only: bool,
) -> (PathBuf, ExportSummary) {
    let out = s.root.join(name);
    let summary = s
        .engine
        .export_audit(
            filter,
            &ExportOptions {
                out: out.clone(),
                digests_only,
            },
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap();
    (out, summary)
}

pub(super) fn rows(dir: &Path) -> Vec<ExportRow> {
    std::fs::read_to_string(dir.join(DECISIONS_JSONL))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn an_export_verifies_and_holds_what_compliance_needs() {
    let s = setup();
    let (out, summary) = export_with(&s, "all", &AuditFilter::default(), false);
    assert_eq!(summary.decisions, N as u64);
    let report = verify_export(&out);
    assert!(report.ok, "{:?}", report.failure);
    assert_eq!(report.signatures_verified, N as u64);
    assert_eq!(
        report.chain_head,
        Some(s.engine.verify_ledger().unwrap().head)
    );

    let all = rows(&out);
    assert_eq!(all[0].signer_name, "Dana Reviewer");
    assert_eq!(all[3].meaning, "rejection");
    assert_eq!(
        all[4].final_args,
        Some(json!({"amount": 1, "note": "-1", "ratio": 0.5}))
    );
    assert_eq!(all[4].proposed_args.as_ref().unwrap()["amount"], json!(40));
    assert!(all
        .windows(2)
        .all(|w| w[0].ledger[0].seq < w[1].ledger[0].seq));
    assert!(all
        .iter()
        .all(|r| r.delivery_state == DeliveryState::Signed && r.ledger.len() == 1));

    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(out.join(MANIFEST_JSON)).unwrap()).unwrap();
    assert_eq!(manifest.counts.by_outcome["reject"], 8);
    assert_eq!(manifest.ledger.head_seq, summary.chain_head_seq);
    assert_eq!(manifest.public_keys.len(), 1);
    assert_eq!(
        manifest.last.as_ref().unwrap().decision_id,
        all[N - 1].decision_id
    );
}

#[test]
fn csv_is_a_table_with_formulas_neutralised() {
    let s = setup();
    let (out, _) = export_with(&s, "csv", &AuditFilter::default(), false);
    let mut reader = csv::Reader::from_path(out.join(DECISIONS_CSV)).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, CSV_HEADER.to_vec());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), N);
    let col = |name: &str| CSV_HEADER.iter().position(|h| *h == name).unwrap();
    assert_eq!(&records[3][col("reason")], "'=HYPERLINK(\"x\")");
    assert_eq!(&records[5][col("agent")], "'@mallory");
    assert_eq!(&records[1][col("agent")], "mailer");
    assert!(records[4][col("final_args")].contains("\"note\":\"-1\""));
    assert!(records[0][col("decided_at_utc")].ends_with('Z'));
    assert!(records.iter().all(|r| r.len() == CSV_HEADER.len()));
    assert!(records
        .iter()
        .flat_map(|r| r.iter().map(String::from).collect::<Vec<_>>())
        .all(|c| !c.starts_with(['=', '+', '-', '@'])));
}

#[test]
fn filters_select_rows() {
    let s = setup();
    let count = |name: &str, f: AuditFilter| {
        let (out, summary) = export_with(&s, name, &f, false);
        assert!(verify_export(&out).ok);
        (summary.decisions, rows(&out))
    };
    let (n, r) = count(
        "rejects",
        AuditFilter {
            outcome: Some(Outcome::Reject),
            ..Default::default()
        },
    );
    assert_eq!(n, 8);
    assert!(r.iter().all(|r| r.outcome == Outcome::Reject));
    let (n, r) = count(
        "mailer",
        AuditFilter {
            agent: Some("mailer".into()),
            action: Some("issue_refund".into()),
            ..Default::default()
        },
    );
    assert!(
        n > 0
            && r.iter()
                .all(|r| r.agent == "mailer" && r.action == "issue_refund")
    );
    let window = AuditFilter {
        from: Some(start() + chrono::Duration::minutes(3)),
        to: Some(start() + chrono::Duration::minutes(8)),
        ..Default::default()
    };
    assert_eq!(count("window", window).0, 5);
    assert_eq!(
        count(
            "ep",
            AuditFilter {
                endpoint: Some("main".into()),
                ..Default::default()
            }
        )
        .0,
        N as u64
    );
    assert_eq!(
        count(
            "rev",
            AuditFilter {
                reviewer: Some("Dana Reviewer".into()),
                ..Default::default()
            }
        )
        .0,
        N as u64
    );
    assert_eq!(
        count(
            "nobody",
            AuditFilter {
                reviewer: Some("Eve".into()),
                ..Default::default()
            }
        )
        .0,
        0
    );
}

#[test]
fn time_bounds_are_exact_below_a_millisecond() {
    let s = setup();
    let at = |minutes: i64, nanos: i64| {
        start() + chrono::Duration::minutes(minutes) + chrono::Duration::nanoseconds(nanos)
    };
    let exported = |name: &str, from, to| {
        let f = AuditFilter {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        export_with(&s, name, &f, false).1.decisions
    };
    // Decisions are signed at whole minutes 1..=N; "from" is inclusive, "to" exclusive.
    assert_eq!(exported("a", at(3, 0), at(8, 0)), 5);
    assert_eq!(
        exported("b", at(3, 1), at(8, 0)),
        4,
        "3 min is before 3 min + 1 ns"
    );
    assert_eq!(
        exported("c", at(3, 0), at(8, 1)),
        6,
        "8 min is before 8 min + 1 ns"
    );
    assert_eq!(exported("d", at(3, -1), at(8, -1)), 5);
}

#[test]
fn preview_counts_what_the_export_writes_and_lists_the_first_rows() {
    let s = setup();
    let filters = [
        AuditFilter::default(),
        AuditFilter {
            outcome: Some(Outcome::Reject),
            ..Default::default()
        },
        AuditFilter {
            from: Some(start() + chrono::Duration::minutes(3)),
            to: Some(start() + chrono::Duration::minutes(8)),
            reviewer: Some("Dana Reviewer".into()),
            ..Default::default()
        },
        AuditFilter {
            agent: Some("@mallory".into()),
            ..Default::default()
        },
        AuditFilter {
            reviewer: Some("Eve".into()),
            ..Default::default()
        },
    ];
    for (i, f) in filters.iter().enumerate() {
        let preview = s.engine.audit_preview(f, 3).unwrap();
        let (out, summary) = export_with(&s, &format!("p{i}"), f, false);
        assert_eq!(preview.total, summary.decisions, "filter {f:?}");
        let exported = rows(&out);
        assert_eq!(preview.rows.len(), exported.len().min(3));
        for (p, e) in preview.rows.iter().zip(&exported) {
            assert_eq!(p.decision_id, e.decision_id);
            assert_eq!(p.signer_name, e.signer_name);
            assert_eq!(p.meaning, e.meaning);
            assert_eq!(p.outcome, e.outcome);
            assert_eq!(p.delivery_state, e.delivery_state);
        }
    }
    let all = s
        .engine
        .audit_preview(&AuditFilter::default(), 1000)
        .unwrap();
    assert_eq!(all.total, N as u64);
    assert_eq!(all.rows.len(), N);
    assert!(all.ledger_entries >= N as i64);
    assert_eq!(all.chain_head.len(), 64);
}

#[test]
fn digests_only_hides_arguments_and_still_verifies() {
    let s = setup();
    let (out, _) = export_with(&s, "digests", &AuditFilter::default(), true);
    assert!(verify_export(&out).ok);
    assert!(rows(&out)
        .iter()
        .all(|r| r.final_args.is_none() && r.proposed_args.is_none()));
}

#[test]
fn later_ledger_entries_are_in_the_segment_and_state_follows_them() {
    let s = setup();
    let first = rows(&export_with(&s, "before", &AuditFilter::default(), false).0);
    s.engine
        .store()
        .mark_sent(&first[2].decision_id, s.clock.now())
        .unwrap();
    let (out, _) = export_with(&s, "after", &AuditFilter::default(), false);
    assert!(verify_export(&out).ok);
    let row = &rows(&out)[2];
    assert_eq!(row.delivery_state, DeliveryState::Sent);
    assert_eq!(row.ledger.last().unwrap().kind, "decision_sent");
}

#[test]
fn cancel_stops_and_cleans_up_and_progress_reaches_the_end() {
    let s = setup();
    let out = s.root.join("cancelled");
    let err = s
        .engine
        .export_audit(
            &AuditFilter::default(),
            &ExportOptions {
                out: out.clone(),
                digests_only: false,
            },
            &mut |_| {},
            &AtomicBool::new(true),
        )
        .unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert!(!out.exists());
    let mut seen = Vec::new();
    s.engine
        .export_audit(
            &AuditFilter::default(),
            &ExportOptions {
                out: out.clone(),
                digests_only: false,
            },
            &mut |p| seen.push(*p),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert!(seen
        .iter()
        .any(|p| p.phase == "decisions" && p.done == N as u64 && p.total == N as u64));
    assert!(seen
        .iter()
        .any(|p| p.phase == "ledger" && p.done == p.total && p.total > 0));
    let again = s.engine.export_audit(
        &AuditFilter::default(),
        &ExportOptions {
            out,
            digests_only: false,
        },
        &mut |_| {},
        &AtomicBool::new(false),
    );
    assert_eq!(
        again.unwrap_err().code(),
        "invalid_input",
        "an export never overwrites another"
    );
}

#[test]
fn keys_and_tokens_never_appear_in_an_export() {
    let s = setup();
    let (out, _) = export_with(&s, "secrets", &AuditFilter::default(), false);
    let seed = s.keys.get(SIGNING_KEY_ACCOUNT).unwrap().unwrap();
    let seed_b64 = seed.strip_prefix("ed25519:").unwrap();
    for f in EXPORT_FILES {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(
            !text.contains(seed_b64) && !text.contains(TOKEN),
            "{f} leaks a secret"
        );
    }
}

mod large;
mod tamper;
