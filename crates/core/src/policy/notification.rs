//! The notification policy: given the reviews that changed (or whose deadline nears) and
//! the moment, decide "alert review X", "remind about X", "one summary of N", "withdraw
//! X's popup" — with pause, quiet hours, the review on screen, no repeats and burst
//! coalescing. Pure: it only remembers what it already decided.

use super::rules::NotificationRules;
use crate::views::{DeliveryState, PacketView};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use countersign_protocol::{Amount, Outcome, PacketStatus, Risk, Urgency};
use std::collections::{HashMap, VecDeque};

/// What the policy needs to know about one review.
#[derive(Debug, Clone, PartialEq)]
pub struct PacketFacts {
    pub id: i64,
    pub endpoint_id: String,
    pub endpoint_name: String,
    pub agent: String,
    pub action: String,
    pub status: PacketStatus,
    /// This reviewer already signed a decision that was not refused.
    pub decided_here: bool,
    pub urgency: Urgency,
    pub risk: Risk,
    pub amount: Option<Amount>,
    pub deadline: Option<DateTime<Utc>>,
    pub allowed_outcomes: Vec<Outcome>,
}

impl PacketFacts {
    pub fn from_view(view: &PacketView) -> PacketFacts {
        let p = &view.packet;
        PacketFacts {
            id: view.id,
            endpoint_id: view.endpoint_id.clone(),
            endpoint_name: view.endpoint_name.clone(),
            agent: p.agent.name.clone(),
            action: p.action.name.clone(),
            status: p.status,
            decided_here: view
                .decisions
                .iter()
                .any(|d| d.local && d.state != DeliveryState::Refused),
            urgency: p.urgency,
            risk: p.impact.risk,
            amount: p.impact.amount.clone(),
            deadline: p.deadline,
            allowed_outcomes: p.allowed_outcomes.clone(),
        }
    }

    fn awaits_me(&self) -> bool {
        self.status.is_open() && !self.decided_here
    }
}

/// What else matters right now, besides the clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Situation {
    /// The reviewer paused notifications (tray menu, settings).
    pub paused: bool,
    /// The review open on screen in the window, if the window has focus.
    pub focused_packet: Option<i64>,
    /// The reviewer's local UTC offset (quiet hours are in local time).
    pub local_offset: FixedOffset,
}

impl Default for Situation {
    fn default() -> Self {
        Situation {
            paused: false,
            focused_packet: None,
            local_offset: FixedOffset::east_opt(0).expect("zero offset"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertReason {
    /// Urgency at or above the configured minimum.
    Urgent,
    /// The deadline is within the configured threshold.
    DeadlineSoon,
    /// The deadline nears and nobody decided yet.
    Reminder,
}

/// One thing for the notifier to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Alert {
    /// Show a popup for this review. `one_click` allows Approve/Reject on it (else Open only).
    Review {
        packet: PacketFacts,
        reason: AlertReason,
        one_click: bool,
    },
    /// Show (or update in place) the one summary popup of a burst: the reviews it covers
    /// so far in this burst.
    Summary { packet_ids: Vec<i64> },
    /// The review was decided (here or elsewhere) or closed: take its popup down.
    Withdraw { packet_id: i64 },
}

#[derive(Debug, Default, Clone, Copy)]
struct Memory {
    alerted: bool,
    reminded: bool,
    /// A popup of its own is (probably) on screen.
    shown: bool,
}

/// The policy with its memory of what it already alerted.
pub struct NotificationPolicy {
    rules: NotificationRules,
    memory: HashMap<i64, Memory>,
    /// When the recent individual popups went up (the burst window).
    recent: VecDeque<DateTime<Utc>>,
    /// Reviews folded into the current burst's summary.
    summarized: Vec<i64>,
}

impl NotificationPolicy {
    pub fn new(rules: NotificationRules) -> Self {
        NotificationPolicy {
            rules,
            memory: HashMap::new(),
            recent: VecDeque::new(),
            summarized: Vec::new(),
        }
    }

    pub fn rules(&self) -> &NotificationRules {
        &self.rules
    }

    pub fn set_rules(&mut self, rules: NotificationRules) {
        self.rules = rules;
    }

    /// Whether a popup for this review may offer Approve and Reject.
    pub fn one_click(&self, packet: &PacketFacts) -> bool {
        let rule =
            self.rules
                .for_review(&packet.endpoint_id, &packet.endpoint_name, &packet.action);
        // Without plain approval the review needs an edit or a written answer: that is
        // done in the window, not with a click.
        rule.one_click.unwrap_or(true)
            && packet.risk <= self.rules.one_click_max_risk
            && packet.allowed_outcomes.contains(&Outcome::Approve)
    }

    /// Decide what to show for these reviews (those that changed, or whose deadline
    /// nears). Each review alerts at most once, plus at most one reminder.
    pub fn review(
        &mut self,
        packets: &[PacketFacts],
        situation: &Situation,
        now: DateTime<Utc>,
    ) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let mut due = Vec::new();
        let quiet = situation.paused
            || self
                .rules
                .quiet_hours
                .is_some_and(|q| q.contains(now, situation.local_offset));
        for packet in packets {
            if !packet.awaits_me() {
                // Forget it: a closed review never reopens, so it cannot alert again.
                if self.memory.remove(&packet.id).is_some_and(|m| m.shown) {
                    alerts.push(Alert::Withdraw {
                        packet_id: packet.id,
                    });
                }
                continue;
            }
            let Some(reason) = self.due(packet, now) else {
                continue;
            };
            let memory = self.memory.entry(packet.id).or_default();
            let left = packet.deadline.map(|d| d - now);
            let within_reminder = left
                .is_some_and(|l| l <= Duration::seconds(self.rules.reminder_before_secs as i64));
            // Whatever happens below, this alert is spent: a paused or quiet period, or the
            // review being on screen, does not queue it for later.
            memory.alerted = true;
            memory.reminded |= reason == AlertReason::Reminder || within_reminder;
            if quiet || situation.focused_packet == Some(packet.id) {
                continue;
            }
            due.push((packet, reason));
        }
        self.coalesce(due, now, &mut alerts);
        alerts
    }

    /// Which alert (if any) this open review is due, by its memory and the rules.
    fn due(&self, packet: &PacketFacts, now: DateTime<Utc>) -> Option<AlertReason> {
        let rule =
            self.rules
                .for_review(&packet.endpoint_id, &packet.endpoint_name, &packet.action);
        if rule.notify == Some(false) {
            return None;
        }
        let memory = self.memory.get(&packet.id).copied().unwrap_or_default();
        let left = packet.deadline.map(|d| d - now);
        if !memory.alerted {
            if rule.notify == Some(true) || packet.urgency >= rule.min_urgency {
                return Some(AlertReason::Urgent);
            }
            if left.is_some_and(|l| l <= Duration::seconds(rule.deadline_within_secs as i64)) {
                return Some(AlertReason::DeadlineSoon);
            }
            return None;
        }
        let remind = !memory.reminded
            && left.is_some_and(|l| {
                l > Duration::zero()
                    && l <= Duration::seconds(self.rules.reminder_before_secs as i64)
            });
        remind.then_some(AlertReason::Reminder)
    }

    /// Individual popups up to the burst limit per window; the rest of the burst goes
    /// into one summary.
    fn coalesce(
        &mut self,
        due: Vec<(&PacketFacts, AlertReason)>,
        now: DateTime<Utc>,
        alerts: &mut Vec<Alert>,
    ) {
        let window = Duration::seconds(self.rules.burst_window_secs as i64);
        while self.recent.front().is_some_and(|t| *t + window <= now) {
            self.recent.pop_front();
        }
        if (self.recent.len() as u32) < self.rules.burst_limit {
            // The last burst is over: the next one starts a fresh summary.
            self.summarized.clear();
        }
        let mut summary_grew = false;
        for (packet, reason) in due {
            if (self.recent.len() as u32) < self.rules.burst_limit {
                self.recent.push_back(now);
                if let Some(m) = self.memory.get_mut(&packet.id) {
                    m.shown = true;
                }
                alerts.push(Alert::Review {
                    packet: packet.clone(),
                    reason,
                    one_click: self.one_click(packet),
                });
            } else {
                if !self.summarized.contains(&packet.id) {
                    self.summarized.push(packet.id);
                }
                summary_grew = true;
            }
        }
        if summary_grew {
            alerts.push(Alert::Summary {
                packet_ids: self.summarized.clone(),
            });
        }
    }
}
