//! What the reviewer configures about notifications: which reviews alert (urgency,
//! deadline), reminders, burst coalescing, quiet hours, when a popup may carry one-click
//! Approve/Reject, and overrides per endpoint and per action. Stored as JSON in settings.

use chrono::{DateTime, FixedOffset, Timelike, Utc};
use countersign_protocol::{Risk, Urgency};
use serde::{Deserialize, Serialize};

/// A daily span of local time, `start` inclusive, `end` exclusive; it may wrap midnight
/// (22:00–07:00). Minutes since local midnight.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct QuietHours {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl QuietHours {
    /// Parse `HH:MM-HH:MM` (the CLI form).
    pub fn parse(text: &str) -> Option<QuietHours> {
        let (a, b) = text.trim().split_once('-')?;
        Some(QuietHours {
            start_minute: parse_hhmm(a)?,
            end_minute: parse_hhmm(b)?,
        })
    }

    pub fn contains(&self, now: DateTime<Utc>, local_offset: FixedOffset) -> bool {
        let local = now.with_timezone(&local_offset);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let (start, end) = (self.start_minute, self.end_minute);
        if start <= end {
            start <= minute && minute < end
        } else {
            minute >= start || minute < end
        }
    }
}

fn parse_hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A rule for the reviews of one endpoint and/or one action (absent = any). The last
/// matching override wins per field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RuleOverride {
    /// Endpoint id or name.
    pub endpoint: Option<String>,
    /// Action name (`issue_refund`).
    pub action: Option<String>,
    /// `false` silences these reviews entirely; `true` alerts for every one of them.
    pub notify: Option<bool>,
    /// `false` offers only Open on their popups.
    pub one_click: Option<bool>,
    pub min_urgency: Option<Urgency>,
    pub deadline_within_secs: Option<u64>,
}

impl RuleOverride {
    fn matches(&self, endpoint_id: &str, endpoint_name: &str, action: &str) -> bool {
        self.endpoint
            .as_deref()
            .is_none_or(|e| e == endpoint_id || e == endpoint_name)
            && self.action.as_deref().is_none_or(|a| a == action)
    }
}

/// The notification rules. Defaults suit one reviewer at a desk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NotificationRules {
    /// Reviews at or above this urgency alert as they arrive.
    pub min_urgency: Urgency,
    /// Any review whose deadline is this close alerts, whatever its urgency.
    pub deadline_within_secs: u64,
    /// One reminder when this little time is left before the deadline.
    pub reminder_before_secs: u64,
    /// At most this many popups per `burst_window_secs`; the rest of a burst becomes one
    /// summary popup.
    pub burst_limit: u32,
    pub burst_window_secs: u64,
    pub quiet_hours: Option<QuietHours>,
    /// One-click Approve/Reject only up to this risk; riskier reviews offer only Open,
    /// because a click on a popup is weaker evidence than a deliberate review.
    pub one_click_max_risk: Risk,
    pub overrides: Vec<RuleOverride>,
}

impl Default for NotificationRules {
    fn default() -> Self {
        NotificationRules {
            min_urgency: Urgency::High,
            deadline_within_secs: 15 * 60,
            reminder_before_secs: 5 * 60,
            burst_limit: 3,
            burst_window_secs: 60,
            quiet_hours: None,
            one_click_max_risk: Risk::Medium,
            overrides: Vec::new(),
        }
    }
}

/// The rules as they apply to one review, overrides folded in.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveRule {
    pub notify: Option<bool>,
    pub one_click: Option<bool>,
    pub min_urgency: Urgency,
    pub deadline_within_secs: u64,
}

impl NotificationRules {
    pub fn for_review(
        &self,
        endpoint_id: &str,
        endpoint_name: &str,
        action: &str,
    ) -> EffectiveRule {
        let mut rule = EffectiveRule {
            notify: None,
            one_click: None,
            min_urgency: self.min_urgency,
            deadline_within_secs: self.deadline_within_secs,
        };
        for o in self
            .overrides
            .iter()
            .filter(|o| o.matches(endpoint_id, endpoint_name, action))
        {
            rule.notify = o.notify.or(rule.notify);
            rule.one_click = o.one_click.or(rule.one_click);
            rule.min_urgency = o.min_urgency.unwrap_or(rule.min_urgency);
            rule.deadline_within_secs = o.deadline_within_secs.unwrap_or(rule.deadline_within_secs);
        }
        rule
    }

    /// How far ahead a reminder scan must look to see every review that may be due.
    pub fn lookahead_secs(&self) -> u64 {
        self.overrides
            .iter()
            .filter_map(|o| o.deadline_within_secs)
            .chain([self.deadline_within_secs, self.reminder_before_secs])
            .max()
            .unwrap_or(0)
    }
}
