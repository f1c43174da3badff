//! Turns a policy alert into popup text: a title and a one-line summary (agent, action,
//! key amount, deadline), the platform urgency, and the buttons the policy allows.
//! Packet fields come from agents: they are shortened, kept on one line and escaped, so
//! a hostile name cannot inject markup into servers that render it.

use crate::popup::{Popup, PopupUrgency, APPROVE, OPEN, REJECT};
use chrono::{DateTime, Utc};
use countersign_core::policy::{AlertReason, PacketFacts};
use countersign_protocol::{Outcome, Urgency};

const FIELD_MAX: usize = 60;

/// The popup for one review.
pub fn review_popup(
    packet: &PacketFacts,
    reason: AlertReason,
    one_click: bool,
    now: DateTime<Utc>,
) -> Popup {
    let action = inert(&packet.action);
    let title = match reason {
        AlertReason::Reminder => format!("Reminder: {action} awaits your review"),
        AlertReason::DeadlineSoon => format!("Review due soon: {action}"),
        AlertReason::Urgent if packet.urgency == Urgency::Critical => {
            format!("Critical review: {action}")
        }
        AlertReason::Urgent => format!("Urgent review: {action}"),
    };
    let mut parts = vec![inert(&packet.agent), action];
    if let Some(a) = &packet.amount {
        parts.push(format!("{} {}", inert(&a.value), inert(&a.currency)));
    }
    if let Some(d) = packet.deadline {
        parts.push(due_text(d, now));
    }
    let mut actions = vec![(OPEN.to_string(), "Open".to_string())];
    if one_click {
        if packet.allowed_outcomes.contains(&Outcome::Approve) {
            actions.push((APPROVE.into(), "Approve".into()));
        }
        if packet.allowed_outcomes.contains(&Outcome::Reject) {
            actions.push((REJECT.into(), "Reject".into()));
        }
    }
    Popup {
        title,
        body: escape_markup(&parts.join(" · ")),
        urgency: platform_urgency(packet.urgency),
        actions,
        replaces: None,
        sticky: true,
    }
}

/// The one popup standing for the rest of a burst.
pub fn summary_popup(count: usize) -> Popup {
    Popup {
        title: format!(
            "{count} more urgent review{} waiting",
            if count == 1 { "" } else { "s" }
        ),
        body: "They arrived in a burst; open Countersign to see them in the queue.".into(),
        urgency: PopupUrgency::Normal,
        actions: vec![(OPEN.to_string(), "Open".to_string())],
        replaces: None,
        sticky: false,
    }
}

/// Critical reviews use the platform's critical level (on freedesktop servers it stays
/// until acted on); high and normal ones are normal; low stays low.
pub fn platform_urgency(urgency: Urgency) -> PopupUrgency {
    match urgency {
        Urgency::Low => PopupUrgency::Low,
        Urgency::Normal | Urgency::High => PopupUrgency::Normal,
        Urgency::Critical => PopupUrgency::Critical,
    }
}

fn due_text(deadline: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = (deadline - now).num_seconds();
    if left <= 0 {
        return "overdue".into();
    }
    let minutes = (left + 59) / 60;
    match minutes {
        m if m < 60 => format!("due in {m} min"),
        m if m < 48 * 60 => format!("due in {} h {} min", m / 60, m % 60),
        m => format!("due in {} days", m / (24 * 60)),
    }
}

/// One line, at most FIELD_MAX characters.
fn inert(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > FIELD_MAX {
        let cut: String = line.chars().take(FIELD_MAX - 1).collect();
        format!("{cut}…")
    } else {
        line
    }
}

/// freedesktop bodies may be rendered as markup: make `<`, `>` and `&` literal.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use countersign_protocol::{Amount, PacketStatus, Risk};

    fn packet() -> PacketFacts {
        PacketFacts {
            id: 1,
            endpoint_id: "e".into(),
            endpoint_name: "payments".into(),
            agent: "refund-bot".into(),
            action: "issue_refund".into(),
            status: PacketStatus::Pending,
            decided_here: false,
            urgency: Urgency::High,
            risk: Risk::Low,
            amount: Some(Amount {
                value: "120".into(),
                currency: "EUR".into(),
            }),
            deadline: None,
            allowed_outcomes: vec![Outcome::Approve, Outcome::Edit, Outcome::Reject],
        }
    }

    #[test]
    fn one_line_with_agent_action_amount_and_deadline() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        let mut p = packet();
        p.deadline = Some(now + Duration::seconds(12 * 60 - 5));
        let popup = review_popup(&p, AlertReason::Urgent, true, now);
        assert_eq!(popup.title, "Urgent review: issue_refund");
        assert_eq!(
            popup.body,
            "refund-bot · issue_refund · 120 EUR · due in 12 min"
        );
        assert_eq!(popup.urgency, PopupUrgency::Normal);
        let keys: Vec<_> = popup.actions.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["default", "approve", "reject"]);
    }

    #[test]
    fn open_only_when_one_click_is_not_allowed() {
        let now = Utc::now();
        let mut p = packet();
        p.urgency = Urgency::Critical;
        let popup = review_popup(&p, AlertReason::Urgent, false, now);
        assert_eq!(popup.title, "Critical review: issue_refund");
        assert_eq!(popup.urgency, PopupUrgency::Critical);
        assert_eq!(popup.actions, vec![("default".into(), "Open".into())]);
    }

    #[test]
    fn hostile_names_stay_inert_and_short() {
        let mut p = packet();
        p.agent = "<a href='x'>evil</a>\nbot".into();
        p.action = "x".repeat(500);
        let popup = review_popup(&p, AlertReason::Reminder, true, Utc::now());
        assert!(popup
            .body
            .starts_with("&lt;a href='x'&gt;evil&lt;/a&gt; bot · "));
        assert!(!popup.body.contains('\n'));
        assert!(popup.title.chars().count() < 100, "{}", popup.title);
    }
}
