//! Decisions: durable signing, refusal on closed packets, outbox scheduling and the
//! delivery lifecycle up to each final state.

use super::*;
use crate::views::DeliveryState;
use countersign_protocol::digest::sha256_hex;
use countersign_protocol::PacketStatus;

fn decided_fixture() -> (Fixture, Packet, i64, DecisionRecord) {
    let f = fixture();
    let p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    let r = record(&p, "d1", Outcome::Approve, 1);
    f.store
        .record_decision(id, &r, &sign(&r, 1), t(10))
        .unwrap();
    (f, p, id, r)
}

#[test]
fn a_signed_decision_is_queued_and_audited() {
    let (f, _p, id, r) = decided_fixture();
    let view = f.store.decision("d1").unwrap();
    assert_eq!(
        (view.state, view.local, view.packet_id, view.attempts),
        (DeliveryState::Signed, true, id, 0)
    );
    assert_eq!(view.record, r);
    let due = f.store.due_outbox("ep1", t(10), 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].packet_remote_id.as_str(), due[0].jws.as_str()),
        ("p1", sign(&r, 1).as_str())
    );
    assert!(
        f.store.due_outbox("ep1", t(9), 10).unwrap().is_empty(),
        "not due before it was signed"
    );
    assert_eq!(f.store.next_outbox_due("ep1").unwrap(), Some(t(10)));
    assert_eq!(f.store.endpoint("ep1").unwrap().outbox, 1);

    let entry = f.store.ledger_entries(0, 10_000).unwrap().pop().unwrap();
    assert_eq!(
        (entry.kind.as_str(), entry.subject.as_str()),
        ("decision_signed", "d1")
    );
    assert_eq!(entry.payload["outcome"], "approve");
    assert_eq!(entry.payload["args_digest"], json!(r.args_digest));
    assert_eq!(entry.payload["packet_digest"], json!(r.packet_digest));
    assert_eq!(
        entry.payload["jws_sha256"],
        json!(sha256_hex(sign(&r, 1).as_bytes()))
    );
}

#[test]
fn closed_or_already_decided_packets_refuse_a_decision() {
    let (f, p, id, _) = decided_fixture();
    let again = record(&p, "d2", Outcome::Reject, 1);
    let err = f
        .store
        .record_decision(id, &again, &sign(&again, 1), t(11))
        .unwrap_err();
    assert_eq!(err.code(), "packet_closed");

    let mut closed = pkt("p2");
    closed.status = PacketStatus::Withdrawn;
    let closed_id = ingest(&f.store, &closed, 2);
    let r = record(&closed, "d3", Outcome::Approve, 1);
    let err = f
        .store
        .record_decision(closed_id, &r, &sign(&r, 1), t(11))
        .unwrap_err();
    assert_eq!(err.code(), "packet_closed");

    let wrong_packet = record(&pkt("elsewhere"), "d4", Outcome::Approve, 1);
    let open_id = ingest(&f.store, &pkt("p3"), 3);
    let err = f
        .store
        .record_decision(open_id, &wrong_packet, "x.y.z", t(11))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(
        f.store
            .record_decision(999, &wrong_packet, "x.y.z", t(11))
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(f.store.outbox_len().unwrap(), 1);
}

#[test]
fn delivery_lifecycle_sent_retry_acknowledged() {
    let (f, _p, _id, _) = decided_fixture();
    f.store.mark_sent("d1", t(11)).unwrap();
    f.store
        .mark_retry("d1", "connection refused", t(40), t(11))
        .unwrap();
    f.store.mark_sent("d1", t(40)).unwrap();
    let view = f.store.decision("d1").unwrap();
    assert_eq!((view.state, view.attempts), (DeliveryState::Sent, 2));
    assert_eq!(view.last_error.as_deref(), Some("connection refused"));
    assert!(f.store.due_outbox("ep1", t(39), 10).unwrap().is_empty());
    assert_eq!(f.store.due_outbox("ep1", t(40), 10).unwrap()[0].attempts, 2);

    let done = f
        .store
        .mark_final("d1", DeliveryState::Acknowledged, None, None, t(41))
        .unwrap();
    assert_eq!(
        (done.state, done.last_error),
        (DeliveryState::Acknowledged, None)
    );
    assert_eq!(f.store.outbox_len().unwrap(), 0);
    assert_eq!(f.store.next_outbox_due("ep1").unwrap(), None);
    // Idempotent: a late duplicate answer changes nothing.
    let again = f
        .store
        .mark_final("d1", DeliveryState::Conflict, Some("late"), None, t(42))
        .unwrap();
    assert_eq!(again.state, DeliveryState::Acknowledged);
    f.store.mark_sent("d1", t(43)).unwrap();
    assert_eq!(f.store.decision("d1").unwrap().attempts, 2);

    let kinds = ledger_kinds(&f.store);
    let tail: Vec<_> = kinds
        .iter()
        .skip_while(|k| *k != "decision_signed")
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        ["decision_signed", "decision_sent", "decision_acknowledged"]
    );
}

#[test]
fn conflict_keeps_the_winner_and_allows_a_new_decision() {
    let (f, p, id, _) = decided_fixture();
    f.store.mark_sent("d1", t(11)).unwrap();
    let winner_record = record(&p, "d-win", Outcome::Reject, 2);
    let winner = signed(&winner_record, 2, true);
    let view = f
        .store
        .mark_final(
            "d1",
            DeliveryState::Conflict,
            Some("conflict"),
            Some(&winner),
            t(12),
        )
        .unwrap();
    assert_eq!(view.state, DeliveryState::Conflict);
    assert_eq!(view.winner.as_ref(), Some(&winner_record));
    let remote = f.store.decision("d-win").unwrap();
    assert_eq!(
        (remote.local, remote.state, remote.packet_id),
        (false, DeliveryState::Acknowledged, id)
    );
    assert_eq!(f.store.decisions_for_packet(id).unwrap().len(), 2);
    assert_eq!(f.store.outbox_len().unwrap(), 0);
    let entry = f
        .store
        .ledger_entries(0, 10_000)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "decision_conflict")
        .unwrap();
    assert_eq!(entry.payload["winner"], "d-win");

    // The packet is still pending here (the feed has not said otherwise): a conflicted
    // decision does not block signing again.
    let retry = record(&p, "d2", Outcome::Approve, 1);
    f.store
        .record_decision(id, &retry, &sign(&retry, 1), t(13))
        .unwrap();
    assert!(
        f.store
            .mark_final("d2", DeliveryState::Sent, None, None, t(14))
            .is_err(),
        "sent is not final"
    );
}

#[test]
fn refused_records_the_reason() {
    let (f, _p, _id, _) = decided_fixture();
    let view = f
        .store
        .mark_final(
            "d1",
            DeliveryState::Refused,
            Some("digest_mismatch"),
            None,
            t(12),
        )
        .unwrap();
    assert_eq!(
        (view.state, view.last_error.as_deref()),
        (DeliveryState::Refused, Some("digest_mismatch"))
    );
    assert_eq!(ledger_kinds(&f.store).last().unwrap(), "decision_refused");
    assert_eq!(f.store.decision("missing").unwrap_err().code(), "not_found");
}

#[test]
fn a_decision_survives_restart_and_is_still_due() {
    let (f, _p, id, r) = decided_fixture();
    let f = f.reopen();
    assert_eq!(f.store.decision("d1").unwrap().record, r);
    assert_eq!(
        f.store.due_outbox("ep1", t(10), 10).unwrap()[0].packet_id,
        id
    );
    assert_eq!(f.store.packet(id).unwrap().decisions.len(), 1);
    f.store.verify_ledger().unwrap();
}
