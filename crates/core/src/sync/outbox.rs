//! The outbox task of one endpoint: deliver signed decisions at least once (the endpoint
//! deduplicates by decision_id), retrying with backoff while it is unreachable.

use super::backoff::Backoff;
use super::client::{CallError, EndpointClient, Submitted};
use super::SyncContext;
use crate::error::{CoreError, Result};
use crate::views::{DeliveryState, EndpointKind, EngineEvent, Health};
use chrono::{DateTime, Utc};
use countersign_protocol::PacketStatus;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    pub acknowledged: u32,
    pub conflict: u32,
    pub refused: u32,
    /// Still waiting (endpoint unreachable or unauthorized).
    pub pending: u32,
}

/// Deliver every decision due by `due_by`; stops early when the endpoint is unreachable.
pub async fn deliver_due(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    client: &EndpointClient,
    due_by: DateTime<Utc>,
) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        let due = ctx.store.due_outbox(endpoint_id, due_by, 64)?;
        if due.is_empty() {
            return Ok(report);
        }
        for item in &due {
            ctx.store.mark_sent(&item.decision_id, ctx.clock.now())?;
            let outcome = client
                .submit(&item.packet_remote_id, &item.decision_id, &item.jws)
                .await;
            let now = ctx.clock.now();
            let state = match outcome {
                Ok(Submitted::Acknowledged(_)) => {
                    ctx.store.mark_final(
                        &item.decision_id,
                        DeliveryState::Acknowledged,
                        None,
                        None,
                        now,
                    )?;
                    report.acknowledged += 1;
                    ctx.set_health(endpoint_id, Health::Online, None);
                    DeliveryState::Acknowledged
                }
                Ok(Submitted::Conflict(winner, msg)) => {
                    ctx.store.mark_final(
                        &item.decision_id,
                        DeliveryState::Conflict,
                        Some(&msg),
                        winner.as_deref(),
                        now,
                    )?;
                    ctx.store
                        .close_packet_locally(item.packet_id, PacketStatus::Decided, now)?;
                    report.conflict += 1;
                    DeliveryState::Conflict
                }
                Ok(Submitted::Refused(code, msg)) => {
                    let closed = match code.as_str() {
                        "packet_expired" => Some(PacketStatus::Expired),
                        "packet_withdrawn" => Some(PacketStatus::Withdrawn),
                        _ => None,
                    };
                    if let Some(status) = closed {
                        ctx.store
                            .close_packet_locally(item.packet_id, status, now)?;
                    }
                    let detail = format!("{code}: {msg}");
                    ctx.store.mark_final(
                        &item.decision_id,
                        DeliveryState::Refused,
                        Some(&detail),
                        None,
                        now,
                    )?;
                    report.refused += 1;
                    DeliveryState::Refused
                }
                Err(err) => {
                    let attempts = item.attempts + 1;
                    let backoff = Backoff::SYNC.delay(attempts.min(12), ctx.entropy.as_ref());
                    let next = now + chrono::Duration::from_std(backoff).unwrap_or_default();
                    ctx.store
                        .mark_retry(&item.decision_id, &err.to_string(), next, now)?;
                    let health = match err {
                        CallError::Unauthorized(_) => Health::Unauthorized,
                        _ => Health::Offline,
                    };
                    ctx.set_health(endpoint_id, health, Some(&err.to_string()));
                    report.pending = ctx.store.endpoint(endpoint_id)?.outbox;
                    return Ok(report);
                }
            };
            let _ = ctx.events.send(EngineEvent::DecisionState {
                decision_id: item.decision_id.clone(),
                packet_id: item.packet_id,
                state,
            });
            let _ = ctx.events.send(EngineEvent::QueueChanged {
                packet_ids: vec![item.packet_id],
            });
        }
    }
}

pub(super) async fn run(ctx: Arc<SyncContext>, endpoint_id: String, kick: Arc<Notify>) {
    loop {
        let wait = match round(&ctx, &endpoint_id).await {
            Ok(wait) => wait,
            Err(CoreError::NotFound { .. }) => return,
            Err(e) => {
                tracing::warn!(endpoint_id, error = %e, "outbox round failed");
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            _ = kick.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Deliver what is due; return how long to sleep until the next retry is due.
async fn round(ctx: &Arc<SyncContext>, endpoint_id: &str) -> Result<Duration> {
    if ctx.store.next_outbox_due(endpoint_id)?.is_some() {
        match ctx.store.endpoint(endpoint_id)?.kind {
            EndpointKind::Native => {
                let client = ctx.client_for(endpoint_id)?;
                deliver_due(ctx, endpoint_id, &client, ctx.clock.now()).await?;
            }
            EndpointKind::LangGraph => {
                let client = ctx.langgraph_client_for(endpoint_id)?;
                super::langgraph::deliver_due(ctx, endpoint_id, &client, ctx.clock.now()).await?;
            }
        }
    }
    Ok(match ctx.store.next_outbox_due(endpoint_id)? {
        Some(at) => (at - ctx.clock.now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .max(Duration::from_millis(5)),
        None => Duration::from_secs(60),
    })
}
