//! The LangGraph connector's queries: known remote ids, open packets, the decisions of one
//! thread's packets, and rescheduling decisions whose packets closed.

use super::*;

#[test]
fn members_of_a_thread_carry_their_live_local_decision() {
    let f = fixture();
    let (a, b, other) = (pkt("t1:i1:0"), pkt("t1:i1:1"), pkt("t2:i9:0"));
    let a_id = ingest(&f.store, &a, 1);
    let b_id = ingest(&f.store, &b, 1);
    ingest(&f.store, &other, 1);
    let r = record(&a, "d1", Outcome::Approve, 1);
    f.store
        .record_decision(a_id, &r, &sign(&r, 1), t(10))
        .unwrap();

    let members = f.store.interrupt_members("ep1", "t1:").unwrap();
    assert_eq!(members.len(), 2);
    let of = |id: i64| members.iter().find(|m| m.packet_id == id).unwrap();
    assert_eq!(of(a_id).decision.as_ref().unwrap().decision_id, "d1");
    assert_eq!(of(b_id).decision, None);
    assert_eq!(
        f.store.known_remote_ids("ep1").unwrap().len(),
        3,
        "every packet counts as known"
    );
    assert_eq!(f.store.open_packets("ep1").unwrap().len(), 3);
}

#[test]
fn decisions_on_closed_packets_become_due_now() {
    let f = fixture();
    let p = pkt("t1:i1:0");
    let id = ingest(&f.store, &p, 1);
    let r = record(&p, "d1", Outcome::Approve, 1);
    f.store
        .record_decision(id, &r, &sign(&r, 1), t(10))
        .unwrap();
    // Held back for an hour, as while waiting for sibling actions.
    f.store.mark_retry("d1", "waiting", t(3600), t(11)).unwrap();
    assert!(f.store.due_outbox("ep1", t(20), 10).unwrap().is_empty());

    assert_eq!(f.store.make_due_now(&[id], t(20)).unwrap(), 1);
    assert_eq!(
        f.store.due_outbox("ep1", t(20), 10).unwrap()[0].decision_id,
        "d1"
    );
    // Nothing further to move.
    assert_eq!(f.store.make_due_now(&[id], t(20)).unwrap(), 0);
}
