//! The one error type of the engine; `code()` (an [`ErrorCode`]) is what the UI and CLI
//! show as `{code, message}`.

use crate::error_code::ErrorCode;
use countersign_protocol::ProtocolError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("database error: {0}")]
    Database(String),
    #[error("{what} not found: {id}")]
    NotFound { what: &'static str, id: String },
    #[error("packet {0} is no longer open for decisions ({1})")]
    PacketClosed(i64, String),
    #[error("the OS keyring is not available: {0}")]
    KeyringUnavailable(String),
    #[error("the OS keyring is locked or refused access: {0}")]
    KeyringLocked(String),
    #[error("keyring error: {0}")]
    Keyring(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("endpoint error: {0}")]
    Endpoint(String),
    #[error("endpoint refused the token (401/403): {0}")]
    Unauthorized(String),
    #[error("endpoint unreachable: {0}")]
    Offline(String),
    #[error("audit ledger broken at entry {seq}: {reason}")]
    LedgerBroken { seq: i64, reason: String },
    #[error("cancelled")]
    Cancelled,
    #[error("file error: {0}")]
    Io(String),
}

impl CoreError {
    /// The stable code shown beside the message (`{code, message}` in the UI and CLI).
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        match self {
            CoreError::Protocol(e) => ErrorCode::from(e),
            CoreError::Database(_) => ErrorCode::Database,
            CoreError::NotFound { .. } => ErrorCode::NotFound,
            CoreError::PacketClosed(..) => ErrorCode::PacketClosed,
            CoreError::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            CoreError::KeyringLocked(_) => ErrorCode::KeyringLocked,
            CoreError::Keyring(_) => ErrorCode::Keyring,
            CoreError::InvalidInput(_) => ErrorCode::InvalidInput,
            CoreError::Endpoint(_) => ErrorCode::Endpoint,
            CoreError::Unauthorized(_) => ErrorCode::Unauthorized,
            CoreError::Offline(_) => ErrorCode::Offline,
            CoreError::LedgerBroken { .. } => ErrorCode::LedgerBroken,
            CoreError::Cancelled => ErrorCode::Cancelled,
            CoreError::Io(_) => ErrorCode::Io,
        }
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::Database(e.to_string())
    }
}

impl From<rusqlite_migration::Error> for CoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        CoreError::Database(format!("migration: {e}"))
    }
}

impl From<std::io::Error> for CoreError {
    fn from(e: std::io::Error) -> Self {
        CoreError::Io(e.to_string())
    }
}

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        CoreError::Database(format!("stored JSON: {e}"))
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
