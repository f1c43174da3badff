//! Linux /proc readings for the app benchmark: which processes make up the running app
//! (the binary and its WebKit children), when it started, and how much memory they hold.
//! RSS counts pages shared between them once per process; PSS splits shared pages fairly,
//! so the PSS sum is the better "whole app" figure; anonymous RSS is what the app itself
//! allocated, without shared libraries and memory-mapped files.

use anyhow::{Context, Result};
use serde::Serialize;
use std::fs;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct ProcessMemory {
    pub pid: u32,
    pub name: String,
    pub rss_kb: u64,
    pub pss_kb: u64,
    /// Resident heap and stacks: memory the process itself owns.
    pub anon_kb: u64,
    /// Resident file pages (libraries, and SQLite's memory-mapped database): clean pages
    /// the kernel can drop and re-read at any time.
    pub file_kb: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    pub processes: Vec<ProcessMemory>,
}

impl Usage {
    /// `root` and every process below it.
    pub fn of_tree(root: u32) -> Result<Usage> {
        let mut pids = vec![root];
        let mut i = 0;
        while i < pids.len() {
            let parent = pids[i];
            pids.extend(
                all_pids()?
                    .into_iter()
                    .filter(|&p| parent_of(p) == Some(parent)),
            );
            i += 1;
        }
        let processes = pids
            .into_iter()
            .filter_map(|pid| {
                Some(ProcessMemory {
                    pid,
                    name: fs::read_to_string(format!("/proc/{pid}/comm"))
                        .ok()?
                        .trim()
                        .into(),
                    rss_kb: status_kb(pid, "VmRSS:").unwrap_or(0),
                    pss_kb: rollup_kb(pid, "Pss:").unwrap_or(0),
                    anon_kb: status_kb(pid, "RssAnon:").unwrap_or(0),
                    file_kb: status_kb(pid, "RssFile:").unwrap_or(0),
                })
            })
            .collect();
        Ok(Usage { processes })
    }

    pub fn rss_mb(&self) -> f64 {
        self.processes.iter().map(|p| p.rss_kb).sum::<u64>() as f64 / 1024.0
    }

    pub fn anon_mb(&self) -> f64 {
        self.processes.iter().map(|p| p.anon_kb).sum::<u64>() as f64 / 1024.0
    }

    pub fn pss_mb(&self) -> f64 {
        self.processes.iter().map(|p| p.pss_kb).sum::<u64>() as f64 / 1024.0
    }
}

fn all_pids() -> Result<Vec<u32>> {
    Ok(fs::read_dir("/proc")
        .context("read /proc")?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect())
}

/// Fields of /proc/PID/stat after the command name (which may contain spaces).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    Some(after.split_whitespace().map(String::from).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

fn field_kb(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    field_kb(
        &fs::read_to_string(format!("/proc/{pid}/status")).ok()?,
        key,
    )
}

fn rollup_kb(pid: u32, key: &str) -> Option<u64> {
    field_kb(
        &fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?,
        key,
    )
}

/// Processes running `binary`, newest first.
pub fn app_processes(binary: &Path) -> Result<Vec<u32>> {
    let want = binary
        .canonicalize()
        .with_context(|| format!("{}", binary.display()))?;
    let mut found: Vec<(u64, u32)> = all_pids()?
        .into_iter()
        .filter(|pid| fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == want))
        .filter_map(|pid| Some((stat_fields(pid)?.get(19)?.parse().ok()?, pid)))
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    Ok(found.into_iter().map(|(_, pid)| pid).collect())
}

/// When `pid` started, in ms since the Unix epoch (resolution: one clock tick, 10 ms).
/// The kernel gives the start in ticks since boot; /proc/uptime says how long ago boot was
/// (to 10 ms, unlike the whole seconds of `btime`), so both are read against "now".
pub fn process_start_epoch_ms(pid: u32) -> Result<f64> {
    let ticks: f64 = stat_fields(pid)
        .and_then(|f| f.get(19)?.parse().ok())
        .context("process start time")?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64()
        * 1000.0;
    let uptime: f64 = fs::read_to_string("/proc/uptime")?
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .context("uptime")?;
    // USER_HZ is 100 on every Linux this runs on (the kernel ABI fixes it for /proc).
    let age_s = uptime - ticks / 100.0;
    Ok(now_ms - age_s * 1000.0)
}
