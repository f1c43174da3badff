//! The machine codes of every error the desktop UI receives as `{code, message}`: the
//! protocol's, the engine's and the shell's own, in one list the UI's `ErrorCode` union is
//! generated from (so the UI matches codes the Rust side really produces).

use countersign_protocol::ProtocolError;
use serde::Serialize;

/// A stable snake_case error code (`CoreError::code`, `ProtocolError::code`, and the
/// shell's own failures). Never rename one: the UI and scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(test, derive(strum::EnumIter))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ErrorCode {
    // The protocol's (`ProtocolError::code`).
    MalformedJson,
    FieldTooLarge,
    PacketTooLarge,
    InvalidField,
    OutcomeNotAllowed,
    ReasonRequired,
    ResponseRequired,
    InvalidSchema,
    SchemaViolation,
    BadSignature,
    UnsupportedVersion,
    // The engine's (`CoreError`).
    Database,
    NotFound,
    PacketClosed,
    KeyringUnavailable,
    KeyringLocked,
    Keyring,
    InvalidInput,
    Endpoint,
    Unauthorized,
    Offline,
    LedgerBroken,
    Cancelled,
    Io,
    // The desktop shell's own.
    /// The system browser could not be started for a link.
    OpenFailed,
    /// A background task of the shell died (a bug, not a user error).
    Internal,
    /// An audit export was asked for while another one runs.
    ExportRunning,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl From<&ProtocolError> for ErrorCode {
    fn from(e: &ProtocolError) -> Self {
        match e {
            ProtocolError::MalformedJson(_) => ErrorCode::MalformedJson,
            ProtocolError::FieldTooLarge { .. } => ErrorCode::FieldTooLarge,
            ProtocolError::PacketTooLarge { .. } => ErrorCode::PacketTooLarge,
            ProtocolError::InvalidField { .. } => ErrorCode::InvalidField,
            ProtocolError::OutcomeNotAllowed(_) => ErrorCode::OutcomeNotAllowed,
            ProtocolError::ReasonRequired(_) => ErrorCode::ReasonRequired,
            ProtocolError::ResponseRequired => ErrorCode::ResponseRequired,
            ProtocolError::InvalidSchema(_) => ErrorCode::InvalidSchema,
            ProtocolError::SchemaViolation(_) => ErrorCode::SchemaViolation,
            ProtocolError::BadSignature(_) => ErrorCode::BadSignature,
            ProtocolError::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_codes_are_the_protocol_crate_s() {
        let s = || "x".to_string();
        let all = [
            ProtocolError::MalformedJson(s()),
            ProtocolError::FieldTooLarge {
                field: s(),
                size: 2,
                limit: 1,
            },
            ProtocolError::PacketTooLarge { size: 2, limit: 1 },
            ProtocolError::InvalidField {
                field: s(),
                message: s(),
            },
            ProtocolError::OutcomeNotAllowed(s()),
            ProtocolError::ReasonRequired(s()),
            ProtocolError::ResponseRequired,
            ProtocolError::InvalidSchema(s()),
            ProtocolError::SchemaViolation(s()),
            ProtocolError::BadSignature(s()),
            ProtocolError::UnsupportedVersion(2),
        ];
        for e in &all {
            assert_eq!(ErrorCode::from(e).as_str(), e.code(), "{e:?}");
        }
    }

    #[test]
    fn the_json_code_is_the_printed_code() {
        use strum::IntoEnumIterator;
        for code in ErrorCode::iter() {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
        }
    }
}
