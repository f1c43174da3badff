//! Ledger tamper detection: rows changed, removed or reordered in the SQLite file with
//! raw SQL are each detected at the exact entry.

use super::*;
use crate::error::CoreError;
use crate::store::ledger::{entry_hash, GENESIS};

/// A store with ledger entries 1..=6.
fn ledgered() -> Fixture {
    let f = fixture();
    let page: Vec<_> = (1..=5)
        .map(|i| change(i, "created", &pkt(&format!("p{i}"))))
        .collect();
    f.store.apply_changes("ep1", &page, None, t(1)).unwrap();
    assert_eq!(f.store.verify_ledger().unwrap().entries, 6);
    f
}

fn broken_at(f: &Fixture) -> (i64, String) {
    match f.store.verify_ledger() {
        Err(CoreError::LedgerBroken { seq, reason }) => (seq, reason),
        other => panic!("expected a broken ledger, got {other:?}"),
    }
}

#[test]
fn intact_chain_verifies_and_links() {
    let f = ledgered();
    let entries = f.store.ledger_entries(0, 10_000).unwrap();
    assert_eq!(entries[0].prev_hash, GENESIS);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    let last = entries.last().unwrap();
    let recomputed = entry_hash(
        &last.prev_hash,
        last.seq,
        last.at,
        &last.kind,
        &last.subject,
        &last.payload,
    );
    assert_eq!(recomputed, last.hash);
    let check = f.store.verify_ledger().unwrap();
    assert_eq!(
        (check.entries, check.head.as_str()),
        (6, last.hash.as_str())
    );
    let page = f.store.ledger_entries(2, 3).unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
}

#[test]
fn empty_ledger_verifies_to_genesis() {
    let store = Store::open_in_memory().unwrap();
    let check = store.verify_ledger().unwrap();
    assert_eq!((check.entries, check.head.as_str()), (0, GENESIS));
}

#[test]
fn changed_row_is_detected_at_that_row() {
    let f = ledgered();
    f.raw()
        .execute(
            "UPDATE ledger SET payload = replace(payload, 'p3', 'p9') WHERE seq = 4",
            [],
        )
        .unwrap();
    let (seq, reason) = broken_at(&f);
    assert_eq!(seq, 4);
    assert!(reason.contains("changed"), "{reason}");
}

#[test]
fn changed_row_with_forged_hash_is_detected_at_the_next_row() {
    let f = ledgered();
    let e = &f.store.ledger_entries(2, 1).unwrap()[0];
    let forged = entry_hash(
        &e.prev_hash,
        e.seq,
        e.at,
        "packet_withdrawn",
        &e.subject,
        &e.payload,
    );
    f.raw()
        .execute(
            "UPDATE ledger SET kind = 'packet_withdrawn', hash = ?1 WHERE seq = 3",
            [&forged],
        )
        .unwrap();
    assert_eq!(broken_at(&f).0, 4);
}

#[test]
fn removed_row_is_named() {
    let f = ledgered();
    f.raw()
        .execute("DELETE FROM ledger WHERE seq = 3", [])
        .unwrap();
    let (seq, reason) = broken_at(&f);
    assert_eq!(seq, 3);
    assert!(reason.contains("missing"), "{reason}");
}

#[test]
fn removed_row_with_renumbered_successors_is_detected() {
    let f = ledgered();
    let raw = f.raw();
    raw.execute("DELETE FROM ledger WHERE seq = 3", []).unwrap();
    raw.execute("UPDATE ledger SET seq = seq - 1 WHERE seq > 3", [])
        .unwrap();
    assert_eq!(broken_at(&f).0, 3);
}

#[test]
fn reordered_rows_are_detected_at_the_first_of_them() {
    let f = ledgered();
    let raw = f.raw();
    // Swap every column but seq between entries 2 and 5.
    raw.execute_batch(
        "UPDATE ledger SET seq = -2 WHERE seq = 2;
         UPDATE ledger SET seq = 2 WHERE seq = 5;
         UPDATE ledger SET seq = 5 WHERE seq = -2;",
    )
    .unwrap();
    let (seq, reason) = broken_at(&f);
    assert_eq!(seq, 2);
    assert!(reason.contains("prev_hash"), "{reason}");
}

#[test]
fn adjacent_swap_is_detected_at_the_first_of_them() {
    let f = ledgered();
    f.raw()
        .execute_batch(
            "UPDATE ledger SET seq = -1 WHERE seq = 3;
             UPDATE ledger SET seq = 3 WHERE seq = 4;
             UPDATE ledger SET seq = 4 WHERE seq = -1;",
        )
        .unwrap();
    assert_eq!(broken_at(&f).0, 3);
}
