//! Discovery of a LangGraph server's interrupts: walk every page of the interrupted-thread
//! search, ingest each new interrupt as review packets through the store's validating
//! ingest, close packets whose interrupt was answered elsewhere, and keep polling
//! adaptively (fast while things change) so a new interrupt shows within 2 s.

use super::client::{LangGraphClient, Thread, SEARCH_PAGE};
use super::shapes::map_interrupt;
use super::{remote_id, split_remote_id};
use crate::error::CoreError;
use crate::sync::backoff::Backoff;
use crate::sync::client::CallError;
use crate::sync::feed::{apply, local_error};
use crate::sync::SyncContext;
use crate::views::Health;
use chrono::{DateTime, Utc};
use countersign_protocol::{
    Action, AgentRef, Change, ChangeKind, Packet, PacketStatus, PROTOCOL_VERSION,
};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The feed `seq` of a packet as first seen, and as closed: an interrupt never changes,
/// so these two are its whole history.
const SEQ_CREATED: u64 = 1;
const SEQ_CLOSED: u64 = 2;

/// Poll interval right after something changed, and when nothing has for a while.
const POLL_FAST: Duration = Duration::from_millis(500);
const POLL_IDLE: Duration = Duration::from_millis(1000);
/// How long "something changed" keeps the fast interval.
const FAST_WINDOW: Duration = Duration::from_secs(30);
/// How often an uneventful poll records "last synced" (shown in the endpoint list).
const SYNC_RECORD_EVERY: Duration = Duration::from_secs(30);

/// What one full scan found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// Interrupted threads seen (after the assistant filter).
    pub threads: usize,
    /// Packets ingested for interrupts seen for the first time.
    pub new_packets: usize,
    /// Packets closed because their interrupt was answered elsewhere.
    pub closed: usize,
    /// Their local ids.
    pub closed_packet_ids: Vec<i64>,
}

impl ScanReport {
    pub fn changed(&self) -> bool {
        self.new_packets > 0 || self.closed > 0
    }
}

/// Build the packets of one pending interrupt.
fn packets_for(
    thread: &Thread,
    interrupt_id: &str,
    value: &Value,
    response_schema: Option<&Value>,
    now: DateTime<Utc>,
) -> Vec<Packet> {
    let mapped = map_interrupt(value, response_schema);
    let count = mapped.actions.len();
    let side_by_side = thread.pending().len();
    let at = thread.updated_at.or(thread.created_at).unwrap_or(now);
    mapped
        .actions
        .into_iter()
        .enumerate()
        .map(|(index, action)| {
            let mut reasoning = action.description;
            if count > 1 {
                // The reviewer should know these are answered together.
                reasoning.push_str(&format!(
                    "\n\n_Action {} of {count} of one LangGraph interrupt; the graph resumes once all {count} are decided._",
                    index + 1
                ));
            } else if side_by_side > 1 {
                reasoning.push_str(&format!(
                    "\n\n_One of {side_by_side} interrupts this thread waits on; the graph resumes once all are decided._"
                ));
            }
            Packet {
                version: PROTOCOL_VERSION,
                id: remote_id(&thread.thread_id, interrupt_id, index),
                created_at: at,
                updated_at: at,
                status: PacketStatus::Pending,
                agent: AgentRef {
                    name: thread.graph_id().unwrap_or("langgraph").to_string(),
                    run_id: None,
                    thread_id: Some(thread.thread_id.clone()),
                },
                action: Action {
                    name: action.name,
                    args: action.args,
                },
                args_schema: action.args_schema,
                reasoning: reasoning.trim().to_string(),
                context: Vec::new(),
                impact: Default::default(),
                urgency: Default::default(),
                deadline: None,
                timeout_policy: Default::default(),
                allowed_outcomes: action.allowed,
                assignment: None,
                quorum: Default::default(),
                extensions: 0,
            }
        })
        .collect()
}

fn change(kind: ChangeKind, seq: u64, packet: Packet) -> Result<Value, CallError> {
    serde_json::to_value(Change {
        seq,
        kind,
        packet,
        decisions: Vec::new(),
    })
    .map_err(|e| CallError::Offline(format!("encode change: {e}")))
}

/// Every interrupted thread of the server (all pages), after the assistant filter.
async fn all_interrupted(
    client: &LangGraphClient,
    filter: Option<&str>,
) -> Result<Vec<Thread>, CallError> {
    let mut threads = Vec::new();
    let mut seen = HashSet::new();
    let mut offset = 0;
    loop {
        let page = client.search_interrupted(SEARCH_PAGE, offset).await?;
        let full = page.len() == SEARCH_PAGE;
        offset += page.len();
        for thread in page {
            // Offsets shift when a thread resumes mid-walk; never count one twice.
            if thread.matches(filter) && seen.insert(thread.thread_id.clone()) {
                threads.push(thread);
            }
        }
        if !full {
            return Ok(threads);
        }
    }
}

/// One full discovery pass for a LangGraph endpoint. The caller records the sync time:
/// the polling task does so sparingly, since every record is an fsynced write.
pub async fn scan(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    client: &LangGraphClient,
) -> Result<ScanReport, CallError> {
    let endpoint = ctx.store.endpoint(endpoint_id).map_err(local_error)?;
    let threads = all_interrupted(client, endpoint.assistant_filter.as_deref()).await?;
    let known = ctx
        .store
        .known_remote_ids(endpoint_id)
        .map_err(local_error)?;
    let now = ctx.clock.now();
    let mut report = ScanReport {
        threads: threads.len(),
        ..Default::default()
    };
    let mut open_interrupts = HashSet::new();
    let mut changes = Vec::new();
    for thread in &threads {
        for pending in thread.pending() {
            open_interrupts.insert((thread.thread_id.clone(), pending.id.clone()));
            if known.contains(&remote_id(&thread.thread_id, &pending.id, 0)) {
                continue;
            }
            for packet in packets_for(
                thread,
                &pending.id,
                &pending.value,
                pending.response_schema.as_ref(),
                now,
            ) {
                changes.push(change(ChangeKind::Created, SEQ_CREATED, packet)?);
            }
        }
    }
    report.new_packets = changes.len();
    for chunk in changes.chunks(500) {
        apply(ctx, endpoint_id, chunk.to_vec(), None).await?;
    }
    report.closed_packet_ids = close_answered(ctx, endpoint_id, client, &open_interrupts).await?;
    report.closed = report.closed_packet_ids.len();
    ctx.set_health(endpoint_id, Health::Online, None);
    Ok(report)
}

/// Close open packets whose interrupt the search no longer lists, after asking the thread
/// itself: a thread resumed during the page walk can shift offsets and hide another one.
async fn close_answered(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    client: &LangGraphClient,
    open_interrupts: &HashSet<(String, String)>,
) -> Result<Vec<i64>, CallError> {
    let open = ctx.store.open_packets(endpoint_id).map_err(local_error)?;
    let mut checked: std::collections::HashMap<String, HashSet<String>> = Default::default();
    let mut changes = Vec::new();
    let mut closed = Vec::new();
    for (packet_id, remote) in open {
        let Some((thread_id, interrupt_id, _)) = split_remote_id(&remote) else {
            continue;
        };
        if open_interrupts.contains(&(thread_id.to_string(), interrupt_id.to_string())) {
            continue;
        }
        if !checked.contains_key(thread_id) {
            let pending = client
                .thread(thread_id)
                .await?
                .map(|t| t.pending().into_iter().map(|p| p.id).collect())
                .unwrap_or_default();
            checked.insert(thread_id.to_string(), pending);
        }
        if checked[thread_id].contains(interrupt_id) {
            continue;
        }
        let mut packet = ctx.store.packet(packet_id).map_err(local_error)?.packet;
        packet.status = PacketStatus::Decided;
        packet.updated_at = ctx.clock.now();
        changes.push(change(ChangeKind::Decided, SEQ_CLOSED, packet)?);
        closed.push(packet_id);
    }
    if !closed.is_empty() {
        apply(ctx, endpoint_id, changes, None).await?;
    }
    Ok(closed)
}

/// The discovery task of one LangGraph endpoint: scan, then sleep 0.5 s while things
/// change and 1 s otherwise; back off while the server is unreachable. Wakes the outbox
/// when the server comes back, so waiting decisions go out after their re-check.
pub(crate) async fn run(ctx: Arc<SyncContext>, endpoint_id: String, kick: Arc<Notify>) {
    let mut attempt = 0u32;
    let mut fast_until = Instant::now() + FAST_WINDOW;
    let mut reachable = false;
    let mut recorded_sync: Option<Instant> = None;
    loop {
        let result = match ctx.langgraph_client_for(&endpoint_id) {
            Ok(client) => scan(&ctx, &endpoint_id, &client).await,
            Err(e) => Err(local_error(e)),
        };
        let wait = match result {
            Ok(report) => {
                if !reachable {
                    kick.notify_one();
                }
                reachable = true;
                attempt = 0;
                if report.changed() {
                    fast_until = Instant::now() + FAST_WINDOW;
                }
                // A decision of ours on a packet answered elsewhere ends now (as a
                // conflict), not when its wait for sibling actions runs out.
                if !report.closed_packet_ids.is_empty() {
                    match ctx
                        .store
                        .make_due_now(&report.closed_packet_ids, ctx.clock.now())
                    {
                        Ok(n) if n > 0 => kick.notify_one(),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(endpoint_id, error = %e, "could not reschedule decisions")
                        }
                    }
                }
                if report.changed()
                    || recorded_sync.is_none_or(|at| at.elapsed() > SYNC_RECORD_EVERY)
                {
                    let _ = ctx.store.set_last_sync(&endpoint_id, ctx.clock.now());
                    recorded_sync = Some(Instant::now());
                }
                if Instant::now() < fast_until {
                    POLL_FAST
                } else {
                    POLL_IDLE
                }
            }
            Err(err) => {
                reachable = false;
                attempt += 1;
                tracing::info!(endpoint_id, error = %err, "LangGraph discovery interrupted");
                ctx.set_unreachable(&endpoint_id, &err);
                if matches!(
                    ctx.store.endpoint(&endpoint_id),
                    Err(CoreError::NotFound { .. })
                ) {
                    return;
                }
                // Capped low: a local server restarting should be seen again quickly.
                Backoff {
                    base: Duration::from_millis(250),
                    max: Duration::from_secs(5),
                }
                .delay(attempt.min(12), ctx.entropy.as_ref())
            }
        };
        tokio::time::sleep(wait).await;
    }
}
