//! The "urgent packet created at the endpoint -> Notify call on the bus" figure of
//! `countersign bench`: the real notifier with the real notification service of this
//! session. Coalescing is configured off (burst limit above the packet count) and the
//! packets are created one after another, so each one gets its own popup; the time is
//! taken when the service has answered the Notify call. Each popup is withdrawn once
//! measured, as a reviewer would act on it: a daemon redrawing a stack of a hundred
//! popups (dunst does) would otherwise be what is measured.

use super::figures::p50_p99;
use super::loopback::{serve_loopback, AGENT_TOKEN};
use crate::cli_error::{CliError, CliResult};
use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::MemoryKeyStore;
use countersign_core::policy::NotificationRules;
use countersign_core::{Engine, EngineConfig};
use countersign_notify::desktop::DesktopPopups;
use countersign_notify::{Notifier, NotifyError, Popup, PopupId, Popups};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Records when each Notify call was answered.
struct TimedPopups {
    inner: DesktopPopups,
    shown: mpsc::UnboundedSender<(Instant, String, PopupId)>,
}

impl Popups for TimedPopups {
    fn show(&self, popup: &Popup) -> Result<PopupId, NotifyError> {
        let id = self.inner.show(popup)?;
        let _ = self.shown.send((Instant::now(), popup.body.clone(), id));
        Ok(id)
    }
    fn withdraw(&self, popup: PopupId) -> Result<(), NotifyError> {
        self.inner.withdraw(popup)
    }
    fn probe(&self) -> Result<String, NotifyError> {
        self.inner.probe()
    }
}

/// p50/p99 text, or why it was skipped.
pub async fn run(dir: &Path, n: u32) -> CliResult<String> {
    let (responses_tx, responses) = mpsc::unbounded_channel();
    let (shown_tx, mut shown) = mpsc::unbounded_channel();
    let popups = Arc::new(TimedPopups {
        inner: DesktopPopups::new(responses_tx),
        shown: shown_tx,
    });
    let probing = popups.clone();
    let server = tokio::task::spawn_blocking(move || probing.probe())
        .await
        .map_err(|e| CliError::Endpoint(e.to_string()))?;
    let server = match server {
        Ok(s) => s,
        Err(e) => return Ok(format!("skipped: {}", e.detail())),
    };

    let engine = Arc::new(Engine::open(EngineConfig {
        data_dir: dir.join("notify-client"),
        keys: Arc::new(MemoryKeyStore::default()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })?);
    engine.set_notification_rules(&NotificationRules {
        burst_limit: n + 10,
        ..Default::default()
    })?;
    let (endpoint, ep) = serve_loopback(&engine, dir, "notify-bench").await?;
    let notifier = Notifier::new(engine.clone(), popups.clone());
    let running = tokio::spawn(notifier.run(responses));
    engine.start_sync()?;
    // Wait until the feed is online, so packets arrive by push.
    let online = Instant::now();
    while engine.endpoint(&ep.id)?.health != countersign_core::Health::Online {
        if online.elapsed() > Duration::from_secs(10) {
            return Err(CliError::Endpoint(
                "bench endpoint never came online".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let http = reqwest::Client::new();
    let mut samples = Vec::new();
    for i in 0..n {
        let agent = format!("notify-bench-{i}");
        let started = Instant::now();
        http.post(format!("{}/v1/agent/reviews", endpoint.url()))
            .bearer_auth(AGENT_TOKEN)
            .json(&json!({"agent": {"name": agent}, "action": {"name": "issue_refund", "args": {"amount": i}}, "urgency": "high", "allowed_outcomes": ["approve", "reject"]}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| CliError::Endpoint(e.to_string()))?;
        let prefix = format!("{agent} · ");
        let (shown_at, id) = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some((at, body, id)) = shown.recv().await {
                if body.starts_with(&prefix) {
                    return Some((at, id));
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(|| CliError::Endpoint(format!("no Notify call for packet {i}")))?;
        samples.push(shown_at.saturating_duration_since(started));
        let withdrawing = popups.clone();
        let _ = tokio::task::spawn_blocking(move || withdrawing.withdraw(id)).await;
    }
    running.abort();
    engine.stop_sync();
    endpoint.shutdown().await;
    Ok(format!("{} ({server})", p50_p99(samples)))
}
