//! Bad input gets a clear error code, nothing wrong is stored, and everything else keeps
//! syncing: hostile pages from an endpoint, bad requests to the endpoint, bad tokens.

use axum::http::header;
use axum::routing::get;
use axum::Router;
use countersign_testkit::http_stub::not_found;
use countersign_testkit::*;
use serde_json::{json, Value};

fn packet(id: &str, seq: u64) -> Value {
    json!({"seq": seq, "kind": "created", "packet": {
        "version": 1, "id": id, "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
        "status": "pending", "agent": {"name": "mailer"}, "action": {"name": "send_email", "args": {"to": "a@example.com"}},
        "allowed_outcomes": ["approve", "reject"]}})
}

/// An endpoint that serves one page mixing good and bad changes.
fn hostile_endpoint() -> HttpStub {
    let mut oversize = packet("too-big", 3);
    oversize["packet"]["reasoning"] = json!("x".repeat(300 * 1024));
    let mut future = packet("from-the-future", 4);
    future["packet"]["version"] = json!(2);
    let mut bad_schema = packet("bad-schema", 5);
    bad_schema["packet"]["args_schema"] = json!({"type": 42});
    let page = json!({
        "changes": [packet("good-1", 1), "not a change", oversize, future, bad_schema,
                    {"seq": 6, "kind": "created"}, packet("good-2", 7)],
        "next_cursor": "7", "has_more": false
    })
    .to_string();
    // Every GET under /v1/reviews gets the page, whatever the cursor.
    let serve_page = get(move || {
        let page = page.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], page) }
    })
    .fallback(not_found);
    HttpStub::start(
        Router::new()
            .route("/v1/reviews", serve_page.clone())
            .route("/v1/reviews/{*rest}", serve_page),
    )
}

#[test]
fn bad_packets_are_quarantined_and_the_rest_lands() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(dir.path(), "hostile");
    let stub = hostile_endpoint();
    client.json(&["endpoint", "add", "hostile", stub.url(), "--token", "t"]);
    client.json(&["sync", "--once"]);

    let listed: Vec<String> = client
        .list(&["--status", "all"])
        .iter()
        .map(|p| p["remote_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.contains(&"good-1".to_string()) && listed.contains(&"good-2".to_string()));

    let quarantined = client.json(&["quarantine"]);
    let codes: Vec<&str> = quarantined
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 5, "{quarantined}");
    for expected in ["field_too_large", "unsupported_version", "invalid_schema"] {
        assert!(codes.contains(&expected), "{expected} in {codes:?}");
    }
    assert_eq!(client.json(&["status"])["queue"]["quarantined"], 5);
    client.json(&["ledger", "verify"]);
}

#[test]
fn a_bad_token_shows_as_unauthorized() {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "badtoken");
    client.json(&[
        "endpoint",
        "add",
        "main",
        &ep.url(),
        "--token",
        "not-the-token",
    ]);
    let out = client.run(&["sync", "--once"]);
    assert!(!out.status.success());
    let status = client.json(&["status"]);
    assert_eq!(status["endpoints"][0]["health"], "unauthorized", "{status}");
    let enroll = client.run(&["enroll", "main"]);
    assert_eq!(
        last_json_line(&enroll.stdout)["error"]["code"],
        "unauthorized"
    );
}

#[test]
fn bad_requests_get_codes_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let http = reqwest::blocking::Client::new();
    let post = |path: &str, token: &str, body: String| {
        let resp = http
            .post(format!("{}{}", ep.url(), path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json::<Value>().unwrap_or(Value::Null))
    };
    let (s, b) = post("/v1/agent/reviews", AGENT_TOKEN, "{not json".into());
    assert_eq!((s, b["code"].as_str()), (400, Some("malformed_json")));
    let big = PacketDraftBuilder::refund(1)
        .reasoning(&"y".repeat(300 * 1024))
        .build();
    let (s, b) = post("/v1/agent/reviews", AGENT_TOKEN, big.to_string());
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("field_too_large")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().contains("reasoning"));
    let unknown = PacketDraftBuilder::refund(1)
        .allowed_outcomes(&["approve", "maybe"])
        .build();
    let (s, _) = post("/v1/agent/reviews", AGENT_TOKEN, unknown.to_string());
    assert!(s == 400 || s == 422, "unknown outcome refused, got {s}");
    let off_schema = PacketDraftBuilder::refund(1)
        .args(json!({"order": "A-1", "amount": 999_999, "currency": "EUR"}))
        .build();
    let (s, b) = post("/v1/agent/reviews", AGENT_TOKEN, off_schema.to_string());
    assert_eq!((s, b["code"].as_str()), (422, Some("schema_violation")));
    let (s, _) = post(
        "/v1/agent/reviews",
        "wrong-token",
        PacketDraftBuilder::refund(1).build().to_string(),
    );
    assert_eq!(s, 401);
    assert_eq!(ep.stats()["packets"], 0, "nothing wrong was stored");

    // A forged decision: a real signed decision with its payload altered.
    let client = Client::new(dir.path(), "forger");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    let remote = ep.refund(40)["id"].as_str().unwrap().to_string();
    client.json(&["sync", "--once"]);
    let local = client.local_id(&remote).unwrap().to_string();
    client.json(&["decide", &local, "approve", "--no-send"]);
    let shown = client.json(&["show", &local]);
    let jws = shown["decisions"][0]["jws"].as_str().unwrap().to_string();
    let decision_id = shown["decisions"][0]["decision_id"]
        .as_str()
        .unwrap()
        .to_string();
    let parts: Vec<&str> = jws.split('.').collect();
    let forged_payload = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut rec: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        rec["final_args"]["amount"] = json!(4000);
        b64.encode(serde_json::to_vec(&rec).unwrap())
    };
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    let (s, b) = post(
        &format!("/v1/reviews/{remote}/decision"),
        REVIEWER_TOKEN,
        json!({"decision_id": decision_id, "jws": forged}).to_string(),
    );
    assert_eq!((s, b["code"].as_str()), (422, Some("bad_signature")), "{b}");
    assert_eq!(ep.stats()["decisions_accepted"], 0);

    // Everything else still flows: the genuine decision is delivered.
    let sync = client.json(&["sync", "--once"]);
    assert_eq!(sync[0]["delivery"]["acknowledged"], 1, "{sync}");
    assert_eq!(ep.wait_decision(&remote, 1)["outcome"], "approve");
}
