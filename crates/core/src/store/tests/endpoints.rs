//! Endpoints: unique live names, soft removal, health changes, cursor and enrollment.

use super::*;
use crate::views::Health;

#[test]
fn names_are_unique_among_live_endpoints() {
    let f = fixture();
    let mut dup = new_endpoint("ep2");
    dup.name = "ep1 name".into();
    assert_eq!(
        f.store.add_endpoint(&dup, t(1)).unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(
        f.store
            .add_endpoint(&new_endpoint("ep1"), t(1))
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    f.store.remove_endpoint("ep1", t(2)).unwrap();
    // The name is free again, but the removed id is not (its packets still point to it).
    let added = f.store.add_endpoint(&dup, t(3)).unwrap();
    assert_eq!(
        (added.name.as_str(), added.health),
        ("ep1 name", Health::Unknown)
    );
    assert_eq!(
        f.store
            .add_endpoint(&new_endpoint("ep1"), t(3))
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        f.store
            .endpoints()
            .unwrap()
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        ["ep2"]
    );
    assert_eq!(f.store.endpoint("ep1 name").unwrap().id, "ep2");
    assert_eq!(f.store.endpoint("ep1").unwrap_err().code(), "not_found");
    assert_eq!(
        f.store.remove_endpoint("ep1", t(4)).unwrap_err().code(),
        "not_found"
    );
    let kinds = ledger_kinds(&f.store);
    assert_eq!(
        kinds,
        ["endpoint_added", "endpoint_removed", "endpoint_added"]
    );
}

#[test]
fn health_reports_changes_only() {
    let f = fixture();
    assert!(f
        .store
        .set_health("ep1", Health::Online, None, t(1))
        .unwrap());
    assert!(!f
        .store
        .set_health("ep1", Health::Online, None, t(2))
        .unwrap());
    assert!(f
        .store
        .set_health("ep1", Health::Offline, Some("connection refused"), t(3))
        .unwrap());
    assert!(f
        .store
        .set_health("ep1", Health::Offline, Some("timed out"), t(4))
        .unwrap());
    let ep = f.store.endpoint("ep1").unwrap();
    assert_eq!(
        (ep.health, ep.health_detail.as_deref()),
        (Health::Offline, Some("timed out"))
    );
    assert_eq!(
        ledger_kinds(&f.store),
        ["endpoint_added"],
        "health flaps are not audited"
    );
    assert_eq!(
        f.store
            .set_health("nope", Health::Online, None, t(1))
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn sync_bookkeeping_persists() {
    let f = fixture();
    f.store.set_last_sync("ep1", t(7)).unwrap();
    f.store.set_enrolled("ep1", true).unwrap();
    f.store.apply_changes("ep1", &[], Some("42"), t(8)).unwrap();
    let f = f.reopen();
    let ep = f.store.endpoint("ep1").unwrap();
    assert_eq!(
        (ep.last_sync_at, ep.enrolled, ep.outbox),
        (Some(t(7)), true, 0)
    );
    assert_eq!(f.store.cursor("ep1").unwrap().as_deref(), Some("42"));
    assert_eq!(
        f.store.set_enrolled("nope", true).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn langgraph_endpoint_keeps_its_kind_and_assistant_filter() {
    let f = fixture();
    let mut new = new_endpoint("lg");
    new.kind = EndpointKind::LangGraph;
    new.assistant_filter = Some("inbox".into());
    f.store.add_endpoint(&new, t(0)).unwrap();
    let ep = f.store.endpoint("lg").unwrap();
    assert_eq!(ep.kind, EndpointKind::LangGraph);
    assert_eq!(ep.assistant_filter.as_deref(), Some("inbox"));
    // The endpoint from the fixture is still native, without a filter.
    let native = f.store.endpoint("ep1").unwrap();
    assert_eq!(
        (native.kind, native.assistant_filter),
        (EndpointKind::Native, None)
    );
}
