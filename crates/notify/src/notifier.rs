//! The notifier: follows the engine's events, asks the policy what to alert, shows and
//! withdraws popups, and turns a popup click into a decision (`via: notification`) or an
//! "open this review" request for the host (the desktop shell focuses its window; the
//! headless CLI prints it). It reports whether notifications are paused or unavailable,
//! and a missing service loses nothing: the reviews wait in the queue as always.

use crate::compose::{review_popup, summary_popup};
use crate::error::NotifyError;
use crate::popup::{Popup, PopupChoice, PopupId, PopupResponse, PopupUrgency, Popups};
use crate::popup::{APPROVE, OPEN, REJECT};
use countersign_core::policy::{Alert, NotificationPolicy, PacketFacts, Situation};
use countersign_core::{CoreError, DecideRequest, Engine, EngineEvent};
use countersign_protocol::{DecisionVia, Outcome};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};

/// The reason signed with a rejection made from a popup: the protocol requires one, and
/// a popup has no text field, so it says where the decision came from.
pub const POPUP_REJECT_REASON: &str = "Rejected from a desktop notification";

/// How often deadlines are checked for reminders.
const TICK: Duration = Duration::from_secs(1);
/// How often an unavailable service is looked for again.
const REPROBE: Duration = Duration::from_secs(15);
/// Most reviews one reminder scan looks at (nearest deadline first).
const SCAN_LIMIT: u32 = 200;

/// What the host shows about notifications (status bar, tray).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NotifierStatus {
    pub paused: bool,
    pub available: bool,
    /// Why notifications are unavailable, in plain words.
    pub message: Option<String>,
}

/// What the notifier tells its host.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum NotifierEvent {
    Shown {
        packet_id: Option<i64>,
        popup: u32,
        actions: Vec<String>,
    },
    Withdrawn {
        packet_id: i64,
        popup: u32,
    },
    Decided {
        packet_id: i64,
        outcome: Outcome,
        decision_id: String,
    },
    DecideFailed {
        packet_id: i64,
        code: String,
        message: String,
    },
    /// Bring the window forward at this review (none: the queue).
    Open {
        packet_id: Option<i64>,
    },
    Status(NotifierStatus),
}

/// What a shown popup stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Review(i64),
    Summary,
    Notice,
}

struct Shown {
    policy: NotificationPolicy,
    popup_of_packet: HashMap<i64, PopupId>,
    target_of_popup: HashMap<PopupId, Target>,
    summary: Option<PopupId>,
    last_probe: Option<Instant>,
}

pub struct Notifier {
    engine: Arc<Engine>,
    popups: Arc<dyn Popups>,
    focused: Mutex<Option<i64>>,
    status: Mutex<NotifierStatus>,
    events: broadcast::Sender<NotifierEvent>,
    shown: Mutex<Shown>,
}

impl Notifier {
    pub fn new(engine: Arc<Engine>, popups: Arc<dyn Popups>) -> Arc<Notifier> {
        let rules = engine.notification_rules().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "notification rules unreadable; using the defaults");
            Default::default()
        });
        let paused = engine.notifications_paused().unwrap_or(false);
        let (events, _) = broadcast::channel(1024);
        Arc::new(Notifier {
            engine,
            popups,
            focused: Mutex::new(None),
            status: Mutex::new(NotifierStatus {
                paused,
                available: true,
                message: None,
            }),
            events,
            shown: Mutex::new(Shown {
                policy: NotificationPolicy::new(rules),
                popup_of_packet: HashMap::new(),
                target_of_popup: HashMap::new(),
                summary: None,
                last_probe: None,
            }),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<NotifierEvent> {
        self.events.subscribe()
    }

    pub fn status(&self) -> NotifierStatus {
        self.status.lock().unwrap().clone()
    }

    /// The review the reviewer is looking at (none when the window is hidden or shows
    /// no review): it does not alert.
    pub fn set_focused(&self, packet_id: Option<i64>) {
        *self.focused.lock().unwrap() = packet_id;
    }

    /// Pause or resume (tray menu, settings, CLI); remembered across restarts.
    pub fn set_paused(&self, paused: bool) -> Result<NotifierStatus, CoreError> {
        self.engine.set_notifications_paused(paused)?;
        self.update_status(|s| s.paused = paused);
        Ok(self.status())
    }

    fn update_status(&self, change: impl FnOnce(&mut NotifierStatus)) {
        let mut status = self.status.lock().unwrap();
        let before = status.clone();
        change(&mut status);
        if *status != before {
            let _ = self.events.send(NotifierEvent::Status(status.clone()));
        }
    }

    /// Follow the engine until it goes away. Call inside a tokio runtime; `responses` is
    /// the channel the popup backend reports clicks on.
    pub async fn run(self: Arc<Self>, mut responses: mpsc::UnboundedReceiver<PopupResponse>) {
        let mut engine_events = self.engine.subscribe();
        if self.shown.lock().unwrap().last_probe.is_none() {
            let me = self.clone();
            let _ = tokio::task::spawn_blocking(move || me.probe()).await;
        }
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                ev = engine_events.recv() => match ev {
                    Ok(EngineEvent::QueueChanged { packet_ids }) => self.blocking(move |n| n.review_packets(&packet_ids)).await,
                    Ok(EngineEvent::DecisionState { packet_id, .. }) => self.blocking(move |n| n.review_packets(&[packet_id])).await,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "notifier fell behind the engine; reminders catch up");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                Some(response) = responses.recv() => self.blocking(move |n| n.respond(response)).await,
                _ = tick.tick() => self.blocking(|n| n.review_deadlines()).await,
            }
        }
    }

    /// Engine and popup calls block (SQLite, keyring, D-Bus): keep them off the async
    /// threads, one at a time so popups appear in event order.
    async fn blocking(self: &Arc<Self>, work: impl FnOnce(&Notifier) + Send + 'static) {
        let me = self.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || work(&me)).await {
            tracing::error!(error = %e, "notifier task failed");
        }
    }

    /// Ask the service whether it answers, and report it in the status.
    pub fn probe(&self) {
        self.shown.lock().unwrap().last_probe = Some(Instant::now());
        match self.popups.probe() {
            Ok(server) => {
                tracing::info!(server, "notification service found");
                self.update_status(|s| {
                    s.available = true;
                    s.message = None;
                });
            }
            Err(e) => self.unavailable(&e),
        }
    }

    fn unavailable(&self, e: &NotifyError) {
        if self.status().available {
            tracing::warn!(error = %e, "desktop notifications are unavailable; reviews still arrive in the queue");
        }
        self.update_status(|s| {
            s.available = false;
            s.message = Some(e.detail().to_string());
        });
    }

    fn situation(&self) -> Situation {
        let paused = self.engine.notifications_paused().unwrap_or(false);
        self.update_status(|s| s.paused = paused);
        Situation {
            paused,
            focused_packet: *self.focused.lock().unwrap(),
            local_offset: *chrono::Local::now().offset(),
        }
    }

    fn review_packets(&self, ids: &[i64]) {
        let facts: Vec<PacketFacts> = ids
            .iter()
            .filter_map(|id| match self.engine.packet(*id) {
                Ok(view) => Some(PacketFacts::from_view(&view)),
                Err(e) => {
                    tracing::debug!(packet = id, error = %e, "review vanished before alerting");
                    None
                }
            })
            .collect();
        self.apply(&facts);
    }

    fn review_deadlines(&self) {
        let reprobe = {
            let shown = self.shown.lock().unwrap();
            !self.status().available && shown.last_probe.is_none_or(|t| t.elapsed() >= REPROBE)
        };
        if reprobe {
            self.probe();
        }
        let lookahead = self.shown.lock().unwrap().policy.rules().lookahead_secs();
        let horizon = self.engine.clock().now() + chrono::Duration::seconds(lookahead as i64);
        match self.engine.pending_due_before(horizon, SCAN_LIMIT) {
            Ok(rows) => {
                let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                if !ids.is_empty() {
                    self.review_packets(&ids);
                }
            }
            Err(e) => tracing::warn!(error = %e, "reminder scan failed"),
        }
    }

    fn apply(&self, facts: &[PacketFacts]) {
        if facts.is_empty() {
            return;
        }
        let situation = self.situation();
        let now = self.engine.clock().now();
        let mut shown = self.shown.lock().unwrap();
        if let Ok(rules) = self.engine.notification_rules() {
            if rules != *shown.policy.rules() {
                shown.policy.set_rules(rules);
            }
        }
        for alert in shown.policy.review(facts, &situation, now) {
            match alert {
                Alert::Review {
                    packet,
                    reason,
                    one_click,
                } => {
                    let mut popup = review_popup(&packet, reason, one_click, now);
                    popup.replaces = shown.popup_of_packet.get(&packet.id).copied();
                    if let Some(id) = self.show(&popup, Target::Review(packet.id), &mut shown) {
                        shown.popup_of_packet.insert(packet.id, id);
                    }
                }
                Alert::Summary { packet_ids } => {
                    let mut popup = summary_popup(packet_ids.len());
                    popup.replaces = shown.summary;
                    shown.summary = self.show(&popup, Target::Summary, &mut shown);
                }
                Alert::Withdraw { packet_id } => {
                    if let Some(id) = shown.popup_of_packet.remove(&packet_id) {
                        shown.target_of_popup.remove(&id);
                        match self.popups.withdraw(id) {
                            Ok(()) => {
                                let _ = self.events.send(NotifierEvent::Withdrawn {
                                    packet_id,
                                    popup: id.0,
                                });
                            }
                            Err(e) => tracing::warn!(error = %e, "could not withdraw a popup"),
                        }
                    }
                }
            }
        }
    }

    fn show(&self, popup: &Popup, target: Target, shown: &mut Shown) -> Option<PopupId> {
        match self.popups.show(popup) {
            Ok(id) => {
                shown.target_of_popup.insert(id, target);
                self.update_status(|s| {
                    s.available = true;
                    s.message = None;
                });
                let _ = self.events.send(NotifierEvent::Shown {
                    packet_id: match target {
                        Target::Review(p) => Some(p),
                        _ => None,
                    },
                    popup: id.0,
                    actions: popup.actions.iter().map(|(k, _)| k.clone()).collect(),
                });
                Some(id)
            }
            Err(e) => {
                self.unavailable(&e);
                None
            }
        }
    }

    fn respond(&self, response: PopupResponse) {
        let target = {
            let mut shown = self.shown.lock().unwrap();
            let target = shown.target_of_popup.remove(&response.popup);
            if let Some(Target::Review(p)) = target {
                if shown.popup_of_packet.get(&p) == Some(&response.popup) {
                    shown.popup_of_packet.remove(&p);
                }
            }
            if shown.summary == Some(response.popup) {
                shown.summary = None;
            }
            target
        };
        let Some(target) = target else { return };
        let PopupChoice::Action(key) = response.choice else {
            return;
        };
        match (target, key.as_str()) {
            (Target::Review(packet_id), APPROVE) => self.decide(packet_id, Outcome::Approve),
            (Target::Review(packet_id), REJECT) => self.decide(packet_id, Outcome::Reject),
            (Target::Review(packet_id), _) => {
                let _ = self.events.send(NotifierEvent::Open {
                    packet_id: Some(packet_id),
                });
            }
            (Target::Summary | Target::Notice, _) => {
                let _ = self.events.send(NotifierEvent::Open { packet_id: None });
            }
        }
    }

    fn decide(&self, packet_id: i64, outcome: Outcome) {
        let request = DecideRequest {
            outcome,
            args: None,
            reason: (outcome == Outcome::Reject).then(|| POPUP_REJECT_REASON.to_string()),
            response: None,
            via: DecisionVia::Notification,
        };
        match self.engine.decide(packet_id, request) {
            Ok(decision) => {
                tracing::info!(packet_id, %outcome, decision = decision.decision_id, "decided from a notification");
                let _ = self.events.send(NotifierEvent::Decided {
                    packet_id,
                    outcome,
                    decision_id: decision.decision_id,
                });
            }
            Err(e) => {
                tracing::warn!(packet_id, error = %e, "a decision from a notification failed");
                let _ = self.events.send(NotifierEvent::DecideFailed {
                    packet_id,
                    code: e.code().to_string(),
                    message: e.to_string(),
                });
                // The click went nowhere: say so where the reviewer is looking.
                let notice = Popup {
                    title: format!("Countersign could not record your {}", outcome.meaning()),
                    body: format!("{e}. Open Countersign to review it there."),
                    urgency: PopupUrgency::Normal,
                    actions: vec![(OPEN.to_string(), "Open".to_string())],
                    replaces: None,
                    sticky: false,
                };
                let mut shown = self.shown.lock().unwrap();
                if let Some(id) = self.show(&notice, Target::Notice, &mut shown) {
                    shown.target_of_popup.insert(id, Target::Review(packet_id));
                }
            }
        }
    }
}
