//! The one error type of the protocol crate; each variant has a stable machine code.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ProtocolError {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("field `{field}` is {size} bytes, over the limit of {limit} bytes")]
    FieldTooLarge {
        field: String,
        size: usize,
        limit: usize,
    },
    #[error("packet is {size} bytes, over the limit of {limit} bytes")]
    PacketTooLarge { size: usize, limit: usize },
    #[error("invalid field `{field}`: {message}")]
    InvalidField { field: String, message: String },
    #[error("outcome `{0}` is not allowed for this packet")]
    OutcomeNotAllowed(String),
    #[error("a reason is required for outcome `{0}`")]
    ReasonRequired(String),
    #[error("a response text is required for outcome `respond`")]
    ResponseRequired,
    #[error("args_schema is not a valid JSON Schema: {0}")]
    InvalidSchema(String),
    #[error("arguments do not match the packet's schema: {0}")]
    SchemaViolation(String),
    #[error("bad signature: {0}")]
    BadSignature(String),
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u32),
}

impl ProtocolError {
    /// Stable snake_case code for APIs and the UI (`{code, message}`).
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::MalformedJson(_) => "malformed_json",
            ProtocolError::FieldTooLarge { .. } => "field_too_large",
            ProtocolError::PacketTooLarge { .. } => "packet_too_large",
            ProtocolError::InvalidField { .. } => "invalid_field",
            ProtocolError::OutcomeNotAllowed(_) => "outcome_not_allowed",
            ProtocolError::ReasonRequired(_) => "reason_required",
            ProtocolError::ResponseRequired => "response_required",
            ProtocolError::InvalidSchema(_) => "invalid_schema",
            ProtocolError::SchemaViolation(_) => "schema_violation",
            ProtocolError::BadSignature(_) => "bad_signature",
            ProtocolError::UnsupportedVersion(_) => "unsupported_version",
        }
    }
}
