//! Everything Countersign's tests share, in one dev-only crate: the reference endpoint run
//! in-process with a controllable clock ([`InProcessEndpoint`]) or as its own
//! `countersign endpoint serve` process ([`ServedEndpoint`], on [`EndpointProcess`]), the
//! `countersign` CLI as a desktop client ([`Client`]), packet drafts
//! ([`PacketDraftBuilder`]), signed decision records ([`DecisionRecordBuilder`]), loopback
//! HTTP stubs that play misbehaving endpoints ([`HttpStub`]), the notification bus and a
//! `langgraph dev` server, and the polling the tests wait with ([`eventually`]).
//!
//! It never depends on countersign-core: core's tests use it, and a dependency back would
//! give them two copies of core's types.

pub mod cli_client;
pub mod decision_record;
pub mod endpoint_process;
pub mod event_stream;
pub mod http_stub;
pub mod in_process;
pub mod langgraph_server;
pub mod notification_bus;
pub mod packet_draft;
pub mod served_endpoint;
pub mod test_clock;

pub use cli_client::{countersign_bin, kill, last_json_line, Client};
pub use decision_record::{approval, enrollment_of, test_key, DecisionRecordBuilder};
pub use endpoint_process::{EndpointProcess, ServeMode};
pub use event_stream::{SseEvent, SseReader};
pub use http_stub::HttpStub;
pub use in_process::{error_code, InProcessEndpoint};
pub use packet_draft::PacketDraftBuilder;
pub use served_endpoint::ServedEndpoint;
pub use test_clock::TestClock;

use std::net::TcpListener;
use std::time::{Duration, Instant};

/// The reviewer (desktop face) token every test endpoint accepts.
pub const REVIEWER_TOKEN: &str = "test-reviewer";
/// A second reviewer token, for two reviewers on one endpoint.
pub const SECOND_REVIEWER_TOKEN: &str = "second-reviewer";
/// The agent token every test endpoint accepts.
pub const AGENT_TOKEN: &str = "test-agent";
/// A second agent token (in-process endpoint only), for per-agent scoping.
pub const OTHER_AGENT_TOKEN: &str = "other-agent";

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Poll `f` until it returns Some or the time is up.
pub fn eventually<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
