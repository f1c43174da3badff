//! Countersign's OS notifications, free of any UI toolkit: urgent reviews become desktop
//! popups (notify-rust: freedesktop notifications over D-Bus on Linux, the native centres
//! on macOS and Windows) with Approve / Reject / Open, and the reviewer's click becomes a
//! signed decision recorded "via notification" exactly as the window records one.
//!
//! The *when* is `countersign_core::policy` (pure, clock-injected); this crate is the
//! *how*: [`popup`] describes a popup and the [`popup::Popups`] port, [`compose`] turns a
//! policy alert into popup text, [`desktop`] is the notify-rust implementation, and
//! [`notifier`] runs it all against the engine's events.

pub mod compose;
pub mod desktop;
pub mod error;
pub mod notifier;
pub mod popup;

pub use error::NotifyError;
pub use notifier::{Notifier, NotifierEvent, NotifierStatus};
pub use popup::{Popup, PopupChoice, PopupId, PopupResponse, PopupUrgency, Popups};
