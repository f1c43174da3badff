//! How the CLI prints things: aligned text for people, JSON for machines.

use crate::cli_error::CliError;
use chrono::{DateTime, Local, Utc};
use countersign_core::sync::DeliveryReport;
use countersign_core::{
    DecisionView, EndpointView, EngineEvent, KeyInfo, PacketSummary, PacketView, QuarantinedPacket,
    QueueStats, SyncReport,
};
use serde::Serialize;

fn print_json<T: Serialize>(v: &T) {
    println!("{}", serde_json::to_string(v).expect("views serialize"));
}

pub fn value<T: Serialize>(v: &T, human: &str, json: bool) {
    if json {
        print_json(v)
    } else {
        println!("{human}")
    }
}

pub fn done(msg: &str, json: bool) {
    value(&serde_json::json!({"ok": true, "message": msg}), msg, json)
}

pub fn error(e: &CliError, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}})
        );
    }
    eprintln!("error [{}]: {e}", e.code());
}

fn local(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

fn relative(deadline: &DateTime<Utc>) -> String {
    let secs = (*deadline - Utc::now()).num_seconds();
    let (sign, secs) = if secs < 0 {
        ("overdue ", -secs)
    } else {
        ("in ", secs)
    };
    let text = if secs >= 86_400 {
        format!("{}d", secs / 86_400)
    } else if secs >= 3_600 {
        format!("{}h{:02}m", secs / 3_600, (secs % 3_600) / 60)
    } else {
        format!("{}m{:02}s", secs / 60, secs % 60)
    };
    format!("{sign}{text}")
}

fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

pub fn endpoint(ep: &EndpointView, json: bool) {
    if json {
        return print_json(ep);
    }
    let kind = match ep.kind {
        countersign_core::EndpointKind::Native if ep.enrolled => "  enrolled".to_string(),
        countersign_core::EndpointKind::Native => "  not enrolled".to_string(),
        countersign_core::EndpointKind::LangGraph => match &ep.assistant_filter {
            Some(a) => format!("  langgraph (assistant {a})"),
            None => "  langgraph".to_string(),
        },
    };
    println!(
        "{}  {}  {}{}  outbox {}",
        ep.name,
        ep.base_url,
        ep.health.as_str(),
        kind,
        ep.outbox
    );
    if let Some(d) = &ep.health_detail {
        println!("    {d}");
    }
}

pub fn endpoints(eps: &[EndpointView], json: bool) {
    if json {
        return print_json(&eps);
    }
    if eps.is_empty() {
        println!("no endpoints; add one with `countersign endpoint add NAME URL --token TOKEN`");
    }
    for ep in eps {
        endpoint(ep, false);
    }
}

pub fn status(eps: &[EndpointView], stats: &QueueStats, json: bool) {
    if json {
        return print_json(&serde_json::json!({"endpoints": eps, "queue": stats}));
    }
    println!(
        "queue: {} pending ({} urgent), outbox: {}, quarantined: {}",
        stats.pending, stats.urgent, stats.outbox, stats.quarantined
    );
    endpoints(eps, false);
}

pub fn queue(rows: &[PacketSummary], json: bool) {
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("nothing in the queue matches");
        return;
    }
    println!(
        "{:>6}  {:<8} {:<8} {:<22} {:<18} {:<14} deadline",
        "id", "urgency", "risk", "action", "agent", "amount"
    );
    for r in rows {
        let amount = r
            .amount
            .as_ref()
            .map(|a| format!("{} {}", a.value, a.currency))
            .unwrap_or_default();
        let deadline = r
            .deadline
            .as_ref()
            .map(relative)
            .unwrap_or_else(|| "-".into());
        let mark = r
            .my_decision
            .map(|d| format!("  [{}]", d.as_str()))
            .unwrap_or_default();
        println!(
            "{:>6}  {:<8} {:<8} {:<22} {:<18} {:<14} {}{}",
            r.id,
            wire(&r.urgency),
            wire(&r.risk),
            truncate(&r.action, 22),
            truncate(&r.agent, 18),
            amount,
            deadline,
            mark
        );
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub fn packet(v: &PacketView, json: bool) {
    if json {
        return print_json(v);
    }
    let p = &v.packet;
    println!(
        "#{}  {}  [{}]  from {} via {}",
        v.id,
        p.action.name,
        p.status.as_str(),
        p.agent.name,
        v.endpoint_name
    );
    println!(
        "urgency {}  risk {}  {}{}",
        wire(&p.urgency),
        wire(&p.impact.risk),
        if p.impact.reversible {
            "reversible"
        } else {
            "IRREVERSIBLE"
        },
        p.impact
            .amount
            .as_ref()
            .map(|a| format!("  amount {} {}", a.value, a.currency))
            .unwrap_or_default()
    );
    if let Some(d) = &p.deadline {
        println!("deadline {} ({})", local(d), relative(d));
    }
    let outcomes: Vec<&str> = p.allowed_outcomes.iter().map(|o| o.as_str()).collect();
    println!("allowed: {}", outcomes.join(", "));
    println!(
        "\narguments:\n{}",
        serde_json::to_string_pretty(&p.action.args).unwrap_or_default()
    );
    if !p.reasoning.is_empty() {
        println!("\nreasoning:\n{}", p.reasoning);
    }
    for c in &p.context {
        println!(
            "\ncontext: {}{}\n{}",
            c.title,
            c.source
                .as_ref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default(),
            c.excerpt
        );
    }
    if !v.decisions.is_empty() {
        println!("\ndecisions:");
        for d in &v.decisions {
            decision_line(d);
        }
    }
}

fn decision_line(d: &DecisionView) {
    println!(
        "  {}  {} by {}{}  {}  {}{}",
        d.decision_id,
        d.outcome,
        d.record.reviewer.display_name,
        if d.local { " (this device)" } else { "" },
        local(&d.record.decided_at),
        d.state.as_str(),
        d.last_error
            .as_ref()
            .map(|e| format!(" — {e}"))
            .unwrap_or_default()
    );
}

pub fn recorded(d: &DecisionView, json: bool) {
    if json {
        print_json(&serde_json::json!({"event": "recorded", "decision": d}));
    } else {
        println!(
            "recorded {} ({}), signed and stored",
            d.decision_id, d.record.meaning
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

pub fn delivered(d: &DecisionView, report: &DeliveryReport, json: bool) {
    if json {
        return print_json(
            &serde_json::json!({"event": "delivery", "decision_id": d.decision_id, "state": d.state, "report": report, "winner": d.winner, "last_error": d.last_error}),
        );
    }
    match d.state.as_str() {
        "acknowledged" => println!("delivered: acknowledged by the endpoint"),
        "conflict" => println!(
            "conflict: someone else decided first{}",
            d.winner
                .as_ref()
                .map(|w| format!(" ({} by {})", w.outcome, w.reviewer.display_name))
                .unwrap_or_default()
        ),
        "refused" => println!(
            "refused by the endpoint: {}",
            d.last_error.clone().unwrap_or_default()
        ),
        _ => println!(
            "not delivered yet ({}); it waits in the outbox and goes out on the next sync",
            d.last_error
                .clone()
                .unwrap_or_else(|| "endpoint unreachable".into())
        ),
    }
}

pub fn sync_reports(reports: &[SyncReport], json: bool) {
    if json {
        return print_json(&reports);
    }
    for r in reports {
        println!(
            "{}: {} changes, {} acknowledged, {} conflict, {} refused, {} waiting — {}{}",
            r.endpoint,
            r.changes,
            r.delivery.acknowledged,
            r.delivery.conflict,
            r.delivery.refused,
            r.delivery.pending,
            r.health.as_str(),
            r.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
    }
}

pub fn key(info: &KeyInfo, json: bool) {
    if json {
        return print_json(info);
    }
    println!(
        "reviewer    {} ({})",
        info.reviewer.display_name, info.reviewer.id
    );
    println!("key id      {}", info.key_id);
    println!("fingerprint {}", info.fingerprint);
    println!(
        "public JWK  {}",
        serde_json::to_string(&info.public_jwk).unwrap_or_default()
    );
}

pub fn quarantine(rows: &[QuarantinedPacket], json: bool) {
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("quarantine is empty");
    }
    for q in rows {
        println!(
            "{:>5}  {}  {}  {}: {} ({} bytes)",
            q.id,
            local(&q.received_at),
            q.remote_id.as_deref().unwrap_or("-"),
            q.code,
            q.reason,
            q.raw_size
        );
    }
}

pub fn event(ev: &EngineEvent, json: bool) {
    if json {
        return print_json(ev);
    }
    match ev {
        EngineEvent::QueueChanged { packet_ids } => {
            println!("queue: {} packet(s) changed", packet_ids.len())
        }
        EngineEvent::DecisionState {
            decision_id, state, ..
        } => println!("decision {decision_id}: {}", state.as_str()),
        EngineEvent::EndpointHealth {
            endpoint_id,
            health,
            detail,
        } => println!(
            "endpoint {endpoint_id}: {}{}",
            health.as_str(),
            detail
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
        EngineEvent::Quarantined { endpoint_id, code } => {
            println!("endpoint {endpoint_id}: a packet was quarantined ({code})")
        }
    }
}
