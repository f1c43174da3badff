//! The engine facade that the desktop shell and the CLI call: queue queries, decisions,
//! endpoints and their health, change subscriptions. Thin over store, signing and sync.

use crate::clock::{uuid_v7, Clock, Entropy, OsEntropy, SystemClock};
use crate::error::{CoreError, Result};
use crate::keystore::{endpoint_token_account, KeyStore, OsKeyring};
use crate::policy::NotificationRules;
use crate::signing::ReviewerKey;
use crate::store::{NewEndpoint, Store};
use crate::sync::client::EndpointClient;
use crate::sync::{deliver_due, langgraph, pull_all, DeliveryReport, SyncContext, SyncSupervisor};
use crate::views::*;
use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::limits::Limits;
use countersign_protocol::validate::resolve_decision;
use countersign_protocol::{
    DecisionRecord, DecisionVia, Enrollment, Outcome, PublicJwk, ReviewerRef,
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

/// How to open an engine. Time, randomness and the keyring are injectable for tests.
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub keys: Arc<dyn KeyStore>,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
}

/// The keyring service name unless a profile is chosen (tests and second reviewers on
/// one account use their own).
pub const DEFAULT_KEYRING_SERVICE: &str = "countersign";

impl EngineConfig {
    /// Production defaults: OS keyring, wall clock, OS randomness.
    pub fn new(data_dir: PathBuf, keyring_service: &str) -> Self {
        EngineConfig {
            data_dir,
            keys: Arc::new(OsKeyring::new(keyring_service)),
            clock: Arc::new(SystemClock),
            entropy: Arc::new(OsEntropy),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("countersign.db")
    }
}

/// A reviewer's choice, as the window, the CLI or a notification hands it in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecideRequest {
    pub outcome: Outcome,
    #[serde(default)]
    pub args: Option<serde_json::Value>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub via: DecisionVia,
}

/// What to add as an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct NewEndpointRequest {
    pub name: String,
    pub base_url: String,
    /// Native: the reviewer's bearer token (required). LangGraph: the `x-api-key` of a
    /// deployment (empty for `langgraph dev`).
    #[serde(default)]
    pub token: String,
    /// Plain http:// to a non-loopback host needs this explicit opt-in.
    #[serde(default)]
    pub allow_insecure_http: bool,
    #[serde(default)]
    pub kind: EndpointKind,
    /// LangGraph only: review just the threads of this assistant id or graph id.
    #[serde(default)]
    pub assistant: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeyInfo {
    pub key_id: String,
    pub fingerprint: String,
    pub public_jwk: PublicJwk,
    pub reviewer: ReviewerRef,
}

/// What `sync_once` did for one endpoint.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SyncReport {
    pub endpoint: String,
    pub changes: usize,
    pub delivery: DeliveryReport,
    pub health: Health,
    pub error: Option<String>,
}

const SETTING_REVIEWER_ID: &str = "reviewer.id";
const SETTING_DISPLAY_NAME: &str = "reviewer.display_name";
const SETTING_NOTIFICATIONS_PAUSED: &str = "notifications.paused";
const SETTING_NOTIFICATION_RULES: &str = "notifications.rules";

pub struct Engine {
    store: Arc<Store>,
    keys: Arc<dyn KeyStore>,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
    key: OnceLock<Arc<ReviewerKey>>,
    events: broadcast::Sender<EngineEvent>,
    sync: SyncSupervisor,
    ctx: Arc<SyncContext>,
}

impl Engine {
    /// Open (or create) the local database. The keyring is touched only when a key or a
    /// token is needed, so browsing the queue works even while the keyring is locked.
    pub fn open(config: EngineConfig) -> Result<Engine> {
        let store = Arc::new(Store::open(&config.db_path())?);
        let (events, _) = broadcast::channel(1024);
        let ctx = Arc::new(SyncContext {
            store: store.clone(),
            keys: config.keys.clone(),
            clock: config.clock.clone(),
            entropy: config.entropy.clone(),
            events: events.clone(),
            http: EndpointClient::build_http(),
        });
        Ok(Engine {
            store,
            keys: config.keys,
            clock: config.clock,
            entropy: config.entropy,
            key: OnceLock::new(),
            events,
            sync: SyncSupervisor::new(ctx.clone()),
            ctx,
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    // ----- queue -----

    pub fn list(&self, query: &QueueQuery) -> Result<Vec<PacketSummary>> {
        self.store.list(query, self.clock.now())
    }

    pub fn count(&self, query: &QueueQuery) -> Result<u64> {
        self.store.count(query)
    }

    pub fn packet(&self, id: i64) -> Result<PacketView> {
        self.store.packet(id)
    }

    pub fn stats(&self) -> Result<QueueStats> {
        self.store.stats(self.clock.now())
    }

    pub fn quarantine(&self, limit: u32) -> Result<Vec<QuarantinedPacket>> {
        self.store.quarantine(limit)
    }

    // ----- reviewer identity and key -----

    fn key(&self) -> Result<Arc<ReviewerKey>> {
        if let Some(k) = self.key.get() {
            return Ok(k.clone());
        }
        let loaded = Arc::new(ReviewerKey::load_or_create(
            self.keys.as_ref(),
            self.entropy.as_ref(),
        )?);
        Ok(self.key.get_or_init(|| loaded).clone())
    }

    pub fn reviewer(&self) -> Result<ReviewerRef> {
        let id = match self.store.setting(SETTING_REVIEWER_ID)? {
            Some(id) => id,
            None => {
                let id = format!("reviewer-{}", self.key()?.fingerprint());
                self.store.set_setting(SETTING_REVIEWER_ID, &id)?;
                id
            }
        };
        let display_name = self
            .store
            .setting(SETTING_DISPLAY_NAME)?
            .unwrap_or_else(default_display_name);
        Ok(ReviewerRef { id, display_name })
    }

    /// The printed name that appears on signed records.
    pub fn set_display_name(&self, name: &str) -> Result<ReviewerRef> {
        let name = name.trim();
        if name.is_empty() || name.len() > Limits::V1.short_text {
            return Err(CoreError::InvalidInput(
                "the display name must be 1 to 512 bytes".into(),
            ));
        }
        self.store.set_setting(SETTING_DISPLAY_NAME, name)?;
        self.reviewer()
    }

    /// Whether the reviewer paused notifications (tray menu, settings).
    pub fn notifications_paused(&self) -> Result<bool> {
        Ok(self.store.setting(SETTING_NOTIFICATIONS_PAUSED)?.as_deref() == Some("true"))
    }

    pub fn set_notifications_paused(&self, paused: bool) -> Result<()> {
        self.store.set_setting(
            SETTING_NOTIFICATIONS_PAUSED,
            if paused { "true" } else { "false" },
        )
    }

    /// The notification rules (defaults until the reviewer changes them).
    pub fn notification_rules(&self) -> Result<NotificationRules> {
        match self.store.setting(SETTING_NOTIFICATION_RULES)? {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                CoreError::InvalidInput(format!("stored notification rules are unreadable: {e}"))
            }),
            None => Ok(NotificationRules::default()),
        }
    }

    pub fn set_notification_rules(&self, rules: &NotificationRules) -> Result<()> {
        let json = serde_json::to_string(rules)?;
        self.store.set_setting(SETTING_NOTIFICATION_RULES, &json)
    }

    /// The reviews whose deadline falls before `before` and that are still pending, for
    /// reminder scans (at most `limit`, nearest deadline first).
    pub fn pending_due_before(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<PacketSummary>> {
        self.list(&QueueQuery {
            status: Some(countersign_protocol::PacketStatus::Pending),
            deadline_before: Some(before),
            limit: Some(limit),
            ..QueueQuery::default()
        })
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn key_info(&self) -> Result<KeyInfo> {
        let key = self.key()?;
        Ok(KeyInfo {
            key_id: key.key_id().to_string(),
            fingerprint: key.fingerprint(),
            public_jwk: key.public_jwk(),
            reviewer: self.reviewer()?,
        })
    }

    // ----- deciding -----

    /// Sign a decision and make it durable; delivery happens in the background (or at the
    /// next `sync_once`). Returns once the decision is committed to disk.
    pub fn decide(&self, packet_id: i64, req: DecideRequest) -> Result<DecisionView> {
        let view = self.store.packet(packet_id)?;
        let packet = &view.packet;
        if !packet.status.is_open() {
            return Err(CoreError::PacketClosed(
                packet_id,
                packet.status.as_str().into(),
            ));
        }
        let choice = resolve_decision(
            packet,
            req.outcome,
            req.args.as_ref(),
            req.reason.as_deref(),
            req.response.as_deref(),
            &Limits::V1,
        )?;
        let key = self.key()?;
        let endpoint = self.store.endpoint(&view.endpoint_id)?;
        let record = DecisionRecord {
            version: countersign_protocol::PROTOCOL_VERSION,
            decision_id: uuid_v7(self.clock.as_ref(), self.entropy.as_ref()),
            packet_id: packet.id.clone(),
            endpoint: endpoint.base_url,
            packet_digest: packet_digest(packet),
            outcome: choice.outcome,
            args_digest: choice.final_args.as_ref().map(args_digest),
            final_args: choice.final_args,
            reason: choice.reason,
            response: choice.response,
            meaning: choice.outcome.meaning().to_string(),
            via: req.via,
            reviewer: self.reviewer()?,
            decided_at: self.clock.now(),
            key_id: key.key_id().to_string(),
        };
        let jws = key.sign(&record);
        let decision = self
            .store
            .record_decision(packet_id, &record, &jws, self.clock.now())?;
        let _ = self.events.send(EngineEvent::DecisionState {
            decision_id: decision.decision_id.clone(),
            packet_id,
            state: decision.state,
        });
        let _ = self.events.send(EngineEvent::QueueChanged {
            packet_ids: vec![packet_id],
        });
        self.sync.kick(&view.endpoint_id);
        Ok(decision)
    }

    pub fn decision(&self, decision_id: &str) -> Result<DecisionView> {
        self.store.decision(decision_id)
    }

    // ----- endpoints -----

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

    // ----- sync -----

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
                        self.ctx
                            .set_health(&ep.id, health_of(e), Some(&e.to_string()));
                    }
                    report.delivery = deliver_due(&self.ctx, &ep.id, &client, far).await?;
                    pulled
                }
                EndpointKind::LangGraph => {
                    let client = self.ctx.langgraph_client_for(&ep.id)?;
                    let scanned = langgraph::scan(&self.ctx, &ep.id, &client).await;
                    match &scanned {
                        Ok(_) => self.store.set_last_sync(&ep.id, self.clock.now())?,
                        Err(e) => self
                            .ctx
                            .set_health(&ep.id, health_of(e), Some(&e.to_string())),
                    }
                    report.delivery =
                        langgraph::deliver_due(&self.ctx, &ep.id, &client, far).await?;
                    scanned.map(|s| s.new_packets + s.closed)
                }
            };
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
        let far = chrono::DateTime::<chrono::Utc>::MAX_UTC;
        match ep.kind {
            EndpointKind::Native => {
                let client = self.ctx.client_for(&ep.id)?;
                deliver_due(&self.ctx, &ep.id, &client, far).await
            }
            EndpointKind::LangGraph => {
                let client = self.ctx.langgraph_client_for(&ep.id)?;
                langgraph::deliver_due(&self.ctx, &ep.id, &client, far).await
            }
        }
    }

    // ----- audit -----

    pub fn verify_ledger(&self) -> Result<crate::store::LedgerCheck> {
        self.store.verify_ledger()
    }

    /// Export the decisions `filter` selects, with the ledger segment they rely on, into
    /// `options.out`; the manifest is signed with this reviewer's key. Reads one snapshot
    /// on its own connection, so deciding goes on meanwhile. `progress` is called every
    /// thousand rows; setting `cancel` stops the export and removes its files.
    pub fn export_audit(
        &self,
        filter: &crate::audit::AuditFilter,
        options: &crate::audit::ExportOptions,
        progress: &mut dyn FnMut(&crate::audit::ExportProgress),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::audit::ExportSummary> {
        let key = self.key()?;
        crate::audit::export(
            &self.store,
            &key,
            self.reviewer()?,
            filter,
            options,
            self.clock.now(),
            progress,
            cancel,
        )
    }

    /// How many decisions an export with `filter` would hold, and the first `limit`.
    pub fn audit_preview(
        &self,
        filter: &crate::audit::AuditFilter,
        limit: u32,
    ) -> Result<crate::audit::AuditPreview> {
        crate::audit::preview(&self.store, filter, limit)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

fn health_of(e: &crate::sync::client::CallError) -> Health {
    match e {
        crate::sync::client::CallError::Unauthorized(_) => Health::Unauthorized,
        _ => Health::Offline,
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

fn default_display_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "Reviewer".into())
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
