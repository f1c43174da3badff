//! The engine's endpoints: adding (token to the keyring, URL checked), removing,
//! enrolling this reviewer's key, background sync, and pulling or delivering on demand.

use super::{Engine, NewEndpointRequest, SyncReport};
use crate::clock::uuid_v7;
use crate::error::{CoreError, Result};
use crate::keystore::endpoint_token_account;
use crate::store::NewEndpoint;
use crate::sync::{deliver_endpoint, langgraph, pull_all, DeliveryReport};
use crate::views::*;
use countersign_protocol::Enrollment;

impl Engine {
    pub fn endpoints(&self) -> Result<Vec<EndpointView>> {
        self.store.endpoints()
    }

    pub fn endpoint(&self, id_or_name: &str) -> Result<EndpointView> {
        self.store.endpoint(id_or_name)
    }

    /// Add an endpoint; its token goes to the keyring, never to the database.
    pub fn add_endpoint(&self, req: NewEndpointRequest) -> Result<EndpointView> {
        let base_url = check_endpoint_url(&req.base_url, req.allow_insecure_http)?;
        let name = req.name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(CoreError::InvalidInput(
                "the endpoint name must be 1 to 100 characters".into(),
            ));
        }
        let assistant_filter = req
            .assistant
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from);
        match req.kind {
            EndpointKind::Native if req.token.trim().is_empty() => {
                return Err(CoreError::InvalidInput(
                    "the endpoint token must not be empty".into(),
                ))
            }
            EndpointKind::Native if assistant_filter.is_some() => {
                return Err(CoreError::InvalidInput(
                    "an assistant filter applies to LangGraph endpoints only".into(),
                ))
            }
            _ => {}
        }
        if assistant_filter.as_ref().is_some_and(|a| a.len() > 200) {
            return Err(CoreError::InvalidInput(
                "the assistant filter must be at most 200 characters".into(),
            ));
        }
        let id = uuid_v7(self.clock.as_ref(), self.entropy.as_ref());
        // A local `langgraph dev` needs no key; nothing goes to the keyring then.
        if !req.token.trim().is_empty() {
            self.keys
                .set(&endpoint_token_account(&id), req.token.trim())?;
        }
        let added = self.store.add_endpoint(
            &NewEndpoint {
                id: id.clone(),
                name: name.to_string(),
                base_url,
                kind: req.kind,
                assistant_filter,
            },
            self.clock.now(),
        );
        if let Err(e) = added {
            let _ = self.keys.delete(&endpoint_token_account(&id));
            return Err(e);
        }
        if tokio::runtime::Handle::try_current().is_ok() && self.sync_started() {
            self.sync.start(&id);
        }
        self.store.endpoint(&id)
    }

    pub fn remove_endpoint(&self, id_or_name: &str) -> Result<()> {
        let ep = self.store.endpoint(id_or_name)?;
        self.sync.stop(&ep.id);
        self.store.remove_endpoint(&ep.id, self.clock.now())?;
        self.keys.delete(&endpoint_token_account(&ep.id))?;
        Ok(())
    }

    /// Register this reviewer's public key with an endpoint.
    pub async fn enroll(&self, id_or_name: &str) -> Result<EndpointView> {
        let ep = self.store.endpoint(id_or_name)?;
        if ep.kind == EndpointKind::LangGraph {
            return Err(CoreError::InvalidInput(
                "a LangGraph server does not take reviewer keys: its decisions are signed and kept in the local ledger".into(),
            ));
        }
        let key = self.key()?;
        let enrollment = Enrollment {
            reviewer: self.reviewer()?,
            key_id: key.key_id().to_string(),
            public_key: key.public_jwk(),
        };
        let client = self.ctx.client_for(&ep.id)?;
        client.enroll(&enrollment).await.map_err(call_error)?;
        self.store.set_enrolled(&ep.id, true)?;
        self.store.endpoint(&ep.id)
    }

    fn sync_started(&self) -> bool {
        self.store
            .endpoints()
            .map(|eps| eps.iter().any(|e| self.sync.is_running(&e.id)))
            .unwrap_or(false)
    }

    /// Start background sync for every endpoint. Call inside a tokio runtime.
    pub fn start_sync(&self) -> Result<()> {
        for ep in self.store.endpoints()? {
            self.sync.start(&ep.id);
        }
        Ok(())
    }

    pub fn stop_sync(&self) {
        self.sync.stop_all();
    }

    /// Pull every endpoint once and deliver everything waiting in the outbox now,
    /// ignoring backoff timers (the user asked for it).
    pub async fn sync_once(&self, only: Option<&str>) -> Result<Vec<SyncReport>> {
        let endpoints = match only {
            Some(id) => vec![self.store.endpoint(id)?],
            None => self.store.endpoints()?,
        };
        let mut reports = Vec::new();
        for ep in endpoints {
            let mut report = SyncReport {
                endpoint: ep.name.clone(),
                changes: 0,
                delivery: DeliveryReport::default(),
                health: Health::Online,
                error: None,
            };
            let far = chrono::DateTime::<chrono::Utc>::MAX_UTC;
            let pulled = match ep.kind {
                EndpointKind::Native => {
                    let client = self.ctx.client_for(&ep.id)?;
                    let pulled = pull_all(&self.ctx, &ep.id, &client).await;
                    if let Err(e) = &pulled {
                        self.ctx.set_unreachable(&ep.id, e);
                    }
                    pulled
                }
                EndpointKind::LangGraph => {
                    let client = self.ctx.langgraph_client_for(&ep.id)?;
                    let scanned = langgraph::scan(&self.ctx, &ep.id, &client).await;
                    match &scanned {
                        Ok(_) => self.store.set_last_sync(&ep.id, self.clock.now())?,
                        Err(e) => self.ctx.set_unreachable(&ep.id, e),
                    }
                    scanned.map(|s| s.new_packets + s.closed)
                }
            };
            report.delivery = deliver_endpoint(&self.ctx, &ep.id, far).await?;
            match pulled {
                Ok(n) => report.changes = n,
                Err(e) => report.error = Some(e.to_string()),
            }
            report.health = self.store.endpoint(&ep.id)?.health;
            reports.push(report);
        }
        Ok(reports)
    }

    /// Deliver one endpoint's outbox now, ignoring backoff timers.
    pub async fn deliver_now(&self, id_or_name: &str) -> Result<DeliveryReport> {
        let ep = self.store.endpoint(id_or_name)?;
        deliver_endpoint(&self.ctx, &ep.id, chrono::DateTime::<chrono::Utc>::MAX_UTC).await
    }
}

fn call_error(e: crate::sync::client::CallError) -> CoreError {
    use crate::sync::client::CallError;
    match e {
        CallError::Offline(d) => CoreError::Offline(d),
        CallError::Unauthorized(d) => CoreError::Unauthorized(d),
        other => CoreError::Endpoint(other.to_string()),
    }
}

/// TLS everywhere except loopback, unless the user explicitly opts in for this endpoint.
fn check_endpoint_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| CoreError::InvalidInput(format!("`{raw}` is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or("");
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback || allow_insecure_http => {}
        "http" => {
            return Err(CoreError::InvalidInput(format!(
                "`{raw}` uses plain http to a non-loopback host; use https, or opt in to insecure http for this endpoint"
            )))
        }
        other => return Err(CoreError::InvalidInput(format!("unsupported URL scheme `{other}`"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}
