//! Decision records as a reviewer's client would sign them: well-formed for a packet
//! (correct digests, the key's id, a fresh decision id), so a test can then break exactly
//! one thing; and the enrollment that makes the key known.

use chrono::Utc;
use countersign_protocol::digest::{args_digest, packet_digest};
use countersign_protocol::jws::{key_id, public_jwk, sign_decision};
use countersign_protocol::{DecisionRecord, DecisionVia, Enrollment, Outcome, Packet, ReviewerRef};
use ed25519_dalek::SigningKey;
use serde_json::Value;

/// The test signing key derived from `seed` (every byte `seed`): the same seed is the
/// same reviewer key in every test.
pub fn test_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn reviewer(id: &str) -> ReviewerRef {
    ReviewerRef {
        id: id.into(),
        display_name: format!("Reviewer {id}"),
    }
}

/// The enrollment of `key` for `reviewer_id` (display name "Reviewer {id}").
pub fn enrollment_of(key: &SigningKey, reviewer_id: &str) -> Enrollment {
    let verifying = key.verifying_key();
    Enrollment {
        reviewer: reviewer(reviewer_id),
        key_id: key_id(&verifying),
        public_key: public_jwk(&verifying),
    }
}

/// An approval of `packet`'s proposed args, unsigned: the record most tests submit.
pub fn approval(packet: &Packet, key: &SigningKey, reviewer_id: &str) -> DecisionRecord {
    DecisionRecordBuilder::new(packet, key, reviewer_id).build()
}

/// A decision record for one packet by one reviewer key; by default an approval of the
/// proposed args, decided now in the window.
pub struct DecisionRecordBuilder<'a> {
    key: &'a SigningKey,
    record: DecisionRecord,
}

impl<'a> DecisionRecordBuilder<'a> {
    /// An approval of `packet`'s proposed args by `reviewer_id` holding `key`.
    pub fn new(packet: &Packet, key: &'a SigningKey, reviewer_id: &str) -> Self {
        DecisionRecordBuilder {
            key,
            record: DecisionRecord {
                version: 1,
                decision_id: uuid::Uuid::now_v7().to_string(),
                packet_id: packet.id.clone(),
                endpoint: "http://127.0.0.1".into(),
                packet_digest: packet_digest(packet),
                outcome: Outcome::Approve,
                args_digest: Some(args_digest(&packet.action.args)),
                final_args: Some(packet.action.args.clone()),
                reason: None,
                response: None,
                meaning: Outcome::Approve.meaning().into(),
                via: DecisionVia::Window,
                reviewer: reviewer(reviewer_id),
                decided_at: Utc::now(),
                key_id: key_id(&key.verifying_key()),
            },
        }
    }

    /// Another outcome, with its standard meaning; the final args stay as they are.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.record.outcome = outcome;
        self.record.meaning = outcome.meaning().into();
        self
    }

    /// The args the decision settles on (`None`: none, as a rejection has), digest included.
    pub fn final_args(mut self, args: Option<Value>) -> Self {
        self.record.args_digest = args.as_ref().map(args_digest);
        self.record.final_args = args;
        self
    }

    pub fn reason(mut self, reason: &str) -> Self {
        self.record.reason = Some(reason.into());
        self
    }

    /// The record, unsigned (tests alter it before [`crate::InProcessEndpoint::decide`]
    /// signs it).
    pub fn build(self) -> DecisionRecord {
        self.record
    }

    /// The record and its JWS signed with the builder's key.
    pub fn signed(self) -> (DecisionRecord, String) {
        let jws = sign_decision(&self.record, self.key);
        (self.record, jws)
    }
}
