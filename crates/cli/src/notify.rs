//! `countersign notify`: pause, resume and configure desktop notifications, and run the
//! notifier headless (sync plus popups), which is also how the system tests drive it.

use crate::args::{NotifyCommand, NotifyRulesArgs};
use crate::cli_error::{CliError, CliResult};
use crate::render;
use countersign_core::policy::{NotificationRules, QuietHours};
use countersign_core::Engine;
use countersign_notify::desktop::DesktopPopups;
use countersign_notify::{Notifier, NotifierEvent, Popups};
use std::io::Write;
use std::sync::Arc;

pub async fn run(engine: Engine, command: &NotifyCommand, json: bool) -> CliResult {
    if let NotifyCommand::Run = command {
        return run_notifier(Arc::new(engine), json).await;
    }
    let engine = &engine;
    match command {
        NotifyCommand::Pause | NotifyCommand::Resume => {
            engine.set_notifications_paused(matches!(command, NotifyCommand::Pause))?;
            status(engine, json).await
        }
        NotifyCommand::Status => status(engine, json).await,
        NotifyCommand::Rules(args) => rules(engine, args, json),
        NotifyCommand::Run => Ok(()),
    }
}

async fn status(engine: &Engine, json: bool) -> CliResult {
    let paused = engine.notifications_paused()?;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let probe = tokio::task::spawn_blocking(move || DesktopPopups::new(tx).probe())
        .await
        .map_err(|e| CliError::Endpoint(e.to_string()))?;
    let value = serde_json::json!({
        "paused": paused,
        "available": probe.is_ok(),
        "server": probe.as_ref().ok(),
        "message": probe.as_ref().err().map(|e| e.detail().to_string()),
    });
    let text = match (&probe, paused) {
        (Ok(server), false) => format!("notifications on ({server})"),
        (Ok(server), true) => format!("notifications paused ({server})"),
        (Err(e), p) => format!(
            "notifications unavailable{}: {}",
            if p { " and paused" } else { "" },
            e.detail()
        ),
    };
    render::value(&value, &text, json);
    Ok(())
}

fn rules(engine: &Engine, args: &NotifyRulesArgs, json: bool) -> CliResult {
    let mut rules = match &args.set {
        Some(text) => serde_json::from_str::<NotificationRules>(text)
            .map_err(|e| CliError::Usage(format!("--set is not valid rules JSON: {e}")))?,
        None => engine.notification_rules()?,
    };
    if let Some(q) = &args.quiet_hours {
        rules.quiet_hours = match q.as_str() {
            "off" => None,
            text => Some(QuietHours::parse(text).ok_or_else(|| {
                CliError::Usage(format!("quiet hours `{text}` are not HH:MM-HH:MM"))
            })?),
        };
    }
    if let Some(n) = args.burst_limit {
        rules.burst_limit = n;
    }
    if args.set.is_some() || args.quiet_hours.is_some() || args.burst_limit.is_some() {
        engine.set_notification_rules(&rules)?;
    }
    let value = serde_json::to_value(&rules).map_err(|e| CliError::Usage(e.to_string()))?;
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    render::value(&value, &text, json);
    Ok(())
}

/// Sync and notify until Ctrl-C or SIGTERM.
async fn run_notifier(engine: Arc<Engine>, json: bool) -> CliResult {
    let (responses_tx, responses) = tokio::sync::mpsc::unbounded_channel();
    let notifier = Notifier::new(engine.clone(), Arc::new(DesktopPopups::new(responses_tx)));
    let mut events = notifier.subscribe();
    let probing = notifier.clone();
    tokio::task::spawn_blocking(move || probing.probe())
        .await
        .map_err(|e| CliError::Endpoint(e.to_string()))?;
    print_event(&NotifierEvent::Status(notifier.status()), json);
    let running = tokio::spawn(notifier.clone().run(responses));
    engine.start_sync()?;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = terminated() => break,
            ev = events.recv() => match ev {
                Ok(ev) => print_event(&ev, json),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => tracing::warn!("skipped {n} notifier events"),
                Err(_) => break,
            }
        }
    }
    running.abort();
    engine.stop_sync();
    Ok(())
}

fn print_event(event: &NotifierEvent, json: bool) {
    if json {
        println!("{}", serde_json::to_string(event).unwrap_or_default());
    } else {
        match event {
            NotifierEvent::Status(s) if !s.available => eprintln!(
                "notifications unavailable: {}",
                s.message.as_deref().unwrap_or("unknown reason")
            ),
            NotifierEvent::Status(s) if s.paused => eprintln!("notifications paused"),
            NotifierEvent::Status(_) => eprintln!("notifications on"),
            NotifierEvent::Shown { packet_id, .. } => match packet_id {
                Some(p) => println!("notified review {p}"),
                None => println!("notified a burst summary"),
            },
            NotifierEvent::Withdrawn { packet_id, .. } => {
                println!("withdrew the notification of review {packet_id} (decided)")
            }
            NotifierEvent::Decided {
                packet_id, outcome, ..
            } => println!("{outcome} review {packet_id} from a notification"),
            NotifierEvent::DecideFailed {
                packet_id, message, ..
            } => eprintln!("could not decide review {packet_id}: {message}"),
            NotifierEvent::Open { packet_id } => match packet_id {
                Some(p) => println!("open review {p} (run `countersign show {p}`)"),
                None => println!("open the queue (run `countersign list`)"),
            },
        }
    }
    let _ = std::io::stdout().flush();
}

/// SIGTERM (how tests and service managers stop it); never on other platforms.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            term.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await
}
