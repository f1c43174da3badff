//! SHA-256 digests over RFC 8785 (JCS) canonical JSON, so that any implementation that
//! canonicalizes the same JSON value gets the same digest.

use crate::model::{Action, AgentRef, ContextItem, Impact, Outcome, Packet};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use crate::canonical::{canonical_json, canonical_value};

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `args_digest` of a decision record: SHA-256 of the canonical final arguments.
pub fn args_digest(args: &Value) -> String {
    sha256_hex(&canonical_value(args))
}

/// The parts of a packet a reviewer sees and the agent cannot change after creation.
/// Scheduling fields (status, urgency, deadline, extensions) are deliberately left out:
/// an escalation must not invalidate what the reviewer signed.
#[derive(Serialize)]
struct PacketAsShown<'a> {
    version: u32,
    id: &'a str,
    created_at: &'a DateTime<Utc>,
    agent: &'a AgentRef,
    action: &'a Action,
    args_schema: &'a Option<Value>,
    reasoning: &'a str,
    context: &'a [ContextItem],
    impact: &'a Impact,
    allowed_outcomes: &'a [Outcome],
}

/// `packet_digest` of a decision record.
pub fn packet_digest(packet: &Packet) -> String {
    let shown = PacketAsShown {
        version: packet.version,
        id: &packet.id,
        created_at: &packet.created_at,
        agent: &packet.agent,
        action: &packet.action,
        args_schema: &packet.args_schema,
        reasoning: &packet.reasoning,
        context: &packet.context,
        impact: &packet.impact,
        allowed_outcomes: &packet.allowed_outcomes,
    };
    sha256_hex(&canonical_json(&shown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn args_digest_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": [1, 2.50, "x"]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":[1,2.5,"x"],"b":1}"#).unwrap();
        assert_eq!(args_digest(&a), args_digest(&b));
        assert_ne!(
            args_digest(&a),
            args_digest(&json!({"a": [1, 2.5, "x"], "b": 2}))
        );
    }

    #[test]
    fn canonical_form_matches_rfc8785_example() {
        // Numbers and key ordering as in RFC 8785 section 3.2.2.
        let v: Value = serde_json::from_str(r#"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"literals":[null,true,false]}"#).unwrap();
        assert_eq!(
            String::from_utf8(canonical_json(&v)).unwrap(),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}"#
        );
    }
}
