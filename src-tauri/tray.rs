//! The tray icon: pending and urgent counts at a glance, and a menu to open the window,
//! pause notifications or quit. Counts refresh on engine events, at most twice a second.

use crate::commands::AppEngine;
use countersign_core::Engine;
use std::sync::Arc;
use std::time::Duration;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

const OPEN: &str = "open";
const PAUSE: &str = "pause-notifications";
const QUIT: &str = "quit";

/// Bring the main window to the front (tray "Open", a second launch).
pub fn show_main_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

fn summary(engine: &Engine) -> String {
    match engine.stats() {
        Ok(s) => format!("Countersign — {} pending, {} urgent", s.pending, s.urgent),
        Err(e) => format!("Countersign — queue unavailable ({})", e.code()),
    }
}

/// Build the tray. A desktop without a tray host is not an error: the app works without.
pub fn install(app: &AppHandle, engine: Arc<Engine>) -> tauri::Result<TrayIcon> {
    let paused = engine.notifications_paused().unwrap_or(false);
    let open = MenuItem::with_id(app, OPEN, "Open Countersign", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(
        app,
        PAUSE,
        "Pause notifications",
        true,
        paused,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[&open, &pause, &PredefinedMenuItem::separator(app)?, &quit],
    )?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip(summary(&engine))
        .menu(&menu)
        .on_menu_event(move |app, event| match event.id().as_ref() {
            OPEN => show_main_window(app),
            PAUSE => {
                let engine = &app.state::<AppEngine>().0;
                let now_paused = !engine.notifications_paused().unwrap_or(false);
                if let Err(e) = engine.set_notifications_paused(now_paused) {
                    tracing::warn!(error = %e, "could not store the notification setting");
                }
            }
            QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// Keep the tray's tooltip and label in step with the queue.
pub fn follow_queue(app: AppHandle, tray: TrayIcon, engine: Arc<Engine>) {
    let mut events = engine.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            // Any event may change the counts; coalesce bursts into one refresh.
            if events.recv().await.is_err() && events.is_closed() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            while events.try_recv().is_ok() {}
            let text = summary(&engine);
            let stats = engine.stats().ok();
            let tray = tray.clone();
            let _ = app.run_on_main_thread(move || {
                let _ = tray.set_tooltip(Some(&text));
                if let Some(s) = stats {
                    let _ = tray.set_title(Some(if s.pending == 0 {
                        String::new()
                    } else {
                        format!("{} ({} urgent)", s.pending, s.urgent)
                    }));
                }
            });
        }
    });
}
