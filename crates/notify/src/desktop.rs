//! The notify-rust backend of [`Popups`]. Linux and the BSDs: freedesktop notifications
//! on the session D-Bus, with buttons, urgency, in-place updates and withdrawal. macOS
//! and Windows: notify-rust's native backends, with the limits the README lists (no
//! urgency, no withdrawal; buttons as far as the platform shows them).
//!
//! Waiting for a click blocks (notify-rust listens for the `ActionInvoked` and
//! `NotificationClosed` signals on its own connection), so every shown popup gets a
//! small waiting thread that ends with the popup.

use crate::error::NotifyError;
use crate::popup::{Popup, PopupChoice, PopupId, PopupResponse, Popups};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

/// The application name servers show and group by.
pub const APP_NAME: &str = "Countersign";

pub struct DesktopPopups {
    responses: UnboundedSender<PopupResponse>,
    /// Shown popups still waiting for the reviewer; the handle closes them on withdrawal.
    open: Arc<Mutex<HashMap<PopupId, notify_rust::NotificationHandle>>>,
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    next_id: std::sync::atomic::AtomicU32,
}

impl DesktopPopups {
    pub fn new(responses: UnboundedSender<PopupResponse>) -> Self {
        DesktopPopups {
            responses,
            open: Arc::new(Mutex::new(HashMap::new())),
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            next_id: std::sync::atomic::AtomicU32::new(1),
        }
    }

    fn notification(popup: &Popup) -> notify_rust::Notification {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME).summary(&popup.title).body(&popup.body);
        for (key, label) in &popup.actions {
            n.action(key, label);
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            use crate::popup::PopupUrgency;
            n.urgency(match popup.urgency {
                PopupUrgency::Low => notify_rust::Urgency::Low,
                PopupUrgency::Normal => notify_rust::Urgency::Normal,
                PopupUrgency::Critical => notify_rust::Urgency::Critical,
            });
            if popup.sticky {
                n.timeout(notify_rust::Timeout::Never);
            }
            if let Some(PopupId(id)) = popup.replaces {
                n.id(id);
            }
        }
        n
    }
}

/// Plain words for what went wrong talking to the service.
fn service_error(e: notify_rust::error::Error) -> NotifyError {
    let text = e.to_string();
    let unavailable = [
        "ServiceUnknown",
        "failed to connect",
        "No such file",
        "Connection refused",
        "DBUS_SESSION_BUS_ADDRESS",
        "not provided by any .service files",
        "autolaunch",
    ];
    if unavailable.iter().any(|m| text.contains(m)) {
        NotifyError::Unavailable(format!(
            "no desktop notification service answered ({text}); start one (on Linux: a \
             notification daemon such as dunst, mako or your desktop's own)"
        ))
    } else {
        NotifyError::Refused(text)
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
impl Popups for DesktopPopups {
    fn show(&self, popup: &Popup) -> Result<PopupId, NotifyError> {
        let handle = Self::notification(popup).show().map_err(service_error)?;
        let id = PopupId(handle.id());
        let already_waiting = self.open.lock().unwrap().insert(id, handle).is_some();
        if already_waiting {
            // Updated in place: the thread waiting on this id goes on waiting.
            return Ok(id);
        }
        let open = self.open.clone();
        let responses = self.responses.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("popup-{}", id.0))
            .spawn(move || {
                let mut choice = PopupChoice::Closed;
                let waited = notify_rust::handle_action(id.0, |response| {
                    if let notify_rust::ActionResponse::Custom(key) = response {
                        choice = PopupChoice::Action(key.to_string());
                    }
                });
                if let Err(e) = waited {
                    tracing::warn!(popup = id.0, error = %e, "stopped waiting for a popup");
                }
                open.lock().unwrap().remove(&id);
                let _ = responses.send(PopupResponse { popup: id, choice });
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot wait for popup clicks");
        }
        Ok(id)
    }

    fn withdraw(&self, popup: PopupId) -> Result<(), NotifyError> {
        // Closing makes the server send NotificationClosed, which ends the waiting thread.
        let handle = self.open.lock().unwrap().remove(&popup);
        if let Some(h) = handle {
            h.close();
        }
        Ok(())
    }

    fn probe(&self) -> Result<String, NotifyError> {
        let info = notify_rust::get_server_information().map_err(service_error)?;
        Ok(format!("{} {}", info.name, info.version))
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
impl Popups for DesktopPopups {
    fn show(&self, popup: &Popup) -> Result<PopupId, NotifyError> {
        let handle = Self::notification(popup).show().map_err(service_error)?;
        let id = PopupId(
            self.next_id
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        );
        let responses = self.responses.clone();
        let _ = std::thread::Builder::new()
            .name(format!("popup-{}", id.0))
            .spawn(move || {
                let mut choice = PopupChoice::Closed;
                handle.wait_for_action(|key| {
                    if key != "__closed" {
                        choice = PopupChoice::Action(key.to_string());
                    }
                });
                let _ = responses.send(PopupResponse { popup: id, choice });
            });
        Ok(id)
    }

    fn withdraw(&self, _popup: PopupId) -> Result<(), NotifyError> {
        // notify-rust cannot close a shown notification here; the decided review simply
        // is no longer pending when the reviewer clicks it.
        let _ = &self.open;
        Ok(())
    }

    fn probe(&self) -> Result<String, NotifyError> {
        Ok(std::env::consts::OS.to_string())
    }
}
