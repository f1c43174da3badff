//! The queue: sort order, filters, full-text search (including hostile search text),
//! the reviewer's own decision state, status-bar counts.

use super::*;
use crate::views::{DeliveryState, QueueQuery};
use countersign_protocol::{PacketStatus, Risk, Urgency};

fn ids(store: &Store, q: &QueueQuery) -> Vec<String> {
    store
        .list(q, t(0))
        .unwrap()
        .into_iter()
        .map(|s| s.remote_id)
        .collect()
}

fn text(s: &str) -> QueueQuery {
    QueueQuery {
        text: Some(s.into()),
        ..Default::default()
    }
}

/// Packets that exercise every sort key, ingested in an order unlike the expected one.
fn seed(store: &Store) {
    let mk = |id: &str, urgency: Urgency, deadline: Option<i64>, created: i64| {
        let mut p = pkt(id);
        p.urgency = urgency;
        p.deadline = deadline.map(t);
        p.created_at = t(created);
        p
    };
    let packets = [
        mk("normal-nodeadline-old", Urgency::Normal, None, 1),
        mk("normal-late-deadline", Urgency::Normal, Some(9_000), 5),
        mk("critical", Urgency::Critical, None, 9),
        mk("normal-nodeadline-new", Urgency::Normal, None, 8),
        mk("normal-early-deadline", Urgency::Normal, Some(3_000), 7),
        mk("low", Urgency::Low, Some(10), 0),
    ];
    let page: Vec<_> = packets
        .iter()
        .enumerate()
        .map(|(i, p)| change(i as u64 + 1, "created", p))
        .collect();
    store.apply_changes("ep1", &page, None, t(1)).unwrap();
}

#[test]
fn sorted_by_urgency_then_deadline_nulls_last_then_age() {
    let f = fixture();
    seed(&f.store);
    assert_eq!(
        ids(&f.store, &QueueQuery::default()),
        [
            "critical",
            "normal-early-deadline",
            "normal-late-deadline",
            "normal-nodeadline-old",
            "normal-nodeadline-new",
            "low"
        ]
    );
    let page = QueueQuery {
        limit: Some(2),
        offset: Some(1),
        ..Default::default()
    };
    assert_eq!(
        ids(&f.store, &page),
        ["normal-early-deadline", "normal-late-deadline"]
    );
}

#[test]
fn every_filter_narrows() {
    let f = fixture();
    f.store.add_endpoint(&new_endpoint("ep2"), t(0)).unwrap();
    let mut other = pkt("other");
    other.agent.name = "mailer".into();
    other.action.name = "send_email".into();
    other.impact.risk = Risk::High;
    other.urgency = Urgency::High;
    other.deadline = Some(t(100));
    ingest(&f.store, &pkt("plain"), 1);
    f.store
        .apply_changes("ep2", &[change(1, "created", &other)], None, t(1))
        .unwrap();
    let mut withdrawn = pkt("gone");
    withdrawn.status = PacketStatus::Withdrawn;
    ingest(&f.store, &withdrawn, 2);

    let q = |mutate: &dyn Fn(&mut QueueQuery)| {
        let mut q = QueueQuery::default();
        mutate(&mut q);
        (ids(&f.store, &q), f.store.count(&q).unwrap())
    };
    assert_eq!(q(&|_| {}).1, 3);
    assert_eq!(q(&|q| q.status = Some(PacketStatus::Pending)).1, 2);
    assert_eq!(q(&|q| q.status = Some(PacketStatus::Withdrawn)).0, ["gone"]);
    assert_eq!(q(&|q| q.endpoint_id = Some("ep2".into())).0, ["other"]);
    assert_eq!(q(&|q| q.agent = Some("mailer".into())).0, ["other"]);
    assert_eq!(q(&|q| q.action = Some("send_email".into())).0, ["other"]);
    assert_eq!(q(&|q| q.risk = Some(Risk::High)).0, ["other"]);
    assert_eq!(q(&|q| q.urgency = Some(Urgency::High)).0, ["other"]);
    assert_eq!(q(&|q| q.deadline_before = Some(t(100))).0, ["other"]);
    assert_eq!(q(&|q| q.deadline_before = Some(t(99))).1, 0);
    assert_eq!(
        q(&|q| {
            q.agent = Some("refund-bot".into());
            q.status = Some(PacketStatus::Pending);
        })
        .0,
        ["plain"]
    );
    let summary = &f
        .store
        .list(
            &QueueQuery {
                endpoint_id: Some("ep2".into()),
                ..Default::default()
            },
            t(0),
        )
        .unwrap()[0];
    assert_eq!(
        (summary.endpoint_name.as_str(), summary.risk),
        ("ep2 name", Risk::High)
    );
}

#[test]
fn full_text_search_covers_fields_prefixes_and_hostile_text() {
    let f = fixture();
    let mut p = pkt("refund");
    p.context[0].source = Some("https://crm.example/tickets/8812".into());
    ingest(&f.store, &p, 1);
    let mut other = pkt("email");
    other.agent.name = "mailer".into();
    other.action = countersign_protocol::Action {
        name: "send_email".into(),
        args: json!({"to": "ceo@example.com", "subject": "Quarterly numbers"}),
    };
    other.args_schema = None;
    other.reasoning = "Weekly report".into();
    other.context.clear();
    ingest(&f.store, &other, 2);

    assert_eq!(ids(&f.store, &text("charged twice")), ["refund"]); // reasoning
    assert_eq!(ids(&f.store, &text("A-17")), ["refund"]); // args value
    assert_eq!(ids(&f.store, &text("zebra")), ["refund"]); // context excerpt
    assert_eq!(ids(&f.store, &text("8812")), ["refund"]); // context source
    assert_eq!(ids(&f.store, &text("quarterly")), ["email"]); // args, case-folded
    assert_eq!(ids(&f.store, &text("mailer")), ["email"]); // agent
    assert_eq!(ids(&f.store, &text("send_email")), ["email"]); // action
    assert_eq!(
        ids(&f.store, &text("quart")),
        ["email"],
        "last word matches as a prefix"
    );
    assert!(
        ids(&f.store, &text("quart report zebra")).is_empty(),
        "all words must match"
    );
    assert_eq!(
        ids(&f.store, &text("*")).len(),
        2,
        "nothing searchable = no text filter"
    );

    for hostile in [
        "\"a OR",
        "*",
        "OR",
        "NOT",
        "a AND",
        "NEAR(a b",
        "col:umn",
        "-x",
        ")(",
        "\"\"\"",
        "'; DROP TABLE packets; --",
        "^start",
        "a + b",
        "{x}",
        "é\u{0}z",
    ] {
        let q = text(hostile);
        f.store
            .list(&q, t(0))
            .unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
        f.store
            .count(&q)
            .unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
    }
    assert_eq!(
        ids(&f.store, &text("\"Weekly OR")),
        Vec::<String>::new(),
        "OR is a word, not an operator"
    );
    assert_eq!(f.store.count(&QueueQuery::default()).unwrap(), 2);
}

#[test]
fn my_decision_is_the_latest_local_state() {
    let f = fixture();
    let p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    let mine = |q: &QueueQuery| f.store.list(q, t(0)).unwrap()[0].my_decision;
    assert_eq!(mine(&QueueQuery::default()), None);
    let first = record(&p, "d1", Outcome::Approve, 1);
    f.store
        .record_decision(id, &first, &sign(&first, 1), t(2))
        .unwrap();
    assert_eq!(mine(&QueueQuery::default()), Some(DeliveryState::Signed));
    f.store
        .mark_final(
            "d1",
            DeliveryState::Refused,
            Some("bad_signature"),
            None,
            t(3),
        )
        .unwrap();
    let second = record(&p, "d2", Outcome::Reject, 1);
    f.store
        .record_decision(id, &second, &sign(&second, 1), t(4))
        .unwrap();
    f.store.mark_sent("d2", t(5)).unwrap();
    assert_eq!(mine(&QueueQuery::default()), Some(DeliveryState::Sent));
}

#[test]
fn stats_count_pending_urgent_outbox_and_quarantine() {
    let f = fixture();
    let now = t(0);
    let mut high = pkt("high");
    high.urgency = Urgency::High;
    let mut due_soon = pkt("due-soon");
    due_soon.deadline = Some(now + Duration::minutes(14));
    let mut overdue = pkt("overdue");
    overdue.deadline = Some(now - Duration::minutes(1));
    let mut later = pkt("later");
    later.deadline = Some(now + Duration::minutes(16));
    let mut closed = pkt("closed");
    closed.urgency = Urgency::Critical;
    closed.status = PacketStatus::Expired;
    let page: Vec<_> = [high, due_soon, overdue, later, closed, pkt("calm")]
        .iter()
        .enumerate()
        .map(|(i, p)| change(i as u64 + 1, "created", p))
        .collect();
    f.store.apply_changes("ep1", &page, None, now).unwrap();
    f.store
        .quarantine_raw("ep1", None, "malformed_json", "eof", b"{", now)
        .unwrap();
    let id = f.store.packet_id_by_remote("ep1", "calm").unwrap().unwrap();
    let r = record(&pkt("calm"), "d1", Outcome::Approve, 1);
    f.store.record_decision(id, &r, &sign(&r, 1), now).unwrap();

    let stats = f.store.stats(now).unwrap();
    assert_eq!(
        (stats.pending, stats.urgent, stats.outbox, stats.quarantined),
        (5, 3, 1, 1)
    );
}

#[test]
fn removed_endpoint_leaves_the_queue_but_packets_stay() {
    let f = fixture();
    let id = ingest(&f.store, &pkt("p1"), 1);
    f.store.remove_endpoint("ep1", t(5)).unwrap();
    assert!(ids(&f.store, &QueueQuery::default()).is_empty());
    assert_eq!(f.store.stats(t(5)).unwrap().pending, 0);
    assert_eq!(f.store.packet(id).unwrap().packet.id, "p1");
}

#[test]
fn default_limit_is_200() {
    let f = fixture();
    let page: Vec<_> = (0..250)
        .map(|i| change(i + 1, "created", &pkt(&format!("p{i}"))))
        .collect();
    f.store.apply_changes("ep1", &page, None, t(1)).unwrap();
    assert_eq!(
        f.store.list(&QueueQuery::default(), t(1)).unwrap().len(),
        200
    );
    assert_eq!(f.store.count(&QueueQuery::default()).unwrap(), 250);
    let all = QueueQuery {
        limit: Some(1_000_000),
        ..Default::default()
    };
    assert_eq!(f.store.list(&all, t(1)).unwrap().len(), 250);
}
