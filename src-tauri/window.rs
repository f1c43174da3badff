//! The main window, brought forward from outside the UI: the tray's "Open", a second
//! launch, a notification asking to open a review.

use tauri::{AppHandle, Manager};

/// Bring the main window to the front.
pub fn show_main_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}
