//! The JSON shapes the HumanLayer SDKs send and validate (Python `humanlayer.core.models`,
//! TypeScript `models.ts`, SDK 0.7.x): function calls, human contacts, their specs and
//! statuses, response options and escalations.
//!
//! Responses carry every field the SDK models declare (nulls included), timestamps with
//! millisecond precision, and one extra `countersign` object that the SDKs ignore.

use countersign_protocol::{PacketStatus, SignedDecision};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A reject option (function calls) or response option (contacts) offered to the human.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResponseOption {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub prompt_fill: Option<String>,
    #[serde(default)]
    pub interactive: bool,
}

/// What the agent wants to run. `channel` and `state` are kept opaque and echoed back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FunctionCallSpec {
    #[serde(rename = "fn")]
    pub function: String,
    /// The TypeScript SDK omits it when the tool takes no arguments.
    #[serde(default = "empty_object", deserialize_with = "null_as_empty_object")]
    pub kwargs: Value,
    #[serde(default)]
    pub channel: Option<Value>,
    #[serde(default)]
    pub reject_options: Option<Vec<ResponseOption>>,
    #[serde(default)]
    pub state: Option<Value>,
}

/// What the agent asks a human.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HumanContactSpec {
    pub msg: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub channel: Option<Value>,
    #[serde(default)]
    pub response_options: Option<Vec<ResponseOption>>,
    #[serde(default)]
    pub state: Option<Value>,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

fn null_as_empty_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => empty_object(),
        other => other,
    })
}

/// Body of `POST /function_calls` and `POST /contact_requests` (`status` is ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct CallRequest<Spec> {
    pub run_id: String,
    pub call_id: String,
    pub spec: Spec,
}

/// `FunctionCallStatus` as served (timestamps as RFC 3339 text).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct FunctionCallStatus {
    pub requested_at: Option<String>,
    pub responded_at: Option<String>,
    pub approved: Option<bool>,
    pub comment: Option<String>,
    pub reject_option_name: Option<String>,
    #[serde(default)]
    pub slack_message_ts: Option<String>,
}

/// `HumanContactStatus` as served.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct HumanContactStatus {
    pub requested_at: Option<String>,
    pub responded_at: Option<String>,
    pub response: Option<String>,
    pub response_option_name: Option<String>,
}

/// Body of `POST /agent/function_calls/{call_id}/respond` (other fields are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct FunctionCallAnswer {
    #[serde(default)]
    pub approved: Option<bool>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub reject_option_name: Option<String>,
}

/// Body of `POST /agent/human_contacts/{call_id}/respond`.
#[derive(Debug, Clone, Deserialize)]
pub struct HumanContactAnswer {
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub response_option_name: Option<String>,
}

/// Body of the `escalate_email` endpoints. Recipients and channel are recorded, not mailed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Escalation {
    pub escalation_msg: String,
    #[serde(default)]
    pub additional_recipients: Option<Value>,
    #[serde(default)]
    pub channel: Option<Value>,
}

/// An answer given through `/agent/.../respond`: stored as is and never presented as a
/// reviewer's signed decision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnsignedAnswer {
    /// Always `false`: nobody signed this answer.
    pub signed: bool,
    pub via: String,
    pub responded_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_option_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_option_name: Option<String>,
}

/// Countersign's audit view of a call, added to every response: the review packet it
/// became and the signed decisions (compact JWS) or the unsigned answer that settled it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CountersignInfo {
    pub packet_id: String,
    pub packet_status: PacketStatus,
    /// `countersign` (a signed decision), `agent_api` (unsigned) or null while open.
    pub answered_by: Option<String>,
    #[serde(default)]
    pub decisions: Vec<SignedDecision>,
    #[serde(default)]
    pub unsigned_answer: Option<UnsignedAnswer>,
    /// How many `escalate_email` requests raised this call's urgency.
    #[serde(default)]
    pub escalations: u64,
}

/// A function call as the SDK validates it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FunctionCall {
    pub run_id: String,
    pub call_id: String,
    pub spec: FunctionCallSpec,
    pub status: FunctionCallStatus,
    pub countersign: CountersignInfo,
}

/// A contact request as the SDK validates it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HumanContact {
    pub run_id: String,
    pub call_id: String,
    pub spec: HumanContactSpec,
    pub status: HumanContactStatus,
    pub countersign: CountersignInfo,
}
