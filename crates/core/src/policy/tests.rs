//! The notification policy under a hand-moved clock.

use super::*;
use crate::clock::{Clock, ManualClock};
use chrono::{Duration, FixedOffset, TimeZone, Utc};
use countersign_protocol::{Outcome, PacketStatus, Risk, Urgency};

fn clock() -> ManualClock {
    // 12:00 UTC
    ManualClock::at(Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap())
}

fn facts(id: i64, urgency: Urgency) -> PacketFacts {
    PacketFacts {
        id,
        endpoint_id: "ep-1".into(),
        endpoint_name: "payments".into(),
        agent: "refund-bot".into(),
        action: "issue_refund".into(),
        status: PacketStatus::Pending,
        decided_here: false,
        urgency,
        risk: Risk::Low,
        amount: None,
        deadline: None,
        allowed_outcomes: vec![Outcome::Approve, Outcome::Reject],
    }
}

fn reviewed(alerts: &[Alert]) -> Vec<(i64, AlertReason)> {
    alerts
        .iter()
        .filter_map(|a| match a {
            Alert::Review { packet, reason, .. } => Some((packet.id, *reason)),
            _ => None,
        })
        .collect()
}

fn here() -> Situation {
    Situation::default()
}

#[test]
fn urgent_reviews_alert_once_and_normal_ones_do_not() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let urgent = facts(1, Urgency::High);
    let critical = facts(2, Urgency::Critical);
    let normal = facts(3, Urgency::Normal);
    let alerts = policy.review(
        &[urgent.clone(), critical, normal.clone()],
        &here(),
        c.now(),
    );
    assert_eq!(
        reviewed(&alerts),
        vec![(1, AlertReason::Urgent), (2, AlertReason::Urgent)]
    );
    // The same review changing again (an update, a sync replay) never alerts twice.
    c.advance(Duration::minutes(10));
    assert!(policy
        .review(&[urgent, normal], &here(), c.now())
        .is_empty());
}

#[test]
fn a_near_deadline_alerts_and_one_reminder_follows_as_it_nears() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let mut p = facts(7, Urgency::Normal);
    p.deadline = Some(c.now() + Duration::minutes(40));
    // 40 min left: neither urgent nor soon.
    assert!(policy.review(&[p.clone()], &here(), c.now()).is_empty());
    c.advance(Duration::minutes(26)); // 14 min left: within the 15 min threshold
    assert_eq!(
        reviewed(&policy.review(&[p.clone()], &here(), c.now())),
        vec![(7, AlertReason::DeadlineSoon)]
    );
    c.advance(Duration::minutes(5)); // 9 min left: nothing new
    assert!(policy.review(&[p.clone()], &here(), c.now()).is_empty());
    c.advance(Duration::minutes(5)); // 4 min left: the reminder
    assert_eq!(
        reviewed(&policy.review(&[p.clone()], &here(), c.now())),
        vec![(7, AlertReason::Reminder)]
    );
    c.advance(Duration::minutes(1));
    assert!(policy.review(&[p.clone()], &here(), c.now()).is_empty());
    c.advance(Duration::minutes(10)); // past the deadline: no reminder for the dead
    assert!(policy.review(&[p], &here(), c.now()).is_empty());
}

#[test]
fn an_urgent_review_arriving_close_to_its_deadline_gets_no_separate_reminder() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let mut p = facts(8, Urgency::High);
    p.deadline = Some(c.now() + Duration::minutes(3));
    assert_eq!(
        reviewed(&policy.review(&[p.clone()], &here(), c.now())).len(),
        1
    );
    c.advance(Duration::minutes(1));
    assert!(policy.review(&[p], &here(), c.now()).is_empty());
}

#[test]
fn a_burst_of_fifty_becomes_a_few_popups_and_one_summary() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let mut shown = 0;
    let mut summaries = Vec::new();
    // 50 urgent reviews within one minute, arriving one by one.
    for id in 1..=50 {
        for a in policy.review(&[facts(id, Urgency::Critical)], &here(), c.now()) {
            match a {
                Alert::Review { .. } => shown += 1,
                Alert::Summary { packet_ids } => summaries.push(packet_ids),
                other => panic!("unexpected {other:?}"),
            }
        }
        c.advance(Duration::milliseconds(1000));
    }
    assert_eq!(shown, 3, "the burst limit");
    // One summary popup, updated in place as the burst grows: its last state covers the 47
    // reviews that got no popup of their own.
    let last = summaries.last().expect("a summary");
    assert_eq!(last.len(), 47);
    assert_eq!(last.first(), Some(&4));
    assert_eq!(last.last(), Some(&50));
    assert!(summaries.windows(2).all(|w| w[1].starts_with(&w[0])));

    // Once the window has passed, reviews get their own popups again and a new burst
    // starts a new summary.
    c.advance(Duration::minutes(2));
    let alerts = policy.review(&[facts(51, Urgency::High)], &here(), c.now());
    assert_eq!(reviewed(&alerts), vec![(51, AlertReason::Urgent)]);
}

#[test]
fn fifty_at_once_also_coalesce() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let batch: Vec<_> = (1..=50).map(|id| facts(id, Urgency::High)).collect();
    let alerts = policy.review(&batch, &here(), c.now());
    assert_eq!(reviewed(&alerts).len(), 3);
    let summaries: Vec<_> = alerts
        .iter()
        .filter_map(|a| match a {
            Alert::Summary { packet_ids } => Some(packet_ids.len()),
            _ => None,
        })
        .collect();
    assert_eq!(summaries, vec![47]);
}

#[test]
fn pause_and_quiet_hours_silence_without_queueing_for_later() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules {
        quiet_hours: QuietHours::parse("22:00-07:00"),
        ..Default::default()
    });
    let paused = Situation {
        paused: true,
        ..here()
    };
    assert!(policy
        .review(&[facts(1, Urgency::Critical)], &paused, c.now())
        .is_empty());
    // Unpaused: the review alerted while paused stays silent; a new one alerts.
    let alerts = policy.review(
        &[facts(1, Urgency::Critical), facts(2, Urgency::Critical)],
        &here(),
        c.now(),
    );
    assert_eq!(reviewed(&alerts), vec![(2, AlertReason::Urgent)]);

    // 12:00 UTC is 23:00 at UTC+11: quiet hours there; 14:00 at UTC+2 is not.
    let sydney = Situation {
        local_offset: FixedOffset::east_opt(11 * 3600).unwrap(),
        ..here()
    };
    assert!(policy
        .review(&[facts(3, Urgency::Critical)], &sydney, c.now())
        .is_empty());
    let cairo = Situation {
        local_offset: FixedOffset::east_opt(2 * 3600).unwrap(),
        ..here()
    };
    assert_eq!(
        reviewed(&policy.review(&[facts(4, Urgency::Critical)], &cairo, c.now())),
        vec![(4, AlertReason::Urgent)]
    );
}

#[test]
fn quiet_hours_wrap_midnight_and_parse_strictly() {
    let q = QuietHours::parse("22:30-07:00").unwrap();
    let utc = FixedOffset::east_opt(0).unwrap();
    let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap();
    assert!(q.contains(at(23, 0), utc));
    assert!(q.contains(at(3, 0), utc));
    assert!(q.contains(at(22, 30), utc));
    assert!(!q.contains(at(7, 0), utc));
    assert!(!q.contains(at(22, 29), utc));
    let day = QuietHours::parse("12:00-13:00").unwrap();
    assert!(day.contains(at(12, 59), utc));
    assert!(!day.contains(at(13, 0), utc));
    assert_eq!(QuietHours::parse("25:00-07:00"), None);
    assert_eq!(QuietHours::parse("22:00"), None);
}

#[test]
fn the_review_on_screen_does_not_alert() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let looking = Situation {
        focused_packet: Some(5),
        ..here()
    };
    let alerts = policy.review(
        &[facts(5, Urgency::Critical), facts(6, Urgency::Critical)],
        &looking,
        c.now(),
    );
    assert_eq!(reviewed(&alerts), vec![(6, AlertReason::Urgent)]);
}

#[test]
fn risky_reviews_and_reviews_needing_an_edit_or_answer_offer_only_open() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let one_click = |alerts: Vec<Alert>| -> Vec<(i64, bool)> {
        alerts
            .into_iter()
            .filter_map(|a| match a {
                Alert::Review {
                    packet, one_click, ..
                } => Some((packet.id, one_click)),
                _ => None,
            })
            .collect()
    };
    let low = facts(1, Urgency::High);
    let mut medium = facts(2, Urgency::High);
    medium.risk = Risk::Medium;
    let mut high = facts(3, Urgency::High);
    high.risk = Risk::High;
    assert_eq!(
        one_click(policy.review(&[low, medium, high], &here(), c.now())),
        vec![(1, true), (2, true), (3, false)]
    );

    c.advance(Duration::minutes(5));
    let mut critical = facts(4, Urgency::High);
    critical.risk = Risk::Critical;
    let mut edit_only = facts(5, Urgency::High);
    edit_only.allowed_outcomes = vec![Outcome::Edit, Outcome::Reject];
    let mut answer_only = facts(6, Urgency::High);
    answer_only.allowed_outcomes = vec![Outcome::Respond];
    assert_eq!(
        one_click(policy.review(&[critical, edit_only, answer_only], &here(), c.now())),
        vec![(4, false), (5, false), (6, false)]
    );

    // Configurable: allow one click up to high risk; forbid it for one action.
    c.advance(Duration::minutes(5));
    policy.set_rules(NotificationRules {
        one_click_max_risk: Risk::High,
        overrides: vec![RuleOverride {
            action: Some("wire_transfer".into()),
            one_click: Some(false),
            ..Default::default()
        }],
        ..Default::default()
    });
    let mut high = facts(7, Urgency::High);
    high.risk = Risk::High;
    let mut wire = facts(8, Urgency::High);
    wire.action = "wire_transfer".into();
    assert_eq!(
        one_click(policy.review(&[high, wire], &here(), c.now())),
        vec![(7, true), (8, false)]
    );
}

#[test]
fn overrides_per_endpoint_and_action() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules {
        overrides: vec![
            RuleOverride {
                endpoint: Some("payments".into()),
                notify: Some(true),
                ..Default::default()
            },
            RuleOverride {
                action: Some("send_newsletter".into()),
                notify: Some(false),
                ..Default::default()
            },
        ],
        ..Default::default()
    });
    // Every payments review alerts, even a normal one...
    let normal = facts(1, Urgency::Normal);
    // ...except the action silenced by the later override.
    let mut newsletter = facts(2, Urgency::Critical);
    newsletter.action = "send_newsletter".into();
    let mut other_endpoint = facts(3, Urgency::Normal);
    other_endpoint.endpoint_id = "ep-2".into();
    other_endpoint.endpoint_name = "crm".into();
    let alerts = policy.review(&[normal, newsletter, other_endpoint], &here(), c.now());
    assert_eq!(reviewed(&alerts), vec![(1, AlertReason::Urgent)]);
}

#[test]
fn a_review_decided_elsewhere_or_here_is_withdrawn_and_never_alerts_again() {
    let c = clock();
    let mut policy = NotificationPolicy::new(NotificationRules::default());
    let mut a = facts(1, Urgency::High);
    let mut b = facts(2, Urgency::High);
    policy.review(&[a.clone(), b.clone()], &here(), c.now());
    a.status = PacketStatus::Decided;
    b.decided_here = true;
    let alerts = policy.review(&[a.clone(), b.clone()], &here(), c.now());
    assert_eq!(
        alerts,
        vec![
            Alert::Withdraw { packet_id: 1 },
            Alert::Withdraw { packet_id: 2 }
        ]
    );
    assert!(policy.review(&[a, b], &here(), c.now()).is_empty());
    // A review that never had a popup of its own has nothing to withdraw.
    let mut silent = facts(3, Urgency::Normal);
    silent.status = PacketStatus::Withdrawn;
    assert!(policy.review(&[silent], &here(), c.now()).is_empty());
}
