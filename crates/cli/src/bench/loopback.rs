//! The reference endpoint the benches talk to: started in-process on 127.0.0.1 with
//! well-known bench tokens, and added to the engine under test.

use crate::cli_error::{CliError, CliResult};
use countersign_core::clock::PreciseSystemClock;
use countersign_core::{EndpointView, Engine, NewEndpointRequest};
use countersign_endpoint::{EndpointConfig, RunningEndpoint};
use std::path::Path;
use std::sync::Arc;

/// The agent token the bench's agents post with.
pub const AGENT_TOKEN: &str = "bench-agent";

/// A reference endpoint on 127.0.0.1 (its database in `dir`, named after `name`) that
/// the bench agent posts to, added to `engine` as endpoint `name`.
pub async fn serve_loopback(
    engine: &Engine,
    dir: &Path,
    name: &str,
) -> CliResult<(RunningEndpoint, EndpointView)> {
    let server = countersign_endpoint::spawn(
        EndpointConfig {
            db_path: dir.join(format!("{name}-endpoint.db")),
            reviewer_tokens: vec!["bench-reviewer".into()],
            agent_tokens: vec![AGENT_TOKEN.into()],
            demo: None,
            clock: Arc::new(PreciseSystemClock),
        },
        "127.0.0.1:0".parse().expect("loopback address"),
    )
    .await
    .map_err(|e| CliError::Endpoint(e.to_string()))?;
    let ep = engine.add_endpoint(NewEndpointRequest {
        name: name.into(),
        base_url: server.url(),
        token: "bench-reviewer".into(),
        allow_insecure_http: false,
        ..Default::default()
    })?;
    Ok((server, ep))
}
