//! Deadlines and timeout policies: a ticker (every 250 ms, sooner when a deadline is
//! nearer) applies `fail_closed`, `escalate` or `extend` to pending packets whose deadline
//! has passed, on the injected clock.
//!
//! The same rule runs inside decision acceptance (`settle_deadline`), so a decision that
//! arrives after the deadline but before the next tick is judged as if the tick had run.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use countersign_protocol::{Change, ChangeKind, OnExpiry, Packet, PacketStatus, Urgency};

use crate::state::AppState;
use crate::store::{self, to_ms, StoreResult, Writer};

/// Longest pause between two passes.
const TICK: Duration = Duration::from_millis(250);
/// `extend_seconds` when the policy does not say.
pub const DEFAULT_EXTEND_SECONDS: u64 = 3600;

/// Apply timeout policies until the endpoint stops.
pub async fn run_ticker(state: AppState) {
    while !state.is_stopping() {
        if let Err(e) = apply_due_deadlines(&state, state.now()).await {
            tracing::warn!(error = %e, "applying deadlines failed; retrying on the next tick");
        }
        let pause = match state.read(store::nearest_deadline).await {
            Ok(Some(deadline_ms)) => {
                let until = deadline_ms.saturating_sub(to_ms(state.now())).max(0) as u64;
                TICK.min(Duration::from_millis(until))
            }
            _ => TICK,
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = state.stopped() => {}
        }
    }
}

/// Apply the timeout policy of every pending packet whose deadline is at or before `now`.
/// Returns the changes appended.
pub async fn apply_due_deadlines(state: &AppState, now: DateTime<Utc>) -> StoreResult<Vec<Change>> {
    state
        .write(move |w| {
            let mut appended = Vec::new();
            for packet in store::due_packets(w.conn(), to_ms(now))? {
                settle_deadline(w, packet, now, &mut appended)?;
            }
            Ok(appended)
        })
        .await
}

fn is_due(packet: &Packet, now: DateTime<Utc>) -> bool {
    packet.status == PacketStatus::Pending
        && packet.deadline.is_some_and(|d| to_ms(d) <= to_ms(now))
}

/// Bring one packet up to date with its deadline: apply the policy (repeatedly, if the
/// clock jumped past several extensions) and return the packet as it now stands.
pub fn settle_deadline(
    w: &mut Writer<'_>,
    mut packet: Packet,
    now: DateTime<Utc>,
    appended: &mut Vec<Change>,
) -> StoreResult<Packet> {
    // Terminates: each pass either expires the packet or spends one of a bounded number
    // of extensions.
    while is_due(&packet, now) {
        let policy = packet.timeout_policy.clone();
        let may_extend =
            policy.on_expiry != OnExpiry::FailClosed && packet.extensions < policy.max_extensions;
        let kind = if may_extend {
            if policy.on_expiry == OnExpiry::Escalate {
                packet.urgency = Urgency::Critical;
            }
            let extend = policy.extend_seconds.unwrap_or(DEFAULT_EXTEND_SECONDS);
            let extend = TimeDelta::try_seconds(extend.min(i64::MAX as u64 / 1000) as i64)
                .unwrap_or(TimeDelta::MAX);
            packet.deadline = packet.deadline.map(|d| {
                d.checked_add_signed(extend)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
            });
            packet.extensions += 1;
            ChangeKind::Changed
        } else {
            packet.status = PacketStatus::Expired;
            ChangeKind::Expired
        };
        packet.updated_at = now;
        store::save_packet(w.conn(), &packet)?;
        let decisions = store::decisions_for_packet(w.conn(), &packet.id)?
            .into_iter()
            .map(|d| d.signed)
            .collect();
        tracing::info!(packet = %packet.id, ?kind, extensions = packet.extensions, "deadline passed");
        appended.push(w.append_change(kind, &packet, decisions)?);
    }
    Ok(packet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DemoConfig, EndpointConfig};
    use countersign_protocol::{PacketDraft, TimeoutPolicy};
    use std::sync::Arc;

    fn open_state(dir: &tempfile::TempDir) -> AppState {
        let config = EndpointConfig {
            db_path: dir.path().join("endpoint.sqlite"),
            reviewer_tokens: vec!["r".into()],
            agent_tokens: vec!["a".into()],
            demo: None::<DemoConfig>,
            clock: Arc::new(countersign_clock::PreciseSystemClock),
        };
        AppState::open(config, tokio::sync::watch::channel(false).1).unwrap()
    }

    fn draft(deadline: DateTime<Utc>, on_expiry: OnExpiry, max_extensions: u32) -> PacketDraft {
        let mut draft: PacketDraft = serde_json::from_value(serde_json::json!({
            "agent": {"name": "deadline-test"},
            "action": {"name": "noop", "args": {}}
        }))
        .unwrap();
        draft.deadline = Some(deadline);
        draft.timeout_policy = TimeoutPolicy {
            on_expiry,
            extend_seconds: Some(60),
            max_extensions,
        };
        draft
    }

    #[tokio::test]
    async fn policies_expire_escalate_and_extend_then_fail_closed() {
        let dir = tempfile::tempdir().unwrap();
        let state = open_state(&dir);
        let t0 = Utc::now();
        let create = |d| crate::agent::create_packet(&state, "h", d, None);
        let (closed, _) = create(draft(t0, OnExpiry::FailClosed, 1)).await.unwrap();
        let (escalated, _) = create(draft(t0, OnExpiry::Escalate, 1)).await.unwrap();
        let (extended, _) = create(draft(t0, OnExpiry::Extend, 1)).await.unwrap();
        let (later, _) = create(draft(t0 + TimeDelta::hours(1), OnExpiry::FailClosed, 1))
            .await
            .unwrap();

        let before = apply_due_deadlines(&state, t0 - TimeDelta::seconds(1))
            .await
            .unwrap();
        assert!(before.is_empty(), "nothing is due before the deadline");

        let changes = apply_due_deadlines(&state, t0).await.unwrap();
        let kind_of = |id: &str| {
            changes
                .iter()
                .find(|c| c.packet.id == id)
                .map(|c| (c.kind, c.packet.clone()))
        };
        let (kind, p) = kind_of(&closed.id).unwrap();
        assert_eq!(
            (kind, p.status),
            (ChangeKind::Expired, PacketStatus::Expired)
        );
        let (kind, p) = kind_of(&escalated.id).unwrap();
        assert_eq!(
            (kind, p.urgency, p.extensions),
            (ChangeKind::Changed, Urgency::Critical, 1)
        );
        assert_eq!(p.deadline, Some(t0 + TimeDelta::seconds(60)));
        let (kind, p) = kind_of(&extended.id).unwrap();
        assert_eq!(
            (kind, p.urgency, p.status),
            (ChangeKind::Changed, Urgency::Normal, PacketStatus::Pending)
        );
        assert!(kind_of(&later.id).is_none());

        // Extensions used up: the next deadline fails closed.
        let changes = apply_due_deadlines(&state, t0 + TimeDelta::seconds(60))
            .await
            .unwrap();
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c.kind == ChangeKind::Expired));
    }
}
