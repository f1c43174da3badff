//! The feed task of one endpoint: catch up by cursor, then follow the SSE stream; on any
//! failure mark the endpoint offline (or unauthorized) and retry with backoff.

use super::backoff::Backoff;
use super::client::{CallError, EndpointClient};
use super::SyncContext;
use crate::error::CoreError;
use crate::views::{EngineEvent, Health};
use futures::StreamExt;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Pull pages until the endpoint has nothing more. Returns how many changes were applied.
pub async fn pull_all(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    client: &EndpointClient,
) -> Result<usize, CallError> {
    let mut total = 0;
    loop {
        let cursor = ctx.store.cursor(endpoint_id).map_err(local_error)?;
        let page = match client.pull(cursor.as_deref(), 500).await {
            Ok(p) => p,
            Err(CallError::Malformed { detail, raw }) => {
                // Keep what the endpoint sent for inspection; the cursor cannot move.
                let _ = ctx.store.quarantine_raw(
                    endpoint_id,
                    None,
                    "malformed_page",
                    &detail,
                    &raw,
                    ctx.clock.now(),
                );
                return Err(CallError::Malformed {
                    detail,
                    raw: Vec::new(),
                });
            }
            Err(e) => return Err(e),
        };
        total += page.changes.len();
        apply(ctx, endpoint_id, page.changes, Some(page.next_cursor)).await?;
        ctx.set_health(endpoint_id, Health::Online, None);
        if !page.has_more {
            let _ = ctx.store.set_last_sync(endpoint_id, ctx.clock.now());
            return Ok(total);
        }
    }
}

pub(crate) fn local_error(e: CoreError) -> CallError {
    // A local storage failure is not the endpoint's fault, but retrying later is right.
    CallError::Offline(format!("local store: {e}"))
}

/// Store changes off the async threads and tell subscribers.
pub(crate) async fn apply(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    changes: Vec<Value>,
    cursor: Option<String>,
) -> Result<(), CallError> {
    let store = ctx.store.clone();
    let id = endpoint_id.to_string();
    let now = ctx.clock.now();
    let report = tokio::task::spawn_blocking(move || {
        store.apply_changes(&id, &changes, cursor.as_deref(), now)
    })
    .await
    .map_err(|e| CallError::Offline(format!("ingest task: {e}")))?
    .map_err(local_error)?;
    if !report.packet_ids.is_empty() {
        let _ = ctx.events.send(EngineEvent::QueueChanged {
            packet_ids: report.packet_ids,
        });
    }
    if report.quarantined > 0 {
        let _ = ctx.events.send(EngineEvent::Quarantined {
            endpoint_id: endpoint_id.to_string(),
            code: "invalid_packet".into(),
        });
    }
    Ok(())
}

/// Catch up, then follow the SSE stream until it fails.
async fn follow(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    kick: &Notify,
    connected: &mut bool,
) -> Result<(), CallError> {
    let client = ctx.client_for(endpoint_id).map_err(local_error)?;
    pull_all(ctx, endpoint_id, &client).await?;
    *connected = true;
    // Back online: anything waiting in the outbox can go now.
    kick.notify_one();
    let cursor = ctx.store.cursor(endpoint_id).map_err(local_error)?;
    let stream = client.events(cursor.as_deref()).await?;
    futures::pin_mut!(stream);
    while let Some(event) = stream.next().await {
        let event = event?;
        match serde_json::from_str::<Value>(&event.data) {
            Ok(change) => apply(ctx, endpoint_id, vec![change], Some(event.id)).await?,
            Err(e) => {
                let now = ctx.clock.now();
                let _ = ctx.store.quarantine_raw(
                    endpoint_id,
                    None,
                    "malformed_json",
                    &e.to_string(),
                    event.data.as_bytes(),
                    now,
                );
                apply(ctx, endpoint_id, Vec::new(), Some(event.id)).await?;
            }
        }
    }
    Err(CallError::Offline("event stream closed".into()))
}

pub(super) async fn run(ctx: Arc<SyncContext>, endpoint_id: String, kick: Arc<Notify>) {
    let mut attempt = 0u32;
    loop {
        let mut connected = false;
        let err = follow(&ctx, &endpoint_id, &kick, &mut connected)
            .await
            .err()
            .unwrap_or_else(|| CallError::Offline("event stream closed".into()));
        // A connection that worked starts the backoff over.
        if connected {
            attempt = 0;
        }
        attempt += 1;
        let (health, backoff) = match &err {
            CallError::Unauthorized(_) => (
                Health::Unauthorized,
                Backoff {
                    base: Duration::from_secs(5),
                    max: Duration::from_secs(300),
                },
            ),
            _ => (Health::Offline, Backoff::SYNC),
        };
        tracing::info!(endpoint_id, error = %err, "sync interrupted");
        ctx.set_health(&endpoint_id, health, Some(&err.to_string()));
        if matches!(
            ctx.store.endpoint(&endpoint_id),
            Err(CoreError::NotFound { .. })
        ) {
            return;
        }
        tokio::time::sleep(backoff.delay(attempt.min(12), ctx.entropy.as_ref())).await;
    }
}
