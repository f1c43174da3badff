//! E2E harness: the real Countersign window under Xvfb, driven through tauri-driver +
//! WebKitWebDriver, against the reference endpoint run as its own `countersign endpoint
//! serve --demo` process (so a test can stop and restart it).

pub mod checks;
pub mod drafts;
pub mod driver;
pub mod endpoint;
pub mod hostile;
pub mod process_memory;
pub mod profile;
pub mod ui;

pub use countersign_testkit::{countersign_bin, free_port};

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The cargo target dir the binaries under test were built into.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // tests run from <target>/debug/deps/<test-binary>
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .map(PathBuf::from)
        .expect("target dir above the test binary")
}

/// The desktop app: `COUNTERSIGN_DESKTOP_BIN`, else `<target>/debug/countersign-desktop`.
pub fn desktop_bin() -> PathBuf {
    std::env::var_os("COUNTERSIGN_DESKTOP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/countersign-desktop"))
}

/// Where step screenshots go: `<repo>/artifacts/e2e/` (gitignored).
pub fn artifacts_dir() -> PathBuf {
    repo_root().join("artifacts/e2e")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// Wait until something accepts TCP connections on 127.0.0.1:port.
pub async fn wait_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if start.elapsed() > limit {
            anyhow::bail!("nothing listened on port {port} within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Send SIGTERM (not SIGKILL: tauri-driver must get the chance to stop WebKitWebDriver).
pub fn sigterm(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}
