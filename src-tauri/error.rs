//! The error shape every command returns to the UI: `{code, message}`.

use serde::Serialize;

#[derive(Debug, Serialize, Clone, PartialEq)]
pub struct UiError {
    pub code: String,
    pub message: String,
}

impl From<countersign_core::CoreError> for UiError {
    fn from(e: countersign_core::CoreError) -> Self {
        UiError {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

impl UiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        UiError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

pub type UiResult<T> = Result<T, UiError>;
