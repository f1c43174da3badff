//! The audit figures of `countersign bench`: a ledger of N entries (synthetic signed
//! decisions, four entries each, appended in big transactions), exported and verified.

use super::figures::Figure;
use crate::cli_error::{CliError, CliResult};
use base64::Engine as _;
use chrono::Utc;
use countersign_core::audit::{verify_export, AuditFilter, ExportOptions};
use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::{KeyStore, MemoryKeyStore, SIGNING_KEY_ACCOUNT};
use countersign_core::signing::ReviewerKey;
use countersign_core::store::synthetic::SyntheticDecision;
use countersign_core::{Engine, EngineConfig, NewEndpointRequest};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// What the audit part of `countersign bench` measures.
pub struct AuditBench {
    /// Ledger entries to build, export and verify.
    pub entries: u32,
    /// Where to move the export afterwards (it is deleted with the bench's temp dir
    /// otherwise).
    pub keep_export: Option<PathBuf>,
}

impl AuditBench {
    /// The audit rows of the bench table.
    pub fn run(&self, dir: &Path) -> CliResult<Vec<Figure>> {
        let figures = measure(dir, self.entries)?;
        if let Some(keep) = &self.keep_export {
            move_dir(&dir.join(EXPORT_DIR), keep)?;
        }
        Ok(figures)
    }
}

const EXPORT_DIR: &str = "audit-export";

/// Rename when `to` is on the same file system, else copy file by file (an export is
/// one flat directory).
fn move_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    std::fs::create_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}

fn measure(dir: &Path, entries: u32) -> CliResult<Vec<Figure>> {
    let seed = [42u8; 32];
    let keys = Arc::new(MemoryKeyStore::default());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seed);
    keys.set(SIGNING_KEY_ACCOUNT, &format!("ed25519:{b64}"))?;
    let key = ReviewerKey::from_seed(seed);
    let engine = Engine::open(EngineConfig {
        data_dir: dir.join("audit"),
        keys,
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })?;
    let ep = engine.add_endpoint(NewEndpointRequest {
        name: "audit-bench".into(),
        base_url: "http://127.0.0.1:9".into(),
        token: "unused".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    let reviewer = engine.reviewer()?;
    let decisions = entries.div_ceil(4);
    let started = Instant::now();
    let now = Utc::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..decisions {
        batch.push(SyntheticDecision::signed(i, &key, &reviewer, now));
        if batch.len() == 10_000 || i + 1 == decisions {
            engine
                .store()
                .append_synthetic_decisions(&ep.id, &batch, now)?;
            batch.clear();
        }
    }
    let fill = started.elapsed().as_secs_f64();

    let out = dir.join(EXPORT_DIR);
    let started = Instant::now();
    let summary = engine.export_audit(
        &AuditFilter::default(),
        &ExportOptions {
            out: out.clone(),
            digests_only: false,
        },
        &mut |_| {},
        &AtomicBool::new(false),
    )?;
    let export_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = verify_export(&out);
    let verify_secs = started.elapsed().as_secs_f64();
    if let Some(f) = report.failure {
        return Err(CliError::ExportInvalid(f.to_string()));
    }
    let n = summary.ledger_entries as f64;
    let rate = |count: f64, secs: f64| format!("{:.0}/s", count / secs.max(1e-9));
    let rows = [
        (
            format!(
                "audit: build ledger ({} entries, {decisions} signed decisions)",
                summary.ledger_entries
            ),
            format!("{fill:.1} s"),
            "(setup)",
        ),
        (
            "audit export (JSONL + CSV + ledger + signed manifest)".into(),
            format!(
                "{} entries ({} rows; rows and ledger written side by side) in {export_secs:.2} s",
                rate(n, export_secs),
                summary.decisions
            ),
            ">= 100k entries/s",
        ),
        (
            "audit verify: chain (ledger.jsonl; alongside the rows)".into(),
            format!(
                "{} entries in {:.2} s",
                rate(n, report.ledger_seconds),
                report.ledger_seconds
            ),
            ">= 100k entries/s",
        ),
        (
            "audit verify: rows + batch-verified signatures (alongside the chain)".into(),
            format!(
                "{} signatures in {:.2} s",
                rate(report.signatures_verified as f64, report.rows_seconds),
                report.rows_seconds
            ),
            "(batch)",
        ),
        (
            "audit verify: whole export".into(),
            format!("{} entries in {verify_secs:.2} s", rate(n, verify_secs)),
            ">= 100k entries/s",
        ),
    ];
    Ok(rows
        .into_iter()
        .map(|(name, value, target)| Figure {
            name,
            value,
            target,
        })
        .collect())
}
