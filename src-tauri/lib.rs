//! Countersign desktop shell: wires the Tauri-free core engine (`countersign-core`) to a
//! window. It holds no business logic: commands are thin adapters, engine events are
//! forwarded to the UI as `engine-event`.

mod audit;
mod commands;
mod demo;
mod error;
mod notifications;
mod tray;
mod window;

pub use commands::AppEngine;
pub use error::UiError;
pub use notifications::{AppNotifier, NOTIFIER_STATUS_EVENT, OPEN_PACKET_EVENT};

use countersign_core::{Engine, EngineConfig};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Emitter, Manager};

/// Name of the event carrying `EngineEvent`s to the UI.
pub const ENGINE_EVENT: &str = "engine-event";

fn data_dir(app: &tauri::AppHandle) -> PathBuf {
    std::env::var_os("COUNTERSIGN_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| PathBuf::from("countersign-data"))
}

fn keyring_service() -> String {
    std::env::var("COUNTERSIGN_KEYRING_SERVICE")
        .unwrap_or_else(|_| countersign_core::engine::DEFAULT_KEYRING_SERVICE.into())
}

/// Open the engine, start the demo endpoint when wanted, start sync and forward events.
fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    let dir = data_dir(&handle);
    let engine = Arc::new(Engine::open(EngineConfig::new(
        dir.clone(),
        &keyring_service(),
    ))?);
    app.manage(AppEngine(engine.clone()));
    app.manage(AppNotifier(notifications::start(
        &handle,
        engine.clone(),
        tray::show_notifier_status,
    )));

    match tray::install(&handle, engine.clone()) {
        Ok(icon) => tray::follow_queue(handle.clone(), icon, engine.clone()),
        Err(e) => tracing::warn!(error = %e, "no tray icon on this desktop"),
    }

    let mut events = engine.subscribe();
    let forward = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(ev) => {
                    let _ = forward.emit(ENGINE_EVENT, ev);
                }
                // A burst outran the UI: tell it to refetch everything.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let _ = forward.emit(
                        ENGINE_EVENT,
                        countersign_core::EngineEvent::QueueChanged { packet_ids: vec![] },
                    );
                }
                Err(_) => break,
            }
        }
    });

    tauri::async_runtime::spawn(async move {
        let demo = demo::start_if_wanted(&engine, &dir).await;
        if let Err(e) = engine.start_sync() {
            tracing::error!(error = %e, "sync did not start");
        }
        // Keep the embedded endpoint alive for the life of the app.
        if let Some(demo) = demo {
            std::future::pending::<()>().await;
            drop(demo);
        }
    });
    Ok(())
}

/// Attach every UI command to a builder (the real runtime here, the mock runtime in the
/// IPC contract tests).
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .manage(audit::RunningExport::default())
        .invoke_handler(tauri::generate_handler![
            commands::queue_list,
            commands::queue_count,
            commands::queue_stats,
            commands::packet_get,
            commands::decide,
            commands::endpoints_list,
            commands::endpoint_add,
            commands::endpoint_remove,
            commands::endpoint_enroll,
            commands::reviewer_get,
            commands::reviewer_set_name,
            commands::key_info,
            commands::quarantine_list,
            commands::open_link,
            audit::audit_preview,
            audit::audit_export,
            audit::audit_export_cancel,
            audit::audit_verify,
            audit::audit_default_dir,
            commands::notifications_status,
            commands::notifications_set_paused,
            commands::notifications_focus,
        ])
}

/// Builds and runs the Tauri application. Blocks until the last window is closed.
///
/// # Panics
///
/// Panics if the Tauri runtime cannot start (for example, no display is available).
pub fn run() {
    let builder = tauri::Builder::default()
        // A second launch focuses the running window instead of opening another engine on
        // the same database.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show_main_window(app)
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // Folder pickers of the Audit view (export to, verify from).
        .plugin(tauri_plugin_dialog::init())
        .setup(setup);
    with_commands(builder)
        .run(tauri::generate_context!())
        .expect("error while running the Countersign desktop app");
}
