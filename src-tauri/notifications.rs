//! Wires the Tauri-free notifier (`countersign-notify`) to the app: starts it with the
//! desktop popup backend, brings the window forward at the review a popup asks to open,
//! and forwards the notifier's status (paused, service unavailable) to the UI and to
//! whatever else shows it (the tray, passed in).

use countersign_core::Engine;
use countersign_notify::desktop::DesktopPopups;
use countersign_notify::{Notifier, NotifierEvent, NotifierStatus};
use std::sync::Arc;
use tauri::{AppHandle, Emitter};

/// The notifier, shared by the commands and the tray.
pub struct AppNotifier(pub Arc<Notifier>);

/// Event asking the UI to select a review: payload `{packet_id}` (null: the queue).
pub const OPEN_PACKET_EVENT: &str = "open-packet";
/// Event carrying the notifier status: `{paused, available, message}`.
pub const NOTIFIER_STATUS_EVENT: &str = "notifier-status";

#[derive(serde::Serialize, Clone)]
struct OpenPacket {
    packet_id: Option<i64>,
}

/// Start the notifier and follow what it reports; each status also goes to `show_status`.
/// Returns the notifier for app state.
pub fn start(
    app: &AppHandle,
    engine: Arc<Engine>,
    show_status: impl Fn(&AppHandle, &NotifierStatus) + Send + 'static,
) -> Arc<Notifier> {
    let (responses_tx, responses) = tokio::sync::mpsc::unbounded_channel();
    let notifier = Notifier::new(engine, Arc::new(DesktopPopups::new(responses_tx)));
    let mut events = notifier.subscribe();
    tauri::async_runtime::spawn(notifier.clone().run(responses));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(NotifierEvent::Open { packet_id }) => {
                    crate::window::show_main_window(&app);
                    let _ = app.emit(OPEN_PACKET_EVENT, OpenPacket { packet_id });
                }
                Ok(NotifierEvent::Status(status)) => {
                    // The shell installs no log subscriber: say it on stderr, where a
                    // desktop session's journal picks it up.
                    if let Some(message) = status.message.as_deref().filter(|_| !status.available) {
                        eprintln!("countersign: desktop notifications unavailable: {message}");
                    }
                    show_status(&app, &status);
                    let _ = app.emit(NOTIFIER_STATUS_EVENT, status);
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
    });
    notifier
}
