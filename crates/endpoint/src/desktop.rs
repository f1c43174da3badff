//! The desktop face (reviewer tokens): the change feed in cursor pages, its live SSE
//! stream, decision submission, reviewer enrollment, and the unauthenticated health check.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use countersign_protocol::jws;
use countersign_protocol::limits::Limits;
use countersign_protocol::{
    Change, ChangePage, DecisionReceipt, DecisionSubmission, Enrollment, ProtocolError,
    PROTOCOL_VERSION,
};
use futures::Stream;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::auth::ReviewerAuth;
use crate::error::EndpointError;
use crate::extract::{JsonBody, PacketId};
use crate::state::AppState;
use crate::store;

const DEFAULT_PAGE: usize = 500;
const MAX_PAGE: usize = 1000;
const KEEPALIVE: Duration = Duration::from_secs(15);

pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "version": PROTOCOL_VERSION}))
}

type QueryParams = Result<Query<HashMap<String, String>>, QueryRejection>;

fn query_params(query: QueryParams) -> Result<HashMap<String, String>, EndpointError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| EndpointError::BadRequest(e.body_text()))
}

/// Cursors are the decimal `seq` of the last change seen; empty means the beginning.
fn parse_seq(text: Option<&str>) -> Result<u64, EndpointError> {
    match text.map(str::trim) {
        None | Some("") => Ok(0),
        Some(t) => t.parse().map_err(|_| {
            EndpointError::BadCursor(format!("`{t}` is not a cursor this endpoint issued"))
        }),
    }
}

pub async fn list_changes(
    State(state): State<AppState>,
    _auth: ReviewerAuth,
    query: QueryParams,
) -> Result<Json<ChangePage>, EndpointError> {
    let query = query_params(query)?;
    let after = parse_seq(query.get("cursor").map(String::as_str))?;
    let limit = match query.get("limit") {
        None => DEFAULT_PAGE,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| {
                EndpointError::BadRequest(format!("limit must be a positive integer, got `{text}`"))
            })?
            .clamp(1, MAX_PAGE),
    };
    let page = state
        .read(move |conn| {
            // A cursor past the end was never issued here: most likely the endpoint's
            // database was replaced, and the client must resync rather than wait forever.
            if after > store::latest_seq(conn)? {
                return Err(EndpointError::BadCursor(format!(
                    "cursor {after} is past the end of the feed"
                )));
            }
            let changes = store::changes_after(conn, after, limit)?;
            let next = changes.last().map_or(after, |c| c.seq);
            Ok(ChangePage {
                has_more: store::has_changes_after(conn, next)?,
                next_cursor: next.to_string(),
                changes,
            })
        })
        .await?;
    Ok(Json(page))
}

pub async fn event_stream(
    State(state): State<AppState>,
    _auth: ReviewerAuth,
    headers: HeaderMap,
    query: QueryParams,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, EndpointError> {
    let query = query_params(query)?;
    // A reconnecting EventSource sends Last-Event-ID; it is newer than any ?after the
    // client was first opened with.
    let last_event_id = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let after = parse_seq(last_event_id.or(query.get("after").map(String::as_str)))?;
    let (sender, receiver) = mpsc::channel(64);
    tokio::spawn(pump_changes(state, after, sender));
    Ok(Sse::new(ReceiverStream::new(receiver))
        .keep_alive(KeepAlive::new().interval(KEEPALIVE).text("keepalive")))
}

fn change_event(change: &Change) -> Event {
    Event::default()
        .id(change.seq.to_string())
        .event("change")
        .data(serde_json::to_string(change).unwrap_or_default())
}

/// Feed one SSE client: replay stored changes after `last`, then forward live ones. On a
/// gap or lag in the broadcast, catch up from the store again, so no change is skipped or
/// sent twice. Ends when the client goes away or the endpoint stops.
async fn pump_changes(
    state: AppState,
    mut last: u64,
    sender: mpsc::Sender<Result<Event, Infallible>>,
) {
    // Subscribe before the first read so changes committed during the replay are queued.
    let mut live = state.feed().subscribe();
    'catch_up: loop {
        loop {
            let batch = match state
                .read(move |conn| store::changes_after(conn, last, MAX_PAGE))
                .await
            {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "event stream could not read changes; closing it");
                    return;
                }
            };
            if batch.is_empty() {
                break;
            }
            for change in &batch {
                last = change.seq;
                if sender.send(Ok(change_event(change))).await.is_err() {
                    return;
                }
            }
        }
        loop {
            tokio::select! {
                received = live.recv() => match received {
                    Ok(change) if change.seq <= last => {}
                    Ok(change) if change.seq == last + 1 => {
                        last = change.seq;
                        if sender.send(Ok(change_event(&change))).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => continue 'catch_up,
                    Err(RecvError::Closed) => return,
                },
                _ = state.stopped() => return,
                _ = sender.closed() => return,
            }
        }
    }
}

pub async fn submit_decision(
    State(state): State<AppState>,
    _auth: ReviewerAuth,
    PacketId(packet_id): PacketId,
    JsonBody(submission): JsonBody<DecisionSubmission>,
) -> Result<Json<DecisionReceipt>, EndpointError> {
    Ok(Json(
        crate::decide::submit_decision(&state, packet_id, submission).await?,
    ))
}

fn invalid_field(field: &str, message: impl Into<String>) -> EndpointError {
    EndpointError::Protocol(ProtocolError::InvalidField {
        field: field.into(),
        message: message.into(),
    })
}

pub async fn enroll_reviewer(
    State(state): State<AppState>,
    _auth: ReviewerAuth,
    JsonBody(enrollment): JsonBody<Enrollment>,
) -> Result<(StatusCode, Json<Enrollment>), EndpointError> {
    let limits = Limits::V1;
    for (field, value) in [
        ("reviewer.id", &enrollment.reviewer.id),
        ("reviewer.display_name", &enrollment.reviewer.display_name),
    ] {
        if value.trim().is_empty() {
            return Err(invalid_field(field, "must not be empty"));
        }
        if value.len() > limits.short_text {
            return Err(ProtocolError::FieldTooLarge {
                field: field.into(),
                size: value.len(),
                limit: limits.short_text,
            }
            .into());
        }
    }
    let key = jws::verifying_key_from_jwk(&enrollment.public_key)?;
    let thumbprint = jws::key_id(&key);
    if enrollment.key_id != thumbprint {
        return Err(invalid_field(
            "key_id",
            "must be the RFC 7638 thumbprint of public_key",
        ));
    }
    if enrollment
        .public_key
        .kid
        .as_ref()
        .is_some_and(|kid| *kid != thumbprint)
    {
        return Err(invalid_field("public_key.kid", "must equal key_id"));
    }
    let now = state.now();
    let stored = enrollment.clone();
    let result = state
        .write(move |w| {
            store::enroll_key(
                w.conn(),
                &stored.reviewer,
                &stored.key_id,
                &stored.public_key,
                now,
            )
        })
        .await?;
    let status = match result {
        store::Enrollment::Created => StatusCode::CREATED,
        store::Enrollment::AlreadyEnrolled => StatusCode::OK,
    };
    Ok((status, Json(enrollment)))
}
