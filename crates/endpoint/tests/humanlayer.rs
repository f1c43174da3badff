//! The HumanLayer-compatible agent API against a real server on 127.0.0.1: calls become
//! packets, signed decisions set the polled status, unsigned answers and escalations, and
//! the error cases (auth, scoping, validation, second answers).

use countersign_protocol::{ChangeKind, Outcome, Packet, PacketStatus, Urgency};
use countersign_testkit::*;
use serde_json::{json, Value};

const HL: &str = "/humanlayer/v1";

/// A body as the Python SDK sends it (`FunctionCall.model_dump()`, nulls included).
fn function_call_body(call_id: &str) -> Value {
    json!({
        "run_id": "refund-agent-x1",
        "call_id": call_id,
        "spec": {
            "fn": "issue_refund",
            "kwargs": {"order": "A-1", "amount": 40},
            "channel": null,
            "reject_options": [
                {"name": "too_much", "title": "Amount too high", "description": null,
                 "prompt_fill": null, "interactive": false}
            ],
            "state": {"step": 3}
        },
        "status": null
    })
}

fn contact_body(call_id: &str) -> Value {
    json!({
        "run_id": "helper-x2",
        "call_id": call_id,
        "spec": {"msg": "Which **warehouse** ships order A-1?", "subject": "Shipping",
                 "response_options": [{"name": "north"}, {"name": "south"}]},
    })
}

async fn post_ok(ep: &InProcessEndpoint, path: &str, body: &Value, status: u16) -> Value {
    let resp = ep.post(AGENT_TOKEN, &format!("{HL}{path}"), body).await;
    assert_eq!(resp.status(), status, "{path}");
    assert_eq!(resp.headers()["content-type"], "application/json");
    resp.json().await.unwrap()
}

async fn get_ok(ep: &InProcessEndpoint, path: &str) -> Value {
    let resp = ep.get(AGENT_TOKEN, &format!("{HL}{path}")).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.json().await.unwrap()
}

async fn packet_of(ep: &InProcessEndpoint, call: &Value) -> Packet {
    let id = call["countersign"]["packet_id"].as_str().unwrap();
    ep.get(AGENT_TOKEN, &format!("/v1/agent/reviews/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_function_call_becomes_a_packet_and_the_signed_approval_sets_the_status() {
    let ep = InProcessEndpoint::start().await;
    let call = post_ok(&ep, "/function_calls", &function_call_body("call-a1"), 201).await;
    assert_eq!(call["call_id"], "call-a1");
    assert_eq!(call["run_id"], "refund-agent-x1");
    assert_eq!(call["spec"]["fn"], "issue_refund");
    assert_eq!(call["spec"]["state"], json!({"step": 3}));
    assert_eq!(call["status"]["approved"], Value::Null);
    assert!(call["status"]["requested_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    assert_eq!(call["countersign"]["packet_status"], "pending");

    let packet = packet_of(&ep, &call).await;
    assert_eq!(packet.action.name, "issue_refund");
    assert_eq!(packet.action.args, json!({"order": "A-1", "amount": 40}));
    assert_eq!(packet.agent.name, "refund-agent-x1");
    assert_eq!(
        packet.allowed_outcomes,
        vec![Outcome::Approve, Outcome::Reject]
    );
    assert!(packet.reasoning.contains("`too_much` — Amount too high"));
    let page = ep.change_page("/v1/reviews").await;
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].kind, ChangeKind::Created);

    // The SDK's repeated POST is idempotent; a different spec under the same id is not.
    let again = post_ok(&ep, "/function_calls", &function_call_body("call-a1"), 200).await;
    assert_eq!(
        again["countersign"]["packet_id"],
        call["countersign"]["packet_id"]
    );
    let mut other = function_call_body("call-a1");
    other["spec"]["kwargs"]["amount"] = json!(4000);
    let (status, err) = error_code(
        ep.post(AGENT_TOKEN, &format!("{HL}/function_calls"), &other)
            .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));
    assert_eq!(
        ep.change_page("/v1/reviews").await.changes.len(),
        1,
        "no second packet"
    );

    let alice = ep.enroll(1, "alice").await;
    let resp = ep.decide(&approval(&packet, &alice, "alice"), &alice).await;
    assert_eq!(resp.status(), 200);
    let polled = get_ok(&ep, "/function_calls/call-a1").await;
    assert_eq!(polled["status"]["approved"], true);
    assert_eq!(polled["status"]["comment"], Value::Null);
    assert!(polled["status"]["responded_at"].is_string());
    assert_eq!(polled["countersign"]["answered_by"], "countersign");
    let jws = polled["countersign"]["decisions"][0]["jws"]
        .as_str()
        .unwrap();
    assert_eq!(
        jws.split('.').count(),
        3,
        "the signed record is kept for audit"
    );

    // A second answer, direct or signed, is refused and names the winner.
    let (status, err) = error_code(
        ep.post(
            AGENT_TOKEN,
            &format!("{HL}/agent/function_calls/call-a1/respond"),
            &json!({"approved": false, "comment": "no"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));
    assert_eq!(err.winner.unwrap().jws, jws);
    let bob = ep.enroll(2, "bob").await;
    let reject = DecisionRecordBuilder::new(&packet, &bob, "bob")
        .outcome(Outcome::Reject)
        .final_args(None)
        .reason("no")
        .build();
    let (status, err) = error_code(ep.decide(&reject, &bob).await).await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));
    assert_eq!(
        get_ok(&ep, "/function_calls/call-a1").await["status"]["approved"],
        true
    );
}

#[tokio::test]
async fn a_signed_rejection_reaches_the_agent_with_its_reason_and_option() {
    let ep = InProcessEndpoint::start().await;
    let call = post_ok(&ep, "/function_calls", &function_call_body("call-r1"), 201).await;
    let packet = packet_of(&ep, &call).await;
    let alice = ep.enroll(1, "alice").await;
    let reject = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Reject)
        .final_args(None)
        .reason("amount too high")
        .build();
    assert_eq!(ep.decide(&reject, &alice).await.status(), 200);
    let polled = get_ok(&ep, "/function_calls/call-r1").await;
    assert_eq!(polled["status"]["approved"], false);
    assert_eq!(polled["status"]["comment"], "amount too high");
    assert_eq!(polled["status"]["reject_option_name"], "too_much");
}

#[tokio::test]
async fn a_direct_answer_is_unsigned_final_and_makes_a_later_decision_a_conflict() {
    let ep = InProcessEndpoint::start().await;
    let call = post_ok(&ep, "/function_calls", &function_call_body("call-d1"), 201).await;
    let packet = packet_of(&ep, &call).await;
    let path = "/agent/function_calls/call-d1/respond";

    for (body, field) in [
        (json!({"comment": "?"}), "approved"),
        (json!({"approved": false, "comment": "  "}), "comment"),
    ] {
        let (status, err) =
            error_code(ep.post(AGENT_TOKEN, &format!("{HL}{path}"), &body).await).await;
        assert_eq!(
            (status, err.code.as_str()),
            (422, "invalid_field"),
            "{body}"
        );
        assert!(err.message.contains(field), "{}", err.message);
    }

    let answered = post_ok(
        &ep,
        path,
        &json!({"approved": false, "comment": "Too_Much"}),
        200,
    )
    .await;
    assert_eq!(answered["status"]["approved"], false);
    assert_eq!(answered["status"]["comment"], "Too_Much");
    assert_eq!(answered["status"]["reject_option_name"], "too_much");
    assert_eq!(answered["countersign"]["answered_by"], "agent_api");
    assert_eq!(answered["countersign"]["unsigned_answer"]["signed"], false);
    assert_eq!(answered["countersign"]["decisions"], json!([]));

    let (status, err) = error_code(
        ep.post(
            AGENT_TOKEN,
            &format!("{HL}{path}"),
            &json!({"approved": true}),
        )
        .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));

    // Desktops see the packet closed; a signed decision now loses as a conflict.
    let page = ep.change_page("/v1/reviews").await;
    let last = page.changes.last().unwrap();
    assert_eq!(
        (last.kind, last.packet.status),
        (ChangeKind::Decided, PacketStatus::Decided)
    );
    let alice = ep.enroll(1, "alice").await;
    let (status, err) =
        error_code(ep.decide(&approval(&packet, &alice, "alice"), &alice).await).await;
    assert_eq!((status, err.code.as_str()), (409, "conflict"));
    assert!(err.winner.is_none());
    assert!(err.message.contains("unsigned"), "{}", err.message);
    assert_eq!(
        get_ok(&ep, "/function_calls/call-d1").await["status"]["approved"],
        false
    );
}

#[tokio::test]
async fn a_contact_request_is_answered_with_the_reviewers_text() {
    let ep = InProcessEndpoint::start().await;
    let contact = post_ok(&ep, "/contact_requests", &contact_body("call-c1"), 201).await;
    assert_eq!(
        contact["spec"]["msg"],
        "Which **warehouse** ships order A-1?"
    );
    assert_eq!(contact["status"]["response"], Value::Null);
    let packet = packet_of(&ep, &contact).await;
    assert_eq!(packet.action.name, "human_contact");
    assert_eq!(packet.allowed_outcomes, vec![Outcome::Respond]);
    assert!(packet.reasoning.contains("Which **warehouse**"));
    assert!(packet.reasoning.contains("**Subject:** Shipping"));

    // Function calls and contacts have separate id spaces.
    let resp = ep
        .get(AGENT_TOKEN, &format!("{HL}/function_calls/call-c1"))
        .await;
    assert_eq!(resp.status(), 404);

    let alice = ep.enroll(1, "alice").await;
    let mut respond = DecisionRecordBuilder::new(&packet, &alice, "alice")
        .outcome(Outcome::Respond)
        .final_args(None)
        .build();
    respond.response = Some("North".into());
    assert_eq!(ep.decide(&respond, &alice).await.status(), 200);
    let polled = get_ok(&ep, "/contact_requests/call-c1").await;
    assert_eq!(polled["status"]["response"], "North");
    assert_eq!(polled["status"]["response_option_name"], "north");
    assert!(polled["status"]["responded_at"].is_string());
    let (status, _) = error_code(
        ep.post(
            AGENT_TOKEN,
            &format!("{HL}/agent/human_contacts/call-c1/respond"),
            &json!({"response": "x"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);

    // A direct answer to another contact.
    post_ok(&ep, "/contact_requests", &contact_body("call-c2"), 201).await;
    let path = "/agent/human_contacts/call-c2/respond";
    let (status, _) = error_code(
        ep.post(
            AGENT_TOKEN,
            &format!("{HL}{path}"),
            &json!({"response": ""}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    let answered = post_ok(&ep, path, &json!({"response": "south, today"}), 200).await;
    assert_eq!(answered["status"]["response"], "south, today");
    assert_eq!(answered["countersign"]["unsigned_answer"]["signed"], false);
}

#[tokio::test]
async fn escalation_raises_urgency_and_tells_desktops() {
    let ep = InProcessEndpoint::start().await;
    let call = post_ok(&ep, "/function_calls", &function_call_body("call-e1"), 201).await;
    let body = json!({"escalation_msg": "Customer is waiting on the phone", "additional_recipients": null, "channel": null});
    let escalated = post_ok(
        &ep,
        "/agent/function_calls/call-e1/escalate_email",
        &body,
        200,
    )
    .await;
    assert_eq!(escalated["countersign"]["escalations"], 1);
    assert_eq!(escalated["status"]["approved"], Value::Null);
    let packet = packet_of(&ep, &call).await;
    assert_eq!(packet.urgency, Urgency::Critical);
    assert!(packet
        .context
        .iter()
        .any(|c| c.excerpt == "Customer is waiting on the phone"));
    let page = ep.change_page("/v1/reviews").await;
    let last = page.changes.last().unwrap();
    assert_eq!(
        (last.kind, last.packet.urgency),
        (ChangeKind::Changed, Urgency::Critical)
    );

    post_ok(&ep, "/contact_requests", &contact_body("call-e2"), 201).await;
    let contact = post_ok(
        &ep,
        "/agent/human_contacts/call-e2/escalate_email",
        &body,
        200,
    )
    .await;
    assert_eq!(packet_of(&ep, &contact).await.urgency, Urgency::Critical);

    // Nothing left to escalate once answered.
    post_ok(
        &ep,
        "/agent/function_calls/call-e1/respond",
        &json!({"approved": true}),
        200,
    )
    .await;
    let (status, _) = error_code(
        ep.post(
            AGENT_TOKEN,
            &format!("{HL}/agent/function_calls/call-e1/escalate_email"),
            &body,
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn tokens_scope_and_input_errors_answer_json() {
    let ep = InProcessEndpoint::start().await;
    let path = format!("{HL}/function_calls");
    let body = function_call_body("call-t1");
    for token in ["wrong-key", ""] {
        let (status, err) = error_code(ep.post(token, &path, &body).await).await;
        assert_eq!((status, err.code.as_str()), (401, "unauthorized"));
    }
    let (status, _) = error_code(ep.post(REVIEWER_TOKEN, &path, &body).await).await;
    assert_eq!(status, 403);
    assert_eq!(
        ep.change_page("/v1/reviews").await.changes.len(),
        0,
        "nothing was created"
    );

    post_ok(&ep, "/function_calls", &body, 201).await;
    // call_ids are scoped per agent token.
    let resp = ep
        .get(OTHER_AGENT_TOKEN, &format!("{HL}/function_calls/call-t1"))
        .await;
    let (status, _) = error_code(resp).await;
    assert_eq!(status, 404);
    let (status, err) = error_code(
        ep.get(AGENT_TOKEN, &format!("{HL}/function_calls/nope"))
            .await,
    )
    .await;
    assert_eq!((status, err.code.as_str()), (404, "not_found"));

    let mut bad_id = function_call_body("call/../x");
    let (status, err) = error_code(ep.post(AGENT_TOKEN, &path, &bad_id).await).await;
    assert_eq!((status, err.code.as_str()), (422, "invalid_field"));
    bad_id["call_id"] = json!("call-ok");
    bad_id["spec"]["fn"] = json!("");
    let (status, _) = error_code(ep.post(AGENT_TOKEN, &path, &bad_id).await).await;
    assert_eq!(status, 422);
    let resp = ep
        .client
        .post(ep.url(&path))
        .bearer_auth(AGENT_TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, err) = error_code(resp).await;
    assert_eq!((status, err.code.as_str()), (400, "malformed_json"));

    // The TypeScript SDK omits kwargs for a tool without arguments.
    let ts_body = json!({"run_id": "ts", "call_id": "call-ts", "spec": {"fn": "ping"}});
    let call = post_ok(&ep, "/function_calls", &ts_body, 201).await;
    assert_eq!(call["spec"]["kwargs"], json!({}));
}
