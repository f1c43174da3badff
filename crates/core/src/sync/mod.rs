//! Sync with agent endpoints: one feed task (pull by cursor, then SSE push with reconnect)
//! and one outbox task (deliver signed decisions with backoff) per endpoint. The endpoint's
//! kind picks the connector: protocol v1 here, a LangGraph server in [`langgraph`].

pub mod backoff;
pub mod client;
mod feed;
pub mod langgraph;
pub(crate) mod outbox;
pub mod settle;

use crate::clock::{Clock, Entropy};
use crate::error::Result;
use crate::keystore::{endpoint_token_account, KeyStore};
use crate::store::Store;
use crate::views::{EndpointKind, EngineEvent, Health};
use client::{CallError, EndpointClient};
use langgraph::LangGraphClient;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, Notify};
use tokio::task::JoinHandle;

pub use feed::pull_all;
pub use outbox::{deliver_due, deliver_endpoint};
pub use settle::DeliveryReport;

/// What every sync task shares.
pub struct SyncContext {
    pub store: Arc<Store>,
    pub keys: Arc<dyn KeyStore>,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
    pub events: broadcast::Sender<EngineEvent>,
    pub http: reqwest::Client,
}

impl SyncContext {
    /// A client for the endpoint with its token from the keyring.
    pub fn client_for(&self, endpoint_id: &str) -> Result<EndpointClient> {
        let ep = self.store.endpoint(endpoint_id)?;
        let token = self
            .keys
            .get(&endpoint_token_account(&ep.id))?
            .unwrap_or_default();
        Ok(EndpointClient::new(self.http.clone(), &ep.base_url, token))
    }

    /// A LangGraph client for the endpoint, with its `x-api-key` (if any) from the keyring.
    pub fn langgraph_client_for(&self, endpoint_id: &str) -> Result<LangGraphClient> {
        let ep = self.store.endpoint(endpoint_id)?;
        let key = self.keys.get(&endpoint_token_account(&ep.id))?;
        Ok(LangGraphClient::new(self.http.clone(), &ep.base_url, key))
    }

    /// Record health and tell subscribers when it changed.
    pub fn set_health(&self, endpoint_id: &str, health: Health, detail: Option<&str>) {
        match self
            .store
            .set_health(endpoint_id, health, detail, self.clock.now())
        {
            Ok(true) => {
                let _ = self.events.send(EngineEvent::EndpointHealth {
                    endpoint_id: endpoint_id.to_string(),
                    health,
                    detail: detail.map(String::from),
                });
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(endpoint_id, error = %e, "could not record endpoint health"),
        }
    }

    /// Record that a call to the endpoint failed: offline, or unauthorized when the
    /// token was refused.
    pub fn set_unreachable(&self, endpoint_id: &str, err: &CallError) {
        let health = match err {
            CallError::Unauthorized(_) => Health::Unauthorized,
            _ => Health::Offline,
        };
        self.set_health(endpoint_id, health, Some(&err.to_string()));
    }
}

struct Running {
    feed: JoinHandle<()>,
    outbox: JoinHandle<()>,
    kick: Arc<Notify>,
}

/// Starts and stops the per-endpoint tasks.
pub struct SyncSupervisor {
    ctx: Arc<SyncContext>,
    running: Mutex<HashMap<String, Running>>,
}

impl SyncSupervisor {
    pub fn new(ctx: Arc<SyncContext>) -> Self {
        SyncSupervisor {
            ctx,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Start the tasks of one endpoint (no-op when running). Must be called inside a
    /// tokio runtime.
    pub fn start(&self, endpoint_id: &str) {
        let mut running = self.running.lock().unwrap();
        if running.contains_key(endpoint_id) {
            return;
        }
        let kick = Arc::new(Notify::new());
        let kind = self
            .ctx
            .store
            .endpoint(endpoint_id)
            .map(|e| e.kind)
            .unwrap_or_default();
        let feed = match kind {
            EndpointKind::Native => tokio::spawn(feed::run(
                self.ctx.clone(),
                endpoint_id.to_string(),
                kick.clone(),
            )),
            EndpointKind::LangGraph => tokio::spawn(langgraph::discovery::run(
                self.ctx.clone(),
                endpoint_id.to_string(),
                kick.clone(),
            )),
        };
        let outbox = tokio::spawn(outbox::run(
            self.ctx.clone(),
            endpoint_id.to_string(),
            kick.clone(),
        ));
        running.insert(endpoint_id.to_string(), Running { feed, outbox, kick });
    }

    pub fn stop(&self, endpoint_id: &str) {
        if let Some(r) = self.running.lock().unwrap().remove(endpoint_id) {
            r.feed.abort();
            r.outbox.abort();
        }
    }

    pub fn stop_all(&self) {
        for (_, r) in self.running.lock().unwrap().drain() {
            r.feed.abort();
            r.outbox.abort();
        }
    }

    /// Wake the outbox of an endpoint (a decision was just recorded).
    pub fn kick(&self, endpoint_id: &str) {
        if let Some(r) = self.running.lock().unwrap().get(endpoint_id) {
            r.kick.notify_one();
        }
    }

    pub fn is_running(&self, endpoint_id: &str) -> bool {
        self.running.lock().unwrap().contains_key(endpoint_id)
    }
}

impl Drop for SyncSupervisor {
    fn drop(&mut self) {
        self.stop_all();
    }
}
