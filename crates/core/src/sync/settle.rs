//! What a delivery attempt leaves behind, the same for every kind of endpoint: a final
//! answer is stored (closing the packet here when the answer ends it), counted and
//! announced; an unreachable endpoint puts the decisions back in the outbox with a
//! backoff and marks the endpoint's health.

use super::backoff::Backoff;
use super::client::CallError;
use super::SyncContext;
use crate::error::Result;
use crate::views::{DeliveryState, EngineEvent};
use countersign_protocol::{PacketStatus, SignedDecision};

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    pub acknowledged: u32,
    pub conflict: u32,
    pub refused: u32,
    /// Still waiting (endpoint unreachable or unauthorized).
    pub pending: u32,
}

/// The endpoint's last word on one decision.
pub struct FinalAnswer<'a> {
    /// Acknowledged, conflict or refused.
    pub state: DeliveryState,
    /// Why, when it was not acknowledged.
    pub detail: Option<&'a str>,
    /// The decision that won a conflict, when the endpoint says which.
    pub winner: Option<&'a SignedDecision>,
    /// The packet's status here once this answer is in, for endpoints whose feed will
    /// not say so itself.
    pub closes_packet: Option<PacketStatus>,
}

/// Store `answer` for `decision_id` (on packet `packet_id`), count it and announce it.
pub fn record_final(
    ctx: &SyncContext,
    report: &mut DeliveryReport,
    decision_id: &str,
    packet_id: i64,
    answer: FinalAnswer<'_>,
) -> Result<()> {
    let now = ctx.clock.now();
    ctx.store
        .mark_final(decision_id, answer.state, answer.detail, answer.winner, now)?;
    if let Some(status) = answer.closes_packet {
        ctx.store.close_packet_locally(packet_id, status, now)?;
    }
    match answer.state {
        DeliveryState::Acknowledged => report.acknowledged += 1,
        DeliveryState::Conflict => report.conflict += 1,
        _ => report.refused += 1,
    }
    let _ = ctx.events.send(EngineEvent::DecisionState {
        decision_id: decision_id.to_string(),
        packet_id,
        state: answer.state,
    });
    Ok(())
}

/// The endpoint could not take `decision_ids` (`attempts` tries so far, this one
/// included): retry after a backoff, mark the endpoint offline or unauthorized, and
/// report how many decisions wait in its outbox.
pub fn record_unreachable(
    ctx: &SyncContext,
    report: &mut DeliveryReport,
    endpoint_id: &str,
    decision_ids: &[&str],
    attempts: u32,
    err: &CallError,
) -> Result<()> {
    let now = ctx.clock.now();
    let delay = Backoff::SYNC.delay(attempts.min(12), ctx.entropy.as_ref());
    let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
    for id in decision_ids {
        ctx.store.mark_retry(id, &err.to_string(), next, now)?;
    }
    ctx.set_unreachable(endpoint_id, err);
    report.pending = ctx.store.endpoint(endpoint_id)?.outbox;
    Ok(())
}
