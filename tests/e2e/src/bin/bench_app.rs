//! `bench-app`: the desktop app with a full queue (100k pending packets by default).
//! Prints the time from the app's process start to its first queue render, and the memory
//! of the whole app (the app process and its WebKit children) once it is idle.
//! Run it through scripts/bench-app.sh, which provides Xvfb and a private D-Bus + keyring.

use anyhow::{bail, Context, Result};
use countersign_e2e::driver::TauriDriver;
use countersign_e2e::process_memory::{app_processes, process_start_epoch_ms, Usage};
use countersign_e2e::profile::Profile;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The User Timing mark the UI sets once the queue shows content (ui/src/shell/readyMark.ts).
const READY_SCRIPT: &str = "const m = performance.getEntriesByName('countersign:queue-ready')[0];
     return m ? performance.timeOrigin + m.startTime : null;";
const COUNT_SCRIPT: &str =
    "const e = document.querySelector('.queue-count'); return e ? e.textContent : null;";
/// How long the app idles before its memory is read.
const SETTLE: Duration = Duration::from_secs(5);

struct Args {
    packets: u32,
    runs: u32,
    json: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        packets: 100_000,
        runs: 3,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--packets" => args.packets = it.next().context("--packets N")?.parse()?,
            "--runs" => args.runs = it.next().context("--runs N")?.parse()?,
            "--json" => args.json = true,
            "-h" | "--help" => {
                println!("usage: bench-app [--packets N] [--runs N] [--json]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}; see --help"),
        }
    }
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    Ok(args)
}

struct Run {
    start_to_render: Duration,
    count_text: String,
    usage: Usage,
}

async fn one_run(profile: &Profile) -> Result<Run> {
    let app = countersign_e2e::desktop_bin();
    let mut driver = TauriDriver::start(&profile.app_env()).await?;
    let client = driver.session(&app).await?;
    let result = async {
        let processes = app_processes(&app)?;
        let root = *processes
            .first()
            .context("the app process is not running")?;
        let started_ms = process_start_epoch_ms(root)?;
        let deadline = Instant::now() + Duration::from_secs(120);
        let ready_ms = loop {
            if let Value::Number(n) = client.execute(READY_SCRIPT, vec![]).await? {
                break n.as_f64().unwrap_or_default();
            }
            if Instant::now() > deadline {
                bail!("the queue did not render within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let count_text = client
            .execute(COUNT_SCRIPT, vec![])
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string();
        tokio::time::sleep(SETTLE).await;
        let usage = Usage::of_tree(root)?;
        Ok(Run {
            start_to_render: Duration::from_secs_f64(((ready_ms - started_ms).max(0.0)) / 1000.0),
            count_text,
            usage,
        })
    }
    .await;
    let _ = client.close().await;
    driver.stop();
    result
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let dir = tempfile::tempdir()?;
    let profile = Profile::new(dir.path());
    let seeded = Instant::now();
    let seed = profile.cli(&["bench-seed", "--packets", &args.packets.to_string()])?;
    eprintln!(
        "bench-app: seeded {} pending packets in {:.1} s",
        seed["pending"],
        seeded.elapsed().as_secs_f64()
    );
    let mut runs = Vec::new();
    for i in 0..args.runs {
        let run = one_run(&profile)
            .await
            .with_context(|| format!("run {}", i + 1))?;
        eprintln!(
            "bench-app: run {}: first queue render {:.0} ms after process start ({}); RSS {:.0} MB, PSS {:.0} MB, anonymous {:.0} MB over {} processes",
            i + 1,
            run.start_to_render.as_secs_f64() * 1000.0,
            run.count_text.trim(),
            run.usage.rss_mb(),
            run.usage.pss_mb(),
            run.usage.anon_mb(),
            run.usage.processes.len(),
        );
        runs.push(run);
    }
    let render_ms = median(
        runs.iter()
            .map(|r| r.start_to_render.as_secs_f64() * 1000.0)
            .collect(),
    );
    let rss = median(runs.iter().map(|r| r.usage.rss_mb()).collect());
    let pss = median(runs.iter().map(|r| r.usage.pss_mb()).collect());
    let anon = median(runs.iter().map(|r| r.usage.anon_mb()).collect());
    let last = runs.last().expect("at least one run");
    if args.json {
        println!(
            "{}",
            json!([
                {"name": "app start to first queue render", "value_ms": render_ms,
                 "packets": args.packets, "runs": args.runs, "target": "< 1000 ms"},
                {"name": "whole app memory, idle", "rss_mb": rss, "pss_mb": pss, "anon_mb": anon,
                 "processes": last.usage.processes, "target": "< 150 MB"},
            ])
        );
    } else {
        println!(
            "app start to first queue render ({} packets, median of {}): {:.0} ms   target < 1000 ms",
            args.packets, args.runs, render_ms
        );
        println!(
            "whole app memory, idle ({} packets, median of {}): RSS {:.0} MB, PSS {:.0} MB, anonymous {:.0} MB   target < 150 MB",
            args.packets, args.runs, rss, pss, anon
        );
        for p in &last.usage.processes {
            println!(
                "    {:<24} pid {:>7}  RSS {:>6.1} MB  PSS {:>6.1} MB  anonymous {:>6.1} MB  file {:>6.1} MB",
                p.name,
                p.pid,
                p.rss_kb as f64 / 1024.0,
                p.pss_kb as f64 / 1024.0,
                p.anon_kb as f64 / 1024.0,
                p.file_kb as f64 / 1024.0
            );
        }
    }
    Ok(())
}
