//! The life of a HumanLayer call behind its routes, each step one SQLite transaction:
//! create it (as a packet, through the agent face's creation path), load it, answer it
//! directly (unsigned, at most once) and escalate it.

use countersign_protocol::{ChangeKind, Packet, PacketDraft, PacketStatus, ProtocolError};
use serde_json::Value;

use super::calls::{self, CallKind, CallRow};
use super::mapping;
use super::models::{Escalation, UnsignedAnswer};
use crate::agent::{new_packet, store_new_packet};
use crate::error::EndpointError;
use crate::state::AppState;
use crate::store::{self, StoreResult, StoredDecision, Writer};

/// Longest `call_id` accepted; ids are chosen by the agent and travel in URL paths.
const MAX_CALL_ID: usize = 256;

/// A call with the packet it became and the packet's accepted decisions.
pub struct Loaded {
    pub row: CallRow,
    pub packet: Packet,
    pub decisions: Vec<StoredDecision>,
    pub escalations: u64,
}

pub fn invalid(field: &str, message: impl Into<String>) -> EndpointError {
    EndpointError::Protocol(ProtocolError::InvalidField {
        field: field.into(),
        message: message.into(),
    })
}

/// call_ids come from the SDK's `genid` (`call-<urlsafe>`); allow URL-safe text only.
pub fn check_call_id(call_id: &str) -> Result<(), EndpointError> {
    let ok = !call_id.is_empty()
        && call_id.len() <= MAX_CALL_ID
        && call_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~:".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "call_id",
            format!("must be 1 to {MAX_CALL_ID} characters of A-Z a-z 0-9 - _ . ~ :"),
        ))
    }
}

fn not_found(kind: CallKind, call_id: &str) -> EndpointError {
    EndpointError::NotFound(format!("no {} `{call_id}`", kind.noun()))
}

fn load_in(
    conn: &rusqlite::Connection,
    token: &str,
    kind: CallKind,
    call_id: &str,
) -> StoreResult<Loaded> {
    let row = calls::find(conn, token, kind, call_id)?.ok_or_else(|| not_found(kind, call_id))?;
    let packet = store::get_packet(conn, &row.packet_id)?.ok_or_else(|| {
        EndpointError::Corrupt(format!("call `{call_id}` points at a missing packet"))
    })?;
    let decisions = store::decisions_for_packet(conn, &packet.id)?;
    let escalations = calls::escalation_count(conn, &packet.id)?;
    Ok(Loaded {
        row,
        packet,
        decisions,
        escalations,
    })
}

/// Store a new call as a packet, or return the stored one when the agent repeats the same
/// request. The same `call_id` with a different spec or run is a conflict. `true` if new.
pub async fn create(
    state: &AppState,
    token: &str,
    kind: CallKind,
    run_id: String,
    call_id: String,
    spec: Value,
    draft: PacketDraft,
) -> Result<(Loaded, bool), EndpointError> {
    check_call_id(&call_id)?;
    if run_id.trim().is_empty() {
        return Err(invalid("run_id", "must not be empty"));
    }
    let packet = new_packet(state.now(), draft)?;
    let token = token.to_string();
    state
        .write(move |w| {
            if let Some(existing) = calls::find(w.conn(), &token, kind, &call_id)? {
                if existing.spec != spec || existing.run_id != run_id {
                    return Err(EndpointError::Conflict {
                        message: format!(
                            "{} `{call_id}` already exists with a different run_id or spec",
                            kind.noun()
                        ),
                        winner: None,
                    });
                }
                return Ok((load_in(w.conn(), &token, kind, &call_id)?, false));
            }
            store_new_packet(w, &packet)?;
            let row = CallRow {
                kind,
                call_id: call_id.clone(),
                run_id,
                packet_id: packet.id.clone(),
                spec,
                unsigned_answer: None,
            };
            calls::insert(w.conn(), &token, &row)?;
            Ok((load_in(w.conn(), &token, kind, &call_id)?, true))
        })
        .await
}

pub async fn load(
    state: &AppState,
    token: &str,
    kind: CallKind,
    call_id: String,
) -> Result<Loaded, EndpointError> {
    let token = token.to_string();
    state
        .read(move |conn| load_in(conn, &token, kind, &call_id))
        .await
}

/// Refuse to touch a call that is no longer open, naming who settled it.
fn ensure_open(loaded: &Loaded) -> Result<(), EndpointError> {
    if loaded.row.unsigned_answer.is_some() {
        return Err(EndpointError::Conflict {
            message: format!(
                "{} `{}` was already answered through the agent API",
                loaded.row.kind.noun(),
                loaded.row.call_id
            ),
            winner: None,
        });
    }
    match loaded.packet.status {
        PacketStatus::Pending => Ok(()),
        PacketStatus::Decided => Err(match loaded.decisions.last() {
            Some(winner) => EndpointError::conflict(
                format!(
                    "{} `{}` was already decided in Countersign",
                    loaded.row.kind.noun(),
                    loaded.row.call_id
                ),
                winner.signed.clone(),
            ),
            None => EndpointError::PacketDecided,
        }),
        PacketStatus::Withdrawn => Err(EndpointError::PacketWithdrawn),
        PacketStatus::Expired => Err(EndpointError::PacketExpired),
    }
}

/// Settle a call with an answer nobody signed. The packet closes as `decided` with no
/// decision, so desktops drop it and a Countersign decision arriving later is a conflict.
pub async fn answer(
    state: &AppState,
    token: &str,
    kind: CallKind,
    call_id: String,
    answer: UnsignedAnswer,
) -> Result<Loaded, EndpointError> {
    let now = state.now();
    let token = token.to_string();
    state
        .write(move |w| {
            let loaded = load_in(w.conn(), &token, kind, &call_id)?;
            ensure_open(&loaded)?;
            calls::set_unsigned_answer(w.conn(), &token, &loaded.row, &answer)?;
            let mut packet = loaded.packet;
            packet.status = PacketStatus::Decided;
            packet.updated_at = now;
            store::save_packet(w.conn(), &packet)?;
            w.append_change(ChangeKind::Decided, &packet, Vec::new())?;
            tracing::info!(packet = %packet.id, call = %call_id, "humanlayer call answered without a signature");
            load_in(w.conn(), &token, kind, &call_id)
        })
        .await
}

/// Raise the packet to critical urgency and tell desktops (a `changed` change).
pub async fn escalate(
    state: &AppState,
    token: &str,
    kind: CallKind,
    call_id: String,
    escalation: Escalation,
) -> Result<Loaded, EndpointError> {
    let now = state.now();
    let token = token.to_string();
    state
        .write(move |w: &mut Writer<'_>| {
            let loaded = load_in(w.conn(), &token, kind, &call_id)?;
            ensure_open(&loaded)?;
            let mut packet = loaded.packet;
            mapping::escalate(&mut packet, &escalation, now);
            store::save_packet(w.conn(), &packet)?;
            calls::record_escalation(w.conn(), &packet.id, &escalation, now)?;
            let signed = loaded.decisions.into_iter().map(|d| d.signed).collect();
            w.append_change(ChangeKind::Changed, &packet, signed)?;
            load_in(w.conn(), &token, kind, &call_id)
        })
        .await
}
