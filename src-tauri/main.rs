//! Countersign desktop entry point. All wiring lives in the library (`lib.rs`) so that
//! tests and mobile targets can reuse it.

// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's accelerated compositing keeps GPU (or, without a GPU, software GL)
    // buffers in the web process: about 70 MB more resident memory for a window of lists
    // and forms that gains nothing from it, and a known cause of blank windows on some
    // drivers. Set before any thread starts; a value the user chose is kept.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    countersign_desktop::run();
}
