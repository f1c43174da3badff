//! The one error type of the engine; `code()` is what the UI and CLI show as `{code, message}`.

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
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Protocol(e) => e.code(),
            CoreError::Database(_) => "database",
            CoreError::NotFound { .. } => "not_found",
            CoreError::PacketClosed(..) => "packet_closed",
            CoreError::KeyringUnavailable(_) => "keyring_unavailable",
            CoreError::KeyringLocked(_) => "keyring_locked",
            CoreError::Keyring(_) => "keyring",
            CoreError::InvalidInput(_) => "invalid_input",
            CoreError::Endpoint(_) => "endpoint",
            CoreError::Unauthorized(_) => "unauthorized",
            CoreError::Offline(_) => "offline",
            CoreError::LedgerBroken { .. } => "ledger_broken",
            CoreError::Cancelled => "cancelled",
            CoreError::Io(_) => "io",
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
