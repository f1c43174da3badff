//! HTTP client for the desktop face of protocol v1: pull the change feed, follow the SSE
//! stream, submit signed decisions, enroll the reviewer's key.

use countersign_protocol::wire::{ErrorBody, VERSION_HEADER};
use countersign_protocol::{DecisionReceipt, DecisionSubmission, Enrollment, SignedDecision};
use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

/// How a call to an endpoint failed, in the terms sync reacts to.
#[derive(Debug, Clone)]
pub enum CallError {
    /// Network trouble, timeouts, 5xx: try again later.
    Offline(String),
    /// 401/403: the token is wrong; retrying will not help until the user acts.
    Unauthorized(String),
    /// The endpoint answered but the body is not what protocol v1 says.
    Malformed { detail: String, raw: Vec<u8> },
    /// A protocol error the endpoint reported.
    Refused { status: u16, body: Box<ErrorBody> },
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Offline(d) => write!(f, "offline: {d}"),
            CallError::Unauthorized(d) => write!(f, "unauthorized: {d}"),
            CallError::Malformed { detail, .. } => write!(f, "malformed answer: {detail}"),
            CallError::Refused { status, body } => {
                write!(f, "{status} {}: {}", body.code, body.message)
            }
        }
    }
}

/// One page of the change feed, changes kept raw so the store can quarantine bad ones.
pub struct PulledPage {
    pub changes: Vec<Value>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// Result of submitting one decision.
#[derive(Debug)]
pub enum Submitted {
    Acknowledged(DecisionReceipt),
    Conflict(Option<Box<SignedDecision>>, String),
    Refused(String, String),
}

/// One event of the SSE stream.
pub struct StreamEvent {
    pub id: String,
    pub data: String,
}

const SSE_IDLE_LIMIT: Duration = Duration::from_secs(45);

#[derive(Clone)]
pub struct EndpointClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// Name the root cause ("Connection refused", "dns error") instead of reqwest's generic
/// "error sending request", so the health line tells the user something useful.
pub(crate) fn classify_send_error(e: reqwest::Error) -> CallError {
    let mut cause: &dyn std::error::Error = &e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let what = if e.is_timeout() {
        "timed out".to_string()
    } else {
        cause.to_string()
    };
    match e.url() {
        Some(url) => CallError::Offline(format!(
            "cannot reach {}: {what}",
            url.origin().ascii_serialization()
        )),
        None => CallError::Offline(what),
    }
}

impl EndpointClient {
    pub fn new(http: reqwest::Client, base_url: &str, token: String) -> Self {
        EndpointClient {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            token,
        }
    }

    /// A client suitable for sync: short connect timeout, no proxy for loopback.
    pub fn build_http() -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .expect("HTTP client with default TLS settings")
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .header(VERSION_HEADER, "1")
    }

    async fn read(resp: reqwest::Response) -> Result<(StatusCode, Vec<u8>), CallError> {
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| CallError::Offline(e.to_string()))?;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(CallError::Unauthorized(error_message(status, &body)));
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(CallError::Offline(error_message(status, &body)));
        }
        Ok((status, body.to_vec()))
    }

    pub async fn pull(&self, cursor: Option<&str>, limit: u32) -> Result<PulledPage, CallError> {
        let mut req = self
            .request(reqwest::Method::GET, "/v1/reviews")
            .timeout(Duration::from_secs(30))
            .query(&[("limit", limit.to_string())]);
        if let Some(c) = cursor {
            req = req.query(&[("cursor", c)]);
        }
        let (status, body) = Self::read(req.send().await.map_err(classify_send_error)?).await?;
        if !status.is_success() {
            return Err(refused(status, &body));
        }
        #[derive(serde::Deserialize)]
        struct Page {
            changes: Vec<Value>,
            next_cursor: String,
            has_more: bool,
        }
        let page: Page = serde_json::from_slice(&body).map_err(|e| CallError::Malformed {
            detail: format!("change page: {e}"),
            raw: body.clone(),
        })?;
        Ok(PulledPage {
            changes: page.changes,
            next_cursor: page.next_cursor,
            has_more: page.has_more,
        })
    }

    pub async fn submit(
        &self,
        packet_remote_id: &str,
        decision_id: &str,
        jws: &str,
    ) -> Result<Submitted, CallError> {
        let body = DecisionSubmission {
            decision_id: decision_id.to_string(),
            jws: jws.to_string(),
        };
        let path = format!("/v1/reviews/{}/decision", encode_segment(packet_remote_id));
        let resp = self
            .request(reqwest::Method::POST, &path)
            .timeout(Duration::from_secs(30))
            .json(&body)
            .send()
            .await
            .map_err(classify_send_error)?;
        let (status, raw) = Self::read(resp).await?;
        if status.is_success() {
            let receipt = serde_json::from_slice(&raw).map_err(|e| CallError::Malformed {
                detail: format!("decision receipt: {e}"),
                raw: raw.clone(),
            })?;
            return Ok(Submitted::Acknowledged(receipt));
        }
        let err: ErrorBody = match serde_json::from_slice(&raw) {
            Ok(b) => b,
            Err(_) => return Err(refused(status, &raw)),
        };
        if status == StatusCode::CONFLICT {
            let msg = format!("{}: {}", err.code, err.message);
            if err.code == "conflict" {
                return Ok(Submitted::Conflict(err.winner.map(Box::new), msg));
            }
            // Withdrawn or expired before our decision arrived: nobody else won.
            return Ok(Submitted::Refused(err.code, err.message));
        }
        if status.is_client_error() {
            return Ok(Submitted::Refused(err.code, err.message));
        }
        Err(CallError::Refused {
            status: status.as_u16(),
            body: Box::new(err),
        })
    }

    pub async fn enroll(&self, enrollment: &Enrollment) -> Result<(), CallError> {
        let resp = self
            .request(reqwest::Method::POST, "/v1/reviewers")
            .timeout(Duration::from_secs(30))
            .json(enrollment)
            .send()
            .await
            .map_err(classify_send_error)?;
        let (status, raw) = Self::read(resp).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(refused(status, &raw))
        }
    }

    /// Open the SSE stream, resuming after `last_event_id`.
    pub async fn events(
        &self,
        last_event_id: Option<&str>,
    ) -> Result<impl Stream<Item = Result<StreamEvent, CallError>>, CallError> {
        let mut req = self
            .request(reqwest::Method::GET, "/v1/events")
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let resp = req.send().await.map_err(classify_send_error)?;
        let status = resp.status();
        if !status.is_success() {
            let (status, raw) = Self::read(resp).await?;
            return Err(refused(status, &raw));
        }
        use eventsource_stream::Eventsource;
        // A peer that vanishes without closing TCP would leave us waiting forever; the
        // endpoint sends keepalives every 15 s, so silence this long means it is gone.
        let guarded =
            futures::stream::unfold(Box::pin(resp.bytes_stream()), |mut bytes| async move {
                match tokio::time::timeout(SSE_IDLE_LIMIT, bytes.next()).await {
                    Ok(Some(Ok(chunk))) => Some((Ok(chunk), bytes)),
                    Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e.to_string())), bytes)),
                    Ok(None) => None,
                    Err(_) => Some((
                        Err(std::io::Error::other("no data or keepalive for 45 s")),
                        bytes,
                    )),
                }
            });
        Ok(guarded.eventsource().map(|item| match item {
            Ok(ev) => Ok(StreamEvent {
                id: ev.id,
                data: ev.data,
            }),
            Err(e) => Err(CallError::Offline(format!("event stream: {e}"))),
        }))
    }
}

fn error_message(status: StatusCode, body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => format!("{status}: {} ({})", b.message, b.code),
        Err(_) => format!("{status}"),
    }
}

fn refused(status: StatusCode, body: &[u8]) -> CallError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => CallError::Refused {
            status: status.as_u16(),
            body: Box::new(b),
        },
        Err(e) => CallError::Malformed {
            detail: format!("{status} with a body that is not an error object: {e}"),
            raw: body.to_vec(),
        },
    }
}

/// Packet ids come from the endpoint; keep them from escaping their path segment.
pub(crate) fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
