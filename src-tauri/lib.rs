//! Countersign desktop shell: wires the Tauri-free core engine (`countersign-core`) to a
//! window. This crate holds no business logic; commands, events, tray and notifications
//! are thin adapters added here as the UI grows.

/// Builds and runs the Tauri application. Blocks until the last window is closed.
///
/// # Panics
///
/// Panics if the Tauri runtime cannot start (for example, no display is available).
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the Countersign desktop app");
}
