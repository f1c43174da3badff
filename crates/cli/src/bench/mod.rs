//! `countersign bench`: measures the engine against the targets in DESIGN.md on real
//! parts (a SQLite file, the reference endpoint on 127.0.0.1) and prints the figures.
//! The signing key lives in memory here: the keyring is not what is being measured.
//!
//! This module runs the benches in order and prints their figures; each bench is a
//! sibling module, over the figure helpers and the loopback endpoint below them.

mod audit;
mod delivery;
mod figures;
mod loopback;
mod notify;
mod queue;

pub use audit::AuditBench;

use crate::cli_error::CliResult;
use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::MemoryKeyStore;
use countersign_core::{Engine, EngineConfig, NewEndpointRequest};
use figures::Figure;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;

/// An engine on `data_dir` whose signing key lives in memory.
fn open_engine(data_dir: &Path) -> CliResult<Engine> {
    Ok(Engine::open(EngineConfig {
        data_dir: data_dir.to_path_buf(),
        keys: Arc::new(MemoryKeyStore::default()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })?)
}

/// `countersign bench-seed`: fill the data dir with `packets` pending packets from an
/// endpoint that is never reachable (127.0.0.1:9, no token in the keyring), so the desktop
/// app can be measured with a full queue (scripts/bench-app.sh).
pub fn seed(data_dir: std::path::PathBuf, packets: u32, json_out: bool) -> CliResult {
    let engine = open_engine(&data_dir)?;
    let endpoint = engine.add_endpoint(NewEndpointRequest {
        name: format!("synthetic-{}", engine.endpoints()?.len() + 1),
        base_url: "http://127.0.0.1:9".into(),
        token: "unused".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    let took = queue::fill_queue(&engine, &endpoint.id, packets)?;
    let pending = engine.stats()?.pending;
    if json_out {
        println!(
            "{}",
            json!({"endpoint": endpoint.name, "added": packets, "pending": pending,
                   "seconds": took.as_secs_f64()})
        );
    } else {
        println!(
            "added {packets} pending packets from {} in {:.1} s; {pending} pending in all",
            endpoint.name,
            took.as_secs_f64()
        );
    }
    Ok(())
}

pub async fn run(
    packets: u32,
    decisions: u32,
    audit: AuditBench,
    notify_packets: u32,
    json_out: bool,
) -> CliResult {
    let dir = tempfile::tempdir()?;
    let engine = Arc::new(open_engine(&dir.path().join("client"))?);
    let mut figures = queue::measure(&engine, packets, decisions)?;

    // Delivery to a loopback endpoint, and packet visibility through SSE.
    let (visible, delivery) = delivery::measure(&engine, dir.path(), decisions).await?;
    figures.push(Figure {
        name: "agent create -> visible in local queue (SSE)".into(),
        value: visible,
        target: "push, not polling",
    });
    figures.push(Figure {
        name: "decide -> acknowledged by loopback endpoint".into(),
        value: delivery,
        target: "p50 < 50 ms",
    });

    if notify_packets > 0 {
        figures.push(Figure {
            name: format!("urgent packet created -> Notify call answered ({notify_packets})"),
            value: notify::run(dir.path(), notify_packets).await?,
            target: "p99 < 1 s",
        });
    }

    if audit.entries > 0 {
        let audit = tokio::task::block_in_place(|| audit.run(dir.path()))?;
        figures.extend(audit);
    }

    figures::print(&figures, json_out);
    Ok(())
}
