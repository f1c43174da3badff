//! The client is SIGKILLed at random moments while it records and delivers decisions:
//! everything it reported as recorded survives, and nothing is applied twice.

use countersign_testkit::*;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

fn local_decisions(client: &Client) -> HashSet<String> {
    let conn = rusqlite::Connection::open_with_flags(
        client.dir.join("countersign.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn
        .prepare("SELECT decision_id FROM decisions WHERE local = 1")
        .unwrap();
    let ids = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    ids.map(Result::unwrap).collect()
}

#[test]
fn fifty_random_kills_lose_nothing_and_duplicate_nothing() {
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "crash");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    for i in 0..50 {
        ep.refund(i + 1);
    }
    client.json(&["sync", "--once"]);
    let ids: Vec<i64> = client
        .list(&[])
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 50);

    let mut reported = HashSet::new();
    let mut daemon = client.spawn_sync();
    for (round, id) in ids.iter().enumerate() {
        let mut child = client
            .command()
            .args(["decide", &id.to_string(), "approve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..120)));
        let _ = child.kill();
        let _ = child.wait();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        for line in out.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v["event"] == "recorded" {
                reported.insert(v["decision"]["decision_id"].as_str().unwrap().to_string());
            }
        }
        // The delivering process dies at random moments too.
        if rng.gen_bool(0.5) {
            std::thread::sleep(Duration::from_millis(rng.gen_range(0..60)));
            kill(daemon);
            daemon = client.spawn_sync();
        }
        let present = local_decisions(&client);
        let missing: Vec<_> = reported.difference(&present).collect();
        assert!(
            missing.is_empty(),
            "round {round}: reported but lost: {missing:?}"
        );
    }
    kill(daemon);
    eprintln!(
        "{} of 50 decide runs reported a recorded decision before being killed",
        reported.len()
    );
    assert!(!reported.is_empty(), "some runs got far enough to record");

    client.json(&["sync", "--once"]);
    let recorded = local_decisions(&client);
    assert!(recorded.is_superset(&reported));
    let status = client.json(&["status"]);
    assert_eq!(
        status["queue"]["outbox"], 0,
        "everything delivered: {status}"
    );

    let stats = ep.stats();
    let counts = stats["decision_counts"].as_object().unwrap();
    assert_eq!(
        counts.len(),
        recorded.len(),
        "each recorded decision reached the endpoint: {stats}"
    );
    for id in &recorded {
        assert_eq!(counts[id], 1, "decision {id} applied once");
    }
}
