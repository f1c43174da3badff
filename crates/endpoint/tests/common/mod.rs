//! Shared harness of the endpoint's integration tests: a real server on 127.0.0.1:0 with
//! a controllable clock, a reqwest client, signing helpers and a tiny SSE reader.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use countersign_clock::{Clock, ManualClock};
use countersign_endpoint::{EndpointConfig, RunningEndpoint};
use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::jws::{key_id, public_jwk, sign_decision};
use countersign_protocol::wire::ErrorBody;
use countersign_protocol::{DecisionRecord, DecisionVia, Enrollment, Outcome, Packet, ReviewerRef};
use ed25519_dalek::SigningKey;
use futures::StreamExt;
use serde_json::{json, Value};

pub const REVIEWER: &str = "reviewer-token";
pub const AGENT: &str = "agent-token";
pub const OTHER_AGENT: &str = "other-agent-token";

pub struct TestEndpoint {
    pub running: Option<RunningEndpoint>,
    pub base: String,
    pub client: reqwest::Client,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

impl TestEndpoint {
    pub async fn start() -> TestEndpoint {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::at(Utc::now()));
        let config = EndpointConfig {
            db_path: dir.path().join("endpoint.sqlite"),
            reviewer_tokens: vec![REVIEWER.into()],
            agent_tokens: vec![AGENT.into(), OTHER_AGENT.into()],
            demo: None,
            clock: clock.clone(),
        };
        let running = countersign_endpoint::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        TestEndpoint {
            base: running.url(),
            running: Some(running),
            client: reqwest::Client::new(),
            clock,
            _dir: dir,
        }
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

    /// Create a packet from a draft and return it (asserting 201).
    pub async fn create(&self, draft: Value) -> Packet {
        let resp = self.post(AGENT, "/v1/agent/reviews", &draft).await;
        assert_eq!(resp.status(), 201, "{:?}", resp.text().await);
        resp.json().await.unwrap()
    }

    /// Enroll the key derived from `seed` for `reviewer_id`.
    pub async fn enroll(&self, seed: u8, reviewer_id: &str) -> SigningKey {
        let key = SigningKey::from_bytes(&[seed; 32]);
        let enrollment = enrollment_of(&key, reviewer_id);
        let resp = self
            .post(
                REVIEWER,
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
            REVIEWER,
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
        self.get(AGENT, "/v1/agent/stats")
            .await
            .json()
            .await
            .unwrap()
    }

    pub async fn shutdown(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }
}

pub fn enrollment_of(key: &SigningKey, reviewer_id: &str) -> Enrollment {
    let verifying = key.verifying_key();
    Enrollment {
        reviewer: ReviewerRef {
            id: reviewer_id.into(),
            display_name: format!("Reviewer {reviewer_id}"),
        },
        key_id: key_id(&verifying),
        public_key: public_jwk(&verifying),
    }
}

/// A well-formed record for `packet` with correct digests; tests then break one thing.
pub fn record(
    packet: &Packet,
    key: &SigningKey,
    reviewer_id: &str,
    outcome: Outcome,
    final_args: Option<Value>,
    reason: Option<&str>,
) -> DecisionRecord {
    DecisionRecord {
        version: 1,
        decision_id: uuid::Uuid::now_v7().to_string(),
        packet_id: packet.id.clone(),
        endpoint: "http://127.0.0.1".into(),
        packet_digest: packet_digest(packet),
        outcome,
        args_digest: final_args.as_ref().map(args_digest),
        final_args,
        reason: reason.map(String::from),
        response: None,
        meaning: outcome.meaning().into(),
        via: DecisionVia::Window,
        reviewer: ReviewerRef {
            id: reviewer_id.into(),
            display_name: format!("Reviewer {reviewer_id}"),
        },
        decided_at: Utc::now(),
        key_id: key_id(&key.verifying_key()),
    }
}

/// An approval of the proposed args.
pub fn approval(packet: &Packet, key: &SigningKey, reviewer_id: &str) -> DecisionRecord {
    record(
        packet,
        key,
        reviewer_id,
        Outcome::Approve,
        Some(packet.action.args.clone()),
        None,
    )
}

/// A refund draft with an args schema (amount ≤ 500).
pub fn refund_draft() -> Value {
    json!({
        "agent": {"name": "refund-bot", "run_id": "run-1"},
        "action": {"name": "issue_refund", "args": {"order_id": "ORD-12345", "amount": 120.5, "currency": "EUR"}},
        "args_schema": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string", "pattern": "^ORD-[0-9]{5}$"},
                "amount": {"type": "number", "maximum": 500},
                "currency": {"enum": ["EUR", "USD"]}
            },
            "required": ["order_id", "amount", "currency"]
        },
        "reasoning": "Parcel arrived **damaged**.",
        "impact": {"risk": "medium", "amount": {"value": "120.50", "currency": "EUR"}, "reversible": false},
        "allowed_outcomes": ["approve", "edit", "reject"]
    })
}

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

/// One parsed SSE event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

/// Reads `text/event-stream` frames from a response, skipping comments.
pub struct SseReader {
    // reqwest yields `bytes::Bytes`, which axum re-exports.
    stream: futures::stream::BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

impl SseReader {
    pub async fn open(
        endpoint: &TestEndpoint,
        path: &str,
        last_event_id: Option<&str>,
    ) -> SseReader {
        let mut req = endpoint
            .client
            .get(endpoint.url(path))
            .bearer_auth(REVIEWER);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        SseReader {
            stream: resp.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next event, or `None` if none arrives within `within`.
    pub async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    id: None,
                    event: None,
                    data: String::new(),
                };
                let mut is_comment_only = true;
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        event.id = Some(v.into());
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        event.event = Some(v.into());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        event.data.push_str(v);
                    } else {
                        continue;
                    }
                    is_comment_only = false;
                }
                if !is_comment_only {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
