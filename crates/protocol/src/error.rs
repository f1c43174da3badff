//! The one error type of the protocol crate; each variant has a stable machine code.

use thiserror::Error;

/// Everything the protocol rejects; [`code`](ProtocolError::code) names the variant on the wire.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ProtocolError {
    /// The body is not JSON, or not of the expected shape.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// A field is over its [`Limits`](crate::limits::Limits) bound.
    #[error("field `{field}` is {size} bytes, over the limit of {limit} bytes")]
    FieldTooLarge {
        /// The field's path, e.g. `context[2].excerpt`.
        field: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The whole packet is over [`Limits::packet`](crate::limits::Limits::packet).
    #[error("packet is {size} bytes, over the limit of {limit} bytes")]
    PacketTooLarge {
        /// The packet's size in bytes of JSON.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A field is missing, empty or out of range.
    #[error("invalid field `{field}`: {message}")]
    InvalidField {
        /// The field's path, e.g. `quorum.required`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The outcome is not among the packet's `allowed_outcomes`.
    #[error("outcome `{0}` is not allowed for this packet")]
    OutcomeNotAllowed(String),
    /// The outcome (`reject`) needs a reason.
    #[error("a reason is required for outcome `{0}`")]
    ReasonRequired(String),
    /// `respond` needs a response text.
    #[error("a response text is required for outcome `respond`")]
    ResponseRequired,
    /// `args_schema` does not compile as a JSON Schema.
    #[error("args_schema is not a valid JSON Schema: {0}")]
    InvalidSchema(String),
    /// Arguments do not satisfy `args_schema`.
    #[error("arguments do not match the packet's schema: {0}")]
    SchemaViolation(String),
    /// A JWS is malformed, or its signature or key id does not check out.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// A packet or record of a protocol version this crate does not speak.
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
