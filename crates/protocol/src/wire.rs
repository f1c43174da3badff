//! HTTP-level constants and bodies of protocol v1: paths, headers and the error body.

use serde::{Deserialize, Serialize};

/// Header carrying the protocol version on every request and response.
pub const VERSION_HEADER: &str = "countersign-protocol";
/// Header an agent may use instead of the `agent_key` body field for idempotent creation.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// Longest long-poll an endpoint honours for `?wait=SECONDS`.
pub const MAX_WAIT_SECONDS: u64 = 60;

/// The JSON error body every endpoint answers with on failure.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. a [`ProtocolError::code`](crate::ProtocolError::code).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The decision that won, on `409 conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner: Option<crate::model::SignedDecision>,
}

impl ErrorBody {
    /// An error body without a winner.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            winner: None,
        }
    }
}
