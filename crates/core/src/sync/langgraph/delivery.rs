//! Delivery of signed decisions to a LangGraph server as resume runs. The server accepts
//! a duplicate or stale resume silently, so every delivery first re-reads the thread and
//! sends only while the interrupt is still pending (else: conflict, never a POST), and
//! afterwards waits for the run and confirms the thread moved past the interrupt. A
//! batched interrupt goes out once all its packets are decided, in one POST.

use super::client::{LangGraphClient, Thread};
use super::shapes::{answer, check_response, map_interrupt, resume_value};
use super::split_remote_id;
use crate::error::Result;
use crate::store::InterruptMember;
use crate::sync::backoff::Backoff;
use crate::sync::client::CallError;
use crate::sync::outbox::DeliveryReport;
use crate::sync::SyncContext;
use crate::views::{DeliveryState, EngineEvent, Health};
use chrono::{DateTime, Utc};
use countersign_protocol::PacketStatus;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// The run metadata key carrying our decision ids: after a crash between POST and
/// acknowledgement, finding them on a run proves the resume was ours.
const RUN_METADATA_KEY: &str = "countersign_decision_ids";

/// How long a decision waits for its sibling actions before it is looked at again (a new
/// decision on a sibling wakes the outbox anyway).
const SIBLING_WAIT: chrono::Duration = chrono::Duration::hours(1);

/// The final answer for every decision of one interrupt.
enum Verdict {
    Acknowledged,
    Conflict(String),
    Refused(String, Option<PacketStatus>),
    /// Not all actions decided yet: the detail says how many are missing.
    Waiting(String),
}

/// Deliver every decision due by `due_by` for a LangGraph endpoint; stops early when the
/// server is unreachable.
pub async fn deliver_due(
    ctx: &Arc<SyncContext>,
    endpoint_id: &str,
    client: &LangGraphClient,
    due_by: DateTime<Utc>,
) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let mut done: HashSet<String> = HashSet::new();
    loop {
        let due: Vec<_> = ctx
            .store
            .due_outbox(endpoint_id, due_by, 64)?
            .into_iter()
            .filter(|item| !done.contains(&item.decision_id))
            .collect();
        if due.is_empty() {
            return Ok(report);
        }
        for item in due {
            if done.contains(&item.decision_id) {
                continue;
            }
            let Some((thread_id, interrupt_id, _)) = split_remote_id(&item.packet_remote_id)
            else {
                ctx.store.mark_final(
                    &item.decision_id,
                    DeliveryState::Refused,
                    Some("not a LangGraph interrupt packet"),
                    None,
                    ctx.clock.now(),
                )?;
                done.insert(item.decision_id.clone());
                report.refused += 1;
                continue;
            };
            let prefix = format!("{thread_id}:{interrupt_id}:");
            let mut members = ctx.store.interrupt_members(endpoint_id, &prefix)?;
            members.sort_by_key(|m| split_remote_id(&m.remote_id).map(|(_, _, i)| i));
            let decided: Vec<&InterruptMember> = members
                .iter()
                .filter(|m| m.decision.as_ref().is_some_and(|d| !d.state.is_final()))
                .collect();
            let ids: Vec<String> = decided
                .iter()
                .filter_map(|m| m.decision.as_ref().map(|d| d.decision_id.clone()))
                .collect();
            done.extend(ids.iter().cloned());
            done.insert(item.decision_id.clone());
            let verdict = match deliver_interrupt(ctx, client, thread_id, interrupt_id, &members)
                .await
            {
                Ok(v) => v,
                Err(err) => {
                    let now = ctx.clock.now();
                    let attempts = item.attempts + 1;
                    let delay = Backoff::SYNC.delay(attempts.min(12), ctx.entropy.as_ref());
                    let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
                    for id in &ids {
                        ctx.store.mark_retry(id, &err.to_string(), next, now)?;
                    }
                    let health = match err {
                        CallError::Unauthorized(_) => Health::Unauthorized,
                        _ => Health::Offline,
                    };
                    ctx.set_health(endpoint_id, health, Some(&err.to_string()));
                    report.pending = ctx.store.endpoint(endpoint_id)?.outbox;
                    return Ok(report);
                }
            };
            let now = ctx.clock.now();
            for member in &decided {
                let decision = member.decision.as_ref().expect("filtered on Some");
                let state = match &verdict {
                    Verdict::Waiting(detail) => {
                        ctx.store
                            .mark_retry(&decision.decision_id, detail, now + SIBLING_WAIT, now)?;
                        report.pending += 1;
                        continue;
                    }
                    Verdict::Acknowledged => {
                        ctx.store.mark_final(
                            &decision.decision_id,
                            DeliveryState::Acknowledged,
                            None,
                            None,
                            now,
                        )?;
                        ctx.store
                            .close_packet_locally(member.packet_id, PacketStatus::Decided, now)?;
                        report.acknowledged += 1;
                        DeliveryState::Acknowledged
                    }
                    Verdict::Conflict(detail) => {
                        ctx.store.mark_final(
                            &decision.decision_id,
                            DeliveryState::Conflict,
                            Some(detail),
                            None,
                            now,
                        )?;
                        ctx.store
                            .close_packet_locally(member.packet_id, PacketStatus::Decided, now)?;
                        report.conflict += 1;
                        DeliveryState::Conflict
                    }
                    Verdict::Refused(detail, close) => {
                        ctx.store.mark_final(
                            &decision.decision_id,
                            DeliveryState::Refused,
                            Some(detail),
                            None,
                            now,
                        )?;
                        if let Some(status) = close {
                            ctx.store.close_packet_locally(member.packet_id, *status, now)?;
                        }
                        report.refused += 1;
                        DeliveryState::Refused
                    }
                };
                let _ = ctx.events.send(EngineEvent::DecisionState {
                    decision_id: decision.decision_id.clone(),
                    packet_id: member.packet_id,
                    state,
                });
            }
            if !matches!(verdict, Verdict::Waiting(_)) {
                ctx.set_health(endpoint_id, Health::Online, None);
            }
            let _ = ctx.events.send(EngineEvent::QueueChanged {
                packet_ids: members.iter().map(|m| m.packet_id).collect(),
            });
        }
    }
}

/// Re-check, resume, confirm: the whole delivery of one interrupt's decisions.
async fn deliver_interrupt(
    ctx: &Arc<SyncContext>,
    client: &LangGraphClient,
    thread_id: &str,
    interrupt_id: &str,
    members: &[InterruptMember],
) -> std::result::Result<Verdict, CallError> {
    let missing = members.iter().filter(|m| m.decision.is_none()).count();
    if missing > 0 {
        let noun = if missing == 1 { "action" } else { "actions" };
        return Ok(Verdict::Waiting(format!(
            "waiting for the other {missing} {noun} of this interrupt; they are sent together"
        )));
    }
    let decision_ids: Vec<&str> = members
        .iter()
        .filter_map(|m| m.decision.as_ref().map(|d| d.decision_id.as_str()))
        .collect();
    let Some(thread) = client.thread(thread_id).await? else {
        return Ok(Verdict::Refused(
            "the thread no longer exists on the LangGraph server".into(),
            Some(PacketStatus::Withdrawn),
        ));
    };
    let pending = thread.pending();
    let Some(interrupt) = pending.iter().find(|p| p.id == interrupt_id) else {
        // Consumed: ours (sent before a crash or lost answer) or someone else's.
        return if resumed_by_us(client, thread_id, &decision_ids).await? {
            Ok(Verdict::Acknowledged)
        } else {
            Ok(Verdict::Conflict(
                "the interrupt was already answered on the LangGraph server; this decision was not sent".into(),
            ))
        };
    };
    let mapped = map_interrupt(&interrupt.value, interrupt.response_schema.as_ref());
    if mapped.actions.len() != members.len() {
        return Ok(Verdict::Refused(
            format!(
                "the interrupt now has {} actions, the review had {}",
                mapped.actions.len(),
                members.len()
            ),
            None,
        ));
    }
    let mut answers = Vec::with_capacity(members.len());
    for (action, member) in mapped.actions.iter().zip(members) {
        let record = &member.decision.as_ref().expect("all decided").record;
        match answer(mapped.shape, &action.name, record) {
            Ok(a) => answers.push(a),
            Err(detail) => return Ok(Verdict::Refused(detail, None)),
        }
    }
    let mut resume = resume_value(mapped.shape, answers);
    if let Some(schema) = &interrupt.response_schema {
        if let Err(detail) = check_response(schema, &resume) {
            return Ok(Verdict::Refused(detail, None));
        }
    }
    // Several open interrupts (parallel branches, per-call reviews) need the answer keyed
    // by id, or the server would not know which one it answers.
    if mapped.shape.keyed() || pending.len() > 1 {
        resume = json!({ interrupt_id: resume });
    }
    let Some(assistant_id) = thread.assistant_id() else {
        return Ok(Verdict::Refused(
            "the thread names no assistant to resume it with".into(),
            None,
        ));
    };
    let now = ctx.clock.now();
    for id in &decision_ids {
        ctx.store
            .mark_sent(id, now)
            .map_err(crate::sync::feed::local_error)?;
    }
    let metadata = json!({ RUN_METADATA_KEY: decision_ids });
    let run_id = match client
        .resume(thread_id, assistant_id, &resume, &metadata)
        .await
    {
        Ok(id) => id,
        Err(CallError::Refused { status, body }) => {
            return Ok(Verdict::Refused(
                format!("the server refused the resume ({status}): {}", body.message),
                None,
            ))
        }
        Err(e) => return Err(e),
    };
    let run = client.join(thread_id, &run_id).await?;
    confirm(client, &thread, interrupt_id, &run).await
}

/// After the run: the interrupt must be gone from the thread.
async fn confirm(
    client: &LangGraphClient,
    before: &Thread,
    interrupt_id: &str,
    run: &Value,
) -> std::result::Result<Verdict, CallError> {
    let after = client.thread(&before.thread_id).await?;
    let still_pending = after
        .as_ref()
        .is_some_and(|t| t.pending().iter().any(|p| p.id == interrupt_id));
    if !still_pending {
        return Ok(Verdict::Acknowledged);
    }
    let status = run.get("status").and_then(Value::as_str).unwrap_or("unknown");
    let detail = match after.as_ref().and_then(|t| t.error_text()) {
        Some(error) => format!("the resume run ended `{status}` and the interrupt is still open: {error}"),
        None => format!("the resume run ended `{status}` and the interrupt is still open"),
    };
    Ok(Verdict::Refused(detail, None))
}

/// Whether one of the thread's runs carries any of these decision ids.
async fn resumed_by_us(
    client: &LangGraphClient,
    thread_id: &str,
    decision_ids: &[&str],
) -> std::result::Result<bool, CallError> {
    let runs = client.runs(thread_id).await?;
    Ok(runs.iter().any(|run| {
        run.pointer(&format!("/metadata/{RUN_METADATA_KEY}"))
            .and_then(Value::as_array)
            .is_some_and(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .any(|id| decision_ids.contains(&id))
            })
    }))
}
