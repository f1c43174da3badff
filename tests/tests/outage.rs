//! With the endpoint down, decisions wait in the outbox across a client restart and are
//! delivered exactly once when the endpoint returns.

use countersign_testkit::*;
use std::collections::HashSet;

#[test]
fn hundred_decisions_survive_an_outage_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "outage");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    for i in 0..100 {
        ep.refund(i + 1);
    }
    client.json(&["sync", "--once"]);
    let ids: Vec<i64> = client
        .list(&[])
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 100);

    ep.stop();
    let mut decided = HashSet::new();
    for id in &ids {
        let out = client.run(&["decide", &id.to_string(), "approve"]);
        assert!(
            out.status.success(),
            "recording works offline: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let recorded: serde_json::Value =
            serde_json::from_str(text.lines().next().unwrap()).unwrap();
        decided.insert(
            recorded["decision"]["decision_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        assert_ne!(last_json_line(&out.stdout)["state"], "acknowledged");
    }
    let status = client.json(&["status"]);
    assert_eq!(status["queue"]["outbox"], 100, "{status}");
    assert_eq!(status["endpoints"][0]["health"], "offline", "{status}");

    // A new client process (the restart) delivers once the endpoint is back.
    ep.restart();
    let reports = client.json(&["sync", "--once"]);
    assert_eq!(reports[0]["delivery"]["acknowledged"], 100, "{reports}");
    assert_eq!(client.json(&["status"])["queue"]["outbox"], 0);

    let stats = ep.stats();
    assert_eq!(stats["decisions_accepted"], 100, "{stats}");
    let counts = stats["decision_counts"].as_object().unwrap();
    assert_eq!(counts.len(), 100);
    for id in &decided {
        assert_eq!(counts[id], 1, "decision {id} applied exactly once");
    }
}
