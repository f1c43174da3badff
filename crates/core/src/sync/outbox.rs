//! The outbox task of one endpoint: deliver signed decisions at least once (the endpoint
//! deduplicates by decision_id), retrying with backoff while it is unreachable.

use super::client::{EndpointClient, Submitted};
use super::settle::{record_final, record_unreachable, DeliveryReport, FinalAnswer};
use super::SyncContext;
use crate::error::{CoreError, Result};
use crate::views::{DeliveryState, EndpointKind, EngineEvent, Health};
use chrono::{DateTime, Utc};
use countersign_protocol::PacketStatus;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

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
            let answer = match &outcome {
                Ok(Submitted::Acknowledged(_)) => {
                    ctx.set_health(endpoint_id, Health::Online, None);
                    FinalAnswer {
                        state: DeliveryState::Acknowledged,
                        detail: None,
                        winner: None,
                        // The feed brings the packet's new status.
                        closes_packet: None,
                    }
                }
                Ok(Submitted::Conflict(winner, msg)) => FinalAnswer {
                    state: DeliveryState::Conflict,
                    detail: Some(msg),
                    winner: winner.as_deref(),
                    closes_packet: Some(PacketStatus::Decided),
                },
                Ok(Submitted::Refused(code, msg)) => FinalAnswer {
                    state: DeliveryState::Refused,
                    detail: Some(&format!("{code}: {msg}")),
                    winner: None,
                    closes_packet: match code.as_str() {
                        "packet_expired" => Some(PacketStatus::Expired),
                        "packet_withdrawn" => Some(PacketStatus::Withdrawn),
                        _ => None,
                    },
                },
                Err(err) => {
                    let ids = [item.decision_id.as_str()];
                    record_unreachable(
                        ctx,
                        &mut report,
                        endpoint_id,
                        &ids,
                        item.attempts + 1,
                        err,
                    )?;
                    return Ok(report);
                }
            };
            record_final(ctx, &mut report, &item.decision_id, item.packet_id, answer)?;
            let _ = ctx.events.send(EngineEvent::QueueChanged {
                packet_ids: vec![item.packet_id],
            });
        }
    }
}

/// Deliver what is due by `due_by` to the endpoint, in its own protocol.
pub async fn deliver_endpoint(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    due_by: DateTime<Utc>,
) -> Result<DeliveryReport> {
    match ctx.store.endpoint(endpoint_id)?.kind {
        EndpointKind::Native => {
            let client = ctx.client_for(endpoint_id)?;
            deliver_due(ctx, endpoint_id, &client, due_by).await
        }
        EndpointKind::LangGraph => {
            let client = ctx.langgraph_client_for(endpoint_id)?;
            super::langgraph::deliver_due(ctx, endpoint_id, &client, due_by).await
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
        deliver_endpoint(ctx, endpoint_id, ctx.clock.now()).await?;
    }
    Ok(match ctx.store.next_outbox_due(endpoint_id)? {
        Some(at) => (at - ctx.clock.now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .max(Duration::from_millis(5)),
        None => Duration::from_secs(60),
    })
}
