//! The endpoint's one error type and its mapping to HTTP status codes and the protocol's
//! JSON `ErrorBody {code, message, winner}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use countersign_protocol::wire::ErrorBody;
use countersign_protocol::{ProtocolError, SignedDecision};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EndpointError {
    #[error("missing or unknown bearer token")]
    Unauthorized,
    #[error("this token may not use this part of the API")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("bad cursor: {0}")]
    BadCursor(String),
    #[error("request body is over {limit} bytes", limit = crate::MAX_BODY_BYTES)]
    PayloadTooLarge,
    /// A validation rule of the protocol crate failed (422 with its code).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("no enrolled key has id `{0}`")]
    UnknownKey(String),
    #[error("{0}")]
    Mismatch(String),
    #[error("{0}")]
    DigestMismatch(String),
    /// Decided elsewhere (or this reviewer already decided): the winner is attached.
    #[error("{message}")]
    Conflict {
        message: String,
        winner: Option<Box<SignedDecision>>,
    },
    #[error("the packet was withdrawn by the agent")]
    PacketWithdrawn,
    #[error("the packet expired before a decision arrived")]
    PacketExpired,
    #[error("the packet is already decided")]
    PacketDecided,
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl EndpointError {
    /// Status code and stable snake_case code of the spec.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use EndpointError as E;
        match self {
            E::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            E::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            E::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            E::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            E::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            E::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            E::BadCursor(_) => (StatusCode::BAD_REQUEST, "bad_cursor"),
            E::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            E::Protocol(ProtocolError::MalformedJson(_)) => {
                (StatusCode::BAD_REQUEST, "malformed_json")
            }
            E::Protocol(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.code()),
            E::UnknownKey(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_key"),
            E::Mismatch(_) => (StatusCode::UNPROCESSABLE_ENTITY, "mismatch"),
            E::DigestMismatch(_) => (StatusCode::UNPROCESSABLE_ENTITY, "digest_mismatch"),
            E::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            E::PacketWithdrawn => (StatusCode::CONFLICT, "packet_withdrawn"),
            E::PacketExpired => (StatusCode::CONFLICT, "packet_expired"),
            E::PacketDecided => (StatusCode::CONFLICT, "packet_decided"),
            E::Database(_) | E::Migration(_) | E::Corrupt(_) | E::Io(_) | E::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }

    pub(crate) fn conflict(message: impl Into<String>, winner: SignedDecision) -> Self {
        EndpointError::Conflict {
            message: message.into(),
            winner: Some(Box::new(winner)),
        }
    }
}

impl IntoResponse for EndpointError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            // Details of server faults go to the log, not to a possibly hostile client.
            tracing::error!(error = %self, "request failed");
        }
        let message = if status.is_server_error() {
            "internal error; see the endpoint log".to_string()
        } else {
            self.to_string()
        };
        let winner = match self {
            EndpointError::Conflict { winner, .. } => winner.map(|w| *w),
            _ => None,
        };
        let body = ErrorBody {
            code: code.to_string(),
            message,
            winner,
        };
        (status, Json(body)).into_response()
    }
}
