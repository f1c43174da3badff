//! Adding a LangGraph endpoint through the engine: what it requires, where its key goes,
//! and that sync reports an unreachable server as offline instead of failing.

use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::{endpoint_token_account, KeyStore, MemoryKeyStore};
use countersign_core::*;
use std::sync::Arc;

fn engine(dir: &std::path::Path, keys: Arc<MemoryKeyStore>) -> Engine {
    Engine::open(EngineConfig {
        data_dir: dir.to_path_buf(),
        keys,
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
    })
    .unwrap()
}

fn langgraph(name: &str, token: &str, assistant: Option<&str>) -> NewEndpointRequest {
    NewEndpointRequest {
        name: name.into(),
        // Port 9 (discard) on loopback: nothing answers there.
        base_url: "http://127.0.0.1:9".into(),
        token: token.into(),
        kind: EndpointKind::LangGraph,
        assistant: assistant.map(String::from),
        ..Default::default()
    }
}

#[test]
fn a_langgraph_endpoint_needs_no_key_and_keeps_an_optional_one_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let engine = engine(dir.path(), keys.clone());

    let local = engine.add_endpoint(langgraph("dev", "", None)).unwrap();
    assert_eq!(local.kind, EndpointKind::LangGraph);
    assert_eq!(local.assistant_filter, None);
    assert_eq!(keys.get(&endpoint_token_account(&local.id)).unwrap(), None);

    let deployed = engine
        .add_endpoint(langgraph("prod", " lsv2-key ", Some(" my_graph ")))
        .unwrap();
    assert_eq!(deployed.assistant_filter.as_deref(), Some("my_graph"));
    assert_eq!(
        keys.get(&endpoint_token_account(&deployed.id))
            .unwrap()
            .as_deref(),
        Some("lsv2-key")
    );
    // The key never reaches the database.
    let db = std::fs::read(dir.path().join("countersign.db")).unwrap();
    assert!(!db.windows(8).any(|w| w == b"lsv2-key"));
}

#[test]
fn native_endpoints_still_need_a_token_and_take_no_assistant_filter() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path(), Arc::new(MemoryKeyStore::default()));
    let native = |token: &str, assistant: Option<&str>| NewEndpointRequest {
        name: "n".into(),
        base_url: "http://127.0.0.1:9".into(),
        token: token.into(),
        assistant: assistant.map(String::from),
        ..Default::default()
    };
    assert_eq!(
        engine.add_endpoint(native("", None)).unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(
        engine
            .add_endpoint(native("t", Some("graph")))
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        engine.add_endpoint(native("t", None)).unwrap().kind,
        EndpointKind::Native
    );
}

#[tokio::test]
async fn an_unreachable_langgraph_server_is_offline_and_takes_no_enrollment() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path(), Arc::new(MemoryKeyStore::default()));
    let ep = engine.add_endpoint(langgraph("dev", "", None)).unwrap();
    let reports = engine.sync_once(None).await.unwrap();
    assert_eq!(reports[0].health, Health::Offline);
    assert!(reports[0].error.as_deref().unwrap().contains("127.0.0.1:9"));
    assert_eq!(engine.endpoint(&ep.id).unwrap().health, Health::Offline);
    assert_eq!(
        engine.enroll(&ep.id).await.unwrap_err().code(),
        "invalid_input"
    );
}
