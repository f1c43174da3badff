//! The engine against the real reference endpoint on 127.0.0.1 (in-process server, real
//! HTTP, real SQLite files): push arrival, delivery, expiry, conflict and outage.

use chrono::{DateTime, Utc};
use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::MemoryKeyStore;
use countersign_core::*;
use countersign_protocol::{DecisionVia, Outcome, PacketStatus};
use countersign_testkit::{
    InProcessEndpoint, PacketDraftBuilder, TestClock, REVIEWER_TOKEN, SECOND_REVIEWER_TOKEN,
};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Client data dirs; the endpoint is the testkit's, on the wall clock so that the
/// engine's own timers run, advanced when a deadline has to pass.
struct Harness {
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        Harness {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    async fn endpoint(&self) -> InProcessEndpoint {
        InProcessEndpoint::start_with(TestClock::wall()).await
    }

    fn engine(&self, name: &str) -> Engine {
        open_engine(&self.dir.path().join(name))
    }
}

fn open_engine(dir: &Path) -> Engine {
    Engine::open(EngineConfig {
        data_dir: dir.to_path_buf(),
        keys: Arc::new(MemoryKeyStore::default()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })
    .unwrap()
}

fn draft(deadline: Option<DateTime<Utc>>) -> Value {
    let draft = PacketDraftBuilder::new(
        "deploy-bot",
        "deploy_service",
        json!({"service": "api", "version": "2.4.1"}),
    )
    .risk("high")
    .reversible(false)
    .urgency("high")
    .allowed_outcomes(&["approve", "reject"]);
    match deadline {
        Some(deadline) => draft.deadline(deadline),
        None => draft,
    }
    .build()
}

async fn wait_until<T>(engine: &Engine, mut check: impl FnMut(&Engine) -> Option<T>) -> T {
    let mut events = engine.subscribe();
    let limit = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = check(engine) {
            return v;
        }
        match tokio::time::timeout_at(limit, events.recv()).await {
            Ok(_) => {}
            Err(_) => panic!("timed out waiting for the engine"),
        }
    }
}

fn local_id(engine: &Engine, endpoint_id: &str, remote: &str) -> Option<i64> {
    engine
        .store()
        .packet_id_by_remote(endpoint_id, remote)
        .unwrap()
}

fn approve() -> DecideRequest {
    DecideRequest {
        outcome: Outcome::Approve,
        args: None,
        reason: None,
        response: None,
        via: DecisionVia::Window,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_packet_is_decided_and_acknowledged_and_expiry_shows() {
    let h = Harness::new();
    let server = h.endpoint().await;
    let engine = h.engine("client");
    let ep = engine
        .add_endpoint(NewEndpointRequest {
            name: "main".into(),
            base_url: server.base.clone(),
            token: REVIEWER_TOKEN.into(),
            allow_insecure_http: false,
            ..Default::default()
        })
        .unwrap();
    engine.enroll(&ep.id).await.unwrap();
    engine.start_sync().unwrap();
    wait_until(&engine, |e| {
        (e.endpoint(&ep.id).unwrap().health == Health::Online).then_some(())
    })
    .await;

    let remote = server.create(draft(None)).await.id;
    let id = wait_until(&engine, |e| local_id(e, &ep.id, &remote)).await;
    let decision = engine.decide(id, approve()).unwrap();
    assert_eq!(decision.state, DeliveryState::Signed);
    wait_until(&engine, |e| {
        (e.decision(&decision.decision_id).unwrap().state == DeliveryState::Acknowledged)
            .then_some(())
    })
    .await;
    wait_until(&engine, |e| {
        (e.packet(id).unwrap().packet.status == PacketStatus::Decided).then_some(())
    })
    .await;

    // Fail-closed expiry at the endpoint shows locally as expired.
    let soon = Utc::now() + chrono::Duration::seconds(60);
    let remote = server.create(draft(Some(soon))).await.id;
    let id = wait_until(&engine, |e| local_id(e, &ep.id, &remote)).await;
    server.advance(chrono::Duration::seconds(120));
    wait_until(&engine, |e| {
        (e.packet(id).unwrap().packet.status == PacketStatus::Expired).then_some(())
    })
    .await;
    let err = engine.decide(id, approve()).unwrap_err();
    assert_eq!(err.code(), "packet_closed");
    engine.stop_sync();
    server.shutdown().await;
    engine.verify_ledger().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_keeps_decisions_until_the_endpoint_returns() {
    let h = Harness::new();
    let mut server = h.endpoint().await;
    let engine = h.engine("client");
    let ep = engine
        .add_endpoint(NewEndpointRequest {
            name: "main".into(),
            base_url: server.base.clone(),
            token: REVIEWER_TOKEN.into(),
            allow_insecure_http: false,
            ..Default::default()
        })
        .unwrap();
    engine.enroll(&ep.id).await.unwrap();
    let remote = server.create(draft(None)).await.id;
    engine.sync_once(None).await.unwrap();
    let id = local_id(&engine, &ep.id, &remote).unwrap();
    server.stop().await;

    engine.start_sync().unwrap();
    let d = engine.decide(id, approve()).unwrap();
    wait_until(&engine, |e| {
        (e.endpoint(&ep.id).unwrap().health == Health::Offline).then_some(())
    })
    .await;
    assert!(!engine.decision(&d.decision_id).unwrap().state.is_final());
    assert_eq!(engine.stats().unwrap().outbox, 1);

    server.restart().await;
    wait_until(&engine, |e| {
        (e.decision(&d.decision_id).unwrap().state == DeliveryState::Acknowledged).then_some(())
    })
    .await;
    assert_eq!(engine.stats().unwrap().outbox, 0);
    engine.stop_sync();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_reviewer_gets_a_conflict_naming_the_winner() {
    let h = Harness::new();
    let server = h.endpoint().await;
    let a = h.engine("a");
    let b = h.engine("b");
    b.set_display_name("Bea").unwrap();
    let mut ids = Vec::new();
    for (engine, token) in [(&a, REVIEWER_TOKEN), (&b, SECOND_REVIEWER_TOKEN)] {
        let ep = engine
            .add_endpoint(NewEndpointRequest {
                name: "main".into(),
                base_url: server.base.clone(),
                token: token.into(),
                allow_insecure_http: false,
                ..Default::default()
            })
            .unwrap();
        engine.enroll(&ep.id).await.unwrap();
        ids.push(ep.id);
    }
    let remote = server.create(draft(None)).await.id;
    a.sync_once(None).await.unwrap();
    b.sync_once(None).await.unwrap();
    let pa = local_id(&a, &ids[0], &remote).unwrap();
    let pb = local_id(&b, &ids[1], &remote).unwrap();
    let db = b.decide(pb, approve()).unwrap();
    let da = a
        .decide(
            pa,
            DecideRequest {
                outcome: Outcome::Reject,
                reason: Some("not during the freeze".into()),
                ..approve()
            },
        )
        .unwrap();
    b.sync_once(None).await.unwrap();
    a.sync_once(None).await.unwrap();
    assert_eq!(
        b.decision(&db.decision_id).unwrap().state,
        DeliveryState::Acknowledged
    );
    let lost = a.decision(&da.decision_id).unwrap();
    assert_eq!(lost.state, DeliveryState::Conflict);
    let winner = lost.winner.expect("winner shown");
    assert_eq!(winner.reviewer.display_name, "Bea");
    assert_eq!(winner.outcome, Outcome::Approve);
    let view = a.packet(pa).unwrap();
    assert_eq!(view.decisions.len(), 2, "both decisions kept");
    a.verify_ledger().unwrap();
    server.shutdown().await;
}
