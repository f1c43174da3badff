//! Starting and stopping `countersign endpoint serve` as its own process on a loopback
//! port, restartable on the same port and database (an outage, a crash). Only the process:
//! blocking callers use [`crate::ServedEndpoint`] on top of it, async ones (the E2E crate)
//! bring their own HTTP client.

use crate::{countersign_bin, eventually, AGENT_TOKEN, REVIEWER_TOKEN, SECOND_REVIEWER_TOKEN};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Which tokens and agents the served endpoint has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeMode {
    /// The test tokens ([`REVIEWER_TOKEN`], [`SECOND_REVIEWER_TOKEN`], [`AGENT_TOKEN`]), no
    /// demo agents.
    TestTokens,
    /// `--demo`: demo tokens and seeded demo packets, a new one every `interval_secs`.
    Demo { interval_secs: u64 },
}

/// A `countersign endpoint serve` process.
pub struct EndpointProcess {
    child: Option<Child>,
    pub port: u16,
    pub db: PathBuf,
    mode: ServeMode,
}

impl EndpointProcess {
    /// Start on `port` with its database `endpoint.db` in `dir`; returns once it says
    /// "listening".
    pub fn start(dir: &Path, port: u16, mode: ServeMode) -> std::io::Result<EndpointProcess> {
        let mut process = EndpointProcess {
            child: None,
            port,
            db: dir.join("endpoint.db"),
            mode,
        };
        process.restart()?;
        Ok(process)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Start (again) on the same port and database. Retries for a while: right after a
    /// stop the port may still be held.
    pub fn restart(&mut self) -> std::io::Result<()> {
        if self.child.is_some() {
            return Err(std::io::Error::other("endpoint already running"));
        }
        let mut last_error = None;
        let child = eventually(Duration::from_secs(10), || match self.spawn_listening() {
            Ok(child) => Some(child),
            Err(e) => {
                last_error = Some(e);
                std::thread::sleep(Duration::from_millis(100));
                None
            }
        });
        match child {
            Some(child) => {
                self.child = Some(child);
                Ok(())
            }
            None => Err(last_error
                .unwrap_or_else(|| std::io::Error::other("endpoint did not start listening"))),
        }
    }

    fn spawn_listening(&self) -> std::io::Result<Child> {
        let mut command = Command::new(countersign_bin());
        command.args(["--json", "endpoint", "serve"]);
        match self.mode {
            ServeMode::TestTokens => {
                command
                    .args(["--reviewer-token", REVIEWER_TOKEN])
                    .args(["--reviewer-token", SECOND_REVIEWER_TOKEN])
                    .args(["--agent-token", AGENT_TOKEN]);
            }
            ServeMode::Demo { interval_secs } => {
                command
                    .arg("--demo")
                    .arg("--demo-interval")
                    .arg(interval_secs.to_string());
            }
        }
        let mut child = command
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--db")
            .arg(&self.db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                std::io::Error::other(format!("spawn {}: {e}", countersign_bin().display()))
            })?;
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
        if out.read_line(&mut line).unwrap_or(0) > 0 && line.contains("listening") {
            Ok(child)
        } else {
            let _ = child.kill();
            let _ = child.wait();
            Err(std::io::Error::other(format!(
                "endpoint did not start on port {}: {line:?}",
                self.port
            )))
        }
    }

    /// Stop it abruptly, as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for EndpointProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
