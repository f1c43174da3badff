//! The reference endpoint as `countersign endpoint serve` in its own process, with the
//! agent side of protocol v1 over blocking HTTP: what the system tests drive.

use crate::endpoint_process::{EndpointProcess, ServeMode};
use crate::{free_port, PacketDraftBuilder, AGENT_TOKEN};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A served endpoint with the test tokens, and an agent that talks to it.
pub struct ServedEndpoint {
    process: EndpointProcess,
    pub port: u16,
    pub db: PathBuf,
    http: reqwest::blocking::Client,
}

impl ServedEndpoint {
    pub fn start(dir: &Path) -> ServedEndpoint {
        Self::start_on(dir, free_port())
    }

    pub fn start_on(dir: &Path, port: u16) -> ServedEndpoint {
        let process = EndpointProcess::start(dir, port, ServeMode::TestTokens)
            .expect("endpoint starts listening");
        ServedEndpoint {
            port: process.port,
            db: process.db.clone(),
            process,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(90))
                .build()
                .unwrap(),
        }
    }

    pub fn url(&self) -> String {
        self.process.url()
    }

    /// Start (again) on the same port and database.
    pub fn restart(&mut self) {
        self.process.restart().expect("endpoint starts listening");
    }

    pub fn stop(&mut self) {
        self.process.stop();
    }

    fn agent(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.url(), path))
            .bearer_auth(AGENT_TOKEN)
    }

    /// Create a packet as an agent; returns the packet JSON.
    pub fn create_packet(&self, draft: &Value) -> Value {
        let resp = self
            .agent(reqwest::Method::POST, "/v1/agent/reviews")
            .json(draft)
            .send()
            .unwrap();
        assert!(
            resp.status().is_success(),
            "create failed: {} {}",
            resp.status(),
            resp.text().unwrap_or_default()
        );
        resp.json().unwrap()
    }

    /// Create the default refund packet ([`PacketDraftBuilder::refund`]).
    pub fn refund(&self, amount: u32) -> Value {
        self.create_packet(&PacketDraftBuilder::refund(amount).build())
    }

    /// The agent's long-poll for a decision.
    pub fn wait_decision(&self, packet_id: &str, wait_secs: u64) -> Value {
        self.agent(
            reqwest::Method::GET,
            &format!("/v1/agent/reviews/{packet_id}/decision?wait={wait_secs}"),
        )
        .send()
        .unwrap()
        .json()
        .unwrap()
    }

    pub fn stats(&self) -> Value {
        self.agent(reqwest::Method::GET, "/v1/agent/stats")
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}
