//! Persistence of HumanLayer calls (`humanlayer_calls`, `humanlayer_escalations`): which
//! packet a call became, the spec as the agent sent it, and any unsigned answer.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::models::{Escalation, UnsignedAnswer};
use crate::error::EndpointError;
use crate::store::{to_ms, StoreResult};

/// The two kinds of HumanLayer call; each has its own `call_id` namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    FunctionCall,
    HumanContact,
}

impl CallKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::FunctionCall => "function_call",
            CallKind::HumanContact => "human_contact",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            CallKind::FunctionCall => "function call",
            CallKind::HumanContact => "contact request",
        }
    }
}

/// One stored call. `spec` is the JSON the SDK gets back.
#[derive(Debug, Clone)]
pub struct CallRow {
    pub kind: CallKind,
    pub call_id: String,
    pub run_id: String,
    pub packet_id: String,
    pub spec: Value,
    pub unsigned_answer: Option<UnsignedAnswer>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> EndpointError {
    EndpointError::Corrupt(format!("humanlayer call {what}: {e}"))
}

fn to_text<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| EndpointError::Internal(format!("serialize: {e}")))
}

pub fn find(
    conn: &Connection,
    agent_token_hash: &str,
    kind: CallKind,
    call_id: &str,
) -> StoreResult<Option<CallRow>> {
    let row: Option<(String, String, String, Option<String>)> = conn
        .query_row(
            "SELECT run_id, packet_id, spec, unsigned_answer FROM humanlayer_calls
             WHERE agent_token_hash = ?1 AND kind = ?2 AND call_id = ?3",
            params![agent_token_hash, kind.as_str(), call_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    row.map(|(run_id, packet_id, spec, answer)| {
        Ok(CallRow {
            kind,
            call_id: call_id.to_string(),
            run_id,
            packet_id,
            spec: serde_json::from_str(&spec).map_err(|e| corrupt("spec", e))?,
            unsigned_answer: answer
                .map(|a| serde_json::from_str(&a).map_err(|e| corrupt("answer", e)))
                .transpose()?,
        })
    })
    .transpose()
}

pub fn insert(conn: &Connection, agent_token_hash: &str, row: &CallRow) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO humanlayer_calls (agent_token_hash, kind, call_id, run_id, packet_id, spec)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            agent_token_hash,
            row.kind.as_str(),
            row.call_id,
            row.run_id,
            row.packet_id,
            to_text(&row.spec)?,
        ],
    )?;
    Ok(())
}

/// Record the one unsigned answer a call may get (callers check there is none yet).
pub fn set_unsigned_answer(
    conn: &Connection,
    agent_token_hash: &str,
    row: &CallRow,
    answer: &UnsignedAnswer,
) -> StoreResult<()> {
    let updated = conn.execute(
        "UPDATE humanlayer_calls SET unsigned_answer = ?4
         WHERE agent_token_hash = ?1 AND kind = ?2 AND call_id = ?3 AND unsigned_answer IS NULL",
        params![
            agent_token_hash,
            row.kind.as_str(),
            row.call_id,
            to_text(answer)?
        ],
    )?;
    if updated != 1 {
        return Err(EndpointError::Internal(format!(
            "call `{}` was answered concurrently",
            row.call_id
        )));
    }
    Ok(())
}

pub fn record_escalation(
    conn: &Connection,
    packet_id: &str,
    escalation: &Escalation,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO humanlayer_escalations (packet_id, body, received_ms) VALUES (?1, ?2, ?3)",
        params![packet_id, to_text(escalation)?, to_ms(now)],
    )?;
    Ok(())
}

/// How many times a packet was escalated through the HumanLayer API.
pub fn escalation_count(conn: &Connection, packet_id: &str) -> StoreResult<u64> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM humanlayer_escalations WHERE packet_id = ?1",
        [packet_id],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}
