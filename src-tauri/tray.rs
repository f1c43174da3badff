//! The tray icon: pending and urgent counts at a glance, and a menu to open the window,
//! pause notifications or quit. Counts refresh on engine events, at most twice a second;
//! the pause item and tooltip follow the notifier's status.

use crate::commands::AppEngine;
use crate::notifications::AppNotifier;
use crate::window::show_main_window;
use countersign_core::Engine;
use countersign_notify::NotifierStatus;
use std::sync::Arc;
use std::time::Duration;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

const OPEN: &str = "open";
const PAUSE: &str = "pause-notifications";
const QUIT: &str = "quit";

/// The pause item, kept to show the paused state when it changes elsewhere (UI, CLI).
struct PauseItem(CheckMenuItem<tauri::Wry>);

fn summary(engine: &Engine) -> String {
    let paused = if engine.notifications_paused().unwrap_or(false) {
        " — notifications paused"
    } else {
        ""
    };
    match engine.stats() {
        Ok(s) => format!(
            "Countersign — {} pending, {} urgent{paused}",
            s.pending, s.urgent
        ),
        Err(e) => format!("Countersign — queue unavailable ({})", e.code()),
    }
}

/// Reflect the notifier's status: the pause item's check mark and, when the service is
/// missing, a word in the tooltip.
pub fn show_notifier_status(app: &AppHandle, status: &NotifierStatus) {
    let app2 = app.clone();
    let status = status.clone();
    let _ = app.run_on_main_thread(move || {
        if let Some(item) = app2.try_state::<PauseItem>() {
            let _ = item.0.set_checked(status.paused);
        }
        if let (Some(tray), Some(engine)) = (app2.tray_by_id("main"), app2.try_state::<AppEngine>())
        {
            let mut text = summary(&engine.0);
            if !status.available {
                text.push_str(" — notifications unavailable");
            }
            let _ = tray.set_tooltip(Some(&text));
        }
    });
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
                // Through the notifier, so the UI and this menu hear about it.
                let stored = match app.try_state::<AppNotifier>() {
                    Some(n) => n.0.set_paused(now_paused).map(|_| ()),
                    None => engine.set_notifications_paused(now_paused),
                };
                if let Err(e) = stored {
                    tracing::warn!(error = %e, "could not store the notification setting");
                }
            }
            QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    app.manage(PauseItem(pause));
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
