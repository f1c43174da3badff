//! Audit view commands: preview what an export would hold, export with progress streamed
//! over a channel (one export at a time, cancellable), and verify an export offline. The
//! ledger itself is read-only here: no command edits or deletes an entry.

use crate::commands::AppEngine;
use crate::error::{UiError, UiResult};
use countersign_core::audit::{
    verify_export, AuditFilter, AuditPreview, ExportOptions, ExportProgress, ExportSummary,
    VerifyReport,
};
use countersign_core::ErrorCode;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::Channel;
use tauri::{Manager, State};

/// The cancel flag of the export in progress, if any.
#[derive(Default)]
pub struct RunningExport(Mutex<Option<Arc<AtomicBool>>>);

/// Frees the export slot however the export ends.
struct ExportSlot<'a>(&'a RunningExport);

impl Drop for ExportSlot<'_> {
    fn drop(&mut self) {
        *self.0 .0.lock().unwrap() = None;
    }
}

/// Run `work` on the blocking pool: exports and verifies take seconds to minutes, and the
/// async runtime must keep serving the other commands meanwhile.
async fn off_runtime<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> UiResult<T>
where
    T: Send + 'static,
    E: Into<UiError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| UiError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
        .map_err(Into::into)
}

#[tauri::command]
pub async fn audit_preview(
    engine: State<'_, AppEngine>,
    filter: AuditFilter,
    limit: u32,
) -> UiResult<AuditPreview> {
    let engine = engine.0.clone();
    off_runtime(move || engine.audit_preview(&filter, limit.min(1000))).await
}

#[tauri::command]
pub async fn audit_export(
    engine: State<'_, AppEngine>,
    running: State<'_, RunningExport>,
    filter: AuditFilter,
    options: ExportOptions,
    on_progress: Channel<ExportProgress>,
) -> UiResult<ExportSummary> {
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut slot = running.0.lock().unwrap();
        if slot.is_some() {
            return Err(UiError::new(
                ErrorCode::ExportRunning,
                "An export is already running. Wait for it to finish or cancel it.",
            ));
        }
        *slot = Some(cancel.clone());
    }
    let _slot = ExportSlot(&running);
    let engine = engine.0.clone();
    off_runtime(move || {
        engine.export_audit(
            &filter,
            &options,
            &mut |p| {
                // A closed window is no reason to stop writing the export.
                let _ = on_progress.send(*p);
            },
            &cancel,
        )
    })
    .await
}

/// Ask the running export to stop; it removes what it wrote. False when none is running.
#[tauri::command]
pub fn audit_export_cancel(running: State<'_, RunningExport>) -> bool {
    match running.0.lock().unwrap().as_ref() {
        Some(flag) => {
            flag.store(true, Ordering::Relaxed);
            true
        }
        None => false,
    }
}

#[tauri::command]
pub async fn audit_verify(dir: String) -> UiResult<VerifyReport> {
    if dir.trim().is_empty() {
        return Err(UiError::new(
            ErrorCode::InvalidInput,
            "Choose an export folder to verify.",
        ));
    }
    off_runtime(move || Ok::<_, UiError>(verify_export(&PathBuf::from(dir)))).await
}

/// A new folder for an export, under the user's documents (else home) folder, named by
/// the local date and time so successive exports never collide.
#[tauri::command]
pub fn audit_default_dir<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> UiResult<String> {
    let base = app
        .path()
        .document_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| UiError::new(ErrorCode::Io, format!("no documents or home folder: {e}")))?;
    let stamp = chrono::Local::now().format("%Y-%m-%d %H%M%S");
    Ok(base
        .join(format!("Countersign audit {stamp}"))
        .to_string_lossy()
        .into_owned())
}
