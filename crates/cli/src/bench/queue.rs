//! The local-queue figures of `countersign bench`: ingest of synthetic packets, search and
//! filter over the whole queue, and deciding (sign + durable commit).

use super::figures::{p50_p99, Figure};
use crate::cli_error::{CliError, CliResult};
use countersign_core::store::synthetic::synthetic_packet_change;
use countersign_core::{DecideRequest, Engine, NewEndpointRequest, QueueQuery};
use countersign_protocol::{DecisionVia, Outcome, PacketStatus, Urgency};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Ingest `packets` synthetic pending packets for `endpoint_id` in pages of 500, as the
/// feed applies them; returns how long it took.
pub fn fill_queue(engine: &Engine, endpoint_id: &str, packets: u32) -> CliResult<Duration> {
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

/// Fill a queue of `packets` from an unreachable endpoint, search it, decide `decisions`
/// of its packets, then remove the endpoint again.
pub fn measure(engine: &Engine, packets: u32, decisions: u32) -> CliResult<Vec<Figure>> {
    let mut figures = Vec::new();

    // Ingest: pages of 500 changes, as the feed applies them.
    let synthetic = engine.add_endpoint(NewEndpointRequest {
        name: "synthetic".into(),
        base_url: "http://127.0.0.1:9".into(),
        token: "unused".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    let secs = fill_queue(engine, &synthetic.id, packets)?.as_secs_f64();
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
    Ok(figures)
}
