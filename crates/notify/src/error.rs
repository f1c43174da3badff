//! The one error type of the notifier; `code()` is what the UI and CLI show.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum NotifyError {
    /// No notification service answered (no session bus, no daemon on it).
    #[error("the notification service is unavailable: {0}")]
    Unavailable(String),
    #[error("the notification service refused the popup: {0}")]
    Refused(String),
}

impl NotifyError {
    pub fn code(&self) -> &'static str {
        match self {
            NotifyError::Unavailable(_) => "notifications_unavailable",
            NotifyError::Refused(_) => "notification_refused",
        }
    }

    /// The part a reviewer can act on, without the error prefix.
    pub fn detail(&self) -> &str {
        match self {
            NotifyError::Unavailable(d) | NotifyError::Refused(d) => d,
        }
    }
}
