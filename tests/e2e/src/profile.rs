//! The app's profile: a data dir and a keyring service of its own, set up with the real
//! CLI before the app starts (the app reads both from its environment).

use anyhow::{bail, Context, Result};
use countersign_protocol::jws::verifying_key_from_jwk;
use countersign_protocol::model::PublicJwk;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Profile {
    pub data_dir: PathBuf,
    pub keyring_service: String,
}

impl Profile {
    pub fn new(dir: &Path) -> Profile {
        // Unique per run: the keyring outlives the data dir within one session bus.
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Profile {
            data_dir: dir.join("app"),
            keyring_service: format!("countersign-e2e-{nonce:x}"),
        }
    }

    /// Run `countersign --data-dir D --keyring-service S --json ARGS` and parse its last
    /// stdout line.
    pub fn cli(&self, args: &[&str]) -> Result<Value> {
        let out = Command::new(crate::countersign_bin())
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--keyring-service")
            .arg(&self.keyring_service)
            .arg("--json")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("run countersign")?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "countersign {args:?} failed: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
        serde_json::from_str(line.unwrap_or("null")).context("countersign printed no JSON")
    }

    /// Add and enroll an endpoint under `name` with the reviewer token.
    pub fn connect(&self, name: &str, url: &str, token: &str) -> Result<Value> {
        self.cli(&["endpoint", "add", name, url, "--token", token, "--enroll"])
    }

    /// The profile's signing public key, as `countersign key` reports it.
    pub fn verifying_key(&self) -> Result<ed25519_dalek::VerifyingKey> {
        let info = self.cli(&["key"])?;
        let jwk: PublicJwk = serde_json::from_value(info["public_jwk"].clone())
            .with_context(|| format!("no public_jwk in {info}"))?;
        Ok(verifying_key_from_jwk(&jwk)?)
    }

    /// Environment for the app process (tauri-driver passes it on to the app).
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("COUNTERSIGN_DATA_DIR", self.data_dir.display().to_string()),
            ("COUNTERSIGN_KEYRING_SERVICE", self.keyring_service.clone()),
            // The test runs its own endpoint process; the embedded one stays off.
            ("COUNTERSIGN_DEMO", "0".into()),
        ]
    }
}
