//! Urgent reviews reach the reviewer as desktop notifications on a real freedesktop
//! notification daemon (dunst on a private D-Bus session under Xvfb), and the popup's
//! buttons work: Approve and Reject become signed decisions the endpoint verifies,
//! recorded "via notification"; Open asks to show that review. The rules hold across
//! processes: risky reviews offer only Open, a review decided elsewhere is withdrawn,
//! bursts coalesce, nothing repeats, reminders come as deadlines near, pause and quiet
//! hours silence, and without a daemon the notifier says so while deciding still works.
//!
//! Runs through `scripts/session-bus.sh --notifications` (scripts/test.sh does).

use countersign_protocol::{jws, DecisionVia, PublicJwk};
use countersign_testkit::notification_bus::{
    self as bus, invoke_action, BusMonitor, LonelyBus, NotifyCall,
};
use countersign_testkit::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

/// `countersign notify run` for one client, with its JSON Lines collected.
struct Notifier {
    child: Option<Child>,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Notifier {
    fn start(client: &Client) -> Notifier {
        let mut cmd = client.command();
        cmd.args(["notify", "run"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn countersign notify run");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = BufReader::new(child.stdout.take().unwrap());
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        let n = Notifier {
            child: Some(child),
            lines,
        };
        n.wait_line(|v| v["event"] == "status")
            .expect("the notifier reports its status first");
        n
    }

    fn lines(&self) -> Vec<Value> {
        self.lines.lock().unwrap().clone()
    }

    fn wait_line(&self, pick: impl Fn(&Value) -> bool) -> Option<Value> {
        eventually(WAIT, || self.lines().into_iter().find(|v| pick(v)))
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        if let Some(c) = self.child.take() {
            kill(c);
        }
    }
}

/// An endpoint, a connected client and its running notifier, all online.
fn setup(name: &str, rules: &[&str]) -> (tempfile::TempDir, ServedEndpoint, Client, Notifier) {
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), name);
    client.connect(&ep, "main", REVIEWER_TOKEN);
    if !rules.is_empty() {
        let mut args = vec!["notify", "rules"];
        args.extend_from_slice(rules);
        client.json(&args);
    }
    let notifier = Notifier::start(&client);
    eventually(WAIT, || {
        (client.json(&["status"])["endpoints"][0]["health"] == "online").then_some(())
    })
    .expect("endpoint online");
    // Let the event stream attach: what arrives from now on comes by push.
    std::thread::sleep(Duration::from_millis(500));
    (dir, ep, client, notifier)
}

fn draft(agent: &str, risk: &str, urgency: &str) -> Value {
    PacketDraftBuilder::refund(120)
        .agent(agent)
        .risk(risk)
        .urgency(urgency)
        .build()
}

/// The Notify call for the review whose agent is `agent`.
fn popup_for(monitor: &BusMonitor, agent: &str) -> NotifyCall {
    monitor
        .wait_notify(WAIT, |c| c.body.starts_with(&format!("{agent} · ")))
        .unwrap_or_else(|| {
            panic!(
                "no Notify call for {agent}; seen: {:#?}",
                monitor.notify_calls()
            )
        })
}

/// Press `action` until the endpoint has a decision: the notifier subscribes to the
/// popup's signals just after showing it, so a press in that instant would be missed.
fn press_until_decided(ep: &ServedEndpoint, id: u32, action: &str, remote: &str) -> Value {
    for _ in 0..20 {
        invoke_action(id, action);
        let view = ep.wait_decision(remote, 1);
        if view["status"] == "decided" {
            return view;
        }
    }
    panic!("pressing {action} on notification {id} decided nothing");
}

fn verify(client: &Client, signed: &str) -> countersign_protocol::DecisionRecord {
    let key = client.json(&["key"]);
    let jwk: PublicJwk = serde_json::from_value(key["public_jwk"].clone()).unwrap();
    let vk = jws::verifying_key_from_jwk(&jwk).unwrap();
    jws::verify_decision(signed, &vk).expect("the decision verifies with the reviewer's key")
}

#[test]
fn approve_and_reject_on_the_popup_are_signed_decisions_recorded_via_notification() {
    let monitor = BusMonitor::start();
    let (_dir, ep, client, notifier) = setup("popup", &[]);

    let approve_me = ep.create_packet(&draft("approve-bot", "medium", "high"));
    let popup = popup_for(&monitor, "approve-bot");
    assert_eq!(popup.app, "Countersign");
    assert_eq!(popup.summary, "Urgent review: issue_refund");
    assert_eq!(popup.body, "approve-bot · issue_refund · 120 EUR");
    assert_eq!(popup.actions, vec!["default", "approve", "reject"]);
    assert_eq!(
        popup.urgency,
        Some(1),
        "high urgency is the platform's normal"
    );

    let remote = approve_me["id"].as_str().unwrap();
    let view = press_until_decided(&ep, popup.id.unwrap(), "approve", remote);
    assert_eq!(view["outcome"], "approve", "{view}");
    let record = verify(&client, view["decisions"][0]["jws"].as_str().unwrap());
    assert_eq!(record.via, DecisionVia::Notification);
    assert_eq!(record.meaning, "approval");
    assert_eq!(
        record.final_args.as_ref(),
        Some(&approve_me["action"]["args"])
    );
    notifier
        .wait_line(|v| v["event"] == "decided" && v["outcome"] == "approve")
        .expect("the notifier reports the decision");

    let reject_me = ep.create_packet(&draft("reject-bot", "low", "critical"));
    let popup = popup_for(&monitor, "reject-bot");
    assert_eq!(popup.summary, "Critical review: issue_refund");
    assert_eq!(
        popup.urgency,
        Some(2),
        "critical urgency is the platform's critical"
    );
    let remote = reject_me["id"].as_str().unwrap();
    let view = press_until_decided(&ep, popup.id.unwrap(), "reject", remote);
    assert_eq!(view["outcome"], "reject", "{view}");
    let record = verify(&client, view["decisions"][0]["jws"].as_str().unwrap());
    assert_eq!(record.via, DecisionVia::Notification);
    assert_eq!(record.meaning, "rejection");
    assert_eq!(
        record.reason.as_deref(),
        Some("Rejected from a desktop notification")
    );
    // Both are in the local ledger as decisions of this reviewer.
    let local = client.local_id(remote).unwrap().to_string();
    let shown = client.json(&["show", &local]);
    assert_eq!(shown["decisions"][0]["record"]["via"], "notification");
}

#[test]
fn risky_reviews_offer_only_open_and_open_asks_for_that_review() {
    let monitor = BusMonitor::start();
    let (_dir, ep, client, notifier) = setup("open", &[]);

    let risky = ep.create_packet(&draft("risky-bot", "high", "high"));
    let popup = popup_for(&monitor, "risky-bot");
    assert_eq!(popup.actions, vec!["default"], "high risk: Open only");
    let critical_risk = ep.create_packet(&draft("critical-bot", "critical", "high"));
    let popup2 = popup_for(&monitor, "critical-bot");
    assert_eq!(popup2.actions, vec!["default"], "critical risk: Open only");
    let _ = critical_risk;

    // A review that needs an edit (no plain approval allowed) also offers only Open.
    let mut edit_only = draft("edit-bot", "low", "high");
    edit_only["allowed_outcomes"] = json!(["edit", "reject"]);
    ep.create_packet(&edit_only);
    assert_eq!(popup_for(&monitor, "edit-bot").actions, vec!["default"]);

    // A click on the body (or Open) asks the host to show exactly that review.
    let local = client.local_id(risky["id"].as_str().unwrap()).unwrap();
    let id = popup.id.unwrap();
    let open = eventually(WAIT, || {
        invoke_action(id, "default");
        notifier
            .lines()
            .into_iter()
            .find(|v| v["event"] == "open")
            .or_else(|| {
                std::thread::sleep(Duration::from_millis(300));
                None
            })
    })
    .expect("an open request");
    assert_eq!(open["packet_id"], local, "{open}");
    // Opening decides nothing.
    assert_eq!(
        ep.wait_decision(risky["id"].as_str().unwrap(), 0)["status"],
        "pending"
    );
}

#[test]
fn a_review_decided_elsewhere_is_withdrawn() {
    let monitor = BusMonitor::start();
    let (dir, ep, _client, _notifier) = setup("withdraw", &[]);
    let other = Client::new(dir.path(), "colleague");
    other.connect(&ep, "main", SECOND_REVIEWER_TOKEN);

    let packet = ep.create_packet(&draft("withdraw-bot", "low", "high"));
    let popup = popup_for(&monitor, "withdraw-bot");
    let remote = packet["id"].as_str().unwrap();
    other.json(&["sync", "--once"]);
    let theirs = other.local_id(remote).unwrap().to_string();
    let out = other.json(&["decide", &theirs, "approve"]);
    assert_eq!(out["state"], "acknowledged", "{out}");

    let id = popup.id.unwrap();
    eventually(WAIT, || monitor.closed().contains(&id).then_some(()))
        .unwrap_or_else(|| panic!("no CloseNotification({id}); closed: {:?}", monitor.closed()));
}

#[test]
fn a_burst_coalesces_into_one_summary_and_nothing_repeats() {
    let monitor = BusMonitor::start();
    let (_dir, ep, _client, notifier) = setup("burst", &["--burst-limit", "2"]);
    for i in 0..8 {
        let mut d = draft(&format!("burst-{i}"), "low", "high");
        d["deadline"] = json!(far_deadline());
        ep.create_packet(&d);
    }
    eventually(WAIT, || {
        let shown = notifier
            .lines()
            .iter()
            .filter(|v| v["event"] == "shown")
            .count();
        (shown >= 3).then_some(())
    });
    let summaries = || -> Vec<NotifyCall> {
        monitor
            .notify_calls()
            .into_iter()
            .filter(|c| c.summary.contains("more urgent review"))
            .collect()
    };
    let last = eventually(WAIT, || {
        summaries()
            .into_iter()
            .find(|c| c.summary == "6 more urgent reviews waiting" && c.id.is_some())
    })
    .unwrap_or_else(|| panic!("no summary of 6; calls: {:#?}", monitor.notify_calls()));
    let reviews = |calls: &[NotifyCall]| {
        calls
            .iter()
            .filter(|c| c.body.starts_with("burst-"))
            .count()
    };
    assert_eq!(reviews(&monitor.notify_calls()), 2, "the burst limit");
    // One summary notification: every update replaces the first one.
    let all = summaries();
    let first = all[0].id.unwrap();
    assert!(all[1..].iter().all(|c| c.replaces == first), "{all:#?}");
    assert_eq!(last.id, Some(first));

    // Time passes (reminder scans run every second): nothing is alerted twice.
    // Other tests share the daemon: count this test's popups only.
    let mine = || {
        monitor
            .notify_calls()
            .into_iter()
            .filter(|c| c.body.starts_with("burst-") || c.summary.contains("more urgent review"))
            .count()
    };
    let before = mine();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(mine(), before, "{:#?}", monitor.notify_calls());
}

#[test]
fn a_reminder_comes_as_the_deadline_nears() {
    let monitor = BusMonitor::start();
    let rules = json!({
        "min_urgency": "critical",
        "deadline_within_secs": 8,
        "reminder_before_secs": 4
    })
    .to_string();
    let (_dir, ep, _client, _notifier) = setup("remind", &["--set", &rules]);
    let mut d = draft("remind-bot", "low", "normal");
    d["deadline"] = json!(deadline_in(11));
    ep.create_packet(&d);
    // Not urgent and not yet due soon: no popup.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(monitor
        .notify_calls()
        .iter()
        .all(|c| !c.body.starts_with("remind-bot")));
    let due = monitor
        .wait_notify(WAIT, |c| c.summary == "Review due soon: issue_refund")
        .expect("a due-soon popup");
    let reminder = monitor
        .wait_notify(WAIT, |c| c.summary.starts_with("Reminder: issue_refund"))
        .expect("a reminder");
    assert_eq!(reminder.replaces, due.id.unwrap(), "updated in place");
    let count = |calls: Vec<NotifyCall>| {
        calls
            .iter()
            .filter(|c| c.body.starts_with("remind-bot"))
            .count()
    };
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(count(monitor.notify_calls()), 2, "one alert, one reminder");
}

#[test]
fn pause_and_quiet_hours_silence_the_popups() {
    let monitor = BusMonitor::start();
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "quiet");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    let status = client.json(&["notify", "pause"]);
    assert_eq!(status["paused"], true);
    assert_eq!(status["available"], true, "{status}");
    let notifier = Notifier::start(&client);
    assert_eq!(notifier.lines()[0]["paused"], true);
    eventually(WAIT, || {
        (client.json(&["status"])["endpoints"][0]["health"] == "online").then_some(())
    })
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let paused = ep.create_packet(&draft("paused-bot", "low", "critical"));
    eventually(WAIT, || client.local_id(paused["id"].as_str().unwrap())).unwrap();
    std::thread::sleep(Duration::from_millis(1000));

    // Quiet hours around the current local time, and resumed: still silent.
    drop(notifier);
    let now = local_minutes();
    let hhmm = |m: i32| {
        format!(
            "{:02}:{:02}",
            m.rem_euclid(1440) / 60,
            m.rem_euclid(1440) % 60
        )
    };
    client.json(&[
        "notify",
        "rules",
        "--quiet-hours",
        &format!("{}-{}", hhmm(now - 60), hhmm(now + 60)),
    ]);
    assert_eq!(client.json(&["notify", "resume"])["paused"], false);
    let _notifier = Notifier::start(&client);
    std::thread::sleep(Duration::from_millis(1500));
    let quiet = ep.create_packet(&draft("quiet-bot", "low", "critical"));
    eventually(WAIT, || client.local_id(quiet["id"].as_str().unwrap())).unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let calls = monitor.notify_calls();
    assert!(
        calls
            .iter()
            .all(|c| !c.body.starts_with("paused-bot") && !c.body.starts_with("quiet-bot")),
        "{calls:#?}"
    );

    // Quiet hours off: the next urgent review alerts (the silenced ones stay silent).
    client.json(&["notify", "rules", "--quiet-hours", "off"]);
    ep.create_packet(&draft("loud-bot", "low", "critical"));
    popup_for(&monitor, "loud-bot");
}

#[test]
fn without_a_notification_daemon_the_notifier_says_so_and_deciding_still_works() {
    bus::require_notification_daemon();
    // A second private bus with a keyring but no notification daemon.
    let lonely = LonelyBus::start();
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let mut client = Client::new(dir.path(), "lonely");
    client.env = vec![("DBUS_SESSION_BUS_ADDRESS".into(), lonely.address.clone())];
    client.connect(&ep, "main", REVIEWER_TOKEN);

    let status = client.json(&["notify", "status"]);
    assert_eq!(status["available"], false, "{status}");
    let message = status["message"].as_str().unwrap();
    assert!(
        message.contains("no desktop notification service answered")
            && message.contains("ServiceUnknown"),
        "{message}"
    );

    let notifier = Notifier::start(&client);
    let first = &notifier.lines()[0];
    assert_eq!(first["available"], false, "{first}");
    // Reviews still arrive and the reviewer decides as usual.
    let packet = ep.create_packet(&draft("lonely-bot", "low", "critical"));
    let remote = packet["id"].as_str().unwrap();
    let local = eventually(WAIT, || client.local_id(remote)).expect("synced by the notifier");
    let out = client.json(&["decide", &local.to_string(), "approve"]);
    assert_eq!(out["state"], "acknowledged", "{out}");
    assert_eq!(ep.wait_decision(remote, 5)["status"], "decided");
}

/// Inside the alert threshold (so reminder scans look at it every second), outside the
/// reminder window.
fn far_deadline() -> String {
    deadline_in(600)
}

fn deadline_in(secs: u64) -> String {
    let at = std::time::SystemTime::now() + Duration::from_secs(secs);
    let out = std::process::Command::new("date")
        .args(["-u", "-d"])
        .arg(format!(
            "@{}",
            at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        ))
        .arg("+%Y-%m-%dT%H:%M:%SZ")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Minutes since local midnight, as the notifier sees local time.
fn local_minutes() -> i32 {
    let out = std::process::Command::new("date")
        .arg("+%H %M")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|p| p.parse::<i32>().unwrap());
    parts.next().unwrap() * 60 + parts.next().unwrap()
}
