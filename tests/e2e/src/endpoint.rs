//! The reference endpoint as its own process (`countersign endpoint serve --demo`), plus
//! the agent side of protocol v1 (create a packet, read its decision) over HTTP.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Demo-mode tokens of `endpoint serve --demo`.
pub const REVIEWER_TOKEN: &str = "demo-reviewer";
pub const AGENT_TOKEN: &str = "demo-agent";

pub struct Endpoint {
    child: Option<Child>,
    pub port: u16,
    pub db: PathBuf,
    http: reqwest::Client,
}

impl Endpoint {
    /// Start on a free port with a database in `dir`.
    pub fn start(dir: &Path) -> Result<Endpoint> {
        let mut ep = Endpoint {
            child: None,
            port: crate::free_port(),
            db: dir.join("endpoint.db"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
        };
        ep.restart()?;
        Ok(ep)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Start (again) on the same port and database. Returns once it says "listening".
    pub fn restart(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("endpoint already running");
        }
        let mut child = Command::new(crate::cli_bin())
            .args(["--json", "endpoint", "serve", "--demo"])
            // A new demo packet every hour: the seeded ones make a realistic queue, and no
            // packet appears mid-test that the test did not create.
            .args(["--demo-interval", "3600", "--port"])
            .arg(self.port.to_string())
            .arg("--db")
            .arg(&self.db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("spawn {}", crate::cli_bin().display()))?;
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
        out.read_line(&mut line)?;
        if !line.contains("listening") {
            let _ = child.kill();
            let _ = child.wait();
            bail!("endpoint did not start on port {}: {line:?}", self.port);
        }
        self.child = Some(child);
        Ok(())
    }

    /// Stop it abruptly, as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
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

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop();
    }
}
