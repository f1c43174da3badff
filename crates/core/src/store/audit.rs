//! Read side of audit exports: one consistent snapshot of the decisions an export selects,
//! each with the ledger entries about it, and the contiguous ledger segment they rely on.
//!
//! A file-backed store reads on a separate read-only connection, so a long export never
//! holds the writer's lock (the UI keeps deciding while an export runs); WAL gives that
//! connection a stable snapshot for the whole export.

use super::convert::delivery;
use super::convert::time;
use super::ledger::{StoredLedgerEntry, SELECT_ENTRIES};
use super::Store;
use crate::error::{CoreError, Result};
use crate::views::DeliveryState;
use countersign_protocol::DecisionRecord;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Duration;

/// Which decisions an export or its preview selects, all applied in SQL so both agree.
#[derive(Debug, Clone, Default)]
pub struct DecisionSelection {
    /// Endpoint id or name (removed endpoints included).
    pub endpoint: Option<String>,
    pub agent: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Signed `decided_at` at or after this many ms since the epoch. Records carry whole
    /// milliseconds, so integer bounds select exactly what the instants would.
    pub decided_from_ms: Option<i64>,
    /// Signed `decided_at` strictly before this many ms since the epoch.
    pub decided_before_ms: Option<i64>,
    /// Reviewer id or printed name, as signed in the record.
    pub reviewer: Option<String>,
}

/// The selection's WHERE clause; parameters ?1..?8 in the order of [`selection_params`].
/// `first_seq` is the decision's first ledger entry, which orders an export.
const SELECTED: &str = "
    FROM (SELECT (SELECT min(l.seq) FROM ledger l WHERE l.subject = d.decision_id) AS first_seq,
                 d.decision_id, d.record
          FROM decisions d JOIN packets p ON p.id = d.packet_id
               JOIN endpoints e ON e.id = d.endpoint_id
          WHERE (?1 IS NULL OR e.id = ?1 OR e.name = ?1) AND (?2 IS NULL OR p.agent = ?2)
            AND (?3 IS NULL OR p.action = ?3) AND (?4 IS NULL OR d.outcome = ?4)
            AND (?8 IS NULL OR d.record ->> '$.reviewer.id' = ?8
                 OR d.record ->> '$.reviewer.display_name' = ?8)) s
    WHERE s.first_seq IS NOT NULL AND s.first_seq <= ?5
      AND (?6 IS NULL OR round(unixepoch(s.record ->> '$.decided_at', 'subsec') * 1000) >= ?6)
      AND (?7 IS NULL OR round(unixepoch(s.record ->> '$.decided_at', 'subsec') * 1000) < ?7)";

fn selection_params(sel: &DecisionSelection, head_seq: i64) -> [rusqlite::types::Value; 8] {
    use rusqlite::types::Value;
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
    [
        text(&sel.endpoint),
        text(&sel.agent),
        text(&sel.action),
        text(&sel.outcome),
        Value::Integer(head_seq),
        int(sel.decided_from_ms),
        int(sel.decided_before_ms),
        text(&sel.reviewer),
    ]
}

/// One ledger entry about a decision, as a row of an export points at it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LedgerRef {
    pub seq: i64,
    pub kind: String,
    pub hash: String,
}

/// A decision with what an export row shows about it.
#[derive(Debug, Clone)]
pub struct StoredDecision {
    pub decision_id: String,
    pub packet_remote_id: String,
    pub endpoint_name: String,
    pub endpoint_url: String,
    pub agent: String,
    pub action: String,
    /// The packet's `action.args` as the agent proposed them.
    pub proposed_args: serde_json::Value,
    pub state: DeliveryState,
    pub local: bool,
    pub jws: String,
    pub record: DecisionRecord,
    /// Ledger entries whose subject is this decision, oldest first (signed or received
    /// first, then delivery states).
    pub refs: Vec<LedgerRef>,
}

/// A [`StoredDecision`] as read, its JSON columns not yet parsed.
#[derive(Debug, Clone)]
pub struct StoredDecisionText {
    pub decision_id: String,
    pub packet_remote_id: String,
    pub endpoint_name: String,
    pub endpoint_url: String,
    pub agent: String,
    pub action: String,
    /// JSON text of the packet's `action.args` (None: the packet has none).
    pub proposed_args: Option<String>,
    pub state: String,
    pub local: bool,
    pub jws: String,
    /// JSON text of the signed decision record.
    pub record: String,
    pub refs: Vec<LedgerRef>,
}

impl StoredDecisionText {
    pub fn parse(self) -> Result<StoredDecision> {
        Ok(StoredDecision {
            proposed_args: match &self.proposed_args {
                Some(text) => serde_json::from_str(text)?,
                None => serde_json::Value::Null,
            },
            state: delivery(&self.state)?,
            record: serde_json::from_str(&self.record)?,
            decision_id: self.decision_id,
            packet_remote_id: self.packet_remote_id,
            endpoint_name: self.endpoint_name,
            endpoint_url: self.endpoint_url,
            agent: self.agent,
            action: self.action,
            local: self.local,
            jws: self.jws,
            refs: self.refs,
        })
    }
}

/// Read access to one snapshot of the store, for exporters.
pub struct AuditSnapshot<'a> {
    tx: &'a Transaction<'a>,
}

impl Store {
    /// Run `f` on one read-only snapshot, taken on its own connection when the store is a
    /// file (in-memory stores fall back to the shared connection).
    pub fn audit_snapshot<T>(&self, f: impl FnOnce(&AuditSnapshot<'_>) -> Result<T>) -> Result<T> {
        let path = self.file_path();
        if path.is_empty() {
            return self.read(|tx| f(&AuditSnapshot { tx }));
        }
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_millis(5000))?;
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        let tx = conn.transaction()?;
        f(&AuditSnapshot { tx: &tx })
    }
}

impl Store {
    /// Whether several audit snapshots can read at the same time, each on its own
    /// connection: a file-backed store; an in-memory one has only its one connection.
    pub fn reads_alongside(&self) -> bool {
        !self.file_path().is_empty()
    }

    fn file_path(&self) -> String {
        self.lock().path().unwrap_or_default().to_string()
    }
}

impl AuditSnapshot<'_> {
    /// The newest ledger entry (seq, hash), if any.
    pub fn head(&self) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .query_row(
                "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Decisions matching `sel` whose first ledger entry is at or before `head_seq`, as
    /// (first ledger seq, decision id) in chain order; at most `limit` of them.
    pub fn decision_ids(
        &self,
        sel: &DecisionSelection,
        head_seq: i64,
        limit: Option<u64>,
    ) -> Result<Vec<(i64, String)>> {
        let limit = limit.map_or(-1, |l| l.min(i64::MAX as u64) as i64);
        let mut stmt = self.tx.prepare(&format!(
            "SELECT s.first_seq, s.decision_id {SELECTED} ORDER BY s.first_seq LIMIT {limit}"
        ))?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(selection_params(sel, head_seq)),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many decisions `decision_ids` would return without a limit.
    pub fn count_decisions(&self, sel: &DecisionSelection, head_seq: i64) -> Result<u64> {
        let n: i64 = self.tx.query_row(
            &format!("SELECT count(*) {SELECTED}"),
            rusqlite::params_from_iter(selection_params(sel, head_seq)),
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The decisions `ids`, in that order, with their ledger references up to
    /// `head_seq`; their JSON columns still text, so that other cores parse them while
    /// this connection reads the next ones. Two queries for the whole batch: a query per
    /// decision costs more than its index lookups.
    pub fn decisions_text(&self, ids: &[&str], head_seq: i64) -> Result<Vec<StoredDecisionText>> {
        let list = serde_json::to_string(ids)?;
        let mut by_id: HashMap<String, StoredDecisionText> = HashMap::with_capacity(ids.len());
        let mut stmt = self.tx.prepare_cached(
            "SELECT d.decision_id, p.remote_id, e.name, e.base_url, p.agent, p.action,
                    p.body -> '$.action.args', d.state, d.local, d.jws, d.record
             FROM json_each(?1) j JOIN decisions d ON d.decision_id = j.value
                  JOIN packets p ON p.id = d.packet_id
                  JOIN endpoints e ON e.id = d.endpoint_id",
        )?;
        let mut rows = stmt.query([&list])?;
        while let Some(r) = rows.next()? {
            let d = StoredDecisionText {
                decision_id: r.get(0)?,
                packet_remote_id: r.get(1)?,
                endpoint_name: r.get(2)?,
                endpoint_url: r.get(3)?,
                agent: r.get(4)?,
                action: r.get(5)?,
                proposed_args: r.get(6)?,
                state: r.get(7)?,
                local: r.get(8)?,
                jws: r.get(9)?,
                record: r.get(10)?,
                refs: Vec::new(),
            };
            by_id.insert(d.decision_id.clone(), d);
        }
        let mut stmt = self.tx.prepare_cached(
            "SELECT l.subject, l.seq, l.kind, l.hash
             FROM json_each(?1) j JOIN ledger l ON l.subject = j.value
             WHERE l.seq <= ?2",
        )?;
        let mut rows = stmt.query(params![list, head_seq])?;
        while let Some(r) = rows.next()? {
            let subject = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            if let Some(d) = by_id.get_mut(subject) {
                d.refs.push(LedgerRef {
                    seq: r.get(1)?,
                    kind: r.get(2)?,
                    hash: r.get(3)?,
                });
            }
        }
        ids.iter()
            .map(|id| {
                let mut d = by_id.remove(*id).ok_or_else(|| CoreError::NotFound {
                    what: "decision",
                    id: id.to_string(),
                })?;
                // Oldest first, whatever order the lookups returned them in.
                d.refs.sort_by_key(|r| r.seq);
                Ok(d)
            })
            .collect()
    }

    /// Ledger entries `from..=to` in seq order, handed to `f` `chunk` at a time, as
    /// stored (the payload as the canonical text that was hashed). Stops early when `f`
    /// returns false.
    pub fn ledger_segment(
        &self,
        from: i64,
        to: i64,
        chunk: usize,
        mut f: impl FnMut(Vec<StoredLedgerEntry>) -> Result<bool>,
    ) -> Result<()> {
        let mut stmt = self.tx.prepare(&format!(
            "{SELECT_ENTRIES} WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq"
        ))?;
        let mut rows = stmt.query(params![from, to])?;
        let mut entries = Vec::with_capacity(chunk);
        while let Some(row) = rows.next()? {
            entries.push(StoredLedgerEntry {
                seq: row.get(0)?,
                at: time(row.get(1)?),
                kind: row.get(2)?,
                subject: row.get(3)?,
                payload: row.get(4)?,
                prev_hash: row.get(5)?,
                hash: row.get(6)?,
            });
            if entries.len() == chunk
                && !f(std::mem::replace(&mut entries, Vec::with_capacity(chunk)))?
            {
                return Ok(());
            }
        }
        if !entries.is_empty() {
            f(entries)?;
        }
        Ok(())
    }
}
