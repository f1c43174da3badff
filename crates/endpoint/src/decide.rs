//! Accepting a signed decision: every verification rule of the spec, idempotent replay,
//! conflicts and quorum, applied in one transaction so that a decision is accepted at
//! most once and the packet's state, the decision and the change entry never disagree.

use chrono::{DateTime, Utc};
use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::jws;
use countersign_protocol::limits::Limits;
use countersign_protocol::validate::resolve_decision;
use countersign_protocol::{
    ChangeKind, DecisionReceipt, DecisionRecord, DecisionSubmission, Packet, PacketStatus,
    ProtocolError, QuorumMode, SignedDecision, PROTOCOL_VERSION,
};

use crate::agent::{DUPLICATE_SUBMISSIONS, SUBMISSIONS_RECEIVED};
use crate::deadlines::settle_deadline;
use crate::error::EndpointError;
use crate::state::AppState;
use crate::store::{self, StoredDecision, Writer};

/// Verify and record a decision for `packet_id`; answer the receipt (also on replay).
pub async fn submit_decision(
    state: &AppState,
    packet_id: String,
    submission: DecisionSubmission,
) -> Result<DecisionReceipt, EndpointError> {
    let now = state.now();
    let outcome = state
        .write(move |w| {
            store::bump_counter(w.conn(), SUBMISSIONS_RECEIVED)?;
            // Refusals come from checks that run before any write, so committing here
            // keeps only the counter; server faults still roll everything back.
            match accept(w, &packet_id, &submission, now) {
                Err(e) if !e.status_and_code().0.is_server_error() => Ok(Err(e)),
                other => other.map(Ok),
            }
        })
        .await?;
    outcome
}

fn receipt(decision: &StoredDecision) -> DecisionReceipt {
    DecisionReceipt {
        decision_id: decision.signed.decision_id.clone(),
        packet_id: decision.record().packet_id.clone(),
        acknowledged_at: decision.received_at,
        packet_status: decision.packet_status_after,
    }
}

fn accept(
    w: &mut Writer<'_>,
    packet_id: &str,
    submission: &DecisionSubmission,
    now: DateTime<Utc>,
) -> Result<DecisionReceipt, EndpointError> {
    if let Some(existing) = store::get_decision(w.conn(), &submission.decision_id)? {
        if existing.signed.jws != submission.jws || existing.record().packet_id != packet_id {
            return Err(EndpointError::Mismatch(format!(
                "decision `{}` was already accepted with different contents",
                submission.decision_id
            )));
        }
        store::bump_counter(w.conn(), DUPLICATE_SUBMISSIONS)?;
        return Ok(receipt(&existing));
    }

    let packet = store::get_packet(w.conn(), packet_id)?
        .ok_or_else(|| EndpointError::NotFound(format!("no review packet `{packet_id}`")))?;
    let (record, reviewer_id) = verify_signature(w, submission)?;
    check_binding(&record, &reviewer_id, packet_id, submission)?;

    // A decision racing the deadline ticker is judged as if the tick had already run.
    let mut appended = Vec::new();
    let mut packet = settle_deadline(w, packet, now, &mut appended)?;
    let earlier = store::decisions_for_packet(w.conn(), packet_id)?;
    match packet.status {
        PacketStatus::Pending => {}
        PacketStatus::Withdrawn => return Err(EndpointError::PacketWithdrawn),
        PacketStatus::Expired => return Err(EndpointError::PacketExpired),
        PacketStatus::Decided => {
            let winner = earlier.last().map(|d| d.signed.clone());
            return Err(match winner {
                Some(winner) => EndpointError::conflict("the packet was already decided", winner),
                // Closed without a signed decision: the agent answered it directly
                // (HumanLayer `/agent/.../respond`). Someone else still got there first.
                None => EndpointError::Conflict {
                    message: "the packet was already answered directly through the agent API \
                              (an unsigned answer), before this decision arrived"
                        .into(),
                    winner: None,
                },
            });
        }
    }
    if let Some(own) = earlier.iter().find(|d| d.reviewer_id == reviewer_id) {
        return Err(EndpointError::conflict(
            format!("reviewer `{reviewer_id}` already decided this packet"),
            own.signed.clone(),
        ));
    }
    check_content(&packet, &record)?;
    let status_after = quorum_status(&packet, &record, &earlier)?;

    let stored = StoredDecision {
        signed: SignedDecision {
            decision_id: submission.decision_id.clone(),
            jws: submission.jws.clone(),
            record: Some(record),
        },
        reviewer_id,
        received_at: now,
        packet_status_after: status_after,
    };
    store::insert_decision(w.conn(), &stored)?;
    packet.status = status_after;
    packet.updated_at = now;
    store::save_packet(w.conn(), &packet)?;
    let all_decisions = earlier
        .into_iter()
        .map(|d| d.signed)
        .chain(std::iter::once(stored.signed.clone()))
        .collect();
    let kind = match status_after {
        PacketStatus::Decided => ChangeKind::Decided,
        // A partial all_of approval: desktops still see who has approved so far.
        _ => ChangeKind::Changed,
    };
    w.append_change(kind, &packet, all_decisions)?;
    Ok(receipt(&stored))
}

/// The JWS verifies with the enrolled key its `kid` names. Returns the record and the
/// reviewer the key belongs to.
fn verify_signature(
    w: &Writer<'_>,
    submission: &DecisionSubmission,
) -> Result<(DecisionRecord, String), EndpointError> {
    let parsed = jws::parse(&submission.jws)?;
    let enrolled = store::enrolled_key(w.conn(), &parsed.header.kid)?
        .ok_or_else(|| EndpointError::UnknownKey(parsed.header.kid.clone()))?;
    let key = jws::verifying_key_from_jwk(&enrolled.public_key).map_err(|e| {
        EndpointError::Corrupt(format!("enrolled key `{}`: {e}", parsed.header.kid))
    })?;
    let record = jws::verify_decision(&submission.jws, &key)?;
    Ok((record, enrolled.reviewer_id))
}

/// The signed record is about this decision, this packet and this signer.
fn check_binding(
    record: &DecisionRecord,
    reviewer_id: &str,
    packet_id: &str,
    submission: &DecisionSubmission,
) -> Result<(), EndpointError> {
    if record.version != PROTOCOL_VERSION {
        return Err(ProtocolError::UnsupportedVersion(record.version).into());
    }
    if record.decision_id != submission.decision_id {
        return Err(EndpointError::Mismatch(format!(
            "the signed decision_id `{}` differs from the submitted `{}`",
            record.decision_id, submission.decision_id
        )));
    }
    if record.packet_id != packet_id {
        return Err(EndpointError::Mismatch(format!(
            "the decision is for packet `{}`, not `{packet_id}`",
            record.packet_id
        )));
    }
    if record.reviewer.id != reviewer_id {
        // Otherwise one enrolled reviewer could sign records naming another.
        return Err(EndpointError::Mismatch(format!(
            "the record names reviewer `{}` but key `{}` is enrolled for `{reviewer_id}`",
            record.reviewer.id, record.key_id
        )));
    }
    Ok(())
}

/// The record signs exactly this packet and arguments, and obeys the packet's rules.
fn check_content(packet: &Packet, record: &DecisionRecord) -> Result<(), EndpointError> {
    if record.meaning != record.outcome.meaning() {
        // The meaning is what a signature manifests (21 CFR 11.50); it must not contradict
        // the outcome, e.g. "approval" on a rejection.
        return Err(EndpointError::Mismatch(format!(
            "meaning `{}` does not match outcome `{}` (expected `{}`)",
            record.meaning,
            record.outcome,
            record.outcome.meaning()
        )));
    }
    if record.packet_digest != packet_digest(packet) {
        return Err(EndpointError::DigestMismatch(
            "packet_digest does not match the packet as served".into(),
        ));
    }
    let args_ok = match (&record.final_args, &record.args_digest) {
        (Some(args), Some(digest)) => *digest == args_digest(args),
        (None, None) => true,
        _ => false,
    };
    if !args_ok {
        return Err(EndpointError::DigestMismatch(
            "args_digest does not match final_args".into(),
        ));
    }
    let resolved = resolve_decision(
        packet,
        record.outcome,
        record.final_args.as_ref(),
        record.reason.as_deref(),
        record.response.as_deref(),
        &Limits::V1,
    )?;
    // Compare canonical digests so that `1` and `1.0` or key order do not matter.
    if resolved.final_args.as_ref().map(args_digest) != record.final_args.as_ref().map(args_digest)
    {
        return Err(EndpointError::Mismatch(match resolved.final_args {
            Some(_) => format!(
                "final_args of `{}` must equal the proposed args",
                record.outcome
            ),
            None => format!("outcome `{}` carries no final_args", record.outcome),
        }));
    }
    Ok(())
}

/// The packet's status once this decision is accepted.
fn quorum_status(
    packet: &Packet,
    record: &DecisionRecord,
    earlier: &[StoredDecision],
) -> Result<PacketStatus, EndpointError> {
    if packet.quorum.mode == QuorumMode::AnyOf || !record.outcome.permits_action() {
        // any_of: the first decision wins. all_of: any non-approval ends it at once.
        return Ok(PacketStatus::Decided);
    }
    // Earlier decisions on a still-pending all_of packet are all approvals. They must
    // approve the same arguments, or the agent would run args some approvers never saw.
    if let Some(first) = earlier.first() {
        if first.record().final_args.as_ref().map(args_digest)
            != record.final_args.as_ref().map(args_digest)
        {
            return Err(EndpointError::conflict(
                "all_of approvals must agree on final_args; this one differs from an earlier approval",
                first.signed.clone(),
            ));
        }
    }
    let approvals = earlier.len() as u32 + 1;
    Ok(if approvals >= packet.quorum.required {
        PacketStatus::Decided
    } else {
        PacketStatus::Pending
    })
}
