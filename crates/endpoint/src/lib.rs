//! Countersign reference agent endpoint (protocol v1).
//!
//! One axum server with two faces: the *desktop face* (reviewer tokens) serves the change
//! feed, the SSE push stream, decision submission and reviewer enrollment; the *agent
//! face* (agent tokens) lets agents create review packets, long-poll their decisions and
//! withdraw them, and a HumanLayer-compatible API (`/humanlayer/v1`) serves unmodified
//! HumanLayer-SDK agents through the same packets. State lives in one SQLite file. A
//! deadline ticker applies timeout policies, and an optional demo mode plays realistic
//! agents against the same code paths.
//!
//! Time is injected ([`EndpointConfig::clock`]) so tests can move the clock without sleeping.

mod agent;
mod auth;
mod deadlines;
mod decide;
mod demo;
mod desktop;
mod error;
mod events;
mod extract;
mod humanlayer;
mod state;
mod store;
mod tokens;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use countersign_clock::Clock;
use tokio::sync::watch;

pub use error::EndpointError;

/// Largest request body accepted (the spec's 8 MiB); bigger bodies get 413.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Token used by demo mode when no reviewer token is configured.
pub const DEMO_REVIEWER_TOKEN: &str = "demo-reviewer";
/// Token used by demo mode when no agent token is configured.
pub const DEMO_AGENT_TOKEN: &str = "demo-agent";

/// Everything the endpoint needs to run.
#[derive(Clone)]
pub struct EndpointConfig {
    /// The SQLite file (created if missing).
    pub db_path: PathBuf,
    /// Bearer tokens of the desktop face.
    pub reviewer_tokens: Vec<String>,
    /// Bearer tokens of the agent face; idempotency keys are scoped per token.
    pub agent_tokens: Vec<String>,
    /// Play demo agents when set.
    pub demo: Option<DemoConfig>,
    /// The clock the endpoint reads (creation times, deadlines); injected so tests control
    /// deadlines. [`PreciseSystemClock`](countersign_clock::PreciseSystemClock) in service.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for EndpointConfig {
    // Hand-written so that tokens never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("db_path", &self.db_path)
            .field(
                "reviewer_tokens",
                &format_args!("[{} redacted]", self.reviewer_tokens.len()),
            )
            .field(
                "agent_tokens",
                &format_args!("[{} redacted]", self.agent_tokens.len()),
            )
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

/// Demo mode: seeds packets at start, then creates one every `interval`.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub interval: Duration,
    /// How many packets to seed at start.
    pub seed_packets: usize,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            interval: Duration::from_secs(30),
            seed_packets: 12,
        }
    }
}

/// Serve until the process receives Ctrl-C, then shut down gracefully.
pub async fn serve(
    config: EndpointConfig,
    listener: tokio::net::TcpListener,
) -> Result<(), EndpointError> {
    serve_until(config, listener, async {
        // If the signal handler cannot be installed, serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
    .await
}

/// Serve until `shutdown` completes, then finish in-flight requests, end SSE streams and
/// long-polls, and return.
pub async fn serve_until(
    config: EndpointConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EndpointError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_on_signal = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    tokio::spawn(stop_on_signal);
    run(config, listener, stop_rx).await
}

/// A server started by [`spawn`].
pub struct RunningEndpoint {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), EndpointError>>,
}

impl RunningEndpoint {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, let in-flight requests finish, end streams, and wait.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "endpoint stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "endpoint task failed"),
        }
    }
}

/// Bind `addr` (port 0 picks a free port) and serve in the background.
pub async fn spawn(
    config: EndpointConfig,
    addr: SocketAddr,
) -> Result<RunningEndpoint, EndpointError> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stop_rx) = watch::channel(false);
    // Open the store before returning, so a bad db_path fails `spawn` rather than later.
    let state = state::AppState::open(config, stop_rx.clone())?;
    let task = tokio::spawn(run_with_state(state, listener, stop_rx));
    Ok(RunningEndpoint { addr, stop, task })
}

async fn run(
    config: EndpointConfig,
    listener: tokio::net::TcpListener,
    stop: watch::Receiver<bool>,
) -> Result<(), EndpointError> {
    let state = state::AppState::open(config, stop.clone())?;
    run_with_state(state, listener, stop).await
}

async fn run_with_state(
    state: state::AppState,
    listener: tokio::net::TcpListener,
    mut stop: watch::Receiver<bool>,
) -> Result<(), EndpointError> {
    tracing::info!(addr = ?listener.local_addr().ok(), "countersign endpoint listening");
    let ticker = tokio::spawn(deadlines::run_ticker(state.clone()));
    let demo = state
        .demo_config()
        .map(|demo_config| tokio::spawn(demo::run(state.clone(), demo_config)));
    let app = router(state);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await;
    // The ticker and demo agents watch the same stop signal; wait so nothing writes after
    // we return.
    let _ = ticker.await;
    if let Some(demo) = demo {
        let _ = demo.await;
    }
    result.map_err(EndpointError::from)
}

fn router(state: state::AppState) -> Router {
    Router::new()
        .route("/v1/health", get(desktop::health))
        .route("/v1/reviews", get(desktop::list_changes))
        .route("/v1/events", get(desktop::event_stream))
        .route(
            "/v1/reviews/{packet_id}/decision",
            post(desktop::submit_decision),
        )
        .route("/v1/reviewers", post(desktop::enroll_reviewer))
        .route("/v1/agent/reviews", post(agent::create_review))
        .route("/v1/agent/reviews/{packet_id}", get(agent::get_review))
        .route(
            "/v1/agent/reviews/{packet_id}/decision",
            get(agent::get_decision),
        )
        .route(
            "/v1/agent/reviews/{packet_id}/withdraw",
            post(agent::withdraw_review),
        )
        .route("/v1/agent/stats", get(agent::stats))
        .nest(humanlayer::BASE_PATH, humanlayer::router())
        .fallback(|| async { EndpointError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async { EndpointError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(stamp_protocol_version))
        .with_state(state)
}

/// Every response, errors and fallbacks included, names the protocol version.
async fn stamp_protocol_version(mut response: Response) -> Response {
    response.headers_mut().insert(
        countersign_protocol::wire::VERSION_HEADER,
        HeaderValue::from_static("1"),
    );
    response
}
