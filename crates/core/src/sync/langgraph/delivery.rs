//! Delivery of signed decisions to a LangGraph server as resume runs. The server accepts
//! a duplicate or stale resume silently, so every delivery first re-reads the thread and
//! sends only while the interrupt is still pending (else: conflict, never a POST), and
//! afterwards waits for the run and confirms the thread moved past the interrupt.
//!
//! The unit of delivery is the thread: a batched interrupt (N packets), and several
//! per-call interrupts pending side by side, must be answered in one resume, because a
//! resume that answers only some of a step's interrupts loses the other answers when the
//! step re-runs. So a decision waits until every open packet of its thread is decided.

use super::client::{LangGraphClient, Thread};
use super::shapes::{answer, check_response, map_interrupt, resume_value};
use super::split_remote_id;
use crate::error::Result;
use crate::store::InterruptMember;
use crate::sync::client::CallError;
use crate::sync::settle::{record_final, record_unreachable, DeliveryReport, FinalAnswer};
use crate::sync::SyncContext;
use crate::views::{DeliveryState, EngineEvent, Health};
use chrono::{DateTime, Utc};
use countersign_protocol::PacketStatus;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The run metadata key carrying our decision ids: after a crash between POST and
/// acknowledgement, finding them on a run proves the resume was ours.
const RUN_METADATA_KEY: &str = "countersign_decision_ids";

/// How long a decision waits for its sibling actions before it is looked at again (a new
/// decision on a sibling wakes the outbox anyway).
const SIBLING_WAIT: chrono::Duration = chrono::Duration::hours(1);

/// What becomes of one decision in this delivery round.
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
            let Some((thread_id, _, _)) = split_remote_id(&item.packet_remote_id) else {
                let answer = FinalAnswer {
                    state: DeliveryState::Refused,
                    detail: Some("not a LangGraph interrupt packet"),
                    winner: None,
                    closes_packet: None,
                };
                record_final(ctx, &mut report, &item.decision_id, item.packet_id, answer)?;
                done.insert(item.decision_id.clone());
                continue;
            };
            let prefix = format!("{thread_id}:");
            let mut members = ctx.store.interrupt_members(endpoint_id, &prefix)?;
            members.sort_by(|a, b| {
                let key = |m: &InterruptMember| {
                    split_remote_id(&m.remote_id).map(|(_, i, n)| (i.to_string(), n))
                };
                key(a).cmp(&key(b))
            });
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
            let verdicts = match deliver_thread(ctx, client, thread_id, &members).await {
                Ok(v) => v,
                Err(err) => {
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    record_unreachable(
                        ctx,
                        &mut report,
                        endpoint_id,
                        &ids,
                        item.attempts + 1,
                        &err,
                    )?;
                    return Ok(report);
                }
            };
            let mut reached_server = false;
            for member in &decided {
                let decision = member.decision.as_ref().expect("filtered on Some");
                let Some(verdict) = verdicts.get(&decision.decision_id) else {
                    continue;
                };
                let (state, detail, closes_packet) = match verdict {
                    Verdict::Waiting(detail) => {
                        let now = ctx.clock.now();
                        ctx.store.mark_retry(
                            &decision.decision_id,
                            detail,
                            now + SIBLING_WAIT,
                            now,
                        )?;
                        report.pending += 1;
                        continue;
                    }
                    // No feed tells the packet's status: the answer closes it here.
                    Verdict::Acknowledged => (
                        DeliveryState::Acknowledged,
                        None,
                        Some(PacketStatus::Decided),
                    ),
                    Verdict::Conflict(detail) => (
                        DeliveryState::Conflict,
                        Some(detail),
                        Some(PacketStatus::Decided),
                    ),
                    Verdict::Refused(detail, close) => {
                        (DeliveryState::Refused, Some(detail), *close)
                    }
                };
                reached_server = true;
                let answer = FinalAnswer {
                    state,
                    detail: detail.map(String::as_str),
                    winner: None,
                    closes_packet,
                };
                record_final(
                    ctx,
                    &mut report,
                    &decision.decision_id,
                    member.packet_id,
                    answer,
                )?;
            }
            if reached_server {
                ctx.set_health(endpoint_id, Health::Online, None);
            }
            let _ = ctx.events.send(EngineEvent::QueueChanged {
                packet_ids: members.iter().map(|m| m.packet_id).collect(),
            });
        }
    }
}

/// Re-check, resume, confirm: the delivery of every decision on one thread. Returns the
/// verdict for each decision id of `members`.
async fn deliver_thread(
    ctx: &Arc<SyncContext>,
    client: &LangGraphClient,
    thread_id: &str,
    members: &[InterruptMember],
) -> std::result::Result<HashMap<String, Verdict>, CallError> {
    let mut verdicts = HashMap::new();
    let live = |m: &InterruptMember| {
        m.decision
            .as_ref()
            .filter(|d| !d.state.is_final())
            .map(|d| d.decision_id.clone())
    };
    let Some(thread) = client.thread(thread_id).await? else {
        for id in members.iter().filter_map(live) {
            verdicts.insert(
                id,
                Verdict::Refused(
                    "the thread no longer exists on the LangGraph server".into(),
                    Some(PacketStatus::Withdrawn),
                ),
            );
        }
        return Ok(verdicts);
    };
    let pending = thread.pending();
    let interrupt_of =
        |m: &InterruptMember| split_remote_id(&m.remote_id).map(|(_, i, _)| i.to_string());
    // Decisions on interrupts the thread no longer waits on: consumed, by us (a resume
    // sent before a crash or a lost answer) or by someone else. Never sent again.
    let consumed: Vec<String> = members
        .iter()
        .filter(|m| interrupt_of(m).is_some_and(|i| !pending.iter().any(|p| p.id == i)))
        .filter_map(live)
        .collect();
    if !consumed.is_empty() {
        let ids: Vec<&str> = consumed.iter().map(String::as_str).collect();
        let ours = resumed_by_us(client, thread_id, &ids).await?;
        for id in consumed {
            let verdict = if ours.contains(&id) {
                Verdict::Acknowledged
            } else {
                Verdict::Conflict(
                    "the interrupt was already answered on the LangGraph server; this decision was not sent".into(),
                )
            };
            verdicts.insert(id, verdict);
        }
    }
    // Everything still pending is answered in one resume, so all of it must be decided.
    let open: Vec<&InterruptMember> = members
        .iter()
        .filter(|m| interrupt_of(m).is_some_and(|i| pending.iter().any(|p| p.id == i)))
        .collect();
    let open_ids: Vec<String> = open.iter().filter_map(|m| live(m)).collect();
    if open_ids.is_empty() {
        return Ok(verdicts);
    }
    let undecided = open.len() - open_ids.len();
    let unseen = pending
        .iter()
        .filter(|p| {
            !open
                .iter()
                .any(|m| interrupt_of(m).as_deref() == Some(p.id.as_str()))
        })
        .count();
    if undecided > 0 || unseen > 0 {
        let detail = if undecided > 0 {
            let noun = if undecided == 1 { "action" } else { "actions" };
            format!("waiting for the other {undecided} {noun} of this thread's interrupts; they are sent together")
        } else {
            "waiting for a new interrupt of this thread to reach the queue; they are sent together"
                .to_string()
        };
        for id in open_ids {
            verdicts.insert(id, Verdict::Waiting(detail.clone()));
        }
        return Ok(verdicts);
    }
    let refuse_all = |verdicts: &mut HashMap<String, Verdict>, detail: String| {
        for id in &open_ids {
            verdicts.insert(id.clone(), Verdict::Refused(detail.clone(), None));
        }
    };
    let mut resumes = serde_json::Map::new();
    for interrupt in &pending {
        let actions: Vec<&&InterruptMember> = open
            .iter()
            .filter(|m| interrupt_of(m).as_deref() == Some(interrupt.id.as_str()))
            .collect();
        let mapped = map_interrupt(&interrupt.value, interrupt.response_schema.as_ref());
        if mapped.actions.len() != actions.len() {
            refuse_all(
                &mut verdicts,
                format!(
                    "interrupt {} now has {} actions, the review had {}",
                    interrupt.id,
                    mapped.actions.len(),
                    actions.len()
                ),
            );
            return Ok(verdicts);
        }
        let mut answers = Vec::with_capacity(actions.len());
        for (action, member) in mapped.actions.iter().zip(&actions) {
            let record = &member.decision.as_ref().expect("all decided").record;
            match answer(mapped.shape, &action.name, record) {
                Ok(a) => answers.push(a),
                Err(detail) => {
                    refuse_all(&mut verdicts, detail);
                    return Ok(verdicts);
                }
            }
        }
        let value = resume_value(mapped.shape, answers);
        if let Some(schema) = &interrupt.response_schema {
            if let Err(detail) = check_response(schema, &value) {
                refuse_all(&mut verdicts, detail);
                return Ok(verdicts);
            }
        }
        if pending.len() == 1 && !mapped.shape.keyed() {
            resumes.clear();
            resumes.insert(String::new(), value);
        } else {
            resumes.insert(interrupt.id.clone(), value);
        }
    }
    // One plain interrupt takes the bare value; several (or the per-call form) are keyed
    // by interrupt id so the server knows which answer is whose.
    let resume = match resumes.remove("") {
        Some(value) => value,
        None => Value::Object(resumes),
    };
    let Some(assistant_id) = thread.assistant_id() else {
        refuse_all(
            &mut verdicts,
            "the thread names no assistant to resume it with".into(),
        );
        return Ok(verdicts);
    };
    let now = ctx.clock.now();
    for id in &open_ids {
        ctx.store
            .mark_sent(id, now)
            .map_err(crate::sync::feed::local_error)?;
    }
    let metadata = json!({ RUN_METADATA_KEY: open_ids });
    let run_id = match client
        .resume(thread_id, assistant_id, &resume, &metadata)
        .await
    {
        Ok(id) => id,
        Err(CallError::Refused { status, body }) => {
            refuse_all(
                &mut verdicts,
                format!("the server refused the resume ({status}): {}", body.message),
            );
            return Ok(verdicts);
        }
        Err(e) => return Err(e),
    };
    let run = client.join(thread_id, &run_id).await?;
    // Confirm the thread moved on: none of the answered interrupts may still be pending.
    let after = client.thread(thread_id).await?;
    let still: HashSet<String> = after
        .as_ref()
        .map(|t| t.pending().into_iter().map(|p| p.id).collect())
        .unwrap_or_default();
    let status = run
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let error = after.as_ref().and_then(Thread::error_text);
    for member in &open {
        let Some(id) = live(member) else { continue };
        let answered = interrupt_of(member).is_some_and(|i| !still.contains(&i));
        let verdict = if answered {
            Verdict::Acknowledged
        } else {
            Verdict::Refused(
                match &error {
                    Some(e) => format!(
                        "the resume run ended `{status}` and the interrupt is still open: {e}"
                    ),
                    None => {
                        format!("the resume run ended `{status}` and the interrupt is still open")
                    }
                },
                None,
            )
        };
        verdicts.insert(id, verdict);
    }
    Ok(verdicts)
}

/// Which of these decision ids one of the thread's runs carries.
async fn resumed_by_us(
    client: &LangGraphClient,
    thread_id: &str,
    decision_ids: &[&str],
) -> std::result::Result<HashSet<String>, CallError> {
    let runs = client.runs(thread_id).await?;
    Ok(runs
        .iter()
        .filter_map(|run| run.pointer(&format!("/metadata/{RUN_METADATA_KEY}")))
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .filter(|id| decision_ids.contains(id))
        .map(String::from)
        .collect())
}
