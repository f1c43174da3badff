//! What each `countersign` command does: thin calls into the engine or the endpoint.

use crate::args::*;
use crate::cli_error::{CliError, CliResult};
use crate::render;
use countersign_core::{DecideRequest, Engine, EngineConfig, NewEndpointRequest, QueueQuery};
use countersign_protocol::DecisionVia;
use std::path::PathBuf;

fn data_dir(cli: &Cli) -> CliResult<PathBuf> {
    match &cli.data_dir {
        Some(d) => Ok(d.clone()),
        None => dirs::data_dir()
            .map(|d| d.join("countersign"))
            .ok_or_else(|| {
                CliError::Usage("no data directory known for this platform; pass --data-dir".into())
            }),
    }
}

fn open_engine(cli: &Cli) -> CliResult<Engine> {
    Ok(Engine::open(EngineConfig::new(
        data_dir(cli)?,
        &cli.keyring_service,
    ))?)
}

pub async fn run(cli: Cli) -> CliResult {
    let json = cli.json;
    match &cli.command {
        Command::Endpoint(EndpointCommand::Serve(args)) => serve(&cli, args).await,
        Command::Endpoint(EndpointCommand::Add {
            name,
            url,
            kind,
            token,
            api_key,
            assistant,
            allow_insecure_http,
            enroll,
        }) => {
            let engine = open_engine(&cli)?;
            let mut ep = engine.add_endpoint(NewEndpointRequest {
                name: name.clone(),
                base_url: url.clone(),
                token: token
                    .clone()
                    .or_else(|| api_key.clone())
                    .unwrap_or_default(),
                allow_insecure_http: *allow_insecure_http,
                kind: (*kind).into(),
                assistant: assistant.clone(),
            })?;
            if *enroll {
                ep = engine.enroll(&ep.id).await?;
            }
            render::endpoint(&ep, json);
            Ok(())
        }
        Command::Endpoint(EndpointCommand::Remove { endpoint }) => {
            open_engine(&cli)?.remove_endpoint(endpoint)?;
            render::done(&format!("removed endpoint {endpoint}"), json);
            Ok(())
        }
        Command::Endpoint(EndpointCommand::List) => {
            render::endpoints(&open_engine(&cli)?.endpoints()?, json);
            Ok(())
        }
        Command::Enroll { endpoint } => {
            let ep = open_engine(&cli)?.enroll(endpoint).await?;
            render::endpoint(&ep, json);
            Ok(())
        }
        Command::Reviewer { name } => {
            let engine = open_engine(&cli)?;
            let reviewer = match name {
                Some(n) => engine.set_display_name(n)?,
                None => engine.reviewer()?,
            };
            render::value(
                &reviewer,
                &format!("{} ({})", reviewer.display_name, reviewer.id),
                json,
            );
            Ok(())
        }
        Command::Status => {
            let engine = open_engine(&cli)?;
            render::status(&engine.endpoints()?, &engine.stats()?, json);
            Ok(())
        }
        Command::Sync {
            once: true,
            endpoint,
        } => {
            let engine = open_engine(&cli)?;
            let reports = engine.sync_once(endpoint.as_deref()).await?;
            render::sync_reports(&reports, json);
            if reports.iter().any(|r| r.error.is_some()) {
                return Err(CliError::Endpoint(
                    "some endpoints could not be synced (see above)".into(),
                ));
            }
            Ok(())
        }
        Command::Sync { once: false, .. } => follow(&cli).await,
        Command::List(args) => {
            let engine = open_engine(&cli)?;
            render::queue(&engine.list(&list_query(args))?, json);
            Ok(())
        }
        Command::Show { id } => {
            render::packet(&open_engine(&cli)?.packet(*id)?, json);
            Ok(())
        }
        Command::Decide(args) => decide(&cli, args).await,
        Command::Key => {
            let info = open_engine(&cli)?.key_info()?;
            render::key(&info, json);
            Ok(())
        }
        Command::Ledger(LedgerCommand::Verify) => {
            let check = open_engine(&cli)?.verify_ledger()?;
            render::value(
                &check,
                &format!(
                    "ledger intact: {} entries, head {}",
                    check.entries, check.head
                ),
                json,
            );
            Ok(())
        }
        Command::Audit(AuditCommand::Export(args)) => {
            crate::audit::export(&open_engine(&cli)?, args, json)
        }
        Command::Audit(AuditCommand::Verify { dir, expect_key }) => {
            crate::audit::verify(dir, expect_key.as_deref(), json)
        }
        Command::Quarantine { limit } => {
            render::quarantine(&open_engine(&cli)?.quarantine(*limit)?, json);
            Ok(())
        }
        Command::Notify(command) => crate::notify::run(open_engine(&cli)?, command, json).await,
        Command::Bench {
            packets,
            decisions,
            audit_entries,
            notify_packets,
            keep_audit_export,
        } => {
            let audit = crate::bench::AuditBench {
                entries: *audit_entries,
                keep_export: keep_audit_export.clone(),
            };
            crate::bench::run(*packets, *decisions, audit, *notify_packets, json).await
        }
        Command::BenchSeed { packets } => crate::bench::seed(data_dir(&cli)?, *packets, json),
    }
}

fn list_query(args: &ListArgs) -> QueueQuery {
    QueueQuery {
        status: args.status.status(),
        urgency: args.urgency.map(Into::into),
        risk: args.risk.map(Into::into),
        endpoint_id: args.origin.endpoint.clone(),
        agent: args.origin.agent.clone(),
        action: args.origin.action.clone(),
        text: args.search.clone(),
        limit: Some(args.limit),
        ..QueueQuery::default()
    }
}

async fn decide(cli: &Cli, args: &DecideArgs) -> CliResult {
    let json = cli.json;
    let edited = match &args.args {
        None => None,
        Some(raw) => {
            let text = match raw.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)?,
                None => raw.clone(),
            };
            Some(
                serde_json::from_str(&text)
                    .map_err(|e| CliError::Usage(format!("--args is not valid JSON: {e}")))?,
            )
        }
    };
    let engine = open_engine(cli)?;
    let decision = engine.decide(
        args.id,
        DecideRequest {
            outcome: args.outcome.into(),
            args: edited,
            reason: args.reason.clone(),
            response: args.response.clone(),
            via: DecisionVia::Cli,
        },
    )?;
    // Printed only after the commit: whoever reads this line may rely on the decision
    // surviving a crash from here on.
    render::recorded(&decision, json);
    if args.no_send {
        return Ok(());
    }
    let endpoint_id = engine.packet(args.id)?.endpoint_id;
    let report = engine.deliver_now(&endpoint_id).await?;
    let after = engine.decision(&decision.decision_id)?;
    render::delivered(&after, &report, json);
    Ok(())
}

async fn follow(cli: &Cli) -> CliResult {
    let json = cli.json;
    let engine = open_engine(cli)?;
    let mut events = engine.subscribe();
    engine.start_sync()?;
    if !json {
        eprintln!(
            "syncing {} endpoint(s); Ctrl-C to stop",
            engine.endpoints()?.len()
        );
    }
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            ev = events.recv() => match ev {
                Ok(ev) => render::event(&ev, json),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => tracing::warn!("skipped {n} events"),
                Err(_) => break,
            }
        }
    }
    engine.stop_sync();
    Ok(())
}

async fn serve(cli: &Cli, args: &ServeArgs) -> CliResult {
    let db_path = match &args.db {
        Some(p) => p.clone(),
        None => data_dir(cli)?.join("endpoint.db"),
    };
    let mut reviewer_tokens = args.reviewer_tokens.clone();
    let mut agent_tokens = args.agent_tokens.clone();
    if args.demo {
        if reviewer_tokens.is_empty() {
            reviewer_tokens.push("demo-reviewer".into());
        }
        if agent_tokens.is_empty() {
            agent_tokens.push("demo-agent".into());
        }
    }
    if reviewer_tokens.is_empty() || agent_tokens.is_empty() {
        return Err(CliError::Usage(
            "give at least one --reviewer-token and one --agent-token (or --demo for demo tokens)"
                .into(),
        ));
    }
    let config = countersign_endpoint::EndpointConfig {
        db_path,
        reviewer_tokens,
        agent_tokens,
        demo: args.demo.then(|| countersign_endpoint::DemoConfig {
            interval: std::time::Duration::from_secs(args.demo_interval.max(1)),
            ..Default::default()
        }),
        clock: std::sync::Arc::new(countersign_core::clock::PreciseSystemClock),
    };
    let addr = format!("{}:{}", args.host, args.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| CliError::Endpoint(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr()?;
    if cli.json {
        println!(
            "{}",
            serde_json::json!({"event": "listening", "url": format!("http://{bound}")})
        );
    } else {
        eprintln!(
            "countersign endpoint listening on http://{bound}{}",
            if args.demo {
                " (demo mode: reviewer token `demo-reviewer`, agent token `demo-agent`)"
            } else {
                ""
            }
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // `serve` handles Ctrl-C itself and shuts down gracefully (streams, long-polls).
    countersign_endpoint::serve(config, listener)
        .await
        .map_err(|e| CliError::Endpoint(e.to_string()))
}
