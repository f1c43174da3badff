//! A real `langgraph dev` server for the LangGraph system tests (the pinned server from
//! the virtualenv scripts/langgraph-env.sh prepares, serving the graphs of
//! tests/langgraph/ on a free loopback port, restartable with its state kept), and the
//! CLI calls those tests make about its threads.

use crate::{eventually, free_port, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `langgraph dev` server in its own directory (its state lives in `.langgraph_api`
/// there) on a free loopback port.
pub struct LangGraphServer {
    child: Option<Child>,
    dir: PathBuf,
    port: u16,
    http: reqwest::blocking::Client,
}

fn langgraph_bin() -> PathBuf {
    let venv = std::env::var("COUNTERSIGN_LANGGRAPH_VENV").unwrap_or_else(|_| {
        panic!(
            "COUNTERSIGN_LANGGRAPH_VENV is not set: run `eval \"$(scripts/langgraph-env.sh)\"` \
             first; it installs the pinned LangGraph server into a virtualenv and exports its path"
        )
    });
    let bin = PathBuf::from(venv).join("bin").join("langgraph");
    assert!(bin.exists(), "{} does not exist", bin.display());
    bin
}

impl LangGraphServer {
    pub fn start(root: &Path) -> LangGraphServer {
        let dir = root.join("langgraph-server");
        std::fs::create_dir_all(&dir).unwrap();
        let graphs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/langgraph");
        for file in ["langgraph.json", "graphs.py"] {
            std::fs::copy(graphs.join(file), dir.join(file)).unwrap();
        }
        let mut server = LangGraphServer {
            child: None,
            dir,
            port: free_port(),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "server already running");
        let log = std::fs::File::create(self.dir.join("server.log")).unwrap();
        let child = Command::new(langgraph_bin())
            .args(["dev", "--no-browser", "--no-reload", "--host", "127.0.0.1"])
            .args(["--port", &self.port.to_string()])
            .args(["--n-jobs-per-worker", "32"])
            .current_dir(&self.dir)
            .env("LANGGRAPH_CLI_NO_ANALYTICS", "1")
            .env("LANGGRAPH_NO_VERSION_CHECK", "true")
            .env("LANGSMITH_TRACING", "false")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start langgraph dev");
        self.child = Some(child);
        let up = eventually(Duration::from_secs(90), || {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "langgraph dev exited ({status}):\n{}",
                    std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
                );
            }
            self.http
                .get(format!("{}/ok", self.url()))
                .timeout(Duration::from_secs(2))
                .send()
                .ok()
                .filter(|r| r.status().is_success())
        });
        assert!(up.is_some(), "langgraph dev did not answer /ok in 90 s");
    }

    /// Stop gracefully (SIGTERM), so the in-memory server writes its state to disk.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let exited = eventually(Duration::from_secs(30), || child.try_wait().unwrap());
            if exited.is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    pub fn post(&self, path: &str, body: &Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.url()))
            .json(body)
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "POST {path}: {}", resp.status());
        resp.json().unwrap()
    }

    pub fn get(&self, path: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}{path}", self.url()))
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().unwrap()
    }

    /// Start `graph` on a new thread and wait until it stops at its interrupt; returns the
    /// thread and the instant the run ended there.
    pub fn run_to_interrupt(&self, graph: &str) -> (String, Instant) {
        let thread = self.post("/threads", &json!({}))["thread_id"]
            .as_str()
            .unwrap()
            .to_string();
        let input = match graph {
            "inbox" => json!({"amount": 120}),
            "raw" | "oversized" => json!({}),
            _ => json!({"messages": [{"role": "user", "content": "go"}]}),
        };
        self.post(
            &format!("/threads/{thread}/runs/wait"),
            &json!({"assistant_id": graph, "input": input}),
        );
        (thread, Instant::now())
    }

    pub fn interrupted_thread(&self, graph: &str) -> String {
        let (thread, _) = self.run_to_interrupt(graph);
        assert_eq!(self.thread(&thread)["status"], "interrupted", "{graph}");
        thread
    }

    /// Many interrupted threads at once (runs are slow one by one).
    pub fn interrupted_threads(&self, graph: &str, n: usize) -> Vec<String> {
        let workers = 16.min(n.max(1));
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    s.spawn(move || {
                        (w..n)
                            .step_by(workers)
                            .map(|_| self.interrupted_thread(graph))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        })
    }

    pub fn thread(&self, thread: &str) -> Value {
        self.get(&format!("/threads/{thread}"))
    }

    pub fn runs(&self, thread: &str) -> Vec<Value> {
        self.get(&format!("/threads/{thread}/runs?limit=100"))
            .as_array()
            .cloned()
            .unwrap()
    }

    pub fn interrupted_count(&self) -> usize {
        let mut total = 0;
        loop {
            let page = self.post(
                "/threads/search",
                &json!({"status": "interrupted", "limit": 100, "offset": total}),
            );
            let n = page.as_array().unwrap().len();
            total += n;
            if n < 100 {
                return total;
            }
        }
    }
}

impl Drop for LangGraphServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Add the server as a LangGraph endpoint of `client`.
pub fn add_langgraph(client: &Client, server: &LangGraphServer) -> Value {
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
pub fn packets_of(client: &Client, thread: &str) -> Vec<(String, Value)> {
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
pub fn packet_for(client: &Client, thread: &str, action: &str) -> String {
    packets_of(client, thread)
        .into_iter()
        .find(|(_, p)| p["action"] == action)
        .unwrap_or_else(|| panic!("no `{action}` packet for thread {thread}"))
        .0
}

/// `countersign decide ID ARGS...`, its JSON answer.
pub fn decide(client: &Client, id: &str, args: &[&str]) -> Value {
    let mut all = vec!["decide", id];
    all.extend_from_slice(args);
    client.json(&all)
}
