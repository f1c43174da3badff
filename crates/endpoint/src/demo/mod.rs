//! Demo mode: plays a handful of realistic agents (refunds, outbound email, CRM edits,
//! production deploys, data exports) against this endpoint. It seeds a queue at start,
//! adds a packet every `interval`, and each "agent" long-polls its decision and logs what
//! it would do. Packets are created through the same function as `POST /v1/agent/reviews`.

mod catalog;

use std::time::Duration;

use countersign_protocol::{AgentDecisionView, Outcome, PacketDraft, PacketStatus};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::task::JoinSet;

use crate::agent;
use crate::state::AppState;
use crate::tokens::token_hash;
use crate::DemoConfig;

/// Longest single long-poll of a demo agent (the protocol maximum).
const AGENT_WAIT: Duration = Duration::from_secs(60);

pub async fn run(state: AppState, config: DemoConfig) {
    let Some(token) = state.demo_agent_token() else {
        return;
    };
    let agent_token = token_hash(token);
    let mut rng = StdRng::from_entropy();
    let mut agents = JoinSet::new();
    tracing::info!(seed = config.seed_packets, interval = ?config.interval, "demo agents starting");
    for index in 0..config.seed_packets {
        let mut draft = catalog::scenario(index, state.now(), &mut rng);
        // Fixed keys: restarting the demo on the same database does not duplicate the seed.
        draft.agent_key = Some(format!("demo-seed-{index}"));
        agents.spawn(play_agent(state.clone(), agent_token.clone(), draft));
    }
    let mut index = config.seed_packets;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(config.interval) => {}
            _ = state.stopped() => break,
        }
        let mut draft = catalog::scenario(index, state.now(), &mut rng);
        draft.agent_key = Some(format!("demo-{}", uuid::Uuid::now_v7()));
        agents.spawn(play_agent(state.clone(), agent_token.clone(), draft));
        index += 1;
        // Reap finished agents so a long demo does not accumulate handles.
        while agents.try_join_next().is_some() {}
    }
    // Agents return promptly once the stop signal is set.
    while agents.join_next().await.is_some() {}
}

/// One agent: ask for review, wait for the answer, say what it would do.
async fn play_agent(state: AppState, agent_token: String, draft: PacketDraft) {
    let agent_name = draft.agent.name.clone();
    let action = draft.action.name.clone();
    let packet = match agent::create_packet(&state, &agent_token, draft, None).await {
        Ok((packet, _created)) => packet,
        Err(e) => {
            tracing::warn!(agent = %agent_name, error = %e, "demo agent could not create its packet");
            return;
        }
    };
    tracing::info!(agent = %agent_name, packet = %packet.id, %action, "demo agent waiting for review");
    loop {
        if state.is_stopping() {
            return;
        }
        match agent::wait_for_decision(&state, packet.id.clone(), AGENT_WAIT).await {
            Ok(view) if view.status == PacketStatus::Pending => continue,
            Ok(view) => {
                report(&agent_name, &action, &view);
                return;
            }
            Err(e) => {
                tracing::warn!(agent = %agent_name, error = %e, "demo agent stopped waiting");
                return;
            }
        }
    }
}

fn report(agent: &str, action: &str, view: &AgentDecisionView) {
    let packet = &view.packet_id;
    match (view.status, view.outcome) {
        (PacketStatus::Decided, Some(outcome @ (Outcome::Approve | Outcome::Edit))) => {
            let args = view
                .final_args
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default();
            tracing::info!(%agent, %packet, %outcome, "would now run {action} with {args}");
        }
        (PacketStatus::Decided, Some(Outcome::Respond)) => {
            let response = view.response.as_deref().unwrap_or("");
            tracing::info!(%agent, %packet, "would not run {action}; reviewer replied: {response}");
        }
        (PacketStatus::Decided, Some(outcome)) => {
            let reason = view.reason.as_deref().unwrap_or("no reason given");
            tracing::info!(%agent, %packet, %outcome, "would not run {action}: {reason}");
        }
        (PacketStatus::Expired, _) => {
            tracing::info!(%agent, %packet, "deadline passed without approval; failing closed, {action} not run")
        }
        (status, _) => tracing::info!(%agent, %packet, status = status.as_str(), "stopped waiting"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use countersign_protocol::limits::Limits;
    use countersign_protocol::validate::validate_draft;
    use countersign_protocol::OnExpiry;
    use rand::SeedableRng;

    use super::catalog::scenario;

    use crate::{EndpointConfig, DEMO_AGENT_TOKEN, DEMO_REVIEWER_TOKEN};

    #[tokio::test]
    async fn demo_seeds_then_keeps_creating_with_default_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let config = EndpointConfig {
            db_path: dir.path().join("demo.sqlite"),
            reviewer_tokens: Vec::new(),
            agent_tokens: Vec::new(),
            demo: Some(crate::DemoConfig {
                interval: std::time::Duration::from_millis(100),
                seed_packets: 12,
            }),
            clock: Arc::new(countersign_clock::PreciseSystemClock),
        };
        let running = crate::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = reqwest::Client::new();
        let stats_url = format!("{}/v1/agent/stats", running.url());
        let started = std::time::Instant::now();
        let packets = loop {
            let stats: serde_json::Value = client
                .get(&stats_url)
                .bearer_auth(DEMO_AGENT_TOKEN)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let packets = stats["packets"].as_u64().unwrap();
            if packets > 12 || started.elapsed() > std::time::Duration::from_secs(5) {
                break packets;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert!(
            packets > 12,
            "seeded 12, then more on the interval; got {packets}"
        );
        let feed = client
            .get(format!("{}/v1/reviews", running.url()))
            .bearer_auth(DEMO_REVIEWER_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(feed.status(), 200);
        // Demo agents are long-polling: shutdown must still be prompt.
        tokio::time::timeout(std::time::Duration::from_secs(5), running.shutdown())
            .await
            .expect("graceful shutdown with waiting demo agents");
    }

    #[test]
    fn every_scenario_is_a_valid_draft() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let now = Utc::now();
        for index in 0..60 {
            let draft = scenario(index, now, &mut rng);
            if let Err(e) = validate_draft(&draft, &Limits::V1) {
                panic!("scenario {index} ({}) is invalid: {e}", draft.action.name);
            }
        }
        let seeded: Vec<_> = (0..12).map(|i| scenario(i, now, &mut rng)).collect();
        let policies: Vec<_> = seeded
            .iter()
            .filter(|d| d.deadline.is_some())
            .map(|d| d.timeout_policy.on_expiry)
            .collect();
        for policy in [OnExpiry::FailClosed, OnExpiry::Escalate, OnExpiry::Extend] {
            assert!(policies.contains(&policy), "the seed shows {policy:?}");
        }
    }
}
