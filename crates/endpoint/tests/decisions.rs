//! Decision verification, idempotent replay, conflicts and quorum, and enrollment, against
//! a real server on 127.0.0.1.

use countersign_protocol::jws::sign_decision;
use countersign_protocol::{AgentDecisionView, ChangeKind, DecisionReceipt, Outcome, PacketStatus};
use countersign_testkit::*;
use serde_json::json;

#[tokio::test]
async fn decisions_are_verified_and_applied_exactly_once() {
    let ep = InProcessEndpoint::start().await;
    let packet = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    let alice = ep.enroll(1, "alice").await;
    let bob = ep.enroll(2, "bob").await;

    // Not enrolled.
    let stranger = test_key(9);
    let (status, err) = error_code(
        ep.decide(&approval(&packet, &stranger, "alice"), &stranger)
            .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (422, "unknown_key"));

    // Names alice's key but is signed by another key.
    let forged = approval(&packet, &alice, "alice");
    let (status, err) = error_code(ep.decide(&forged, &stranger).await).await;
    assert_eq!((status, err.code.as_str()), (422, "bad_signature"));

    // Signed by bob's key but claims to be alice.
    let (status, err) = error_code(ep.decide(&approval(&packet, &bob, "alice"), &bob).await).await;
    assert_eq!((status, err.code.as_str()), (422, "mismatch"));

    let over_limit = json!({"order_id": "ORD-12345", "amount": 9000, "currency": "EUR"});
    let edit = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Edit)
        .final_args(Some(over_limit))
        .build();
    let (status, err) = error_code(ep.decide(&edit, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "schema_violation"));

    let reject = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Reject)
        .final_args(None)
        .reason("  ")
        .build();
    let (status, err) = error_code(ep.decide(&reject, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "reason_required"));

    let respond = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Respond)
        .final_args(None)
        .build();
    let (status, err) = error_code(ep.decide(&respond, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "outcome_not_allowed"));

    let mut wrong_digest = approval(&packet, &alice, "alice");
    wrong_digest.packet_digest = "00".repeat(32);
    let (status, err) = error_code(ep.decide(&wrong_digest, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "digest_mismatch"));

    let mut tampered_args = approval(&packet, &alice, "alice");
    tampered_args.final_args =
        Some(json!({"order_id": "ORD-12345", "amount": 499, "currency": "EUR"}));
    let (status, err) = error_code(ep.decide(&tampered_args, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "digest_mismatch"));

    // A signature whose stated meaning contradicts its outcome.
    let mut misleading = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Reject)
        .final_args(None)
        .reason("no")
        .build();
    misleading.meaning = "approval".into();
    let (status, err) = error_code(ep.decide(&misleading, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "mismatch"));

    let good = approval(&packet, &alice, "alice");
    let jws = sign_decision(&good, &alice);
    let (status, err) = error_code(ep.submit(&packet.id, "another-id", &jws).await).await;
    assert_eq!((status, err.code.as_str()), (422, "mismatch"));

    let first = ep.submit(&packet.id, &good.decision_id, &jws).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["countersign-protocol"], "1");
    let receipt: DecisionReceipt = first.json().await.unwrap();
    assert_eq!(receipt.packet_status, PacketStatus::Decided);
    let replay = ep.submit(&packet.id, &good.decision_id, &jws).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<DecisionReceipt>().await.unwrap(), receipt);

    // Same decision_id, different content.
    let mut altered = good.clone();
    altered.meaning = "approval (altered)".into();
    let (status, err) = error_code(ep.decide(&altered, &alice).await).await;
    assert_eq!((status, err.code.as_str()), (422, "mismatch"));

    // Someone else decided first.
    let (status, err) = error_code(ep.decide(&approval(&packet, &bob, "bob"), &bob).await).await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));
    let winner = err.winner.expect("conflict names the winner");
    assert_eq!(
        (winner.decision_id.as_str(), winner.jws.as_str()),
        (good.decision_id.as_str(), jws.as_str())
    );

    let stats = ep.stats().await;
    assert_eq!(stats["decisions_accepted"], 1);
    assert_eq!(stats["duplicate_submissions"], 1);
    assert_eq!(
        stats["decision_counts"],
        json!({ good.decision_id.clone(): 1 })
    );
    assert!(stats["submissions_received"].as_u64().unwrap() >= 12);

    let page = ep.change_page("/v1/reviews").await;
    let decided = page.changes.last().unwrap();
    assert_eq!(decided.kind, ChangeKind::Decided);
    assert_eq!(decided.decisions.len(), 1);
    assert_eq!(decided.decisions[0].record.as_ref().unwrap(), &good);

    let unknown = approval(&packet, &alice, "alice");
    let (status, err) = error_code(
        ep.submit(
            "no-such-packet",
            &unknown.decision_id,
            &sign_decision(&unknown, &alice),
        )
        .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (404, "not_found"));
    ep.shutdown().await;
}

#[tokio::test]
async fn edits_within_the_schema_reach_the_agent() {
    let ep = InProcessEndpoint::start().await;
    let packet = ep
        .create(PacketDraftBuilder::damaged_parcel_refund().build())
        .await;
    let alice = ep.enroll(1, "alice").await;
    let edited_args = json!({"order_id": "ORD-12345", "amount": 60, "currency": "EUR"});
    let edit = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Edit)
        .final_args(Some(edited_args.clone()))
        .build();
    assert_eq!(ep.decide(&edit, &alice).await.status(), 200);
    let view: AgentDecisionView = ep
        .get(
            AGENT_TOKEN,
            &format!("/v1/agent/reviews/{}/decision", packet.id),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (view.status, view.outcome),
        (PacketStatus::Decided, Some(Outcome::Edit))
    );
    assert_eq!(view.final_args, Some(edited_args));
    ep.shutdown().await;
}

#[tokio::test]
async fn all_of_quorum_needs_distinct_approvers() {
    let ep = InProcessEndpoint::start().await;
    let mut draft = PacketDraftBuilder::damaged_parcel_refund().build();
    draft["quorum"] = json!({"mode": "all_of", "required": 2});
    let packet = ep.create(draft.clone()).await;
    let alice = ep.enroll(1, "alice").await;
    let bob = ep.enroll(2, "bob").await;

    let first = approval(&packet, &alice, "alice");
    let receipt: DecisionReceipt = ep.decide(&first, &alice).await.json().await.unwrap();
    assert_eq!(receipt.packet_status, PacketStatus::Pending);
    let page = ep.change_page("/v1/reviews").await;
    let partial = page.changes.last().unwrap();
    assert_eq!(
        (partial.kind, partial.decisions.len()),
        (ChangeKind::Changed, 1)
    );

    // Alice cannot count twice.
    let (status, err) =
        error_code(ep.decide(&approval(&packet, &alice, "alice"), &alice).await).await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));
    assert_eq!(err.winner.unwrap().decision_id, first.decision_id);

    let receipt: DecisionReceipt = ep
        .decide(&approval(&packet, &bob, "bob"), &bob)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipt.packet_status, PacketStatus::Decided);
    let view: AgentDecisionView = ep
        .get(
            AGENT_TOKEN,
            &format!("/v1/agent/reviews/{}/decision", packet.id),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (view.status, view.outcome, view.decisions.len()),
        (PacketStatus::Decided, Some(Outcome::Approve), 2)
    );

    // Any rejection decides at once.
    let second = ep.create(draft).await;
    assert_eq!(
        ep.decide(&approval(&second, &alice, "alice"), &alice)
            .await
            .status(),
        200
    );
    let reject = DecisionRecordBuilder::new(&second, &bob, "bob")
        .outcome(Outcome::Reject)
        .final_args(None)
        .reason("amount too high")
        .build();
    let receipt: DecisionReceipt = ep.decide(&reject, &bob).await.json().await.unwrap();
    assert_eq!(receipt.packet_status, PacketStatus::Decided);
    let view: AgentDecisionView = ep
        .get(
            AGENT_TOKEN,
            &format!("/v1/agent/reviews/{}/decision", second.id),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (view.outcome, view.final_args, view.reason.as_deref()),
        (Some(Outcome::Reject), None, Some("amount too high"))
    );
    ep.shutdown().await;
}

#[tokio::test]
async fn enrollment_checks_the_key_id() {
    let ep = InProcessEndpoint::start().await;
    let key = test_key(3);
    let mut enrollment = enrollment_of(&key, "carol");
    let body = serde_json::to_value(&enrollment).unwrap();
    assert_eq!(
        ep.post(REVIEWER_TOKEN, "/v1/reviewers", &body)
            .await
            .status(),
        201
    );
    assert_eq!(
        ep.post(REVIEWER_TOKEN, "/v1/reviewers", &body)
            .await
            .status(),
        200
    );

    enrollment.key_id = "not-the-thumbprint".into();
    let body = serde_json::to_value(&enrollment).unwrap();
    let (status, err) = error_code(ep.post(REVIEWER_TOKEN, "/v1/reviewers", &body).await).await;
    assert_eq!((status, err.code.as_str()), (422, "invalid_field"));

    let (status, err) = error_code(ep.post(AGENT_TOKEN, "/v1/reviewers", &body).await).await;
    assert_eq!((status, err.code.as_str()), (403, "forbidden"));
    ep.shutdown().await;
}
