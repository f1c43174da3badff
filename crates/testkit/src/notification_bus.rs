//! Watching and poking the freedesktop notification service on the private session bus
//! (scripts/session-bus.sh --notifications): `dbus-monitor` records every Notify and
//! CloseNotification call with the id the daemon answered, and `gdbus` plays the user
//! clicking a popup button (the `ActionInvoked` signal the daemon would send).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::eventually;

/// One Notify call as the daemon received it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifyCall {
    pub app: String,
    pub replaces: u32,
    pub summary: String,
    pub body: String,
    /// Action keys (the labels dropped): `default`, `approve`, ...
    pub actions: Vec<String>,
    /// The `urgency` hint byte (0 low, 1 normal, 2 critical).
    pub urgency: Option<u8>,
    /// The notification id the daemon returned.
    pub id: Option<u32>,
    sender: String,
    serial: String,
}

#[derive(Debug, Default)]
struct Seen {
    notify: Vec<NotifyCall>,
    closed: Vec<u32>,
}

/// Fails the test with a clear message when the suite does not run on the bus with a
/// notification daemon.
pub fn require_notification_daemon() {
    assert!(
        std::env::var("COUNTERSIGN_TEST_NOTIFICATIONS").is_ok(),
        "run the suite through `scripts/session-bus.sh --notifications` (private D-Bus with \
         Xvfb and dunst); scripts/test.sh does"
    );
}

/// A running `dbus-monitor` on the notification interface.
pub struct BusMonitor {
    child: Child,
    seen: Arc<Mutex<Seen>>,
}

impl BusMonitor {
    pub fn start() -> BusMonitor {
        require_notification_daemon();
        let mut child = Command::new("dbus-monitor")
            .args([
                "--session",
                "interface='org.freedesktop.Notifications'",
                "type='method_return'",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dbus-monitor");
        let seen = Arc::new(Mutex::new(Seen::default()));
        let ready = Arc::new(Mutex::new(false));
        let out = BufReader::new(child.stdout.take().unwrap());
        let (seen2, ready2) = (seen.clone(), ready.clone());
        std::thread::spawn(move || parse(out, &seen2, &ready2));
        eventually(Duration::from_secs(5), || {
            (*ready.lock().unwrap()).then_some(())
        })
        .expect("dbus-monitor became a monitor");
        BusMonitor { child, seen }
    }

    pub fn notify_calls(&self) -> Vec<NotifyCall> {
        self.seen.lock().unwrap().notify.clone()
    }

    pub fn closed(&self) -> Vec<u32> {
        self.seen.lock().unwrap().closed.clone()
    }

    /// Wait for a Notify call (with its id answered) that `pick` accepts.
    pub fn wait_notify(
        &self,
        limit: Duration,
        pick: impl Fn(&NotifyCall) -> bool,
    ) -> Option<NotifyCall> {
        eventually(limit, || {
            self.notify_calls()
                .into_iter()
                .find(|c| c.id.is_some() && pick(c))
        })
    }
}

impl Drop for BusMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Play the user pressing `action` on notification `id` (what the daemon would signal).
pub fn invoke_action(id: u32, action: &str) {
    let status = Command::new("gdbus")
        .args([
            "emit",
            "--session",
            "--object-path",
            "/org/freedesktop/Notifications",
            "--signal",
            "org.freedesktop.Notifications.ActionInvoked",
        ])
        .arg(format!("uint32 {id}"))
        .arg(format!("'{action}'"))
        .status()
        .expect("run gdbus");
    assert!(status.success(), "gdbus emit failed");
}

fn field<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split([' ', ';'])
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
}

fn string_value(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("string \"")?;
    Some(rest.strip_suffix('"').unwrap_or(rest).to_string())
}

fn parse(out: impl BufRead, seen: &Mutex<Seen>, ready: &Mutex<bool>) {
    let mut message: Vec<String> = Vec::new();
    for line in out.lines() {
        let Ok(line) = line else { break };
        if !line.starts_with(' ') && !message.is_empty() {
            handle(&message, seen, ready);
            message.clear();
        }
        message.push(line);
        // A message is complete once the next header arrives; flush eagerly the ones whose
        // last line is known (a return's single value, a close's id).
        if message.len() == 2 && message[0].starts_with("method return") {
            handle(&message, seen, ready);
            message.clear();
        }
        if message.len() == 2 && message[0].contains("member=CloseNotification") {
            handle(&message, seen, ready);
            message.clear();
        }
        if message
            .last()
            .is_some_and(|l| l.trim().starts_with("int32 "))
        {
            // The last argument of Notify (the timeout).
            handle(&message, seen, ready);
            message.clear();
        }
        if message.len() == 2 && message[0].contains("member=NameLost") {
            *ready.lock().unwrap() = true;
        }
    }
}

fn handle(message: &[String], seen: &Mutex<Seen>, ready: &Mutex<bool>) {
    let header = &message[0];
    let mut seen = seen.lock().unwrap();
    if header.contains("member=NameLost") {
        *ready.lock().unwrap() = true;
    } else if header.starts_with("method call") && header.contains("member=Notify") {
        let mut call = NotifyCall {
            sender: field(header, "sender").unwrap_or_default().to_string(),
            serial: field(header, "serial").unwrap_or_default().to_string(),
            ..Default::default()
        };
        let args = &message[1..];
        let strings: Vec<String> = args.iter().filter_map(|l| string_value(l)).collect();
        // app, icon, summary, body come first; then the actions array's strings; then the
        // hint keys.
        call.app = strings.first().cloned().unwrap_or_default();
        call.summary = strings.get(2).cloned().unwrap_or_default();
        call.body = strings.get(3).cloned().unwrap_or_default();
        call.replaces = args
            .iter()
            .find_map(|l| l.trim().strip_prefix("uint32 ")?.parse().ok())
            .unwrap_or(0);
        let mut in_actions = false;
        let mut arrays = 0;
        let mut action_strings = Vec::new();
        for (i, l) in args.iter().enumerate() {
            let t = l.trim();
            if t.starts_with("array [") {
                arrays += 1;
                in_actions = arrays == 1;
                continue;
            }
            if t == "]" {
                in_actions = false;
                continue;
            }
            if in_actions {
                if let Some(s) = string_value(t) {
                    action_strings.push(s);
                }
            }
            if t == "string \"urgency\"" {
                call.urgency = args
                    .get(i + 1)
                    .and_then(|v| v.split("byte").nth(1))
                    .and_then(|b| b.trim().parse().ok());
            }
        }
        call.actions = action_strings.iter().step_by(2).cloned().collect();
        seen.notify.push(call);
    } else if header.starts_with("method return") {
        let (Some(dest), Some(reply)) =
            (field(header, "destination"), field(header, "reply_serial"))
        else {
            return;
        };
        let id = message
            .get(1)
            .and_then(|l| l.trim().strip_prefix("uint32 ")?.parse().ok());
        if let Some(call) = seen
            .notify
            .iter_mut()
            .find(|c| c.id.is_none() && c.sender == dest && c.serial == reply)
        {
            call.id = id;
        }
    } else if header.contains("member=CloseNotification") {
        if let Some(id) = message
            .get(1)
            .and_then(|l| l.trim().strip_prefix("uint32 ")?.parse().ok())
        {
            seen.closed.push(id);
        }
    }
}

/// A second private session bus with an unlocked keyring but no notification daemon:
/// what a desktop without a notification service looks like.
pub struct LonelyBus {
    pub address: String,
    bus: Child,
    keyring: Child,
    _dir: tempfile::TempDir,
}

impl LonelyBus {
    pub fn start() -> LonelyBus {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("runtime");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        // No service directories: nothing may be started by D-Bus activation (the system's
        // dunst would be), so the notification name stays without an owner.
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                runtime.display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dbus-daemon");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", &data)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn gnome-keyring-daemon");
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(b"lonely-bus-password").unwrap();
        }
        let owned = eventually(Duration::from_secs(10), || {
            let out = Command::new("gdbus")
                .args([
                    "call",
                    "--session",
                    "--dest",
                    "org.freedesktop.DBus",
                    "--object-path",
                    "/org/freedesktop/DBus",
                    "--method",
                    "org.freedesktop.DBus.NameHasOwner",
                    "org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout)
                .contains("true")
                .then_some(())
        });
        assert!(owned.is_some(), "the second keyring did not start");
        LonelyBus {
            address,
            bus,
            keyring,
            _dir: dir,
        }
    }
}

impl Drop for LonelyBus {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
