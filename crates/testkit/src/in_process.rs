//! The reference endpoint spawned inside the test process on 127.0.0.1 (real HTTP, a real
//! SQLite file) with a [`TestClock`], and the reviewer's and agent's requests to it over
//! async reqwest: what the endpoint's and the engine's integration tests drive.

use crate::decision_record::enrollment_of;
use crate::test_clock::TestClock;
use crate::{AGENT_TOKEN, OTHER_AGENT_TOKEN, REVIEWER_TOKEN, SECOND_REVIEWER_TOKEN};
use chrono::{DateTime, TimeDelta, Utc};
use countersign_endpoint::{EndpointConfig, RunningEndpoint};
use countersign_protocol::jws::sign_decision;
use countersign_protocol::wire::ErrorBody;
use countersign_protocol::{ChangePage, DecisionRecord, Packet};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The one place a test endpoint's configuration is written: every in-process endpoint
/// has the test tokens, no demo agents, and reads the test's clock.
fn endpoint_config(db_path: &Path, clock: &TestClock) -> EndpointConfig {
    EndpointConfig {
        db_path: db_path.to_path_buf(),
        reviewer_tokens: vec![REVIEWER_TOKEN.into(), SECOND_REVIEWER_TOKEN.into()],
        agent_tokens: vec![AGENT_TOKEN.into(), OTHER_AGENT_TOKEN.into()],
        demo: None,
        clock: Arc::new(clock.clone()),
    }
}

/// A running in-process endpoint; stop and restart it on the same address and database
/// to play an outage.
pub struct InProcessEndpoint {
    running: Option<RunningEndpoint>,
    addr: SocketAddr,
    db_path: PathBuf,
    clock: TestClock,
    pub base: String,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl InProcessEndpoint {
    /// On a free port, its clock frozen at the current time.
    pub async fn start() -> InProcessEndpoint {
        Self::start_with(TestClock::frozen()).await
    }

    /// On a free port, reading `clock`.
    pub async fn start_with(clock: TestClock) -> InProcessEndpoint {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("endpoint.sqlite");
        let running = countersign_endpoint::spawn(
            endpoint_config(&db_path, &clock),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        InProcessEndpoint {
            addr: running.addr,
            base: running.url(),
            running: Some(running),
            db_path,
            clock,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Shut the server down (the database stays); [`Self::restart`] brings it back.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }

    /// Serve again on the same address and database.
    pub async fn restart(&mut self) {
        assert!(self.running.is_none(), "endpoint already running");
        let running =
            countersign_endpoint::spawn(endpoint_config(&self.db_path, &self.clock), self.addr)
                .await
                .unwrap();
        self.running = Some(running);
    }

    pub async fn shutdown(mut self) {
        self.stop().await;
    }

    pub fn clock(&self) -> &TestClock {
        &self.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A page of the reviewer's change feed: `path` is `/v1/reviews` with its query.
    pub async fn change_page(&self, path: &str) -> ChangePage {
        self.get(REVIEWER_TOKEN, path).await.json().await.unwrap()
    }

    /// Create a packet from a draft as the agent and return it (asserting 201).
    pub async fn create(&self, draft: Value) -> Packet {
        let resp = self.post(AGENT_TOKEN, "/v1/agent/reviews", &draft).await;
        assert_eq!(resp.status(), 201, "{:?}", resp.text().await);
        resp.json().await.unwrap()
    }

    /// Enroll the key derived from `seed` ([`crate::test_key`]) for `reviewer_id`.
    pub async fn enroll(&self, seed: u8, reviewer_id: &str) -> SigningKey {
        let key = crate::test_key(seed);
        let enrollment = enrollment_of(&key, reviewer_id);
        let resp = self
            .post(
                REVIEWER_TOKEN,
                "/v1/reviewers",
                &serde_json::to_value(&enrollment).unwrap(),
            )
            .await;
        assert!(resp.status().is_success(), "{:?}", resp.text().await);
        key
    }

    pub async fn submit(&self, packet_id: &str, decision_id: &str, jws: &str) -> reqwest::Response {
        let body = json!({"decision_id": decision_id, "jws": jws});
        self.post(
            REVIEWER_TOKEN,
            &format!("/v1/reviews/{packet_id}/decision"),
            &body,
        )
        .await
    }

    /// Sign `record` with `key` and submit it.
    pub async fn decide(&self, record: &DecisionRecord, key: &SigningKey) -> reqwest::Response {
        let jws = sign_decision(record, key);
        self.submit(&record.packet_id, &record.decision_id, &jws)
            .await
    }

    pub async fn stats(&self) -> Value {
        self.get(AGENT_TOKEN, "/v1/agent/stats")
            .await
            .json()
            .await
            .unwrap()
    }
}

/// The status and [`ErrorBody`] of an error response, asserting it carries the protocol
/// header like every other response.
pub async fn error_code(resp: reqwest::Response) -> (u16, ErrorBody) {
    let status = resp.status().as_u16();
    assert_eq!(
        resp.headers()
            .get("countersign-protocol")
            .map(|v| v.to_str().unwrap()),
        Some("1"),
        "errors carry the protocol header too"
    );
    let text = resp.text().await.unwrap();
    let body: ErrorBody =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an ErrorBody ({e}): {text}"));
    (status, body)
}
