//! Harness for cross-process tests: runs the real `countersign` binary as client and as
//! reference endpoint on 127.0.0.1, and plays an agent over HTTP.

pub mod bus;
pub mod langgraph;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const REVIEWER_TOKEN: &str = "test-reviewer";
pub const AGENT_TOKEN: &str = "test-agent";

/// The `countersign` binary: `COUNTERSIGN_BIN`, else next to this test's target dir.
pub fn bin() -> PathBuf {
    if let Ok(p) = std::env::var("COUNTERSIGN_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let candidate = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("countersign"))
        .expect("target dir");
    assert!(
        candidate.exists(),
        "{} is missing: run `cargo build -p countersign-cli` first (scripts/test.sh does)",
        candidate.display()
    );
    candidate
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Poll `f` until it returns Some or the time is up.
pub fn eventually<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The reference endpoint, run as `countersign endpoint serve` in its own process.
pub struct Endpoint {
    child: Option<Child>,
    pub port: u16,
    pub db: PathBuf,
    http: reqwest::blocking::Client,
}

impl Endpoint {
    pub fn start(dir: &Path) -> Endpoint {
        Self::start_on(dir, free_port())
    }

    pub fn start_on(dir: &Path, port: u16) -> Endpoint {
        let db = dir.join("endpoint.db");
        let mut ep = Endpoint {
            child: None,
            port,
            db,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(90))
                .build()
                .unwrap(),
        };
        ep.restart();
        ep
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Start (again) on the same port and database.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "endpoint already running");
        let child = eventually(Duration::from_secs(10), || {
            let mut child = Command::new(bin())
                .args(["--json", "endpoint", "serve", "--port"])
                .arg(self.port.to_string())
                .arg("--db")
                .arg(&self.db)
                .args([
                    "--reviewer-token",
                    REVIEWER_TOKEN,
                    "--reviewer-token",
                    "second-reviewer",
                ])
                .args(["--agent-token", AGENT_TOKEN])
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn endpoint");
            let mut line = String::new();
            let mut out = BufReader::new(child.stdout.take().unwrap());
            if out.read_line(&mut line).unwrap_or(0) > 0 && line.contains("listening") {
                Some(child)
            } else {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                None
            }
        })
        .expect("endpoint starts listening");
        self.child = Some(child);
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn agent(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.url(), path))
            .bearer_auth(AGENT_TOKEN)
    }

    /// Create a packet as an agent; returns the packet JSON.
    pub fn create_packet(&self, draft: &Value) -> Value {
        let resp = self
            .agent(reqwest::Method::POST, "/v1/agent/reviews")
            .json(draft)
            .send()
            .unwrap();
        assert!(
            resp.status().is_success(),
            "create failed: {} {}",
            resp.status(),
            resp.text().unwrap_or_default()
        );
        resp.json().unwrap()
    }

    pub fn refund(&self, amount: u32) -> Value {
        self.create_packet(&refund_draft(amount))
    }

    /// The agent's long-poll for a decision.
    pub fn wait_decision(&self, packet_id: &str, wait_secs: u64) -> Value {
        self.agent(
            reqwest::Method::GET,
            &format!("/v1/agent/reviews/{packet_id}/decision?wait={wait_secs}"),
        )
        .send()
        .unwrap()
        .json()
        .unwrap()
    }

    pub fn stats(&self) -> Value {
        self.agent(reqwest::Method::GET, "/v1/agent/stats")
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn refund_draft(amount: u32) -> Value {
    json!({
        "agent": {"name": "refund-bot", "run_id": "run-1"},
        "action": {"name": "issue_refund", "args": {"order": format!("A-{amount}"), "amount": amount, "currency": "EUR"}},
        "args_schema": {
            "type": "object",
            "properties": {
                "order": {"type": "string"},
                "amount": {"type": "number", "minimum": 0, "maximum": 5000},
                "currency": {"enum": ["EUR", "USD"]}
            },
            "required": ["order", "amount", "currency"],
            "additionalProperties": false
        },
        "reasoning": "Customer was **charged twice**.",
        "impact": {"risk": "medium", "amount": {"value": amount.to_string(), "currency": "EUR"}, "reversible": true},
        "urgency": "high",
        "allowed_outcomes": ["approve", "edit", "reject"]
    })
}

/// A desktop client: the `countersign` CLI with its own data dir and keyring profile.
pub struct Client {
    pub dir: PathBuf,
    pub keyring_service: String,
    /// Extra environment for every run (another session bus, say).
    pub env: Vec<(String, String)>,
}

impl Client {
    pub fn new(dir: &Path, name: &str) -> Client {
        let nonce: u64 = rand::random();
        Client {
            dir: dir.join(name),
            keyring_service: format!("countersign-test-{name}-{nonce:x}"),
            env: Vec::new(),
        }
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data-dir")
            .arg(&self.dir)
            .arg("--keyring-service")
            .arg(&self.keyring_service)
            .arg("--json")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run countersign")
    }

    /// Run and parse the last stdout line as JSON; panics with stderr on failure.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "countersign {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        last_json_line(&out.stdout)
    }

    /// Add and enroll an endpoint.
    pub fn connect(&self, endpoint: &Endpoint, name: &str, token: &str) -> Value {
        self.json(&[
            "endpoint",
            "add",
            name,
            &endpoint.url(),
            "--token",
            token,
            "--enroll",
        ])
    }

    pub fn list(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["list", "--limit", "10000"];
        args.extend_from_slice(extra);
        self.json(&args).as_array().cloned().unwrap_or_default()
    }

    /// Local id of the packet with this remote id, once synced.
    pub fn local_id(&self, remote_id: &str) -> Option<i64> {
        self.list(&["--status", "all"])
            .iter()
            .find(|p| p["remote_id"] == remote_id)
            .and_then(|p| p["id"].as_i64())
    }

    /// Start `countersign sync` (continuous) in the background.
    pub fn spawn_sync(&self) -> Child {
        self.command()
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sync")
    }
}

pub fn last_json_line(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("null");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// Stop a child with SIGTERM-free certainty (tests only use it for clients and servers).
pub fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}
