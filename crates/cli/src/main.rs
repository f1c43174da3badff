//! `countersign`: the headless face of the engine. Reviewers on a server or over SSH,
//! tests and the README use it to run an endpoint, sync, list, show and decide.

mod args;
mod audit;
mod bench;
mod choices;
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
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(e),
    };
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

/// A value outside a closed set is a usage error like any other bad input (with `--json`,
/// reported as JSON too); clap reports every other parse failure, help and version itself.
fn parse_failure(e: clap::Error) -> ExitCode {
    match choices::unknown_value(&e) {
        Some(usage) => {
            let json = std::env::args_os().any(|a| a == "--json");
            render::error(&usage, json);
            usage.exit_code()
        }
        None => e.exit(),
    }
}
