//! HTTP client for the LangGraph server API (`langgraph dev`, LangGraph Platform): search
//! interrupted threads, read one thread, start a resume run, wait for it, list runs.

use crate::sync::client::{classify_send_error, encode_segment, CallError};
use chrono::{DateTime, Utc};
use countersign_protocol::wire::ErrorBody;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// One interrupt a thread waits on.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingInterrupt {
    pub id: String,
    pub value: Value,
    /// What the graph accepts as the answer (LangGraph 1.2+, e.g. the per-call form).
    pub response_schema: Option<Value>,
}

/// A thread as the search and the thread endpoint return it (only what we use).
#[derive(Debug, Clone, Deserialize)]
pub struct Thread {
    pub thread_id: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub metadata: Value,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub interrupts: Value,
    #[serde(default)]
    pub error: Value,
}

impl Thread {
    /// The interrupts this thread waits on, sorted by id so every read maps them alike.
    /// `interrupts` is `{task_id: [{id, value, response_schema?}]}`; servers before 0.2
    /// named the id `interrupt_id`.
    pub fn pending(&self) -> Vec<PendingInterrupt> {
        let mut out: Vec<PendingInterrupt> = self
            .interrupts
            .as_object()
            .into_iter()
            .flat_map(|tasks| tasks.values())
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|i| {
                let id = i
                    .get("id")
                    .or_else(|| i.get("interrupt_id"))
                    .and_then(Value::as_str)?;
                Some(PendingInterrupt {
                    id: id.to_string(),
                    value: i.get("value").cloned().unwrap_or(Value::Null),
                    response_schema: i.get("response_schema").filter(|s| !s.is_null()).cloned(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        out
    }

    /// The error of the thread's last run, if it failed.
    pub fn error_text(&self) -> Option<String> {
        match &self.error {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    fn metadata_str(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(Value::as_str)
    }

    /// The assistant that runs this thread: resumes must name it.
    pub fn assistant_id(&self) -> Option<&str> {
        self.metadata_str("assistant_id")
            .or_else(|| self.metadata_str("graph_id"))
    }

    /// The graph's name, shown as the agent.
    pub fn graph_id(&self) -> Option<&str> {
        self.metadata_str("graph_id")
            .or_else(|| self.metadata_str("assistant_id"))
    }

    /// Whether the endpoint's assistant/graph filter lets this thread through.
    pub fn matches(&self, filter: Option<&str>) -> bool {
        filter.is_none_or(|f| {
            self.metadata_str("assistant_id") == Some(f) || self.metadata_str("graph_id") == Some(f)
        })
    }
}

/// Threads per search call; the server caps pages, so discovery walks all of them.
pub const SEARCH_PAGE: usize = 100;

#[derive(Clone)]
pub struct LangGraphClient {
    http: reqwest::Client,
    base: String,
    api_key: Option<String>,
}

impl LangGraphClient {
    pub fn new(http: reqwest::Client, base_url: &str, api_key: Option<String>) -> Self {
        LangGraphClient {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.filter(|k| !k.is_empty()),
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .timeout(Duration::from_secs(30));
        match &self.api_key {
            Some(key) => req.header("x-api-key", key),
            None => req,
        }
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<(StatusCode, Vec<u8>), CallError> {
        let resp = req.send().await.map_err(classify_send_error)?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| CallError::Offline(e.to_string()))?
            .to_vec();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(CallError::Unauthorized(format!(
                "{status}: check the x-api-key"
            )));
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(CallError::Offline(format!("{status}: {}", snippet(&body))));
        }
        Ok((status, body))
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, CallError> {
        let (status, body) = self.call(req).await?;
        if !status.is_success() {
            return Err(refused(status, &body));
        }
        serde_json::from_slice(&body).map_err(|e| CallError::Malformed {
            detail: format!("{what}: {e}"),
            raw: body,
        })
    }

    /// One page of interrupted threads, oldest first so pages stay stable while new
    /// threads arrive.
    pub async fn search_interrupted(
        &self,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Thread>, CallError> {
        let mut body = json!({
            "status": "interrupted",
            "limit": limit,
            "offset": offset,
            "sort_by": "created_at",
            "sort_order": "asc",
            // Leave out `values` (the whole graph state): discovery needs the interrupts.
            "select": ["thread_id", "created_at", "updated_at", "metadata", "status", "interrupts"],
        });
        let search = |body: &Value| {
            self.json::<Vec<Thread>>(
                self.request(reqwest::Method::POST, "/threads/search")
                    .json(body),
                "thread search",
            )
        };
        match search(&body).await {
            // Servers older than `select` reject the field; ask for whole threads then.
            Err(CallError::Refused { status: 422, .. }) => {
                body.as_object_mut().map(|b| b.remove("select"));
                search(&body).await
            }
            other => other,
        }
    }

    /// The thread, or None when the server does not know it (deleted).
    pub async fn thread(&self, thread_id: &str) -> Result<Option<Thread>, CallError> {
        let path = format!("/threads/{}", encode_segment(thread_id));
        let (status, body) = self.call(self.request(reqwest::Method::GET, &path)).await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(refused(status, &body));
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| CallError::Malformed {
                detail: format!("thread: {e}"),
                raw: body,
            })
    }

    /// Start a run that resumes the thread with `resume`; returns the run id. `metadata`
    /// is kept on the run, so a later re-check can tell our resume from someone else's.
    pub async fn resume(
        &self,
        thread_id: &str,
        assistant_id: &str,
        resume: &Value,
        metadata: &Value,
    ) -> Result<String, CallError> {
        let path = format!("/threads/{}/runs", encode_segment(thread_id));
        let body = json!({
            "assistant_id": assistant_id,
            "command": {"resume": resume},
            "metadata": metadata,
        });
        let run: Value = self
            .json(
                self.request(reqwest::Method::POST, &path).json(&body),
                "run",
            )
            .await?;
        run.get("run_id")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| CallError::Malformed {
                detail: "run without run_id".into(),
                raw: run.to_string().into_bytes(),
            })
    }

    /// Wait for a run to finish; returns its record (`status`: success, error, ...).
    pub async fn join(&self, thread_id: &str, run_id: &str) -> Result<Value, CallError> {
        let thread = encode_segment(thread_id);
        let run = encode_segment(run_id);
        self.json::<Value>(
            self.request(
                reqwest::Method::GET,
                &format!("/threads/{thread}/runs/{run}/join"),
            )
            .timeout(Duration::from_secs(120)),
            "run join",
        )
        .await?;
        self.json(
            self.request(
                reqwest::Method::GET,
                &format!("/threads/{thread}/runs/{run}"),
            ),
            "run",
        )
        .await
    }

    /// The thread's most recent runs, newest first.
    pub async fn runs(&self, thread_id: &str) -> Result<Vec<Value>, CallError> {
        let path = format!("/threads/{}/runs?limit=50", encode_segment(thread_id));
        self.json(self.request(reqwest::Method::GET, &path), "runs")
            .await
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(300).collect()
}

/// A LangGraph error answer in our terms (its body is `{"detail": ...}`, not ours).
fn refused(status: StatusCode, body: &[u8]) -> CallError {
    CallError::Refused {
        status: status.as_u16(),
        body: Box::new(ErrorBody::new(
            format!("http_{}", status.as_u16()),
            snippet(body),
        )),
    }
}
