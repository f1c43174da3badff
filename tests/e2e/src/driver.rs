//! tauri-driver on free ports and a WebDriver session that launches the desktop app.
//! tauri-driver is always stopped with SIGTERM: after SIGKILL its WebKitWebDriver child is
//! orphaned, keeps the native port, and the next run hangs.

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct TauriDriver {
    child: Option<Child>,
    pub port: u16,
}

impl TauriDriver {
    /// Start `tauri-driver --port P --native-port Q`; `env` reaches the app, because
    /// WebKitWebDriver starts the app with the environment it inherited.
    pub async fn start(env: &[(&str, String)]) -> Result<TauriDriver> {
        let port = crate::free_port();
        let native = crate::free_port();
        let bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let mut cmd = Command::new(&bin);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().with_context(|| {
            format!("spawn {bin} (install: cargo install tauri-driver@2.1.0 --locked)")
        })?;
        let driver = TauriDriver {
            child: Some(child),
            port,
        };
        crate::wait_port(port, Duration::from_secs(20)).await?;
        Ok(driver)
    }

    /// Open a session: this launches the app binary and waits for its window.
    pub async fn session(&self, app: &Path) -> Result<Client> {
        if !app.exists() {
            bail!(
                "{} is missing: build it with `cargo build -p countersign-desktop --features custom-protocol` (scripts/e2e.sh does)",
                app.display()
            );
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({"application": app.display().to_string()}),
        );
        // tauri-driver listens before the WebKitWebDriver it spawns does, so the first
        // session request can fail to reach it (SendRequest); retry for a bounded time.
        let mut last_error = None;
        for attempt in 0..10 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
            match ClientBuilder::rustls()
                .context("rustls connector")?
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return Ok(client),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("at least one attempt"))
            .context("WebDriver session (tauri-driver → WebKitWebDriver → app), 10 attempts")
    }

    /// SIGTERM, then wait (bounded) for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::sigterm(child.id());
            for _ in 0..100 {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!(
                "tauri-driver (pid {}) did not exit within 5 s of SIGTERM",
                child.id()
            );
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        self.stop();
    }
}
