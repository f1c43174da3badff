//! The sync figures of `countersign bench`, against a loopback reference endpoint: how
//! soon a packet an agent creates is in the local queue (SSE push), and how soon a
//! decision is acknowledged.

use super::figures::p50_p99;
use super::loopback::{serve_loopback, AGENT_TOKEN};
use crate::cli_error::{CliError, CliResult};
use countersign_core::{DecideRequest, DeliveryState, Engine, EngineEvent};
use countersign_protocol::{DecisionVia, Outcome};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// (visibility, delivery) p50/p99 texts over `n` packets created one at a time.
pub async fn measure(engine: &Arc<Engine>, dir: &Path, n: u32) -> CliResult<(String, String)> {
    let (server, ep) = serve_loopback(engine, dir, "loopback").await?;
    engine.enroll(&ep.id).await?;
    let mut events = engine.subscribe();
    engine.start_sync()?;
    let http = reqwest::Client::new();

    // Visibility: create one packet at a time and wait for it to land locally.
    let mut visible = Vec::new();
    let mut local_ids = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        let created: Value = http
            .post(format!("{}/v1/agent/reviews", server.url()))
            .bearer_auth(AGENT_TOKEN)
            .json(&json!({"agent": {"name": "bench-agent"}, "action": {"name": "issue_refund", "args": {"amount": i}}, "urgency": "high", "allowed_outcomes": ["approve", "reject"]}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| CliError::Endpoint(e.to_string()))?
            .json()
            .await
            .map_err(|e| CliError::Endpoint(e.to_string()))?;
        let remote = created["id"].as_str().unwrap_or_default().to_string();
        let local = wait_for(&mut events, Duration::from_secs(10), |_| {
            engine
                .store()
                .packet_id_by_remote(&ep.id, &remote)
                .ok()
                .flatten()
        })
        .await?;
        visible.push(t.elapsed());
        local_ids.push(local);
    }

    let mut delivery = Vec::new();
    for id in local_ids {
        let t = Instant::now();
        let d = engine.decide(
            id,
            DecideRequest {
                outcome: Outcome::Approve,
                args: None,
                reason: None,
                response: None,
                via: DecisionVia::Cli,
            },
        )?;
        wait_for(&mut events, Duration::from_secs(10), |ev| match ev {
            Some(EngineEvent::DecisionState {
                decision_id,
                state: DeliveryState::Acknowledged,
                ..
            }) if *decision_id == d.decision_id => Some(()),
            _ => None,
        })
        .await?;
        delivery.push(t.elapsed());
    }
    engine.stop_sync();
    server.shutdown().await;
    Ok((p50_p99(visible), p50_p99(delivery)))
}

/// Wait until `check` (given each event, and None once up front) yields a value.
async fn wait_for<T>(
    events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
    limit: Duration,
    mut check: impl FnMut(Option<&EngineEvent>) -> Option<T>,
) -> CliResult<T> {
    if let Some(v) = check(None) {
        return Ok(v);
    }
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(ev)) => {
                if let Some(v) = check(Some(&ev)) {
                    return Ok(v);
                }
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                if let Some(v) = check(None) {
                    return Ok(v);
                }
            }
            Ok(Err(_)) => return Err(CliError::Endpoint("engine events closed".into())),
            Err(_) => {
                return Err(CliError::Endpoint(
                    "timed out waiting for the engine".into(),
                ))
            }
        }
    }
}
