//! The LangGraph connector against a real `langgraph dev` server: the graphs of
//! tests/langgraph/ (no LLM calls) raise the Agent Inbox, batched-middleware, per-call and
//! an unknown interrupt shape; the real `countersign` CLI discovers them, decides every
//! outcome of every shape, and the graph's final state (read over the server's HTTP API)
//! shows each decision applied. Also: 300 interrupted threads, a duplicate decision, and
//! the server going away mid-review. Prints the discovery and latency figures.
//!
//! Needs `eval "$(scripts/langgraph-env.sh)"` (COUNTERSIGN_LANGGRAPH_VENV) and a keyring
//! (scripts/session-bus.sh); scripts/test.sh does both.

use countersign_system_tests::langgraph::LangGraphServer;
use countersign_system_tests::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn add_langgraph(client: &Client, server: &LangGraphServer) -> Value {
    client.json(&[
        "endpoint",
        "add",
        "graphs",
        &server.url(),
        "--kind",
        "langgraph",
    ])
}

/// Local packets of a thread (all statuses), in remote-id order: `(local id, packet row)`.
fn packets_of(client: &Client, thread: &str) -> Vec<(String, Value)> {
    let mut rows: Vec<Value> = client
        .list(&["--status", "all"])
        .into_iter()
        .filter(|p| {
            p["remote_id"]
                .as_str()
                .is_some_and(|r| r.starts_with(&format!("{thread}:")))
        })
        .collect();
    rows.sort_by_key(|p| p["remote_id"].as_str().unwrap().to_string());
    rows.into_iter()
        .map(|p| (p["id"].as_i64().unwrap().to_string(), p))
        .collect()
}

/// The one packet of `thread` whose action is `action`.
fn packet_for(client: &Client, thread: &str, action: &str) -> String {
    packets_of(client, thread)
        .into_iter()
        .find(|(_, p)| p["action"] == action)
        .unwrap_or_else(|| panic!("no `{action}` packet for thread {thread}"))
        .0
}

fn decide(client: &Client, id: &str, args: &[&str]) -> Value {
    let mut all = vec!["decide", id];
    all.extend_from_slice(args);
    client.json(&all)
}

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

#[test]
fn a_duplicate_decision_is_a_conflict_and_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = LangGraphServer::start(dir.path());
    let alice = Client::new(dir.path(), "alice");
    let bob = Client::new(dir.path(), "bob");
    add_langgraph(&alice, &server);
    add_langgraph(&bob, &server);
    let thread = server.interrupted_thread("inbox");
    alice.json(&["sync", "--once"]);
    bob.json(&["sync", "--once"]);
    let a = packet_for(&alice, &thread, "issue_refund");
    let b = packet_for(&bob, &thread, "issue_refund");
    alice.json(&["decide", &a, "approve", "--no-send"]);
    bob.json(&["decide", &b, "ignore", "--no-send"]);

    let first = alice.json(&["sync", "--once"]);
    assert_eq!(first[0]["delivery"]["acknowledged"], 1, "{first}");
    let second = bob.json(&["sync", "--once"]);
    assert_eq!(second[0]["delivery"]["conflict"], 1, "{second}");
    let mine = &bob.json(&["show", &b])["decisions"][0];
    assert_eq!(mine["state"], "conflict");
    assert!(mine["last_error"]
        .as_str()
        .unwrap()
        .contains("already answered"));

    // Exactly one resume reached the server: the first run plus Alice's.
    assert_eq!(server.runs(&thread).len(), 2);
    assert_eq!(
        server.thread(&thread)["values"]["applied"]["type"],
        "accept"
    );
    // Syncing again sends nothing more.
    bob.json(&["sync", "--once"]);
    assert_eq!(server.runs(&thread).len(), 2);
}

/// A decision held back for its sibling actions must not wait out its hold once the
/// interrupt is answered elsewhere: the running sync ends it as a conflict promptly.
#[test]
fn a_held_back_decision_ends_in_conflict_when_another_reviewer_answers_first() {
    let dir = tempfile::tempdir().unwrap();
    let server = LangGraphServer::start(dir.path());
    let alice = Client::new(dir.path(), "alice");
    let bob = Client::new(dir.path(), "bob");
    add_langgraph(&alice, &server);
    add_langgraph(&bob, &server);
    let thread = server.interrupted_thread("batched");
    alice.json(&["sync", "--once"]);
    bob.json(&["sync", "--once"]);
    let held = decide(&bob, &packet_for(&bob, &thread, "send_email"), &["approve"]);
    assert_eq!(held["state"], "signed", "{held}");
    let bob_sync = bob.spawn_sync();

    decide(
        &alice,
        &packet_for(&alice, &thread, "send_email"),
        &["approve"],
    );
    decide(
        &alice,
        &packet_for(&alice, &thread, "delete_file"),
        &["approve"],
    );
    let done = decide(
        &alice,
        &packet_for(&alice, &thread, "ask_user"),
        &["respond", "--response", "Account 1"],
    );
    assert_eq!(done["state"], "acknowledged", "{done}");

    let id = packet_for(&bob, &thread, "send_email");
    let settled = eventually(Duration::from_secs(15), || {
        let d = bob.json(&["show", &id])["decisions"][0].clone();
        (d["state"] == "conflict").then_some(d)
    });
    kill(bob_sync);
    assert!(
        settled.is_some(),
        "Bob's held-back decision did not end in conflict"
    );
    assert_eq!(
        server.runs(&thread).len(),
        2,
        "only Alice's resume was sent"
    );
}

/// A resume of ours that reached the server before the client could record the answer
/// (crash, lost connection) is recognised by the decision id on the run: acknowledged,
/// not reported as a conflict, and not sent again.
#[test]
fn a_resume_that_got_through_before_a_crash_is_acknowledged_not_resent() {
    let dir = tempfile::tempdir().unwrap();
    let server = LangGraphServer::start(dir.path());
    let client = Client::new(dir.path(), "reviewer");
    add_langgraph(&client, &server);
    let thread = server.interrupted_thread("inbox");
    client.json(&["sync", "--once"]);
    let id = packet_for(&client, &thread, "issue_refund");
    let recorded = client.run(&["decide", &id, "approve", "--no-send"]);
    assert!(recorded.status.success());
    let decision_id = last_json_line(&recorded.stdout)["decision"]["decision_id"]
        .as_str()
        .unwrap()
        .to_string();
    // What the lost attempt did on the server: the resume, tagged with our decision id.
    let assistant = server.thread(&thread)["metadata"]["assistant_id"].clone();
    let run = server.post(
        &format!("/threads/{thread}/runs"),
        &json!({
            "assistant_id": assistant,
            "command": {"resume": [{"type": "accept", "args": null}]},
            "metadata": {"countersign_decision_ids": [decision_id]},
        }),
    );
    server.get(&format!(
        "/threads/{thread}/runs/{}/join",
        run["run_id"].as_str().unwrap()
    ));

    let report = client.json(&["sync", "--once"]);
    assert_eq!(report[0]["delivery"]["acknowledged"], 1, "{report}");
    assert_eq!(report[0]["delivery"]["conflict"], 0, "{report}");
    assert_eq!(
        client.json(&["show", &id])["decisions"][0]["state"],
        "acknowledged"
    );
    assert_eq!(server.runs(&thread).len(), 2, "nothing was sent twice");
}

#[test]
fn an_oversized_interrupt_is_quarantined_once_and_the_rest_still_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let server = LangGraphServer::start(dir.path());
    let client = Client::new(dir.path(), "reviewer");
    add_langgraph(&client, &server);
    let huge = server.interrupted_thread("oversized");
    let fine = server.interrupted_thread("inbox");
    client.json(&["sync", "--once"]);
    // Polling again must not quarantine the same interrupt again.
    let again = client.json(&["sync", "--once"]);
    assert_eq!(again[0]["changes"], 0, "{again}");
    let quarantined = client.json(&["quarantine"]);
    let rows = quarantined.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{quarantined}");
    assert!(rows[0]["remote_id"]
        .as_str()
        .unwrap()
        .starts_with(huge.as_str()));
    assert_eq!(rows[0]["code"], "field_too_large", "{quarantined}");
    let queue = client.list(&[]);
    assert_eq!(queue.len(), 1);
    assert!(queue[0]["remote_id"]
        .as_str()
        .unwrap()
        .starts_with(fine.as_str()));
}

#[test]
fn decisions_made_while_the_server_is_away_are_delivered_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = LangGraphServer::start(dir.path());
    let client = Client::new(dir.path(), "reviewer");
    add_langgraph(&client, &server);
    let threads = server.interrupted_threads("inbox", 3);
    client.json(&["sync", "--once"]);
    let ids: Vec<String> = threads
        .iter()
        .map(|t| packet_for(&client, t, "issue_refund"))
        .collect();

    server.stop();
    for id in &ids {
        let out = client.run(&["decide", id, "approve"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(last_json_line(&out.stdout)["state"], "signed");
    }
    let status = client.json(&["status"]);
    assert_eq!(status["queue"]["outbox"], 3, "{status}");
    assert_eq!(status["endpoints"][0]["health"], "offline", "{status}");

    // Back on the same port with its saved state: a continuous sync notices and delivers
    // (after re-checking each interrupt is still open).
    server.restart();
    let sync = client.spawn_sync();
    let delivered = eventually(Duration::from_secs(60), || {
        let status = client.json(&["status"]);
        (status["queue"]["outbox"] == 0).then_some(status)
    });
    kill(sync);
    let status = delivered.expect("the outbox drains once the server is back");
    assert_eq!(status["endpoints"][0]["health"], "online", "{status}");
    for (id, thread) in ids.iter().zip(&threads) {
        assert_eq!(
            client.json(&["show", id])["decisions"][0]["state"],
            "acknowledged"
        );
        assert_eq!(server.thread(thread)["values"]["applied"]["type"], "accept");
        assert_eq!(server.runs(thread).len(), 2, "resumed exactly once");
    }
}

/// Discovery of 300 interrupted threads (all pages), and the time from an interrupt to
/// the packet in the local queue with `countersign sync` running. Prints both figures.
#[test]
fn three_hundred_threads_are_discovered_and_new_interrupts_show_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let server = LangGraphServer::start(dir.path());
    let client = Client::new(dir.path(), "reviewer");
    add_langgraph(&client, &server);
    let created = Instant::now();
    let threads = server.interrupted_threads("inbox", 300);
    eprintln!(
        "created 300 interrupted threads in {:.1} s",
        created.elapsed().as_secs_f64()
    );
    assert_eq!(server.interrupted_count(), 300);

    let started = Instant::now();
    let report = client.json(&["sync", "--once"]);
    let discovery = started.elapsed();
    assert_eq!(report[0]["changes"], 300, "{report}");
    let listed = client.list(&[]);
    assert_eq!(listed.len(), 300);
    for thread in &threads {
        assert!(
            listed.iter().any(|p| p["remote_id"]
                .as_str()
                .unwrap()
                .starts_with(thread.as_str())),
            "thread {thread} was not discovered"
        );
    }
    println!(
        "FIGURE langgraph discovery of 300 interrupted threads: {:.0} ms",
        discovery.as_secs_f64() * 1000.0
    );

    // Interrupt → visible: run the continuous sync and watch the local database.
    let sync = client.spawn_sync();
    let db = rusqlite::Connection::open(client.dir.join("countersign.db")).unwrap();
    let mut latencies = Vec::new();
    for _ in 0..50 {
        let (thread, interrupted) = server.run_to_interrupt("inbox");
        let seen = eventually(Duration::from_secs(10), || {
            db.query_row(
                "SELECT count(*) FROM packets WHERE remote_id LIKE ?1",
                [format!("{thread}:%")],
                |r| r.get::<_, i64>(0),
            )
            .ok()
            .filter(|n| *n > 0)
        });
        assert!(seen.is_some(), "thread {thread} never reached the queue");
        latencies.push(interrupted.elapsed());
    }
    kill(sync);
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[(latencies.len() * 99).div_ceil(100) - 1];
    println!(
        "FIGURE langgraph interrupt -> visible in the queue over {} interrupts: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        latencies.len(),
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
    assert!(
        p50 < Duration::from_secs(2),
        "new interrupts should show within 2 s; p50 was {p50:?}"
    );
}
