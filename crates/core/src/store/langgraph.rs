//! What the LangGraph connector asks of the store: which interrupts are already known,
//! which packets are still open, and the decisions on all packets of one thread (a
//! thread's open interrupts are answered together, once every one of its packets is
//! decided).

use super::convert::ms;
use super::Store;
use crate::error::Result;
use crate::views::DeliveryState;
use chrono::{DateTime, Utc};
use countersign_protocol::DecisionRecord;
use rusqlite::params;
use std::collections::HashSet;

/// One packet of an interrupt, with this device's live decision on it, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct InterruptMember {
    pub packet_id: i64,
    pub remote_id: String,
    /// The latest local decision not refused or lost in a conflict.
    pub decision: Option<MemberDecision>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberDecision {
    pub decision_id: String,
    pub state: DeliveryState,
    pub record: DecisionRecord,
}

impl Store {
    /// Remote ids of every packet and quarantined payload of the endpoint, so a poll
    /// ingests (or quarantines) each interrupt once.
    pub fn known_remote_ids(&self, endpoint_id: &str) -> Result<HashSet<String>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT remote_id FROM packets WHERE endpoint_id = ?1
                 UNION SELECT remote_id FROM quarantine WHERE endpoint_id = ?1 AND remote_id IS NOT NULL",
            )?;
            let rows = stmt.query_map([endpoint_id], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<HashSet<_>>>()?)
        })
    }

    /// Local id and remote id of the endpoint's pending packets.
    pub fn open_packets(&self, endpoint_id: &str) -> Result<Vec<(i64, String)>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, remote_id FROM packets WHERE endpoint_id = ?1 AND status = 'pending'",
            )?;
            let rows = stmt.query_map([endpoint_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The packets whose remote id starts with `prefix` (`{thread_id}:`: one thread's
    /// interrupt actions), each with its live local decision.
    pub fn interrupt_members(
        &self,
        endpoint_id: &str,
        prefix: &str,
    ) -> Result<Vec<InterruptMember>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT p.id, p.remote_id,
                    (SELECT d.decision_id FROM decisions d
                      WHERE d.packet_id = p.id AND d.local = 1 AND d.state NOT IN ('conflict', 'refused')
                      ORDER BY d.created_ms DESC LIMIT 1)
                 FROM packets p
                 WHERE p.endpoint_id = ?1 AND substr(p.remote_id, 1, length(?2)) = ?2",
            )?;
            let rows = stmt
                .query_map(params![endpoint_id, prefix], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut members = Vec::with_capacity(rows.len());
            for (packet_id, remote_id, decision_id) in rows {
                let decision = match decision_id {
                    Some(id) => {
                        let view = super::decisions::load(tx, &id)?;
                        Some(MemberDecision {
                            decision_id: id,
                            state: view.state,
                            record: view.record,
                        })
                    }
                    None => None,
                };
                members.push(InterruptMember {
                    packet_id,
                    remote_id,
                    decision,
                });
            }
            Ok(members)
        })
    }

    /// Make this device's undelivered decisions on these packets due now: their packets
    /// closed (answered elsewhere), so the outbox should settle them at once instead of
    /// after a sibling wait. Returns how many were rescheduled.
    pub fn make_due_now(&self, packet_ids: &[i64], now: DateTime<Utc>) -> Result<usize> {
        self.write(|tx| {
            let mut changed = 0;
            let mut stmt = tx.prepare_cached(
                "UPDATE outbox SET next_attempt_ms = ?2 WHERE next_attempt_ms > ?2 AND decision_id IN
                    (SELECT decision_id FROM decisions WHERE packet_id = ?1 AND local = 1)",
            )?;
            for id in packet_ids {
                changed += stmt.execute(params![id, ms(now)])?;
            }
            Ok(changed)
        })
    }
}
