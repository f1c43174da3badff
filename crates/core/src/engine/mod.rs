//! The engine facade that the desktop shell and the CLI call: queue queries, decisions,
//! endpoints and their health, change subscriptions. Thin over store, signing and sync.

use crate::clock::{uuid_v7, Clock, Entropy, OsEntropy, SystemClock};
use crate::error::{CoreError, Result};
use crate::keystore::{KeyStore, OsKeyring};
use crate::policy::NotificationRules;
use crate::signing::ReviewerKey;
use crate::store::Store;
use crate::sync::client::EndpointClient;
use crate::sync::{DeliveryReport, SyncContext, SyncSupervisor};
use crate::views::*;
use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::limits::Limits;
use countersign_protocol::validate::resolve_decision;
use countersign_protocol::{DecisionRecord, DecisionVia, Outcome, PublicJwk, ReviewerRef};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

mod endpoints;

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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DecideRequest {
    pub outcome: Outcome,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub args: Option<serde_json::Value>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub response: Option<String>,
    #[serde(default)]
    pub via: DecisionVia,
}

/// What to add as an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NewEndpointRequest {
    pub name: String,
    pub base_url: String,
    /// Native: the reviewer's bearer token (required). LangGraph: the `x-api-key` of a
    /// deployment (empty for `langgraph dev`).
    #[serde(default)]
    pub token: String,
    /// Plain http:// to a non-loopback host needs this explicit opt-in.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub allow_insecure_http: bool,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub kind: EndpointKind,
    /// LangGraph only: review just the threads of this assistant id or graph id.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub assistant: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
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

    // ----- audit -----

    pub fn verify_ledger(&self) -> Result<crate::store::LedgerCheck> {
        self.store.verify_ledger()
    }

    /// Export the decisions `filter` selects, with the ledger segment they rely on, into
    /// `options.out`; the manifest is signed with this reviewer's key. Reads one snapshot
    /// on its own connection, so deciding goes on meanwhile. `progress` is called every
    /// chunk of rows and once for the ledger; setting `cancel` stops the export and
    /// removes its files.
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

fn default_display_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "Reviewer".into())
}
