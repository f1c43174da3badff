//! What a popup says and offers, and the port every notification backend implements.

use crate::error::NotifyError;

/// The action key of a click on the popup's body (freedesktop's `default`).
pub const OPEN: &str = "default";
pub const APPROVE: &str = "approve";
pub const REJECT: &str = "reject";

/// The platform's notion of urgency (freedesktop: the `urgency` hint byte 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupUrgency {
    Low,
    Normal,
    Critical,
}

impl PopupUrgency {
    /// The freedesktop hint byte.
    pub fn hint_byte(self) -> u8 {
        match self {
            PopupUrgency::Low => 0,
            PopupUrgency::Normal => 1,
            PopupUrgency::Critical => 2,
        }
    }
}

/// Identifies a shown popup (the freedesktop notification id on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PopupId(pub u32);

#[derive(Debug, Clone, PartialEq)]
pub struct Popup {
    pub title: String,
    pub body: String,
    pub urgency: PopupUrgency,
    /// (key, label) pairs; [`OPEN`] is the body click.
    pub actions: Vec<(String, String)>,
    /// Update this popup in place instead of showing another.
    pub replaces: Option<PopupId>,
    /// Stay until acted on or withdrawn (a review awaiting a decision), rather than the
    /// service's default timeout.
    pub sticky: bool,
}

/// What the reviewer did with a popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopupChoice {
    /// A button or the body (key [`OPEN`]).
    Action(String),
    /// Dismissed, expired or withdrawn without an action.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopupResponse {
    pub popup: PopupId,
    pub choice: PopupChoice,
}

/// A notification service. Responses to shown popups arrive on the channel the backend
/// was built with. Calls may block briefly on IPC: call them off the async threads.
pub trait Popups: Send + Sync {
    fn show(&self, popup: &Popup) -> Result<PopupId, NotifyError>;
    /// Take a popup down (its review was decided elsewhere).
    fn withdraw(&self, popup: PopupId) -> Result<(), NotifyError>;
    /// Whether a service answers, with its name.
    fn probe(&self) -> Result<String, NotifyError>;
}
