//! The agent face: create review packets (idempotently), read them, long-poll for the
//! decision, withdraw, and read counters. Demo agents call the same functions.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use countersign_protocol::limits::Limits;
use countersign_protocol::validate::{validate_draft, validate_packet};
use countersign_protocol::wire::{IDEMPOTENCY_HEADER, MAX_WAIT_SECONDS};
use countersign_protocol::{
    AgentDecisionView, ChangeKind, Packet, PacketDraft, PacketStatus, ProtocolError,
};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::AgentAuth;
use crate::error::EndpointError;
use crate::extract::{JsonBody, PacketId};
use crate::state::AppState;
use crate::store::{self, StoredDecision, Writer};

/// Counter names in the `counters` table.
pub const SUBMISSIONS_RECEIVED: &str = "decision_submissions_received";
pub const DUPLICATE_SUBMISSIONS: &str = "duplicate_decision_submissions";

// ---- handlers ----

pub async fn create_review(
    State(state): State<AppState>,
    auth: AgentAuth,
    headers: HeaderMap,
    JsonBody(draft): JsonBody<PacketDraft>,
) -> Result<(StatusCode, Json<Packet>), EndpointError> {
    let header_key = match headers.get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| invalid_field("Idempotency-Key", "must be visible ASCII"))?
                .to_string(),
        ),
    };
    let (packet, created) = create_packet(&state, &auth.token_hash, draft, header_key).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(packet)))
}

pub async fn get_review(
    State(state): State<AppState>,
    _auth: AgentAuth,
    PacketId(id): PacketId,
) -> Result<Json<Packet>, EndpointError> {
    Ok(Json(load_packet(&state, id).await?))
}

pub async fn get_decision(
    State(state): State<AppState>,
    _auth: AgentAuth,
    PacketId(id): PacketId,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<AgentDecisionView>, EndpointError> {
    let Query(query) = query.map_err(|e| EndpointError::BadRequest(e.body_text()))?;
    let wait = match query.get("wait").map(String::as_str) {
        None | Some("") => Duration::ZERO,
        Some(text) => {
            let seconds: f64 = text
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| {
                    EndpointError::BadRequest(format!(
                        "wait must be a number of seconds, got `{text}`"
                    ))
                })?;
            Duration::from_secs_f64(seconds.min(MAX_WAIT_SECONDS as f64))
        }
    };
    Ok(Json(wait_for_decision(&state, id, wait).await?))
}

pub async fn withdraw_review(
    State(state): State<AppState>,
    _auth: AgentAuth,
    PacketId(id): PacketId,
) -> Result<Json<Packet>, EndpointError> {
    Ok(Json(withdraw_packet(&state, id).await?))
}

/// Body of `GET /v1/agent/stats`.
#[derive(Debug, Serialize)]
pub struct Stats {
    pub packets: u64,
    pub decisions_accepted: u64,
    /// Decision submissions that reached the endpoint with a well-formed body.
    pub submissions_received: u64,
    /// Submissions answered as idempotent replays of an already accepted decision.
    pub duplicate_submissions: u64,
    /// decision_id → times accepted as new (exactly-once means every value is 1).
    pub decision_counts: BTreeMap<String, u64>,
}

pub async fn stats(
    State(state): State<AppState>,
    _auth: AgentAuth,
) -> Result<Json<Stats>, EndpointError> {
    let stats = state
        .read(|conn| {
            Ok(Stats {
                packets: store::count_packets(conn)?,
                decisions_accepted: store::count_decisions(conn)?,
                submissions_received: store::counter(conn, SUBMISSIONS_RECEIVED)?,
                duplicate_submissions: store::counter(conn, DUPLICATE_SUBMISSIONS)?,
                decision_counts: store::decision_counts(conn)?,
            })
        })
        .await?;
    Ok(Json(stats))
}

// ---- operations (shared with demo mode) ----

fn invalid_field(field: &str, message: &str) -> EndpointError {
    EndpointError::Protocol(ProtocolError::InvalidField {
        field: field.into(),
        message: message.into(),
    })
}

/// Validate a draft and store it as a new packet, or return the packet first created with
/// the same idempotency key by the same agent token. `true` when newly created.
pub async fn create_packet(
    state: &AppState,
    agent_token_hash: &str,
    draft: PacketDraft,
    header_key: Option<String>,
) -> Result<(Packet, bool), EndpointError> {
    let limits = Limits::V1;
    let agent_key = match (draft.agent_key.clone(), header_key) {
        (Some(body), Some(header)) if body != header => {
            return Err(invalid_field(
                "agent_key",
                "differs from the Idempotency-Key header",
            ));
        }
        (body, header) => body.or(header),
    };
    if agent_key
        .as_ref()
        .is_some_and(|k| k.len() > limits.short_text)
    {
        return Err(ProtocolError::FieldTooLarge {
            field: "agent_key".into(),
            size: agent_key.as_ref().map_or(0, String::len),
            limit: limits.short_text,
        }
        .into());
    }
    let packet = new_packet(state.now(), draft)?;
    let agent_token_hash = agent_token_hash.to_string();
    state
        .write(move |w| {
            if let Some(key) = &agent_key {
                if let Some(existing_id) =
                    store::packet_for_agent_key(w.conn(), &agent_token_hash, key)?
                {
                    let existing = store::get_packet(w.conn(), &existing_id)?.ok_or_else(|| {
                        EndpointError::Corrupt(format!("agent key points at missing {existing_id}"))
                    })?;
                    return Ok((existing, false));
                }
            }
            store_new_packet(w, &packet)?;
            if let Some(key) = &agent_key {
                store::remember_agent_key(w.conn(), &agent_token_hash, key, &packet.id)?;
            }
            Ok((packet, true))
        })
        .await
}

/// Validate a draft and build the packet it becomes (not stored yet).
pub fn new_packet(now: DateTime<Utc>, draft: PacketDraft) -> Result<Packet, EndpointError> {
    let limits = Limits::V1;
    validate_draft(&draft, &limits)?;
    let packet = Packet::from_draft(uuid::Uuid::now_v7().to_string(), now, draft);
    // Fields can each be within limits and still add up to a packet desktops refuse.
    let size = serde_json::to_vec(&packet).map_or(usize::MAX, |v| v.len());
    validate_packet(&packet, size, &limits)?;
    Ok(packet)
}

/// Store a new packet and announce it to desktops (the `created` change), inside the
/// caller's transaction.
pub fn store_new_packet(w: &mut Writer<'_>, packet: &Packet) -> Result<(), EndpointError> {
    store::insert_packet(w.conn(), packet)?;
    w.append_change(ChangeKind::Created, packet, Vec::new())?;
    Ok(())
}

pub async fn load_packet(state: &AppState, id: String) -> Result<Packet, EndpointError> {
    state
        .read(move |conn| store::get_packet(conn, &id)?.ok_or_else(|| not_found(&id)))
        .await
}

fn not_found(id: &str) -> EndpointError {
    EndpointError::NotFound(format!("no review packet `{id}`"))
}

/// What the agent may do now, from the packet and its accepted decisions.
pub fn decision_view(packet: &Packet, decisions: &[StoredDecision]) -> AgentDecisionView {
    // The last accepted decision is the deciding one: the only one under any_of, and the
    // approval completing (or the rejection ending) an all_of quorum.
    let deciding = (packet.status == PacketStatus::Decided)
        .then(|| decisions.last())
        .flatten()
        .map(StoredDecision::record);
    AgentDecisionView {
        packet_id: packet.id.clone(),
        status: packet.status,
        outcome: deciding.map(|r| r.outcome),
        final_args: deciding
            .filter(|r| r.outcome.permits_action())
            .and_then(|r| r.final_args.clone()),
        reason: deciding.and_then(|r| r.reason.clone()),
        response: deciding.and_then(|r| r.response.clone()),
        decisions: decisions.iter().map(|d| d.signed.clone()).collect(),
    }
}

async fn load_view(state: &AppState, id: &str) -> Result<AgentDecisionView, EndpointError> {
    let id = id.to_string();
    state
        .read(move |conn| {
            let packet = store::get_packet(conn, &id)?.ok_or_else(|| not_found(&id))?;
            let decisions = store::decisions_for_packet(conn, &id)?;
            Ok(decision_view(&packet, &decisions))
        })
        .await
}

/// Answer as soon as the packet leaves `pending`, or after `wait` with the pending view.
/// Woken by the change feed, so a decision reaches the agent within milliseconds.
pub async fn wait_for_decision(
    state: &AppState,
    id: String,
    wait: Duration,
) -> Result<AgentDecisionView, EndpointError> {
    // Subscribe before reading, so a change committed in between is not missed.
    let mut changes = state.feed().subscribe();
    let give_up_at = tokio::time::Instant::now() + wait;
    loop {
        let view = load_view(state, &id).await?;
        if view.status != PacketStatus::Pending
            || tokio::time::Instant::now() >= give_up_at
            || state.is_stopping()
        {
            return Ok(view);
        }
        loop {
            tokio::select! {
                received = changes.recv() => match received {
                    Ok(change) if change.packet.id == id => break,
                    Ok(_) => continue,
                    // Missed some changes: re-read to be sure ours was not among them.
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return Ok(view),
                },
                _ = tokio::time::sleep_until(give_up_at) => break,
                _ = state.stopped() => break,
            }
        }
    }
}

/// The agent no longer needs a decision. Withdrawing twice is harmless.
pub async fn withdraw_packet(state: &AppState, id: String) -> Result<Packet, EndpointError> {
    let now = state.now();
    state
        .write(move |w| {
            let mut packet = store::get_packet(w.conn(), &id)?.ok_or_else(|| not_found(&id))?;
            match packet.status {
                PacketStatus::Pending => {}
                PacketStatus::Withdrawn => return Ok(packet),
                PacketStatus::Decided => return Err(EndpointError::PacketDecided),
                PacketStatus::Expired => return Err(EndpointError::PacketExpired),
            }
            packet.status = PacketStatus::Withdrawn;
            packet.updated_at = now;
            store::save_packet(w.conn(), &packet)?;
            let decisions = store::decisions_for_packet(w.conn(), &id)?;
            let signed = decisions.into_iter().map(|d| d.signed).collect();
            w.append_change(ChangeKind::Withdrawn, &packet, signed)?;
            Ok(packet)
        })
        .await
}
