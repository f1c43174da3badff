//! The `countersign` CLI as a desktop client: its own data dir and keyring profile, JSON
//! output parsed from the last stdout line.

use crate::served_endpoint::ServedEndpoint;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The `countersign` binary: `COUNTERSIGN_BIN`, else `countersign` in the target dir of
/// the running test (`<target>/debug/deps/<test>` → `<target>/debug/countersign`).
pub fn countersign_bin() -> PathBuf {
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
        let mut c = Command::new(countersign_bin());
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
    pub fn connect(&self, endpoint: &ServedEndpoint, name: &str, token: &str) -> Value {
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
