//! The local audit ledger detects a changed, removed or reordered row at that row.

use countersign_testkit::*;

fn tamper(client: &Client, sql: &str) {
    let conn = rusqlite::Connection::open(client.dir.join("countersign.db")).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn broken_at(client: &Client) -> String {
    let out = client.run(&["ledger", "verify"]);
    assert_eq!(out.status.code(), Some(3), "verify fails with exit code 3");
    last_json_line(&out.stdout)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

fn setup() -> (tempfile::TempDir, ServedEndpoint, Client) {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "ledger");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    for i in 0..4 {
        ep.refund(i + 10);
    }
    client.json(&["sync", "--once"]);
    for p in client.list(&[]) {
        client.json(&["decide", &p["id"].to_string(), "approve"]);
    }
    let ok = client.json(&["ledger", "verify"]);
    assert!(ok["entries"].as_u64().unwrap() >= 10, "{ok}");
    (dir, ep, client)
}

#[test]
fn a_changed_row_is_named() {
    let (_d, _ep, client) = setup();
    tamper(
        &client,
        "UPDATE ledger SET payload = replace(payload, '\"', '''') WHERE seq = 5",
    );
    assert!(broken_at(&client).contains("entry 5"));
}

#[test]
fn a_removed_row_is_named() {
    let (_d, _ep, client) = setup();
    tamper(&client, "DELETE FROM ledger WHERE seq = 6");
    let msg = broken_at(&client);
    assert!(msg.contains("entry 6") || msg.contains("entry 7"), "{msg}");
}

#[test]
fn reordered_rows_are_named() {
    let (_d, _ep, client) = setup();
    tamper(
        &client,
        "CREATE TEMP TABLE t AS SELECT * FROM ledger WHERE seq IN (3, 4);
         UPDATE ledger SET at_ms = (SELECT at_ms FROM t WHERE seq = 4), kind = (SELECT kind FROM t WHERE seq = 4),
           subject = (SELECT subject FROM t WHERE seq = 4), payload = (SELECT payload FROM t WHERE seq = 4),
           prev_hash = (SELECT prev_hash FROM t WHERE seq = 4), hash = (SELECT hash FROM t WHERE seq = 4) WHERE seq = 3;
         UPDATE ledger SET at_ms = (SELECT at_ms FROM t WHERE seq = 3), kind = (SELECT kind FROM t WHERE seq = 3),
           subject = (SELECT subject FROM t WHERE seq = 3), payload = (SELECT payload FROM t WHERE seq = 3),
           prev_hash = (SELECT prev_hash FROM t WHERE seq = 3), hash = (SELECT hash FROM t WHERE seq = 3) WHERE seq = 4;",
    );
    assert!(broken_at(&client).contains("entry 3"));
}
