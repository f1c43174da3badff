//! A look at what an export would hold before writing it: how many decisions the filter
//! selects and the first of them, read from one snapshot with the export's own selection.

use super::filter::AuditFilter;
use crate::error::Result;
use crate::store::ledger::GENESIS;
use crate::store::Store;
use crate::views::DeliveryState;
use chrono::{DateTime, Utc};
use countersign_protocol::Outcome;
use serde::{Deserialize, Serialize};

/// One decision as the Audit view lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditPreviewRow {
    pub decision_id: String,
    pub decided_at: DateTime<Utc>,
    pub signer_name: String,
    pub meaning: String,
    pub outcome: Outcome,
    pub endpoint: String,
    pub agent: String,
    pub action: String,
    pub reason: Option<String>,
    pub delivery_state: DeliveryState,
    /// The ledger entry that recorded the signature (or its arrival from the endpoint).
    pub ledger_seq: Option<i64>,
}

/// What an export with this filter would hold now.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditPreview {
    /// Decisions the filter selects (an export of it writes exactly this many rows).
    pub total: u64,
    /// The first `limit` of them, in chain order.
    pub rows: Vec<AuditPreviewRow>,
    /// Ledger entries in the whole chain, and its head.
    pub ledger_entries: i64,
    pub chain_head: String,
}

pub fn preview(store: &Store, filter: &AuditFilter, limit: u32) -> Result<AuditPreview> {
    let selection = filter.selection();
    store.audit_snapshot(|snap| {
        let (head_seq, chain_head) = snap.head()?.unwrap_or((0, GENESIS.to_string()));
        let total = snap.count_decisions(&selection, head_seq)?;
        let ids = snap.decision_ids(&selection, head_seq, Some(u64::from(limit)))?;
        let names: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
        let found = snap.decisions_text(&names, head_seq)?;
        let mut rows = Vec::with_capacity(ids.len());
        for ((first_seq, _), d) in ids.iter().zip(found) {
            let d = d.parse()?;
            rows.push(AuditPreviewRow {
                decision_id: d.decision_id,
                decided_at: d.record.decided_at,
                signer_name: d.record.reviewer.display_name,
                meaning: d.record.meaning,
                outcome: d.record.outcome,
                endpoint: d.endpoint_name,
                agent: d.agent,
                action: d.action,
                reason: d.record.reason,
                delivery_state: d.state,
                ledger_seq: Some(*first_seq),
            });
        }
        Ok(AuditPreview {
            total,
            rows,
            ledger_entries: head_seq,
            chain_head,
        })
    })
}
