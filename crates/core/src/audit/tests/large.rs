//! An export larger than the exporter's and verifier's chunks: rows stay numbered and
//! chained across chunk boundaries, and a change at a boundary is still named.

use crate::audit::*;
use crate::clock::{ManualClock, SeededEntropy};
use crate::keystore::{KeyStore, MemoryKeyStore, SIGNING_KEY_ACCOUNT};
use crate::signing::ReviewerKey;
use crate::store::synthetic::SyntheticDecision;
use crate::{Engine, EngineConfig, NewEndpointRequest};
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// More than two of the exporter's row chunks (4096).
const DECISIONS: u32 = 8200;

#[test]
fn rows_chain_across_chunks_and_a_change_at_a_boundary_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let seed = [9u8; 32];
    let keys = Arc::new(MemoryKeyStore::default());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seed);
    keys.set(SIGNING_KEY_ACCOUNT, &format!("ed25519:{b64}"))
        .unwrap();
    let key = ReviewerKey::from_seed(seed);
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
    let engine = Engine::open(EngineConfig {
        data_dir: dir.path().join("data"),
        keys,
        clock: Arc::new(ManualClock::at(now)),
        entropy: Arc::new(SeededEntropy::new(3)),
    })
    .unwrap();
    let ep = engine
        .add_endpoint(NewEndpointRequest {
            name: "big".into(),
            base_url: "http://127.0.0.1:9".into(),
            token: "unused".into(),
            ..Default::default()
        })
        .unwrap();
    let reviewer = engine.reviewer().unwrap();
    let batch: Vec<SyntheticDecision> = (0..DECISIONS)
        .map(|i| SyntheticDecision::signed(i, &key, &reviewer, now))
        .collect();
    engine
        .store()
        .append_synthetic_decisions(&ep.id, &batch, now)
        .unwrap();

    let out = dir.path().join("export");
    let mut last_progress = None;
    let summary = engine
        .export_audit(
            &AuditFilter::default(),
            &ExportOptions {
                out: out.clone(),
                digests_only: false,
            },
            &mut |p| last_progress = Some((p.phase, p.done, p.total)),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(summary.decisions, u64::from(DECISIONS));
    // Four entries per decision; the segment starts at the first signature, after the
    // first packet's arrival.
    assert_eq!(summary.ledger_entries, 4 * u64::from(DECISIONS) - 1);
    assert_eq!(
        last_progress,
        Some(("ledger", summary.ledger_entries, summary.ledger_entries))
    );
    let report = verify_export(&out);
    assert!(report.ok, "{:?}", report.failure);
    assert_eq!(report.signatures_verified, u64::from(DECISIONS));

    let text = std::fs::read_to_string(out.join(DECISIONS_JSONL)).unwrap();
    let rows: Vec<ExportRow> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut prev = crate::store::ledger::GENESIS.to_string();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.row, i as u64 + 1);
        assert_eq!(
            row.decision_id,
            format!("bench-decision-{i:08}"),
            "chain order"
        );
        assert_eq!(row.prev_row_hash, prev);
        assert_eq!(row.row_hash, row.compute_hash());
        prev = row.row_hash.clone();
    }
    let csv_text = std::fs::read_to_string(out.join(DECISIONS_CSV)).unwrap();
    assert_eq!(
        csv_text.split_terminator("\r\n").count(),
        DECISIONS as usize + 1
    );

    // The first row of the second chunk, changed in the CSV only.
    let boundary = 4097;
    let edited = csv_text.replacen(
        &format!("bench-decision-{:08},", boundary - 1),
        &format!("bench-decision-{:08}x,", boundary - 1),
        1,
    );
    std::fs::write(out.join(DECISIONS_CSV), edited).unwrap();
    let f = verify_export(&out).failure.expect("the edit is found");
    assert_eq!(
        (f.file.as_str(), f.row),
        (DECISIONS_CSV, Some(boundary)),
        "{f}"
    );
}
