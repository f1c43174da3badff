//! The change feed, SSE push, the agent face (idempotent create, long-poll, withdraw),
//! deadlines, auth and input errors, against a real server on 127.0.0.1.

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use countersign_protocol::{AgentDecisionView, Change, ChangeKind, Packet, PacketStatus, Urgency};
use countersign_testkit::*;
use serde_json::json;

#[tokio::test]
async fn created_packet_appears_in_feed_and_stream_and_resume_replays_only_later_changes() {
    let ep = InProcessEndpoint::start().await;
    let first = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    assert_eq!(first.status, PacketStatus::Pending);

    let page = ep.change_page("/v1/reviews").await;
    assert_eq!(page.changes.len(), 1);
    assert_eq!(
        (page.changes[0].kind, &page.changes[0].packet),
        (ChangeKind::Created, &first)
    );
    assert!(!page.has_more);

    let mut stream = SseReader::open(&ep, "/v1/events", None).await;
    let replayed = stream
        .next(Duration::from_secs(5))
        .await
        .expect("replayed change");
    assert_eq!(replayed.id.as_deref(), Some(page.next_cursor.as_str()));
    assert_eq!(replayed.event.as_deref(), Some("change"));
    let change: Change = serde_json::from_str(&replayed.data).unwrap();
    assert_eq!(change.packet.id, first.id);

    let second = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    let live = stream
        .next(Duration::from_secs(5))
        .await
        .expect("live change");
    let change: Change = serde_json::from_str(&live.data).unwrap();
    assert_eq!(
        (change.seq, change.packet.id.as_str()),
        (2, second.id.as_str())
    );

    // Resuming after event 1 replays event 2 only, then continues live.
    let mut resumed = SseReader::open(&ep, "/v1/events", Some("1")).await;
    let event = resumed.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(event.id.as_deref(), Some("2"));
    let mut after = SseReader::open(&ep, "/v1/events?after=2", None).await;
    assert!(
        after.next(Duration::from_millis(300)).await.is_none(),
        "nothing after 2 yet"
    );
    let third = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    for reader in [&mut resumed, &mut after] {
        let event = reader.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(event.id.as_deref(), Some("3"));
        assert!(event.data.contains(&third.id));
    }

    // Cursor pages.
    let page = ep.change_page("/v1/reviews?cursor=1&limit=1").await;
    assert_eq!(
        (page.changes.len(), page.changes[0].seq, page.has_more),
        (1, 2, true)
    );
    assert_eq!(page.next_cursor, "2");
    let (status, err) = error_code(ep.get(REVIEWER_TOKEN, "/v1/reviews?cursor=abc").await).await;
    assert_eq!((status, err.code.as_str()), (400, "bad_cursor"));
    let (status, err) = error_code(ep.get(REVIEWER_TOKEN, "/v1/reviews?cursor=99").await).await;
    assert_eq!((status, err.code.as_str()), (400, "bad_cursor"));
    ep.shutdown().await;
}

#[tokio::test]
async fn creation_is_idempotent_per_agent_token() {
    let ep = InProcessEndpoint::start().await;
    let mut draft = PacketDraftBuilder::damaged_parcel_refund().build();
    draft["agent_key"] = json!("refund-ORD-12345");
    let first = ep.create(draft.clone()).await;
    let replay = ep.post(AGENT_TOKEN, "/v1/agent/reviews", &draft).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<Packet>().await.unwrap(), first);

    // The same key from another agent token is a different packet.
    let other = ep
        .post(OTHER_AGENT_TOKEN, "/v1/agent/reviews", &draft)
        .await;
    assert_eq!(other.status(), 201);
    assert_ne!(other.json::<Packet>().await.unwrap().id, first.id);

    // The Idempotency-Key header works the same way.
    let send = || {
        ep.client
            .post(ep.url("/v1/agent/reviews"))
            .bearer_auth(AGENT_TOKEN)
            .header("idempotency-key", "hdr-1")
            .json(&PacketDraftBuilder::damaged_parcel_refund().build())
            .send()
    };
    let a = send().await.unwrap();
    assert_eq!(a.status(), 201);
    let b = send().await.unwrap();
    assert_eq!(b.status(), 200);
    assert_eq!(
        a.json::<Packet>().await.unwrap().id,
        b.json::<Packet>().await.unwrap().id
    );

    assert_eq!(ep.stats().await["packets"], 3);
    let page = ep.change_page("/v1/reviews").await;
    assert_eq!(page.changes.len(), 3, "replays append no change");
    ep.shutdown().await;
}

#[tokio::test]
async fn long_poll_returns_within_200ms_of_an_accepted_decision() {
    let ep = InProcessEndpoint::start().await;
    let packet = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    let key = ep.enroll(1, "alice").await;

    let poll_url = ep.url(&format!("/v1/agent/reviews/{}/decision?wait=30", packet.id));
    let client = ep.client.clone();
    let poll = tokio::spawn(async move {
        let view: AgentDecisionView = client
            .get(poll_url)
            .bearer_auth(AGENT_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (view, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!poll.is_finished(), "the long-poll waits while pending");
    let sent = Instant::now();
    let resp = ep.decide(&approval(&packet, &key, "alice"), &key).await;
    assert_eq!(resp.status(), 200);
    let accepted = Instant::now();
    let (view, answered) = poll.await.unwrap();
    assert!(answered >= sent);
    assert!(
        answered <= accepted + Duration::from_millis(200),
        "long-poll answered {:?} after the decision was accepted",
        answered.saturating_duration_since(accepted)
    );
    assert_eq!(view.status, PacketStatus::Decided);
    assert_eq!(view.final_args, Some(packet.action.args.clone()));
    assert_eq!(view.decisions.len(), 1);

    // Without a decision, the wait ends with the pending view.
    let pending = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    let started = Instant::now();
    let view: AgentDecisionView = ep
        .get(
            AGENT_TOKEN,
            &format!("/v1/agent/reviews/{}/decision?wait=1", pending.id),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.status, PacketStatus::Pending);
    assert!(started.elapsed() >= Duration::from_millis(900));
    ep.shutdown().await;
}

#[tokio::test]
async fn withdrawn_packet_refuses_decisions() {
    let ep = InProcessEndpoint::start().await;
    let packet = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    let key = ep.enroll(1, "alice").await;
    let path = format!("/v1/agent/reviews/{}/withdraw", packet.id);
    let withdrawn: Packet = ep
        .post(AGENT_TOKEN, &path, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(withdrawn.status, PacketStatus::Withdrawn);
    assert_eq!(
        ep.post(AGENT_TOKEN, &path, &json!({})).await.status(),
        200,
        "withdrawing twice is harmless"
    );

    let (status, err) = error_code(ep.decide(&approval(&packet, &key, "alice"), &key).await).await;
    assert_eq!((status, err.code.as_str()), (409, "packet_withdrawn"));
    assert!(err.winner.is_none());

    let page = ep.change_page("/v1/reviews").await;
    let kinds: Vec<_> = page.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::Created, ChangeKind::Withdrawn]);

    // A decided packet cannot be withdrawn.
    let decided = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    assert_eq!(
        ep.decide(&approval(&decided, &key, "alice"), &key)
            .await
            .status(),
        200
    );
    let (status, err) = error_code(
        ep.post(
            AGENT_TOKEN,
            &format!("/v1/agent/reviews/{}/withdraw", decided.id),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (409, "packet_decided"));
    ep.shutdown().await;
}

#[tokio::test]
async fn fail_closed_deadline_expires_the_packet() {
    let ep = InProcessEndpoint::start().await;
    let key = ep.enroll(1, "alice").await;
    let mut draft = PacketDraftBuilder::damaged_parcel_refund().build();
    draft["deadline"] = json!(ep.now() + TimeDelta::seconds(60));
    let packet = ep.create(draft).await;
    let path = format!("/v1/agent/reviews/{}/decision?wait=10", packet.id);

    let client = ep.client.clone();
    let url = ep.url(&path);
    let poll = tokio::spawn(async move {
        client
            .get(url)
            .bearer_auth(AGENT_TOKEN)
            .send()
            .await
            .unwrap()
            .json::<AgentDecisionView>()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!poll.is_finished(), "not expired before the deadline");
    ep.advance(TimeDelta::seconds(61));
    let view = tokio::time::timeout(Duration::from_secs(3), poll)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.status, PacketStatus::Expired);
    assert_eq!((view.outcome, view.final_args), (None, None));

    let page = ep.change_page("/v1/reviews").await;
    let last = page.changes.last().unwrap();
    assert_eq!(
        (last.kind, last.packet.status),
        (ChangeKind::Expired, PacketStatus::Expired)
    );
    let (status, err) = error_code(ep.decide(&approval(&packet, &key, "alice"), &key).await).await;
    assert_eq!((status, err.code.as_str()), (409, "packet_expired"));
    ep.shutdown().await;
}

#[tokio::test]
async fn escalate_bumps_urgency_and_moves_the_deadline() {
    let ep = InProcessEndpoint::start().await;
    let deadline = ep.now() + TimeDelta::seconds(60);
    let mut draft = PacketDraftBuilder::damaged_parcel_refund().build();
    draft["deadline"] = json!(deadline);
    draft["urgency"] = json!("normal");
    draft["timeout_policy"] =
        json!({"on_expiry": "escalate", "extend_seconds": 600, "max_extensions": 1});
    let packet = ep.create(draft).await;
    ep.advance(TimeDelta::seconds(61));

    let path = format!("/v1/agent/reviews/{}", packet.id);
    let started = Instant::now();
    let escalated = loop {
        let current: Packet = ep.get(AGENT_TOKEN, &path).await.json().await.unwrap();
        if current.extensions > 0 || started.elapsed() > Duration::from_secs(3) {
            break current;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(escalated.status, PacketStatus::Pending);
    assert_eq!(escalated.urgency, Urgency::Critical);
    assert_eq!(escalated.extensions, 1);
    assert_eq!(escalated.deadline, Some(deadline + TimeDelta::seconds(600)));
    let page = ep.change_page("/v1/reviews").await;
    assert_eq!(page.changes.last().unwrap().kind, ChangeKind::Changed);

    // Extensions used up: the next deadline fails closed.
    ep.advance(TimeDelta::seconds(601));
    let view: AgentDecisionView = ep
        .get(AGENT_TOKEN, &format!("{path}/decision?wait=3"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.status, PacketStatus::Expired);
    ep.shutdown().await;
}

#[tokio::test]
async fn tokens_are_checked_by_kind() {
    let ep = InProcessEndpoint::start().await;
    let health = ep.client.get(ep.url("/v1/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.headers()["countersign-protocol"], "1");
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap(),
        json!({"status": "ok", "version": 1})
    );

    let missing = ep.client.get(ep.url("/v1/reviews")).send().await.unwrap();
    assert_eq!(error_code(missing).await.1.code, "unauthorized");
    let (status, err) = error_code(ep.get("wrong-token", "/v1/reviews").await).await;
    assert_eq!((status, err.code.as_str()), (401, "unauthorized"));
    let (status, err) = error_code(ep.get(AGENT_TOKEN, "/v1/reviews").await).await;
    assert_eq!((status, err.code.as_str()), (403, "forbidden"));
    let (status, err) = error_code(
        ep.post(
            REVIEWER_TOKEN,
            "/v1/agent/reviews",
            &PacketDraftBuilder::damaged_parcel_refund().build(),
        )
        .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (403, "forbidden"));
    let (status, err) = error_code(ep.get(AGENT_TOKEN, "/v1/agent/reviews/nope").await).await;
    assert_eq!((status, err.code.as_str()), (404, "not_found"));
    ep.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_precise_errors() {
    let ep = InProcessEndpoint::start().await;
    let malformed = ep
        .client
        .post(ep.url("/v1/agent/reviews"))
        .bearer_auth(AGENT_TOKEN)
        .header("content-type", "application/json")
        .body("{\"agent\": ")
        .send()
        .await
        .unwrap();
    let (status, err) = error_code(malformed).await;
    assert_eq!((status, err.code.as_str()), (400, "malformed_json"));

    let mut oversize = PacketDraftBuilder::damaged_parcel_refund().build();
    oversize["context"] = json!([{"title": "t", "excerpt": "x".repeat(70 * 1024)}]);
    let (status, err) =
        error_code(ep.post(AGENT_TOKEN, "/v1/agent/reviews", &oversize).await).await;
    assert_eq!((status, err.code.as_str()), (422, "field_too_large"));
    assert!(
        err.message.contains("context[0].excerpt"),
        "{}",
        err.message
    );

    let mut bad_args = PacketDraftBuilder::damaged_parcel_refund().build();
    bad_args["action"]["args"]["amount"] = json!(9000);
    let (status, err) =
        error_code(ep.post(AGENT_TOKEN, "/v1/agent/reviews", &bad_args).await).await;
    assert_eq!((status, err.code.as_str()), (422, "schema_violation"));

    let huge = vec![b' '; countersign_endpoint::MAX_BODY_BYTES + 1024];
    let resp = ep
        .client
        .post(ep.url("/v1/agent/reviews"))
        .bearer_auth(AGENT_TOKEN)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let (status, err) = error_code(resp).await;
    assert_eq!((status, err.code.as_str()), (413, "payload_too_large"));
    assert_eq!(ep.stats().await["packets"], 0);
    ep.shutdown().await;
}
