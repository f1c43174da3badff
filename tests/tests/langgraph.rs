//! The LangGraph connector against a real `langgraph dev` server, every interrupt shape:
//! the graphs of tests/langgraph/ (no LLM calls) raise the Agent Inbox,
//! batched-middleware, per-call and an unknown interrupt shape; the real `countersign` CLI
//! discovers them, decides every outcome of every shape, and the graph's final state (read
//! over the server's HTTP API) shows each decision applied. Delivery under duplicates,
//! races, crashes, outages and load: langgraph_delivery.rs.
//!
//! Needs `eval "$(scripts/langgraph-env.sh)"` (COUNTERSIGN_LANGGRAPH_VENV) and a keyring
//! (scripts/session-bus.sh); scripts/test.sh does both.

use countersign_testkit::langgraph_server::{
    add_langgraph, decide, packet_for, packets_of, LangGraphServer,
};
use countersign_testkit::*;
use serde_json::{json, Value};

/// The tool messages of an agent thread's final state.
fn tool_messages(state: &Value) -> Vec<String> {
    state["values"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "tool")
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn assert_tool_said(state: &Value, needle: &str) {
    let messages = tool_messages(state);
    assert!(
        messages.iter().any(|m| m.contains(needle)),
        "no tool message contains {needle:?}: {messages:#?}"
    );
}

#[test]
fn every_outcome_of_every_shape_is_applied_by_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let server = LangGraphServer::start(dir.path());
    let client = Client::new(dir.path(), "reviewer");
    let ep = add_langgraph(&client, &server);
    assert_eq!(ep["kind"], "langgraph", "{ep}");

    let inbox = server.interrupted_threads("inbox", 4);
    let batched = server.interrupted_threads("batched", 2);
    let per_call = server.interrupted_threads("per_call", 2);
    let raw = server.interrupted_thread("raw");
    let report = client.json(&["sync", "--once"]);
    // 4 inbox + 2x3 batched + 2x3 per-call + 1 raw.
    assert_eq!(report[0]["changes"], 17, "{report}");

    // Agent Inbox: the four HumanInterrupt responses.
    let shown = client.json(&["show", &packet_for(&client, &inbox[0], "issue_refund")]);
    assert_eq!(
        shown["packet"]["allowed_outcomes"],
        json!(["approve", "edit", "respond", "ignore"])
    );
    assert_eq!(shown["packet"]["agent"]["thread_id"], inbox[0].as_str());
    let id = packet_for(&client, &inbox[0], "issue_refund");
    assert_eq!(decide(&client, &id, &["approve"])["state"], "acknowledged");
    let id = packet_for(&client, &inbox[1], "issue_refund");
    decide(
        &client,
        &id,
        &["edit", "--args", r#"{"order":"A-1","amount":60}"#],
    );
    let id = packet_for(&client, &inbox[2], "issue_refund");
    decide(
        &client,
        &id,
        &["respond", "--response", "Refund after the audit"],
    );
    let id = packet_for(&client, &inbox[3], "issue_refund");
    decide(&client, &id, &["ignore"]);
    let applied = |t: &str| server.thread(t)["values"]["applied"].clone();
    assert_eq!(
        applied(&inbox[0]),
        json!({"type": "accept", "ran_with": {"order": "A-1", "amount": 120}})
    );
    assert_eq!(
        applied(&inbox[1]),
        json!({"type": "edit", "ran_with": {"order": "A-1", "amount": 60}})
    );
    assert_eq!(
        applied(&inbox[2]),
        json!({"type": "response", "message": "Refund after the audit"})
    );
    assert_eq!(
        applied(&inbox[3]),
        json!({"type": "ignore", "skipped": true})
    );

    // Batched middleware: one packet per action, one resume once all three are decided.
    let (email, delete, ask) = (
        packet_for(&client, &batched[0], "send_email"),
        packet_for(&client, &batched[0], "delete_file"),
        packet_for(&client, &batched[0], "ask_user"),
    );
    assert!(client.json(&["show", &email])["packet"]["reasoning"]
        .as_str()
        .unwrap()
        .contains("Action 1 of 3 of one LangGraph interrupt"));
    let first = decide(
        &client,
        &email,
        &[
            "edit",
            "--args",
            r#"{"to":"bob@example.com","body":"Hello"}"#,
        ],
    );
    assert_eq!(first["state"], "signed", "{first}");
    assert!(
        first["last_error"]
            .as_str()
            .unwrap()
            .contains("waiting for the other 2 actions"),
        "{first}"
    );
    assert_eq!(server.thread(&batched[0])["status"], "interrupted");
    decide(
        &client,
        &delete,
        &["reject", "--reason", "Keep the report."],
    );
    let last = decide(&client, &ask, &["respond", "--response", "Account 42"]);
    assert_eq!(last["state"], "acknowledged", "{last}");
    assert_eq!(
        client.json(&["show", &email])["decisions"][0]["state"],
        "acknowledged"
    );
    let state = server.thread(&batched[0]);
    assert_eq!(state["status"], "idle");
    assert_tool_said(&state, "sent to bob@example.com: Hello");
    assert_tool_said(&state, "with reason: Keep the report.");
    assert_tool_said(&state, "Account 42");
    assert!(!tool_messages(&state)
        .iter()
        .any(|m| m.contains("alice@example.com")));

    let b = &batched[1];
    decide(&client, &packet_for(&client, b, "send_email"), &["approve"]);
    decide(
        &client,
        &packet_for(&client, b, "delete_file"),
        &["approve"],
    );
    decide(
        &client,
        &packet_for(&client, b, "ask_user"),
        &["reject", "--reason", "Not needed"],
    );
    let state = server.thread(b);
    assert_tool_said(&state, "sent to alice@example.com: Hi");
    assert_tool_said(&state, "deleted /reports/q3.pdf");
    assert_tool_said(
        &state,
        "User rejected the tool call for `ask_user` with reason: Not needed",
    );

    // Per-call middleware: outcomes come from each interrupt's response_schema, and edits
    // are checked against the tool's own argument schema before anything is signed.
    let p = &per_call[0];
    let email = packet_for(&client, p, "send_email");
    let shown = client.json(&["show", &email]);
    assert_eq!(
        shown["packet"]["allowed_outcomes"],
        json!(["approve", "edit", "reject"])
    );
    // The reviewer is told these three are answered together.
    assert!(shown["packet"]["reasoning"]
        .as_str()
        .unwrap()
        .contains("One of 3 interrupts this thread waits on"));
    let bad = client.run(&["decide", &email, "edit", "--args", r#"{"to":5}"#]);
    assert!(
        !bad.status.success(),
        "an edit against the tool schema is refused"
    );
    let ask = packet_for(&client, p, "ask_user");
    assert_eq!(
        client.json(&["show", &ask])["packet"]["allowed_outcomes"],
        json!(["respond", "reject"])
    );
    decide(
        &client,
        &email,
        &[
            "edit",
            "--args",
            r#"{"to":"carol@example.com","body":"Per call"}"#,
        ],
    );
    decide(
        &client,
        &packet_for(&client, p, "delete_file"),
        &["reject", "--reason", "Not this one"],
    );
    let done = decide(&client, &ask, &["respond", "--response", "Account 7"]);
    assert_eq!(done["state"], "acknowledged", "{done}");
    let state = server.thread(p);
    assert_eq!(state["status"], "idle", "{state}");
    assert_tool_said(&state, "sent to carol@example.com: Per call");
    assert_tool_said(&state, "with reason: Not this one");
    assert_tool_said(&state, "Account 7");

    let p = &per_call[1];
    decide(&client, &packet_for(&client, p, "send_email"), &["approve"]);
    decide(
        &client,
        &packet_for(&client, p, "delete_file"),
        &["approve"],
    );
    decide(
        &client,
        &packet_for(&client, p, "ask_user"),
        &["reject", "--reason", "Skip it"],
    );
    let state = server.thread(p);
    assert_tool_said(&state, "sent to alice@example.com: Hi");
    assert_tool_said(&state, "deleted /reports/q3.pdf");
    assert_tool_said(&state, "with reason: Skip it");

    // Unknown shape: shown raw, answered with a raw JSON resume value.
    let id = packet_for(&client, &raw, "langgraph_interrupt");
    let shown = client.json(&["show", &id]);
    assert_eq!(
        shown["packet"]["action"]["args"]["question"],
        "Pick a colour"
    );
    assert_eq!(shown["packet"]["allowed_outcomes"], json!(["respond"]));
    decide(
        &client,
        &id,
        &["respond", "--response", r#"{"pick":"red"}"#],
    );
    assert_eq!(
        server.thread(&raw)["values"]["answer"],
        json!({"pick": "red"})
    );

    // Every decision is signed, acknowledged, and the ledger holds together.
    let status = client.json(&["status"]);
    assert_eq!(status["queue"]["pending"], 0, "{status}");
    assert_eq!(status["queue"]["outbox"], 0, "{status}");
    for (id, _) in packets_of(&client, &inbox[1]) {
        let d = &client.json(&["show", &id])["decisions"][0];
        assert_eq!(d["state"], "acknowledged");
        assert_eq!(d["jws"].as_str().unwrap().split('.').count(), 3);
        assert_eq!(
            d["record"]["final_args"],
            json!({"order": "A-1", "amount": 60})
        );
    }
    client.json(&["ledger", "verify"]);
}
