//! Delivery to a real `langgraph dev` server when things go wrong: a duplicate decision,
//! another reviewer answering first, a resume that got through before a crash, an
//! oversized interrupt, the server going away mid-review, and 300 interrupted threads
//! (prints the discovery and latency figures). Every interrupt shape and outcome:
//! langgraph.rs.
//!
//! Needs `eval "$(scripts/langgraph-env.sh)"` (COUNTERSIGN_LANGGRAPH_VENV) and a keyring
//! (scripts/session-bus.sh); scripts/test.sh does both.

use countersign_testkit::langgraph_server::{add_langgraph, decide, packet_for, LangGraphServer};
use countersign_testkit::*;
use serde_json::json;
use std::time::{Duration, Instant};

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
