//! The error shape every command returns to the UI: `{code, message}`.

use countersign_core::ErrorCode;
use serde::Serialize;

#[derive(Debug, Serialize, Clone, PartialEq)]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<countersign_core::CoreError> for UiError {
    fn from(e: countersign_core::CoreError) -> Self {
        UiError {
            code: e.error_code(),
            message: e.to_string(),
        }
    }
}

impl UiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        UiError {
            code,
            message: message.into(),
        }
    }
}

pub type UiResult<T> = Result<T, UiError>;
