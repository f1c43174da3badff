//! `countersign audit export|verify`: the compliance officer's commands. Export shows a
//! progress line on stderr and stops cleanly on Ctrl-C; verify needs no database or keyring.

use crate::args::AuditExportArgs;
use crate::cli_error::{CliError, CliResult};
use crate::render;
use chrono::{DateTime, NaiveDate, Utc};
use countersign_core::audit::{verify_export, AuditFilter, ExportOptions, ExportProgress};
use countersign_core::Engine;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// RFC 3339, or a bare date (UTC midnight; `end_of_day` moves it to the next midnight so
/// `--to 2026-03-01` includes that day).
fn parse_time(flag: &str, raw: &str, end_of_day: bool) -> CliResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        CliError::Usage(format!(
            "--{flag} `{raw}` is neither YYYY-MM-DD nor RFC 3339"
        ))
    })?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

pub fn export(engine: &Engine, args: &AuditExportArgs, json: bool) -> CliResult {
    let filter = AuditFilter {
        from: args
            .from
            .as_deref()
            .map(|r| parse_time("from", r, false))
            .transpose()?,
        to: args
            .to
            .as_deref()
            .map(|r| parse_time("to", r, true))
            .transpose()?,
        endpoint: args.origin.endpoint.clone(),
        agent: args.origin.agent.clone(),
        action: args.origin.action.clone(),
        reviewer: args.reviewer.clone(),
        outcome: args.outcome.map(Into::into),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Relaxed);
            }
        });
    }
    let started = Instant::now();
    let mut last_print = Instant::now();
    let mut progress = |p: &ExportProgress| {
        if last_print.elapsed().as_millis() >= 200 || p.done == p.total {
            last_print = Instant::now();
            eprint!("\rexporting {}: {}/{}        ", p.phase, p.done, p.total);
            let _ = std::io::stderr().flush();
        }
    };
    let options = ExportOptions {
        out: args.out.clone(),
        digests_only: args.digests_only,
    };
    let summary = tokio::task::block_in_place(|| {
        engine.export_audit(&filter, &options, &mut progress, &cancel)
    });
    eprintln!();
    let summary = summary?;
    if summary.decisions == 0 {
        eprintln!("warning: no decision matched the filter");
    }
    render::value(
        &summary,
        &format!(
            "exported {} decisions and {} ledger entries to {} in {:.1} s (chain head {} at entry {}; manifest signed by {})",
            summary.decisions,
            summary.ledger_entries,
            summary.out.display(),
            started.elapsed().as_secs_f64(),
            summary.chain_head,
            summary.chain_head_seq,
            summary.signer_key_id
        ),
        json,
    );
    Ok(())
}

pub fn verify(dir: &Path, expect_key: Option<&str>, json: bool) -> CliResult {
    let report = verify_export(dir);
    let failure = match (&report.failure, expect_key, &report.signer_key_id) {
        (Some(f), _, _) => Some(f.to_string()),
        (None, Some(want), Some(got)) if want != got => Some(format!(
            "manifest.json: signed by key {got}, not the expected {want}"
        )),
        _ => None,
    };
    let human = match &failure {
        Some(f) => format!("export NOT intact: {f}"),
        None => format!(
            "export intact: {} decisions ({} signatures verified, {} by keys not in the export), {} ledger entries, chain head {} at entry {}; manifest signed by {}",
            report.decisions,
            report.signatures_verified,
            report.signatures_unverifiable,
            report.ledger_entries,
            report.chain_head.as_deref().unwrap_or("-"),
            report.chain_head_seq.unwrap_or_default(),
            report.signer_key_id.as_deref().unwrap_or("-"),
        ),
    };
    render::value(&report, &human, json);
    match failure {
        Some(f) => Err(CliError::ExportInvalid(f)),
        None => Ok(()),
    }
}
