//! The filter of an audit export or its preview: which decisions it holds, and the store
//! selection that applies it, so export and preview select the same rows.

use crate::store::audit::DecisionSelection;
use chrono::{DateTime, Utc};
use countersign_protocol::Outcome;
use serde::{Deserialize, Serialize};

/// Which decisions an export holds; every field narrows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
pub struct AuditFilter {
    /// Decided at or after this instant (the signed `decided_at`).
    pub from: Option<DateTime<Utc>>,
    /// Decided strictly before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Endpoint id or name.
    pub endpoint: Option<String>,
    pub agent: Option<String>,
    pub action: Option<String>,
    /// Reviewer id or printed name.
    pub reviewer: Option<String>,
    pub outcome: Option<Outcome>,
}

impl AuditFilter {
    /// The same filter as the store applies it.
    pub fn selection(&self) -> DecisionSelection {
        // Signed times are whole milliseconds, so "at or after t" is "at or after the next
        // whole millisecond" and "before t" likewise: rounding up keeps the bounds exact.
        let ceil_ms = |t: &DateTime<Utc>| {
            let ms = t.timestamp_millis();
            if t.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
                ms
            } else {
                ms + 1
            }
        };
        DecisionSelection {
            endpoint: self.endpoint.clone(),
            agent: self.agent.clone(),
            action: self.action.clone(),
            outcome: self.outcome.map(|o| o.as_str().to_string()),
            decided_from_ms: self.from.as_ref().map(ceil_ms),
            decided_before_ms: self.to.as_ref().map(ceil_ms),
            reviewer: self.reviewer.clone(),
        }
    }
}
