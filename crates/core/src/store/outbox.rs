//! Delivery of decisions signed here: the outbox schedule, and what the sync loop learns
//! from each attempt applied to the decision through its transitions in `decisions`.

use super::convert::{ms, time};
use super::decisions::{self, insert_remote, load};
use super::{clamp_limit, Store};
use crate::error::{CoreError, Result};
use crate::views::{DecisionView, DeliveryState};
use chrono::{DateTime, Utc};
use countersign_protocol::PacketStatus;
use countersign_protocol::SignedDecision;
use rusqlite::{params, OptionalExtension};

/// A decision due for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub decision_id: String,
    pub packet_id: i64,
    pub packet_remote_id: String,
    pub jws: String,
    /// Delivery attempts so far.
    pub attempts: u32,
}

impl Store {
    /// Decisions for `endpoint_id` whose next attempt is due, oldest due first.
    pub fn due_outbox(
        &self,
        endpoint_id: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT o.decision_id, d.packet_id, p.remote_id, d.jws, d.attempts
                 FROM outbox o JOIN decisions d ON d.decision_id = o.decision_id
                      JOIN packets p ON p.id = d.packet_id
                 WHERE o.endpoint_id = ?1 AND o.next_attempt_ms <= ?2
                 ORDER BY o.next_attempt_ms, d.created_ms LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![endpoint_id, ms(now), clamp_limit(Some(limit))],
                |r| {
                    Ok(OutboxItem {
                        decision_id: r.get(0)?,
                        packet_id: r.get(1)?,
                        packet_remote_id: r.get(2)?,
                        jws: r.get(3)?,
                        attempts: r.get(4)?,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// When the next outbox item of `endpoint_id` falls due (None: outbox empty).
    pub fn next_outbox_due(&self, endpoint_id: &str) -> Result<Option<DateTime<Utc>>> {
        self.read(|tx| {
            let next: Option<i64> = tx.query_row(
                "SELECT min(next_attempt_ms) FROM outbox WHERE endpoint_id = ?1",
                [endpoint_id],
                |r| r.get(0),
            )?;
            Ok(next.map(time))
        })
    }

    /// A delivery attempt was made. Only the first `signed → sent` step is audited; the
    /// outbox row stays until a final answer, so an unanswered send is retried.
    pub fn mark_sent(&self, decision_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let current = load(tx, decision_id)?;
            if current.state.is_final() {
                return Ok(());
            }
            decisions::sent(tx, &current, now)
        })
    }

    /// Schedule another attempt after a transient failure (retry bookkeeping is not audited).
    pub fn mark_retry(
        &self,
        decision_id: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            if load(tx, decision_id)?.state.is_final() {
                return Ok(());
            }
            decisions::retry_later(tx, decision_id, error, next_attempt_at, now)
        })
    }

    /// The endpoint's final answer. Idempotent: a decision already final keeps its first
    /// answer. On conflict the winner is kept on our decision and as a remote decision.
    pub fn mark_final(
        &self,
        decision_id: &str,
        state: DeliveryState,
        detail: Option<&str>,
        winner: Option<&SignedDecision>,
        now: DateTime<Utc>,
    ) -> Result<DecisionView> {
        if !state.is_final() {
            return Err(CoreError::InvalidInput(format!(
                "`{}` is not a final state",
                state.as_str()
            )));
        }
        self.write(|tx| {
            let current = load(tx, decision_id)?;
            if current.state.is_final() {
                return Ok(current);
            }
            decisions::finish(tx, decision_id, state, detail, winner, now)?;
            if let Some(w) = winner.filter(|w| w.decision_id != decision_id) {
                let endpoint_id: String = tx.query_row(
                    "SELECT endpoint_id FROM decisions WHERE decision_id = ?1",
                    [decision_id],
                    |r| r.get(0),
                )?;
                let known = tx
                    .query_row(
                        "SELECT 1 FROM decisions WHERE decision_id = ?1",
                        [&w.decision_id],
                        |_| Ok(()),
                    )
                    .optional()?;
                if known.is_none() {
                    insert_remote(tx, current.packet_id, &endpoint_id, w, now)?;
                }
            }
            load(tx, decision_id)
        })
    }

    /// Close a pending packet as the endpoint's answer to our decision says, so the queue
    /// reflects it at once instead of at the next feed change (which later overwrites this
    /// with the endpoint's own record).
    pub fn close_packet_locally(
        &self,
        packet_id: i64,
        status: PacketStatus,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if status == PacketStatus::Pending {
            return Ok(false);
        }
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE packets SET status = ?2, body = json_set(body, '$.status', ?2), updated_ms = ?3
                 WHERE id = ?1 AND status = 'pending'",
                params![packet_id, status.as_str(), now.timestamp_millis()],
            )?;
            Ok(changed > 0)
        })
    }

    /// Decisions not yet in a final state, over all endpoints.
    pub fn outbox_len(&self) -> Result<u64> {
        self.read(|tx| {
            Ok(tx.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }
}
