//! Countersign desktop entry point. All wiring lives in the library (`lib.rs`) so that
//! tests and mobile targets can reuse it.

// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    countersign_desktop::run();
}
