//! Unmodified HumanLayer-SDK agents (the pinned Python `humanlayer` package and, in one
//! case, the npm one) get their approvals from Countersign: the real endpoint process,
//! a real `countersign` client deciding, and agent scripts from tests/humanlayer/ run with
//! only HUMANLAYER_API_BASE, HUMANLAYER_API_KEY and PATH set.
//!
//! Needs `eval "$(scripts/humanlayer-env.sh)"` (COUNTERSIGN_HL_PYTHON, COUNTERSIGN_HL_NODE_DIR)
//! and a keyring (scripts/session-bus.sh). The SDKs poll every 3 s, so each case takes a few
//! seconds; the cases run concurrently.

use countersign_testkit::*;
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn env_path(var: &str) -> PathBuf {
    let value = std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: run `eval \"$(scripts/humanlayer-env.sh)\"` first; it installs \
             the pinned HumanLayer SDKs and exports COUNTERSIGN_HL_PYTHON and COUNTERSIGN_HL_NODE_DIR"
        )
    });
    let path = PathBuf::from(value);
    assert!(path.exists(), "{var}={} does not exist", path.display());
    path
}

fn scripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("humanlayer")
}

fn hl_base(ep: &ServedEndpoint) -> String {
    format!("{}/humanlayer/v1", ep.url())
}

/// Start an agent with nothing in its environment but the SDK's two variables and PATH.
fn spawn_agent(mut command: Command, ep: &ServedEndpoint, key: &str) -> Child {
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HUMANLAYER_API_BASE", hl_base(ep))
        .env("HUMANLAYER_API_KEY", key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the agent")
}

fn python_agent(script: &str, run_id: &str, ep: &ServedEndpoint, key: &str) -> Child {
    let mut command = Command::new(env_path("COUNTERSIGN_HL_PYTHON"));
    command.arg(scripts_dir().join(script)).arg(run_id);
    spawn_agent(command, ep, key)
}

/// Wait for the agent to exit (killing it after `limit`); its success and stdout.
fn finish(mut child: Child, limit: Duration) -> (bool, String) {
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    eprintln!("agent stdout:\n{out}\nagent stderr:\n{err}");
    let status = status.unwrap_or_else(|| panic!("the agent did not finish within {limit:?}"));
    (status.success(), out)
}

/// Sync until the packet of agent run `run_id` is in the local queue; its local id.
fn await_packet(client: &Client, run_id: &str, agent: &mut Child) -> String {
    eventually(Duration::from_secs(30), || {
        if let Some(status) = agent.try_wait().unwrap() {
            panic!("the agent exited ({status}) before its packet arrived");
        }
        client.json(&["sync", "--once"]);
        client
            .list(&["--status", "all"])
            .into_iter()
            .find(|p| p["agent"] == run_id)
            .map(|p| p["id"].as_i64().unwrap().to_string())
    })
    .unwrap_or_else(|| panic!("the packet of {run_id} never reached the client"))
}

fn agent_http(
    ep: &ServedEndpoint,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let http = reqwest::blocking::Client::new();
    let mut req = http
        .request(method, format!("{}{path}", hl_base(ep)))
        .bearer_auth(AGENT_TOKEN);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap())
}

fn setup(name: &str) -> (tempfile::TempDir, ServedEndpoint, Client) {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), name);
    client.connect(&ep, "main", REVIEWER_TOKEN);
    (dir, ep, client)
}

const AGENT_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn approval_runs_the_function_and_a_second_decision_is_refused() {
    let (dir, ep, alice) = setup("alice");
    let bob = Client::new(dir.path(), "bob");
    bob.connect(&ep, "main", SECOND_REVIEWER_TOKEN);
    let mut agent = python_agent("approve_agent.py", "hl-approve", &ep, AGENT_TOKEN);
    let id = await_packet(&alice, "hl-approve", &mut agent);
    let bobs_id = await_packet(&bob, "hl-approve", &mut agent);
    let shown = alice.json(&["show", &id]);
    assert!(shown.to_string().contains("issue_refund"), "{shown}");

    let delivery = alice.json(&["decide", &id, "approve"]);
    assert_eq!(delivery["state"], "acknowledged", "{delivery}");
    let (ok, out) = finish(agent, AGENT_LIMIT);
    assert!(ok);
    assert!(
        out.contains("RAN issue_refund A-1 40"),
        "the function ran: {out}"
    );
    assert!(out.contains("RESULT: refunded 40 on A-1"), "{out}");

    // Bob decided on his stale copy: refused as a conflict. A direct answer too.
    let late = bob.json(&["decide", &bobs_id, "reject", "--reason", "too late"]);
    assert_eq!(late["state"], "conflict", "{late}");
    let call_id = call_id_of(&ep, "hl-approve");
    let (status, err) = agent_http(
        &ep,
        reqwest::Method::POST,
        &format!("/agent/function_calls/{call_id}/respond"),
        Some(json!({"approved": false, "comment": "no"})),
    );
    assert_eq!(
        (status, err["code"].as_str()),
        (409, Some("conflict")),
        "{err}"
    );

    // The signed record stays available to the agent for audit.
    let (status, call) = agent_http(
        &ep,
        reqwest::Method::GET,
        &format!("/function_calls/{call_id}"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(call["status"]["approved"], true);
    assert_eq!(
        call["countersign"]["decisions"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        call["countersign"]["decisions"][0]["record"]["outcome"],
        "approve"
    );
}

/// The SDK-chosen call_id, as the packet's reasoning names it ("function call `call-…`").
fn call_id_of(ep: &ServedEndpoint, run_id: &str) -> String {
    let page: Value = reqwest::blocking::Client::new()
        .get(format!("{}/v1/reviews", ep.url()))
        .bearer_auth(REVIEWER_TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let packet = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["packet"])
        .find(|p| p["agent"]["run_id"] == run_id)
        .expect("the agent's packet is in the feed");
    let reasoning = packet["reasoning"].as_str().unwrap();
    let (_, rest) = reasoning
        .split_once("function call `")
        .expect("call id in reasoning");
    rest.split('`').next().unwrap().to_string()
}

#[test]
fn a_rejection_comment_reaches_the_agent_and_the_function_does_not_run() {
    let (_dir, ep, client) = setup("rejecter");
    let mut agent = python_agent("approve_agent.py", "hl-reject", &ep, AGENT_TOKEN);
    let id = await_packet(&client, "hl-reject", &mut agent);
    let delivery = client.json(&["decide", &id, "reject", "--reason", "Amount too high"]);
    assert_eq!(delivery["state"], "acknowledged", "{delivery}");
    let (ok, out) = finish(agent, AGENT_LIMIT);
    assert!(ok);
    assert!(!out.contains("RAN"), "the function must not run: {out}");
    assert!(
        out.contains("RESULT: User denied issue_refund with message: Amount too high"),
        "{out}"
    );
}

#[test]
fn human_as_tool_returns_the_reviewers_text() {
    let (_dir, ep, client) = setup("responder");
    let mut agent = python_agent("contact_agent.py", "hl-contact", &ep, AGENT_TOKEN);
    let id = await_packet(&client, "hl-contact", &mut agent);
    let shown = client.json(&["show", &id]);
    assert!(
        shown
            .to_string()
            .contains("Which warehouse should ship order A-1?"),
        "{shown}"
    );
    let answer = "Ship it from the north warehouse";
    let delivery = client.json(&["decide", &id, "respond", "--response", answer]);
    assert_eq!(delivery["state"], "acknowledged", "{delivery}");
    let (ok, out) = finish(agent, AGENT_LIMIT);
    assert!(ok);
    assert!(out.contains(&format!("ANSWER: {answer}")), "{out}");
}

#[test]
fn a_wrong_key_gets_401_and_the_function_does_not_run() {
    let (_dir, ep, client) = setup("nobody");
    let agent = python_agent(
        "approve_agent.py",
        "hl-wrong-key",
        &ep,
        "not-an-agent-token",
    );
    let (_, out) = finish(agent, Duration::from_secs(30));
    assert!(!out.contains("RAN"), "the function must not run: {out}");
    assert!(
        out.contains("RESULT: Error fetching approval for issue_refund"),
        "{out}"
    );
    assert!(out.contains("401") && out.contains("unauthorized"), "{out}");
    client.json(&["sync", "--once"]);
    assert!(
        client.list(&["--status", "all"]).is_empty(),
        "no packet was created"
    );
}

#[test]
fn an_npm_sdk_agent_is_approved_through_countersign() {
    let (_dir, ep, client) = setup("npm");
    let node_dir = env_path("COUNTERSIGN_HL_NODE_DIR");
    assert!(
        node_dir.join("node_modules/humanlayer").exists(),
        "run scripts/humanlayer-env.sh: {} has no node_modules/humanlayer",
        node_dir.display()
    );
    let mut command = Command::new("node");
    command
        .current_dir(&node_dir)
        .arg(node_dir.join("agent.mjs"))
        .arg("hl-npm");
    let mut agent = spawn_agent(command, &ep, AGENT_TOKEN);
    let id = await_packet(&client, "hl-npm", &mut agent);
    let delivery = client.json(&["decide", &id, "approve"]);
    assert_eq!(delivery["state"], "acknowledged", "{delivery}");
    let (ok, out) = finish(agent, AGENT_LIMIT);
    assert!(ok);
    assert!(out.contains("RAN issue_refund A-7 15"), "{out}");
    assert!(out.contains("RESULT: refunded 15 on A-7"), "{out}");
}
