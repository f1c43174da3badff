//! `countersign bench`: measures the engine against the targets in DESIGN.md on real
//! parts (a SQLite file, the reference endpoint on 127.0.0.1) and prints the figures.
//! The signing key lives in memory here: the keyring is not what is being measured.

use crate::cli_error::{CliError, CliResult};
use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::MemoryKeyStore;
use countersign_core::store::synthetic::synthetic_packet_change;
use countersign_core::{
    DecideRequest, DeliveryState, Engine, EngineConfig, EngineEvent, NewEndpointRequest, QueueQuery,
};
use countersign_protocol::{DecisionVia, Outcome, PacketStatus, Urgency};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Figure {
    name: String,
    value: String,
    target: &'static str,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

pub fn p50_p99(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "p50 {}  p99 {}  (n={})",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        samples.len()
    )
}

/// Ingest `packets` synthetic pending packets for `endpoint_id` in pages of 500, as the
/// feed applies them; returns how long it took.
fn fill_queue(engine: &Engine, endpoint_id: &str, packets: u32) -> CliResult<Duration> {
    let now = chrono::Utc::now();
    let changes: Vec<Value> = (0..packets)
        .map(|i| synthetic_packet_change(i, now))
        .collect();
    let started = Instant::now();
    for chunk in changes.chunks(500) {
        let cursor = chunk
            .last()
            .and_then(|c| c["seq"].as_u64())
            .unwrap_or(0)
            .to_string();
        engine
            .store()
            .apply_changes(endpoint_id, chunk, Some(&cursor), chrono::Utc::now())?;
    }
    Ok(started.elapsed())
}

/// `countersign bench-seed`: fill the data dir with `packets` pending packets from an
/// endpoint that is never reachable (127.0.0.1:9, no token in the keyring), so the desktop
/// app can be measured with a full queue (scripts/bench-app.sh).
pub fn seed(data_dir: std::path::PathBuf, packets: u32, json_out: bool) -> CliResult {
    let engine = Engine::open(EngineConfig {
        data_dir,
        keys: Arc::new(MemoryKeyStore::default()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })?;
    let endpoint = engine.add_endpoint(NewEndpointRequest {
        name: format!("synthetic-{}", engine.endpoints()?.len() + 1),
        base_url: "http://127.0.0.1:9".into(),
        token: "unused".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    let took = fill_queue(&engine, &endpoint.id, packets)?;
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
    audit: crate::bench_audit::AuditBench,
    notify_packets: u32,
    json_out: bool,
) -> CliResult {
    let dir = tempfile::tempdir()?;
    let engine = Arc::new(Engine::open(EngineConfig {
        data_dir: dir.path().join("client"),
        keys: Arc::new(MemoryKeyStore::default()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })?);
    let mut figures = Vec::new();

    // Ingest: pages of 500 changes, as the feed applies them.
    let synthetic = engine.add_endpoint(NewEndpointRequest {
        name: "synthetic".into(),
        base_url: "http://127.0.0.1:9".into(),
        token: "unused".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    let secs = fill_queue(&engine, &synthetic.id, packets)?.as_secs_f64();
    figures.push(Figure {
        name: "ingest into SQLite".into(),
        value: format!(
            "{:.0} packets/s ({} packets in {:.2} s)",
            packets as f64 / secs,
            packets,
            secs
        ),
        target: ">= 5000 packets/s",
    });

    // Search and filter over the whole queue.
    let queries: Vec<QueueQuery> = vec![
        QueueQuery {
            text: Some("duplicate charge".into()),
            ..Default::default()
        },
        QueueQuery {
            // A customer id the synthetic queue holds whatever its size.
            text: Some(format!("C-{}", (packets / 2) % 5000)),
            ..Default::default()
        },
        QueueQuery {
            text: Some("wareh".into()),
            status: Some(PacketStatus::Pending),
            ..Default::default()
        },
        QueueQuery {
            urgency: Some(Urgency::Critical),
            ..Default::default()
        },
        QueueQuery {
            action: Some("deploy_service".into()),
            ..Default::default()
        },
        QueueQuery {
            agent: Some("refund-bot".into()),
            text: Some("invoice".into()),
            ..Default::default()
        },
        QueueQuery {
            status: Some(PacketStatus::Pending),
            ..Default::default()
        },
    ];
    let mut samples = Vec::new();
    for round in 0..30 {
        for q in &queries {
            let t = Instant::now();
            let rows = engine.list(q)?;
            samples.push(t.elapsed());
            if round == 0 && rows.is_empty() {
                return Err(CliError::Endpoint(format!(
                    "bench query returned nothing: {q:?}"
                )));
            }
        }
    }
    figures.push(Figure {
        name: "search/filter over the queue (first page of 200)".into(),
        value: p50_p99(samples),
        target: "< 20 ms",
    });

    // Decide: sign + durable commit.
    let pending = engine.list(&QueueQuery {
        status: Some(PacketStatus::Pending),
        limit: Some(decisions),
        ..Default::default()
    })?;
    let mut samples = Vec::new();
    for p in &pending {
        let t = Instant::now();
        engine.decide(
            p.id,
            DecideRequest {
                outcome: Outcome::Approve,
                args: None,
                reason: None,
                response: None,
                via: DecisionVia::Cli,
            },
        )?;
        samples.push(t.elapsed());
    }
    figures.push(Figure {
        name: "decide (sign + fsynced commit)".into(),
        value: p50_p99(samples),
        target: "p99 < 10 ms",
    });
    engine.remove_endpoint(&synthetic.id)?;

    // Delivery to a loopback endpoint, and packet visibility through SSE.
    let (visible, delivery) = loopback(&engine, dir.path(), decisions).await?;
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
            value: crate::bench_notify::run(dir.path(), notify_packets).await?,
            target: "p99 < 1 s",
        });
    }

    if audit.entries > 0 {
        let audit = tokio::task::block_in_place(|| audit.run(dir.path()))?;
        for (name, value, target) in audit {
            figures.push(Figure {
                name,
                value,
                target,
            });
        }
    }

    if json_out {
        let out: Vec<Value> = figures
            .iter()
            .map(|f| json!({"name": f.name, "value": f.value, "target": f.target}))
            .collect();
        println!("{}", Value::Array(out));
    } else {
        println!("{:<52} {:<48} target", "figure", "measured");
        for f in &figures {
            println!("{:<52} {:<48} {}", f.name, f.value, f.target);
        }
    }
    Ok(())
}

/// A reference endpoint on 127.0.0.1 (its database in `dir`, named after `name`) that
/// the bench agent posts to, added to `engine` as endpoint `name`.
pub(crate) async fn serve_loopback(
    engine: &Engine,
    dir: &std::path::Path,
    name: &str,
) -> CliResult<(
    countersign_endpoint::RunningEndpoint,
    countersign_core::EndpointView,
)> {
    let server = countersign_endpoint::spawn(
        countersign_endpoint::EndpointConfig {
            db_path: dir.join(format!("{name}-endpoint.db")),
            reviewer_tokens: vec!["bench-reviewer".into()],
            agent_tokens: vec!["bench-agent".into()],
            demo: None,
            now: countersign_endpoint::system_now(),
        },
        "127.0.0.1:0".parse().expect("loopback address"),
    )
    .await
    .map_err(|e| CliError::Endpoint(e.to_string()))?;
    let ep = engine.add_endpoint(NewEndpointRequest {
        name: name.into(),
        base_url: server.url(),
        token: "bench-reviewer".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    Ok((server, ep))
}

async fn loopback(
    engine: &Arc<Engine>,
    dir: &std::path::Path,
    n: u32,
) -> CliResult<(String, String)> {
    let (server, ep) = serve_loopback(engine, dir, "loopback").await?;
    engine.enroll(&ep.id).await?;
    let mut events = engine.subscribe();
    engine.start_sync()?;
    let http = reqwest::Client::new();

    // Visibility: create one packet at a time and wait for it to land locally.
    let mut visible = Vec::new();
    let mut local_ids = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        let created: Value = http
            .post(format!("{}/v1/agent/reviews", server.url()))
            .bearer_auth("bench-agent")
            .json(&json!({"agent": {"name": "bench-agent"}, "action": {"name": "issue_refund", "args": {"amount": i}}, "urgency": "high", "allowed_outcomes": ["approve", "reject"]}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| CliError::Endpoint(e.to_string()))?
            .json()
            .await
            .map_err(|e| CliError::Endpoint(e.to_string()))?;
        let remote = created["id"].as_str().unwrap_or_default().to_string();
        let local = wait_for(&mut events, Duration::from_secs(10), |_| {
            engine
                .store()
                .packet_id_by_remote(&ep.id, &remote)
                .ok()
                .flatten()
        })
        .await?;
        visible.push(t.elapsed());
        local_ids.push(local);
    }

    let mut delivery = Vec::new();
    for id in local_ids {
        let t = Instant::now();
        let d = engine.decide(
            id,
            DecideRequest {
                outcome: Outcome::Approve,
                args: None,
                reason: None,
                response: None,
                via: DecisionVia::Cli,
            },
        )?;
        wait_for(&mut events, Duration::from_secs(10), |ev| match ev {
            Some(EngineEvent::DecisionState {
                decision_id,
                state: DeliveryState::Acknowledged,
                ..
            }) if *decision_id == d.decision_id => Some(()),
            _ => None,
        })
        .await?;
        delivery.push(t.elapsed());
    }
    engine.stop_sync();
    server.shutdown().await;
    Ok((p50_p99(visible), p50_p99(delivery)))
}

/// Wait until `check` (given each event, and None once up front) yields a value.
async fn wait_for<T>(
    events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
    limit: Duration,
    mut check: impl FnMut(Option<&EngineEvent>) -> Option<T>,
) -> CliResult<T> {
    if let Some(v) = check(None) {
        return Ok(v);
    }
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(ev)) => {
                if let Some(v) = check(Some(&ev)) {
                    return Ok(v);
                }
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                if let Some(v) = check(None) {
                    return Ok(v);
                }
            }
            Ok(Err(_)) => return Err(CliError::Endpoint("engine events closed".into())),
            Err(_) => {
                return Err(CliError::Endpoint(
                    "timed out waiting for the engine".into(),
                ))
            }
        }
    }
}
