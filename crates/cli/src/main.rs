//! `countersign`: the headless face of the engine. Reviewers on a server or over SSH,
//! tests and the README use it to run an endpoint, sync, list, show and decide.

mod args;
mod audit;
mod bench;
mod bench_audit;
mod bench_notify;
mod cli_error;
mod commands;
mod notify;
mod render;

use clap::Parser;
use std::process::ExitCode;

/// Audit exports and verifies build rows on several threads and free them on another;
/// glibc's per-thread arenas spend much of that time on cross-thread frees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            render::error(&e, json);
            e.exit_code()
        }
    }
}
