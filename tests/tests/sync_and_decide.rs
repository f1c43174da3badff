//! A packet created by an agent reaches the local queue through the SSE push, and the
//! reviewer's signed decision reaches the agent's long-poll, verified end to end.

use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::{jws, Packet, PublicJwk};
use countersign_testkit::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn verify_with_client_key(
    client: &Client,
    signed_jws: &str,
) -> countersign_protocol::DecisionRecord {
    let key = client.json(&["key"]);
    let jwk: PublicJwk = serde_json::from_value(key["public_jwk"].clone()).unwrap();
    let vk = jws::verifying_key_from_jwk(&jwk).unwrap();
    jws::verify_decision(signed_jws, &vk)
        .expect("the decision verifies with the reviewer's public key")
}

#[test]
fn packet_arrives_by_push_and_decision_reaches_the_agents_long_poll() {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "alice");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    let sync = client.spawn_sync();
    eventually(Duration::from_secs(10), || {
        (client.json(&["status"])["endpoints"][0]["health"] == "online").then_some(())
    })
    .expect("endpoint online");
    // Give the stream a moment to attach; after the initial pull the client never pulls
    // again while the stream is up, so what arrives now came by push.
    std::thread::sleep(Duration::from_millis(500));

    let created = Instant::now();
    let packet_json = ep.refund(120);
    let remote = packet_json["id"].as_str().unwrap().to_string();
    let local = eventually(Duration::from_secs(5), || client.local_id(&remote))
        .expect("packet pushed to the client");
    eprintln!("visible locally {:?} after creation", created.elapsed());

    std::thread::scope(|s| {
        let poll = s.spawn(|| {
            let v = ep.wait_decision(&remote, 30);
            (v, Instant::now())
        });
        std::thread::sleep(Duration::from_millis(200));
        let out = client.run(&["decide", &local.to_string(), "approve"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let decided_at = Instant::now();
        let delivery = last_json_line(&out.stdout);
        assert_eq!(delivery["state"], "acknowledged", "{delivery}");
        let (view, answered_at) = poll.join().unwrap();
        assert_eq!(view["status"], "decided", "{view}");
        assert_eq!(view["outcome"], "approve");
        assert_eq!(view["final_args"], packet_json["action"]["args"]);
        assert!(
            answered_at.saturating_duration_since(decided_at) < Duration::from_secs(1),
            "the long-poll answered promptly"
        );

        let signed = view["decisions"][0]["jws"].as_str().unwrap();
        let record = verify_with_client_key(&client, signed);
        let packet: Packet = serde_json::from_value(packet_json.clone()).unwrap();
        assert_eq!(record.packet_digest, packet_digest(&packet));
        assert_eq!(
            record.args_digest.as_deref(),
            Some(args_digest(&packet_json["action"]["args"]).as_str())
        );
    });
    kill(sync);
}

#[test]
fn edited_args_are_what_the_agent_gets_and_the_signature_covers() {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "edit");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    let remote = ep.refund(900)["id"].as_str().unwrap().to_string();
    client.json(&["sync", "--once"]);
    let local = client.local_id(&remote).unwrap().to_string();

    let edited = json!({"order": "A-900", "amount": 450, "currency": "EUR"});
    let out = client.json(&["decide", &local, "edit", "--args", &edited.to_string()]);
    assert_eq!(out["state"], "acknowledged", "{out}");
    let view = ep.wait_decision(&remote, 5);
    assert_eq!(view["outcome"], "edit");
    assert_eq!(view["final_args"], edited);
    let record = verify_with_client_key(&client, view["decisions"][0]["jws"].as_str().unwrap());
    assert_eq!(record.final_args, Some(edited.clone()));
    assert_eq!(record.args_digest.unwrap(), args_digest(&edited));
    assert_eq!(record.meaning, "approval with edits");
}

#[test]
fn rejection_needs_a_reason_and_reaches_the_agent_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "reject");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    let remote = ep.refund(70)["id"].as_str().unwrap().to_string();
    client.json(&["sync", "--once"]);
    let local = client.local_id(&remote).unwrap().to_string();

    let out = client.run(&["decide", &local, "reject"]);
    assert!(!out.status.success());
    assert_eq!(
        last_json_line(&out.stdout)["error"]["code"],
        "reason_required"
    );
    let shown = client.json(&["show", &local]);
    assert_eq!(
        shown["decisions"],
        Value::Array(vec![]),
        "nothing was stored"
    );

    client.json(&["decide", &local, "reject", "--reason", "duplicate of A-69"]);
    let view = ep.wait_decision(&remote, 5);
    assert_eq!(view["outcome"], "reject");
    assert_eq!(view["reason"], "duplicate of A-69");
    assert!(view.get("final_args").is_none() || view["final_args"].is_null());
}
