//! The reference endpoint as its own process (`countersign endpoint serve --demo`, the
//! testkit's [`EndpointProcess`]), plus the agent side of protocol v1 (create a packet,
//! read its decision) over async HTTP.

use anyhow::{bail, Context, Result};
use countersign_testkit::{free_port, EndpointProcess, ServeMode};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Demo-mode tokens of `endpoint serve --demo`.
pub const REVIEWER_TOKEN: &str = "demo-reviewer";
pub const AGENT_TOKEN: &str = "demo-agent";

pub struct Endpoint {
    process: EndpointProcess,
    http: reqwest::Client,
}

impl Endpoint {
    /// Start on a free port with a database in `dir`.
    pub fn start(dir: &Path) -> Result<Endpoint> {
        // A new demo packet every hour: the seeded ones make a realistic queue, and no
        // packet appears mid-test that the test did not create.
        let process = EndpointProcess::start(
            dir,
            free_port(),
            ServeMode::Demo {
                interval_secs: 3600,
            },
        )
        .context("start the reference endpoint")?;
        Ok(Endpoint {
            process,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
        })
    }

    pub fn url(&self) -> String {
        self.process.url()
    }

    /// Start (again) on the same port and database. Returns once it says "listening".
    pub fn restart(&mut self) -> Result<()> {
        Ok(self.process.restart()?)
    }

    /// Stop it abruptly, as an outage would.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    fn agent(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.url(), path))
            .bearer_auth(AGENT_TOKEN)
    }

    /// `POST /v1/agent/reviews` as an agent; returns the created packet.
    pub async fn create_packet(&self, draft: &Value) -> Result<Value> {
        let resp = self
            .agent(reqwest::Method::POST, "/v1/agent/reviews")
            .json(draft)
            .send()
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("creating a packet failed: {status} {body}");
        }
        Ok(body)
    }

    /// `GET /v1/agent/reviews/{id}/decision?wait=N`: the agent's long-poll.
    pub async fn decision(&self, packet_id: &str, wait_secs: u64) -> Result<Value> {
        let resp = self
            .agent(
                reqwest::Method::GET,
                &format!("/v1/agent/reviews/{packet_id}/decision?wait={wait_secs}"),
            )
            .send()
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        if !status.is_success() {
            bail!("reading the decision of {packet_id} failed: {status} {body}");
        }
        Ok(body)
    }
}
