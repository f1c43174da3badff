//! IPC contract of the desktop shell, on Tauri's mock runtime: every command the UI calls
//! answers with the documented success shape, and failures arrive as `{code, message}`.

use countersign_core::clock::{OsEntropy, SystemClock};
use countersign_core::keystore::{KeyStore, MemoryKeyStore};
use countersign_core::{CoreError, Engine, EngineConfig};
use countersign_desktop::{with_commands, AppEngine, AppNotifier};
use countersign_notify::{Notifier, NotifyError, Popup, PopupId, Popups};
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

/// A keyring that is not there, to see the error the UI gets.
struct NoKeyring;

impl KeyStore for NoKeyring {
    fn get(&self, _: &str) -> countersign_core::error::Result<Option<String>> {
        Err(CoreError::KeyringUnavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
    fn set(&self, _: &str, _: &str) -> countersign_core::error::Result<()> {
        Err(CoreError::KeyringUnavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
    fn delete(&self, _: &str) -> countersign_core::error::Result<()> {
        Ok(())
    }
}

/// A desktop without a notification service (the popups themselves are covered by the
/// system tests on a real daemon).
struct NoNotificationService;

impl Popups for NoNotificationService {
    fn show(&self, _: &Popup) -> Result<PopupId, NotifyError> {
        Err(NotifyError::Unavailable(
            "no notification daemon on the bus".into(),
        ))
    }
    fn withdraw(&self, _: PopupId) -> Result<(), NotifyError> {
        Ok(())
    }
    fn probe(&self) -> Result<String, NotifyError> {
        Err(NotifyError::Unavailable(
            "no notification daemon on the bus".into(),
        ))
    }
}

struct Ui {
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
    _dir: tempfile::TempDir,
}

impl Ui {
    fn new(keys: Arc<dyn KeyStore>) -> Ui {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig {
            data_dir: dir.path().to_path_buf(),
            keys,
            clock: Arc::new(SystemClock),
            entropy: Arc::new(OsEntropy),
        })
        .unwrap();
        let app = with_commands(mock_builder())
            .build(tauri::generate_context!())
            .unwrap();
        let engine = Arc::new(engine);
        app.manage(AppNotifier(Notifier::new(
            engine.clone(),
            Arc::new(NoNotificationService),
        )));
        app.manage(AppEngine(engine));
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Ui {
            webview,
            _app: app,
            _dir: dir,
        }
    }

    fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// The call fails with exactly `{code, message}` and the given code.
    fn err(&self, cmd: &str, args: Value, code: &str) {
        let e = self.call(cmd, args).expect_err(cmd);
        let obj = e
            .as_object()
            .unwrap_or_else(|| panic!("{cmd}: error is not an object: {e}"));
        assert_eq!(obj.len(), 2, "{cmd}: only code and message: {e}");
        assert_eq!(obj["code"], code, "{cmd}: {e}");
        assert!(!obj["message"].as_str().unwrap().is_empty());
    }
}

fn change(id: &str) -> Value {
    json!({"seq": 1, "kind": "created", "packet": {
        "version": 1, "id": id, "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
        "status": "pending", "agent": {"name": "refund-bot"},
        "action": {"name": "issue_refund", "args": {"amount": 20}},
        "args_schema": {"type": "object", "properties": {"amount": {"type": "number", "maximum": 100}}},
        "urgency": "high", "allowed_outcomes": ["approve", "edit", "reject"]}})
}

#[test]
fn every_command_answers_with_its_shape_or_code_and_message() {
    let ui = Ui::new(Arc::new(MemoryKeyStore::default()));

    // Endpoints.
    ui.err(
        "endpoint_add",
        json!({"request": {"name": "x", "base_url": "http://example.com", "token": "t"}}),
        "invalid_input",
    );
    let ep = ui.ok(
        "endpoint_add",
        json!({"request": {"name": "main", "base_url": "http://127.0.0.1:9", "token": "t"}}),
    );
    let ep_id = ep["id"].as_str().unwrap().to_string();
    assert_eq!(ep["health"], "unknown");
    assert_eq!(ui.ok("endpoints_list", json!({}))[0]["name"], "main");
    ui.err("endpoint_enroll", json!({"id": "nope"}), "not_found");
    ui.err("endpoint_enroll", json!({"id": ep_id}), "offline");
    ui.err("endpoint_remove", json!({"id": "nope"}), "not_found");
    // A LangGraph server: no token needed, an assistant filter, nothing to enroll.
    let lg = ui.ok(
        "endpoint_add",
        json!({"request": {"name": "graphs", "base_url": "http://127.0.0.1:9", "token": "",
            "kind": "langgraph", "assistant": "inbox"}}),
    );
    assert_eq!(
        (lg["kind"].as_str(), lg["assistant_filter"].as_str()),
        (Some("langgraph"), Some("inbox"))
    );
    ui.err("endpoint_enroll", json!({"id": lg["id"]}), "invalid_input");
    ui.err(
        "endpoint_add",
        json!({"request": {"name": "x2", "base_url": "http://127.0.0.1:9", "token": ""}}),
        "invalid_input",
    );
    ui.ok("endpoint_remove", json!({"id": lg["id"]}));

    // Queue and packets.
    let engine = ui.webview.state::<AppEngine>().0.clone();
    engine
        .store()
        .apply_changes(&ep_id, &[change("p-1")], Some("1"), chrono::Utc::now())
        .unwrap();
    let rows = ui.ok("queue_list", json!({"query": {"status": "pending"}}));
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["action"], "issue_refund");
    assert_eq!(
        ui.ok("queue_count", json!({"query": {"text": "refund"}})),
        json!(1)
    );
    assert_eq!(ui.ok("queue_stats", json!({}))["pending"], 1);
    let id = rows[0]["id"].as_i64().unwrap();
    assert_eq!(
        ui.ok("packet_get", json!({"id": id}))["packet"]["id"],
        "p-1"
    );
    ui.err("packet_get", json!({"id": 999_999}), "not_found");
    assert_eq!(ui.ok("quarantine_list", json!({"limit": 10})), json!([]));

    // Deciding.
    ui.err(
        "decide",
        json!({"id": id, "request": {"outcome": "reject", "via": "window"}}),
        "reason_required",
    );
    ui.err(
        "decide",
        json!({"id": id, "request": {"outcome": "edit", "args": {"amount": 500}, "via": "window"}}),
        "schema_violation",
    );
    ui.err(
        "decide",
        json!({"id": id, "request": {"outcome": "respond", "response": "hi", "via": "window"}}),
        "outcome_not_allowed",
    );
    let d = ui.ok(
        "decide",
        json!({"id": id, "request": {"outcome": "edit", "args": {"amount": 50}, "via": "window"}}),
    );
    assert_eq!(d["state"], "signed");
    assert_eq!(d["record"]["final_args"], json!({"amount": 50}));
    assert_eq!(d["record"]["via"], "window");
    ui.err(
        "decide",
        json!({"id": id, "request": {"outcome": "approve", "via": "window"}}),
        "packet_closed",
    );

    // Reviewer and key.
    ui.err("reviewer_set_name", json!({"name": "  "}), "invalid_input");
    assert_eq!(
        ui.ok("reviewer_set_name", json!({"name": "Ada"}))["display_name"],
        "Ada"
    );
    assert_eq!(ui.ok("reviewer_get", json!({}))["display_name"], "Ada");
    let key = ui.ok("key_info", json!({}));
    assert_eq!(key["public_jwk"]["crv"], "Ed25519");

    // Links: only http(s) reach the system browser.
    ui.err(
        "open_link",
        json!({"url": "javascript:alert(1)"}),
        "invalid_input",
    );
    ui.err("open_link", json!({"url": "not a url"}), "invalid_input");

    // Audit: preview, export (progress over a channel), verify; errors as {code, message}.
    let preview = ui.ok(
        "audit_preview",
        json!({"filter": {"outcome": "edit"}, "limit": 10}),
    );
    assert_eq!(preview["total"], 1);
    // The printed name as signed, not the name the reviewer uses now.
    assert_eq!(
        preview["rows"][0]["signer_name"],
        d["record"]["reviewer"]["display_name"]
    );
    assert_eq!(preview["rows"][0]["meaning"], d["record"]["meaning"]);
    assert_eq!(
        ui.ok(
            "audit_preview",
            json!({"filter": {"outcome": "reject"}, "limit": 10})
        )["total"],
        0
    );
    let default_dir = ui.ok("audit_default_dir", json!({}));
    assert!(default_dir.as_str().unwrap().contains("Countersign audit "));
    let out = ui.dir().join("export");
    let summary = ui.ok(
        "audit_export",
        json!({"filter": {}, "options": {"out": out, "digests_only": false},
               "onProgress": "__CHANNEL__:7"}),
    );
    assert_eq!(summary["decisions"], 1);
    assert!(!ui.ok("audit_export_cancel", json!({})).as_bool().unwrap());
    ui.err(
        "audit_export",
        json!({"filter": {}, "options": {"out": out, "digests_only": false},
               "onProgress": "__CHANNEL__:8"}),
        "invalid_input",
    );
    let report = ui.ok("audit_verify", json!({"dir": out}));
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["signatures_verified"], 1);
    let bad = ui.ok("audit_verify", json!({"dir": ui.dir().join("missing")}));
    assert_eq!(bad["ok"], false);
    assert!(bad["failure"]["reason"].as_str().is_some());
    ui.err("audit_verify", json!({"dir": " "}), "invalid_input");

    // Notifications: status, pause, the review on screen.
    assert_eq!(
        ui.ok("notifications_status", json!({})),
        json!({"paused": false, "available": true, "message": null})
    );
    assert_eq!(
        ui.ok("notifications_set_paused", json!({"paused": true}))["paused"],
        true
    );
    assert!(engine.notifications_paused().unwrap(), "remembered");
    ui.webview.state::<AppNotifier>().0.probe();
    assert_eq!(
        ui.ok("notifications_status", json!({})),
        json!({"paused": true, "available": false, "message": "no notification daemon on the bus"})
    );
    assert_eq!(
        ui.ok("notifications_focus", json!({"packetId": id})),
        json!(null)
    );
    assert_eq!(
        ui.ok("notifications_focus", json!({"packetId": null})),
        json!(null)
    );
    ui.err(
        "notifications_focus",
        json!({"packetId": 999_999}),
        "not_found",
    );

    ui.ok("endpoint_remove", json!({"id": ep_id}));
    assert_eq!(ui.ok("endpoints_list", json!({})), json!([]));
}

#[test]
fn a_missing_keyring_reaches_the_ui_in_plain_words() {
    let ui = Ui::new(Arc::new(NoKeyring));
    ui.err("key_info", json!({}), "keyring_unavailable");
    ui.err(
        "endpoint_add",
        json!({"request": {"name": "main", "base_url": "http://127.0.0.1:9", "token": "t"}}),
        "keyring_unavailable",
    );
    // Browsing still works without a keyring.
    assert_eq!(ui.ok("queue_list", json!({"query": {}})), json!([]));
}
