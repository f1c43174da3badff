//! Ingest of change pages: new, changed and closed packets, decisions learned from the
//! feed, overlap between pull and SSE, and quarantine of bad entries.

use super::*;
use crate::views::{DeliveryState, QueueQuery};
use countersign_protocol::{PacketStatus, Urgency};

fn search(store: &Store, text: &str) -> Vec<String> {
    let q = QueueQuery {
        text: Some(text.into()),
        ..Default::default()
    };
    store
        .list(&q, t(0))
        .unwrap()
        .into_iter()
        .map(|s| s.remote_id)
        .collect()
}

#[test]
fn new_packets_land_with_index_ledger_and_cursor() {
    let f = fixture();
    let (a, b) = (pkt("p-a"), pkt("p-b"));
    let report = f
        .store
        .apply_changes(
            "ep1",
            &[change(1, "created", &a), change(2, "created", &b)],
            Some("2"),
            t(5),
        )
        .unwrap();
    assert_eq!(report.packet_ids.len(), 2);
    assert_eq!(report.quarantined, 0);
    let view = f.store.packet(report.packet_ids[0]).unwrap();
    assert_eq!(view.packet, a);
    assert_eq!(view.packet_digest, packet_digest(&a));
    assert_eq!(view.received_at, t(5));
    assert_eq!(f.store.cursor("ep1").unwrap().as_deref(), Some("2"));
    assert_eq!(search(&f.store, "zebra").len(), 2);
    assert_eq!(
        ledger_kinds(&f.store),
        ["endpoint_added", "packet_received", "packet_received"]
    );
    assert_eq!(
        f.store.packet_id_by_remote("ep1", "p-b").unwrap(),
        Some(report.packet_ids[1])
    );
}

#[test]
fn changed_packet_is_updated_and_reindexed() {
    let f = fixture();
    let mut p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    p.urgency = Urgency::Critical;
    p.reasoning = "Escalated: the customer threatens chargeback".into();
    let report = f
        .store
        .apply_changes("ep1", &[change(2, "changed", &p)], None, t(9))
        .unwrap();
    assert_eq!(report.packet_ids, [id]);
    let summary = &f.store.list(&QueueQuery::default(), t(9)).unwrap()[0];
    assert_eq!(summary.urgency, Urgency::Critical);
    assert_eq!(search(&f.store, "chargeback"), ["p1"]);
    assert!(
        search(&f.store, "twice").is_empty(),
        "old reasoning must leave the index"
    );
    assert_eq!(ledger_kinds(&f.store).last().unwrap(), "packet_changed");
}

#[test]
fn withdrawn_and_expired_packets_close() {
    let f = fixture();
    let (mut a, mut b) = (pkt("a"), pkt("b"));
    ingest(&f.store, &a, 1);
    ingest(&f.store, &b, 2);
    a.status = PacketStatus::Withdrawn;
    b.status = PacketStatus::Expired;
    let report = f
        .store
        .apply_changes(
            "ep1",
            &[change(3, "withdrawn", &a), change(4, "expired", &b)],
            Some("4"),
            t(9),
        )
        .unwrap();
    assert!(report.decided_elsewhere.is_empty());
    assert_eq!(f.store.stats(t(9)).unwrap().pending, 0);
    let statuses: Vec<_> = f
        .store
        .list(&QueueQuery::default(), t(9))
        .unwrap()
        .into_iter()
        .map(|s| s.status)
        .collect();
    assert_eq!(statuses.len(), 2);
    assert!(
        statuses.contains(&PacketStatus::Withdrawn) && statuses.contains(&PacketStatus::Expired)
    );
    let kinds = ledger_kinds(&f.store);
    assert_eq!(
        &kinds[kinds.len() - 2..],
        ["packet_withdrawn", "packet_expired"]
    );
}

#[test]
fn decided_change_stores_winners_and_reports_lost_races() {
    let f = fixture();
    let mut p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    let mine = record(&p, "d-mine", Outcome::Approve, 1);
    f.store
        .record_decision(id, &mine, &sign(&mine, 1), t(2))
        .unwrap();

    // Someone else's rejection won; the feed carries only its JWS (no decoded record).
    let theirs = record(&p, "d-theirs", Outcome::Reject, 2);
    p.status = PacketStatus::Decided;
    let page = [change_with(2, "decided", &p, &[signed(&theirs, 2, false)])];
    let report = f.store.apply_changes("ep1", &page, None, t(3)).unwrap();
    assert_eq!(report.decided_elsewhere, [id]);

    let decisions = f.store.decisions_for_packet(id).unwrap();
    let remote = decisions
        .iter()
        .find(|d| d.decision_id == "d-theirs")
        .unwrap();
    assert!(!remote.local);
    assert_eq!(remote.state, DeliveryState::Acknowledged);
    assert_eq!(remote.record, theirs, "record decoded from the JWS");
    // Ours stays in the outbox: the 409 from delivery will say conflict.
    assert_eq!(
        f.store.decision("d-mine").unwrap().state,
        DeliveryState::Signed
    );
    assert_eq!(f.store.outbox_len().unwrap(), 1);
    assert!(ledger_kinds(&f.store).contains(&"decision_received".to_string()));
}

#[test]
fn own_decision_in_the_feed_is_acknowledged() {
    let f = fixture();
    let mut p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    let mine = record(&p, "d-mine", Outcome::Approve, 1);
    f.store
        .record_decision(id, &mine, &sign(&mine, 1), t(2))
        .unwrap();
    p.status = PacketStatus::Decided;
    let page = [change_with(2, "decided", &p, &[signed(&mine, 1, true)])];
    let report = f.store.apply_changes("ep1", &page, None, t(3)).unwrap();
    assert!(report.decided_elsewhere.is_empty());
    assert_eq!(
        f.store.decision("d-mine").unwrap().state,
        DeliveryState::Acknowledged
    );
    assert_eq!(f.store.outbox_len().unwrap(), 0);
    assert_eq!(f.store.decisions_for_packet(id).unwrap().len(), 1);
    assert_eq!(
        ledger_kinds(&f.store).last().unwrap(),
        "decision_acknowledged"
    );
}

#[test]
fn older_or_repeated_changes_are_ignored() {
    let f = fixture();
    let mut p = pkt("p1");
    p.urgency = Urgency::Critical;
    let id = ingest(&f.store, &p, 5);
    let ledger_before = ledger_kinds(&f.store).len();
    let mut stale = p.clone();
    stale.urgency = Urgency::Low;
    let report = f
        .store
        .apply_changes(
            "ep1",
            &[change(3, "changed", &stale), change(5, "changed", &stale)],
            Some("5"),
            t(9),
        )
        .unwrap();
    assert!(report.packet_ids.is_empty());
    assert_eq!(
        f.store.packet(id).unwrap().packet.urgency,
        Urgency::Critical
    );
    assert_eq!(ledger_kinds(&f.store).len(), ledger_before);
}

#[test]
fn bad_entries_are_quarantined_while_the_rest_lands() {
    let f = fixture();
    let mut oversize = pkt("big");
    oversize.reasoning = "x".repeat(300 * 1024);
    let mut future = pkt("v2");
    future.version = 2;
    let mut bad_schema = pkt("schema");
    bad_schema.args_schema = Some(json!({"type": 12}));
    let mut missing = serde_json::to_value(pkt("missing")).unwrap();
    missing.as_object_mut().unwrap().remove("action");
    let page = vec![
        change(1, "created", &pkt("good-1")),
        json!("this is not a change"),
        json!({"seq": 3, "kind": "created", "packet": missing}),
        change(4, "created", &oversize),
        change(5, "created", &future),
        change(6, "created", &bad_schema),
        change(7, "created", &pkt("good-2")),
    ];
    let report = f
        .store
        .apply_changes("ep1", &page, Some("7"), t(9))
        .unwrap();
    assert_eq!(report.packet_ids.len(), 2);
    assert_eq!(report.quarantined, 5);
    assert_eq!(f.store.cursor("ep1").unwrap().as_deref(), Some("7"));
    assert_eq!(f.store.count(&QueueQuery::default()).unwrap(), 2);

    let q = f.store.quarantine(100).unwrap();
    let codes: Vec<_> = q.iter().rev().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "malformed_json",
            "invalid_field",
            "field_too_large",
            "unsupported_version",
            "invalid_schema"
        ]
    );
    let big = q.iter().find(|e| e.code == "field_too_large").unwrap();
    assert_eq!(big.remote_id.as_deref(), Some("big"));
    assert!(big.reason.contains("reasoning"));
    assert!(big.raw_size > 300 * 1024);
    assert_eq!(big.raw_preview.len(), 64 * 1024);
    assert!(q
        .iter()
        .find(|e| e.code == "invalid_field")
        .unwrap()
        .reason
        .contains("action"));
    assert_eq!(f.store.stats(t(9)).unwrap().quarantined, 5);
    assert_eq!(
        ledger_kinds(&f.store)
            .iter()
            .filter(|k| *k == "packet_quarantined")
            .count(),
        5
    );
}

#[test]
fn invalid_update_leaves_the_known_packet_as_it_was() {
    let f = fixture();
    let p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    let mut bad = p.clone();
    bad.action.name = String::new();
    let report = f
        .store
        .apply_changes("ep1", &[change(2, "changed", &bad)], None, t(9))
        .unwrap();
    assert_eq!(report.quarantined, 1);
    assert_eq!(f.store.packet(id).unwrap().packet, p);
    // The bad seq did not count as applied, so a later valid change still lands.
    let mut good = p.clone();
    good.urgency = Urgency::High;
    let report = f
        .store
        .apply_changes("ep1", &[change(3, "changed", &good)], None, t(9))
        .unwrap();
    assert_eq!(report.packet_ids, [id]);
}

#[test]
fn quarantine_raw_keeps_hash_size_and_bounded_preview() {
    let f = fixture();
    let raw = vec![b'{'; 100_000];
    f.store
        .quarantine_raw(
            "ep1",
            None,
            "malformed_json",
            "EOF while parsing",
            &raw,
            t(3),
        )
        .unwrap();
    let q = &f.store.quarantine(10).unwrap()[0];
    assert_eq!((q.raw_size, q.raw_preview.len()), (100_000, 64 * 1024));
    let sha: String = f
        .raw()
        .query_row("SELECT raw_sha256 FROM quarantine", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sha, countersign_protocol::digest::sha256_hex(&raw));
}

#[test]
fn unknown_or_removed_endpoint_writes_nothing() {
    let f = fixture();
    let err = f
        .store
        .apply_changes("nope", &[change(1, "created", &pkt("p"))], Some("1"), t(1));
    assert_eq!(err.unwrap_err().code(), "not_found");
    f.store.remove_endpoint("ep1", t(2)).unwrap();
    let err = f
        .store
        .apply_changes("ep1", &[change(1, "created", &pkt("p"))], Some("1"), t(3));
    assert_eq!(err.unwrap_err().code(), "not_found");
    assert_eq!(f.store.cursor("ep1").unwrap(), None);
    assert_eq!(f.store.packet_id_by_remote("ep1", "p").unwrap(), None);
}
