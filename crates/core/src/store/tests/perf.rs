//! Timings on 100k packets ingested through `apply_changes`: printed, never asserted
//! (machines differ); the results are still checked for correctness.
//! Run: `cargo test -p countersign-core --release --lib store::tests::perf -- --ignored --nocapture`

use super::*;
use crate::views::QueueQuery;
use countersign_protocol::{PacketStatus, Risk, Urgency};
use std::time::Instant;

const TOTAL: u64 = 100_000;
const PAGE: u64 = 500;
const WORDS: [&str; 16] = [
    "invoice",
    "refund",
    "customer",
    "duplicate",
    "shipment",
    "warehouse",
    "contract",
    "renewal",
    "payroll",
    "vendor",
    "discount",
    "escalation",
    "audit",
    "migration",
    "database",
    "credential",
];

fn packet(i: u64) -> Packet {
    let mut p = pkt(&format!("pkt-{i}"));
    p.agent.name = format!("agent-{}", i % 10);
    p.action.name = format!("action_{}", i % 20);
    p.action.args = json!({"order": format!("ORD-{i}"), "amount": i % 1000});
    p.reasoning = format!(
        "The {} for the {} needs review because of a {} ({}).",
        WORDS[(i % 16) as usize],
        WORDS[(i / 16 % 16) as usize],
        WORDS[(i / 256 % 16) as usize],
        if i.is_multiple_of(1000) {
            "rare-marker"
        } else {
            "routine"
        }
    );
    p.urgency = [
        Urgency::Low,
        Urgency::Normal,
        Urgency::Normal,
        Urgency::High,
        Urgency::Critical,
    ][(i % 5) as usize];
    p.impact.risk = [Risk::Low, Risk::Medium, Risk::High, Risk::Critical][(i % 4) as usize];
    p.deadline = i.is_multiple_of(3).then(|| t(3600 + (i % 7200) as i64));
    p.created_at = t(i as i64);
    if i % 10 == 9 {
        p.status = PacketStatus::Decided;
    }
    p
}

fn timed<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = f(); // warm the statement cache and the page cache
    let start = Instant::now();
    for _ in 0..runs {
        out = f();
    }
    println!(
        "{label:<44} {:>8.2} ms",
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
    out
}

#[test]
#[ignore = "100k-packet timing run; see the module doc for the command"]
fn hundred_thousand_packets() {
    let f = fixture();
    let pages: Vec<Vec<_>> = (0..TOTAL / PAGE)
        .map(|p| {
            (0..PAGE)
                .map(|j| change(p * PAGE + j + 1, "created", &packet(p * PAGE + j)))
                .collect()
        })
        .collect();
    let start = Instant::now();
    for (n, page) in pages.iter().enumerate() {
        let report = f
            .store
            .apply_changes(
                "ep1",
                page,
                Some(&((n as u64 + 1) * PAGE).to_string()),
                t(1),
            )
            .unwrap();
        assert_eq!(report.packet_ids.len(), PAGE as usize);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "ingest {TOTAL} packets in pages of {PAGE}: {secs:.2} s = {:.0} packets/s",
        TOTAL as f64 / secs
    );

    let pending = QueueQuery {
        status: Some(PacketStatus::Pending),
        ..Default::default()
    };
    let with = |mutate: &dyn Fn(&mut QueueQuery)| {
        let mut q = pending.clone();
        mutate(&mut q);
        q
    };
    let list = |q: &QueueQuery| f.store.list(q, t(0)).unwrap();
    assert_eq!(
        timed("list pending (200)", 20, || list(&pending)).len(),
        200
    );
    timed("list all statuses (200)", 20, || {
        list(&QueueQuery::default())
    });
    timed("list pending, offset 5000", 20, || {
        list(&with(&|q| q.offset = Some(5000)))
    });
    timed("filter agent", 20, || {
        list(&with(&|q| q.agent = Some("agent-3".into())))
    });
    timed("filter risk + endpoint", 20, || {
        list(&with(&|q| {
            q.risk = Some(Risk::High);
            q.endpoint_id = Some("ep1".into());
        }))
    });
    let rare = timed("search rare word (100 hits)", 20, || {
        list(&with(&|q| q.text = Some("rare-marker".into())))
    });
    assert_eq!(rare.len(), 100, "every 1000th packet");
    let one = timed("search unique order id", 20, || {
        list(&with(&|q| q.text = Some("ORD-54321".into())))
    });
    assert_eq!(one.len(), 1);
    timed("search word in ~18% of packets", 20, || {
        list(&with(&|q| q.text = Some("shipment".into())))
    });
    timed("search two words", 20, || {
        list(&with(&|q| q.text = Some("refund vendor".into())))
    });
    timed("search prefix `ware`", 20, || {
        list(&with(&|q| q.text = Some("ware".into())))
    });
    timed("search word in every packet", 20, || {
        list(&with(&|q| q.text = Some("invoice".into())))
    });
    timed("search hostile `\"a OR *`", 20, || {
        list(&with(&|q| q.text = Some("\"a OR *".into())))
    });
    let n = timed("count pending", 20, || f.store.count(&pending).unwrap());
    assert_eq!(n, TOTAL - TOTAL / 10);
    for (label, text) in [
        ("count search rare word", "rare-marker"),
        ("count search word in ~18%", "shipment"),
    ] {
        timed(label, 20, || {
            f.store
                .count(&with(&|q| q.text = Some(text.into())))
                .unwrap()
        });
    }
    let stats = timed("stats", 20, || f.store.stats(t(0)).unwrap());
    assert_eq!(stats.pending, n);
    let id = f
        .store
        .packet_id_by_remote("ep1", "pkt-777")
        .unwrap()
        .unwrap();
    timed("packet view", 20, || f.store.packet(id).unwrap());
    let check = timed("verify ledger", 1, || f.store.verify_ledger().unwrap());
    assert_eq!(check.entries, TOTAL + 1);
}
