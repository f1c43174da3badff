//! Two reviewers decide the same packet: the first is acknowledged, the second ends in
//! `conflict` showing the winner, and both decisions stay on record.

use countersign_testkit::*;

#[test]
fn second_decision_on_a_packet_ends_in_conflict_with_the_winner() {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let alice = Client::new(dir.path(), "alice");
    let bob = Client::new(dir.path(), "bob");
    alice.json(&["reviewer", "--name", "Alice Approver"]);
    bob.json(&["reviewer", "--name", "Bob Builder"]);
    alice.connect(&ep, "main", REVIEWER_TOKEN);
    bob.connect(&ep, "main", SECOND_REVIEWER_TOKEN);
    let remote = ep.refund(300)["id"].as_str().unwrap().to_string();
    alice.json(&["sync", "--once"]);
    bob.json(&["sync", "--once"]);
    let a_id = alice.local_id(&remote).unwrap().to_string();
    let b_id = bob.local_id(&remote).unwrap().to_string();

    // Both decide while offline from each other, then deliver.
    alice.json(&["decide", &a_id, "approve", "--no-send"]);
    bob.json(&[
        "decide",
        &b_id,
        "reject",
        "--reason",
        "looks like fraud",
        "--no-send",
    ]);
    alice.json(&["sync", "--once"]);
    let bob_sync = bob.json(&["sync", "--once"]);
    assert_eq!(bob_sync[0]["delivery"]["conflict"], 1, "{bob_sync}");

    let shown = bob.json(&["show", &b_id]);
    let decisions = shown["decisions"].as_array().unwrap();
    let mine = decisions
        .iter()
        .find(|d| d["local"] == true)
        .expect("bob's decision kept");
    assert_eq!(mine["state"], "conflict");
    assert_eq!(mine["winner"]["outcome"], "approve");
    assert_eq!(mine["winner"]["reviewer"]["display_name"], "Alice Approver");
    assert!(
        decisions
            .iter()
            .any(|d| d["local"] == false && d["outcome"] == "approve"),
        "the winning decision is on record too: {shown}"
    );
    assert_eq!(shown["packet"]["status"], "decided");

    let alice_view = alice.json(&["show", &a_id]);
    assert_eq!(alice_view["decisions"][0]["state"], "acknowledged");
    // Both ledgers still verify after the conflict.
    alice.json(&["ledger", "verify"]);
    bob.json(&["ledger", "verify"]);
    assert_eq!(ep.wait_decision(&remote, 1)["outcome"], "approve");
}
