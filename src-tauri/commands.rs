//! Tauri commands: thin adapters from the UI's calls to the engine facade. No logic here
//! beyond argument plumbing and error mapping.

use crate::error::{UiError, UiResult};
use countersign_core::{
    DecideRequest, DecisionView, EndpointView, Engine, ErrorCode, KeyInfo, NewEndpointRequest,
    PacketSummary, PacketView, QuarantinedPacket, QueueQuery, QueueStats,
};
use countersign_notify::NotifierStatus;
use countersign_protocol::ReviewerRef;
use std::sync::Arc;
use tauri::State;

/// The engine, shared by all commands.
pub struct AppEngine(pub Arc<Engine>);

#[tauri::command]
pub async fn queue_list(
    engine: State<'_, AppEngine>,
    query: QueueQuery,
) -> UiResult<Vec<PacketSummary>> {
    Ok(engine.0.list(&query)?)
}

#[tauri::command]
pub async fn queue_count(engine: State<'_, AppEngine>, query: QueueQuery) -> UiResult<u64> {
    Ok(engine.0.count(&query)?)
}

#[tauri::command]
pub async fn queue_stats(engine: State<'_, AppEngine>) -> UiResult<QueueStats> {
    Ok(engine.0.stats()?)
}

#[tauri::command]
pub async fn packet_get(engine: State<'_, AppEngine>, id: i64) -> UiResult<PacketView> {
    Ok(engine.0.packet(id)?)
}

#[tauri::command]
pub async fn decide(
    engine: State<'_, AppEngine>,
    id: i64,
    request: DecideRequest,
) -> UiResult<DecisionView> {
    Ok(engine.0.decide(id, request)?)
}

#[tauri::command]
pub async fn endpoints_list(engine: State<'_, AppEngine>) -> UiResult<Vec<EndpointView>> {
    Ok(engine.0.endpoints()?)
}

#[tauri::command]
pub async fn endpoint_add(
    engine: State<'_, AppEngine>,
    request: NewEndpointRequest,
) -> UiResult<EndpointView> {
    Ok(engine.0.add_endpoint(request)?)
}

#[tauri::command]
pub async fn endpoint_remove(engine: State<'_, AppEngine>, id: String) -> UiResult<()> {
    Ok(engine.0.remove_endpoint(&id)?)
}

#[tauri::command]
pub async fn endpoint_enroll(engine: State<'_, AppEngine>, id: String) -> UiResult<EndpointView> {
    Ok(engine.0.enroll(&id).await?)
}

#[tauri::command]
pub async fn reviewer_get(engine: State<'_, AppEngine>) -> UiResult<ReviewerRef> {
    Ok(engine.0.reviewer()?)
}

#[tauri::command]
pub async fn reviewer_set_name(
    engine: State<'_, AppEngine>,
    name: String,
) -> UiResult<ReviewerRef> {
    Ok(engine.0.set_display_name(&name)?)
}

#[tauri::command]
pub async fn key_info(engine: State<'_, AppEngine>) -> UiResult<KeyInfo> {
    Ok(engine.0.key_info()?)
}

#[tauri::command]
pub async fn quarantine_list(
    engine: State<'_, AppEngine>,
    limit: u32,
) -> UiResult<Vec<QuarantinedPacket>> {
    Ok(engine.0.quarantine(limit)?)
}

/// Open an http(s) link in the system browser (the UI has already asked the user).
#[tauri::command]
pub async fn open_link(url: String) -> UiResult<()> {
    let parsed = url::Url::parse(&url)
        .map_err(|e| UiError::new(ErrorCode::InvalidInput, format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UiError::new(
            ErrorCode::InvalidInput,
            "only http and https links can be opened",
        ));
    }
    open::that_detached(parsed.as_str()).map_err(|e| {
        UiError::new(
            ErrorCode::OpenFailed,
            format!("could not open the browser: {e}"),
        )
    })
}

/// Whether notifications are paused or unavailable (and why), for the status bar.
#[tauri::command]
pub async fn notifications_status(
    notifier: State<'_, crate::AppNotifier>,
) -> UiResult<NotifierStatus> {
    Ok(notifier.0.status())
}

#[tauri::command]
pub async fn notifications_set_paused(
    notifier: State<'_, crate::AppNotifier>,
    paused: bool,
) -> UiResult<NotifierStatus> {
    Ok(notifier.0.set_paused(paused)?)
}

/// The review on screen (none: the window shows no review or is in the background); it
/// gets no popup.
#[tauri::command]
pub async fn notifications_focus(
    engine: State<'_, AppEngine>,
    notifier: State<'_, crate::AppNotifier>,
    packet_id: Option<i64>,
) -> UiResult<()> {
    if let Some(id) = packet_id {
        engine.0.packet(id)?;
    }
    notifier.0.set_focused(packet_id);
    Ok(())
}
