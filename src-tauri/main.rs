//! Countersign desktop entry point. All wiring lives in the library (`lib.rs`) so that
//! tests and mobile targets can reuse it.

// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// The same allocator as the CLI: audit exports and verifies allocate on worker threads
/// and free on another, which glibc's per-thread arenas handle slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    countersign_desktop::run();
}
