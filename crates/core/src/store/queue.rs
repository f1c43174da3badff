//! Reading the review queue: filtered, searched and sorted lists, one packet with its
//! decisions, and counts for the status bar.
//!
//! Packets of removed endpoints stay in the database (audit) but leave the queue, its
//! counts and search; `packet(id)` still opens them.

use super::convert::{
    delivery, ms, opt_time, risk, risk_rank, status, time, urgency, urgency_rank,
};
use super::{clamp_limit, decisions, fts, Store};
use crate::error::{CoreError, Result};
use crate::views::{PacketSummary, PacketView, QueueQuery, QueueStats};
use chrono::{DateTime, Duration, Utc};
use countersign_protocol::{PacketStatus, Urgency};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, OptionalExtension, Transaction};

/// A pending packet is urgent when its deadline is this close (or past).
const URGENT_WITHIN_MINUTES: i64 = 15;

/// Must match the expression of the `packets_queue*` indexes for them to serve the sort.
const ORDER: &str =
    "ORDER BY p.urgency_rank DESC, coalesce(p.deadline_ms, 9223372036854775807), p.created_ms, p.id";

/// The filters of a query as `AND ...` terms (text aside), pushing their parameters.
fn conditions(q: &QueueQuery, args: &mut Vec<SqlValue>) -> String {
    let mut sql = String::new();
    let mut add = |clause: &str, v: SqlValue| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(s) = q.status {
        add("p.status =", s.as_str().to_string().into());
    }
    if let Some(u) = q.urgency {
        add("p.urgency_rank =", urgency_rank(u).into());
    }
    if let Some(r) = q.risk {
        add("p.risk_rank =", risk_rank(r).into());
    }
    if let Some(e) = &q.endpoint_id {
        add("p.endpoint_id =", e.clone().into());
    }
    if let Some(a) = &q.agent {
        add("p.agent =", a.clone().into());
    }
    if let Some(a) = &q.action {
        add("p.action =", a.clone().into());
    }
    if let Some(d) = q.deadline_before {
        add("p.deadline_ms <=", ms(d).into());
    }
    sql
}

/// The FTS5 expression of the query's search text, if it has any searchable word.
fn text_match(q: &QueueQuery) -> Option<String> {
    q.text.as_deref().and_then(fts::match_expression)
}

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<PacketSummary>> {
    let (status_s, amount_s, my): (String, Option<String>, Option<String>) =
        (r.get(6)?, r.get(9)?, r.get(12)?);
    let (id, remote_id, endpoint_id, endpoint_name, agent, action) = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    );
    let (urgency_r, risk_r, deadline, created): (i64, i64, Option<i64>, i64) =
        (r.get(7)?, r.get(8)?, r.get(10)?, r.get(11)?);
    Ok((|| {
        Ok(PacketSummary {
            id,
            remote_id,
            endpoint_id,
            endpoint_name,
            agent,
            action,
            status: status(&status_s)?,
            urgency: urgency(urgency_r),
            risk: risk(risk_r),
            amount: amount_s.as_deref().map(serde_json::from_str).transpose()?,
            deadline: opt_time(deadline),
            created_at: time(created),
            my_decision: my.as_deref().map(delivery).transpose()?,
        })
    })())
}

impl Store {
    /// The queue, most urgent first, then nearest deadline (none last), then oldest.
    /// `now` is accepted so deadline-relative views need no caller change.
    pub fn list(&self, q: &QueueQuery, _now: DateTime<Utc>) -> Result<Vec<PacketSummary>> {
        let mut args = Vec::new();
        let mut filters = conditions(q, &mut args);
        if let Some(expr) = text_match(q) {
            // Matches first, then walk the queue index in order and stop at the limit:
            // fast for broad and narrow searches alike (a per-row FTS probe is far slower).
            args.push(expr.into());
            filters.push_str(&format!(
                " AND p.id IN (SELECT rowid FROM packets_fts WHERE packets_fts MATCH ?{})",
                args.len()
            ));
        }
        let sql = format!(
            "SELECT p.id, p.remote_id, p.endpoint_id, e.name, p.agent, p.action, p.status,
                p.urgency_rank, p.risk_rank, p.amount, p.deadline_ms, p.created_ms,
                (SELECT d.state FROM decisions d WHERE d.packet_id = p.id AND d.local = 1
                 ORDER BY d.created_ms DESC, d.rowid DESC LIMIT 1)
             FROM packets p JOIN endpoints e ON e.id = p.endpoint_id
             WHERE e.removed_at IS NULL {filters} {ORDER} LIMIT ?{} OFFSET ?{}",
            args.len() + 1,
            args.len() + 2
        );
        args.push(clamp_limit(q.limit).into());
        args.push(i64::from(q.offset.unwrap_or(0)).into());
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(&sql)?;
            let rows = stmt.query_map(params_from_iter(args), summary)?;
            rows.map(|r| r?).collect()
        })
    }

    /// How many packets match (ignoring limit and offset).
    pub fn count(&self, q: &QueueQuery) -> Result<u64> {
        let mut args = Vec::new();
        // With search text, start from the matches and look each packet up by id;
        // without, count from the covering (endpoint_id, status, ...) index.
        let from = match text_match(q) {
            Some(expr) => {
                args.push(expr.into());
                "(SELECT rowid AS id FROM packets_fts WHERE packets_fts MATCH ?1) m
                 CROSS JOIN packets p ON p.id = m.id"
            }
            None => "packets p",
        };
        let filters = conditions(q, &mut args);
        let sql = format!(
            "SELECT count(*) FROM {from}
             WHERE p.endpoint_id IN (SELECT id FROM endpoints WHERE removed_at IS NULL) {filters}"
        );
        self.read(|tx| {
            let n: i64 = tx
                .prepare_cached(&sql)?
                .query_row(params_from_iter(args), |r| r.get(0))?;
            Ok(n as u64)
        })
    }

    /// One packet with every decision on it.
    pub fn packet(&self, id: i64) -> Result<PacketView> {
        self.read(|tx| {
            let row: Option<(String, String, String, String, i64)> = tx
                .prepare_cached(
                    "SELECT p.endpoint_id, e.name, p.body, p.digest, p.received_ms
                     FROM packets p JOIN endpoints e ON e.id = p.endpoint_id WHERE p.id = ?1",
                )?
                .query_row([id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            let (endpoint_id, endpoint_name, body, packet_digest, received) =
                row.ok_or_else(|| CoreError::NotFound {
                    what: "packet",
                    id: id.to_string(),
                })?;
            Ok(PacketView {
                id,
                endpoint_id,
                endpoint_name,
                packet: serde_json::from_str(&body)?,
                packet_digest,
                received_at: time(received),
                decisions: decisions::for_packet(tx, id)?,
            })
        })
    }

    pub fn packet_id_by_remote(&self, endpoint_id: &str, remote_id: &str) -> Result<Option<i64>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT id FROM packets WHERE endpoint_id = ?1 AND remote_id = ?2")?
                .query_row([endpoint_id, remote_id], |r| r.get(0))
                .optional()?)
        })
    }

    /// Counts for the status bar and tray badge.
    pub fn stats(&self, now: DateTime<Utc>) -> Result<QueueStats> {
        let soon = ms(now + Duration::minutes(URGENT_WITHIN_MINUTES));
        self.read(|tx| {
            let (pending, urgent): (i64, i64) = tx.prepare_cached(
                "SELECT count(*), coalesce(sum(urgency_rank >= ?2 OR deadline_ms <= ?3), 0) FROM packets
                 WHERE status = ?1 AND endpoint_id IN (SELECT id FROM endpoints WHERE removed_at IS NULL)",
            )?
            .query_row(
                rusqlite::params![PacketStatus::Pending.as_str(), urgency_rank(Urgency::High), soon],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(QueueStats {
                pending: pending as u64,
                urgent: urgent as u64,
                outbox: count(tx, "outbox")?,
                quarantined: count(tx, "quarantine")?,
            })
        })
    }
}

fn count(tx: &Transaction<'_>, table: &str) -> Result<u64> {
    let n: i64 = tx.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(n as u64)
}
