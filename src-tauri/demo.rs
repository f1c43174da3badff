//! The embedded demo endpoint: when no endpoint is configured (or the demo one is), the app
//! starts the reference endpoint in demo mode on loopback and connects to it, so a first
//! run shows realistic packets without any setup.

use countersign_core::clock::PreciseSystemClock;
use countersign_core::{Engine, NewEndpointRequest};
use countersign_endpoint::{DemoConfig, EndpointConfig, RunningEndpoint};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub const DEMO_ENDPOINT_NAME: &str = "Demo";

/// Start the demo endpoint if it is wanted: `COUNTERSIGN_DEMO=0` turns it off, and it is
/// only started when no endpoint other than the demo one is configured.
pub async fn start_if_wanted(engine: &Engine, data_dir: &Path) -> Option<RunningEndpoint> {
    if std::env::var("COUNTERSIGN_DEMO").is_ok_and(|v| v == "0") {
        return None;
    }
    let endpoints = engine.endpoints().ok()?;
    if endpoints.iter().any(|e| e.name != DEMO_ENDPOINT_NAME) {
        return None;
    }
    let port: u16 = std::env::var("COUNTERSIGN_DEMO_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8787);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let config = EndpointConfig {
        db_path: data_dir.join("demo-endpoint.db"),
        reviewer_tokens: vec![countersign_endpoint::DEMO_REVIEWER_TOKEN.into()],
        agent_tokens: vec![countersign_endpoint::DEMO_AGENT_TOKEN.into()],
        demo: Some(DemoConfig::default()),
        clock: Arc::new(PreciseSystemClock),
    };
    let running = match countersign_endpoint::spawn(config, addr).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "demo endpoint not started");
            return None;
        }
    };
    if !endpoints.iter().any(|e| e.name == DEMO_ENDPOINT_NAME) {
        let added = engine.add_endpoint(NewEndpointRequest {
            name: DEMO_ENDPOINT_NAME.into(),
            base_url: running.url(),
            token: countersign_endpoint::DEMO_REVIEWER_TOKEN.into(),
            allow_insecure_http: false,
            ..Default::default()
        });
        match added {
            Ok(ep) => {
                if let Err(e) = engine.enroll(&ep.id).await {
                    tracing::warn!(error = %e, "could not enroll with the demo endpoint");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not add the demo endpoint"),
        }
    }
    Some(running)
}
