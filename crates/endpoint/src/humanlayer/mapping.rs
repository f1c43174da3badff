//! Mapping between HumanLayer calls and Countersign review packets: a function call or
//! contact request becomes a packet draft; a packet, its signed decisions and any unsigned
//! answer become the status the SDK polls for; an escalation raises the packet's urgency.

use chrono::{DateTime, SecondsFormat, Utc};
use countersign_protocol::limits::Limits;
use countersign_protocol::{
    Action, AgentRef, ContextItem, DecisionRecord, Outcome, Packet, PacketDraft, PacketStatus,
    Urgency,
};
use serde_json::json;

use super::calls::CallRow;
use super::models::{
    CountersignInfo, Escalation, FunctionCallSpec, FunctionCallStatus, HumanContactSpec,
    HumanContactStatus, ResponseOption,
};
use crate::store::StoredDecision;

/// The action name of a packet made from a contact request.
pub const CONTACT_ACTION: &str = "human_contact";

/// RFC 3339 with milliseconds, which every SDK's date parser accepts.
pub fn ts(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Text safe inside a Markdown code span.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

fn option_lines(options: &[ResponseOption]) -> String {
    options
        .iter()
        .map(|o| {
            let mut line = format!("- {}", code(&o.name));
            let details: Vec<&str> = [o.title.as_deref(), o.description.as_deref()]
                .into_iter()
                .flatten()
                .filter(|t| !t.trim().is_empty())
                .collect();
            if !details.is_empty() {
                line.push_str(" — ");
                line.push_str(&details.join(": "));
            }
            line.push('\n');
            line
        })
        .collect()
}

fn base_draft(
    run_id: &str,
    action: Action,
    reasoning: String,
    outcomes: Vec<Outcome>,
) -> PacketDraft {
    PacketDraft {
        agent_key: None,
        agent: AgentRef {
            name: run_id.to_string(),
            run_id: Some(run_id.to_string()),
            thread_id: None,
        },
        action,
        args_schema: None,
        reasoning,
        context: Vec::new(),
        impact: Default::default(),
        urgency: Urgency::Normal,
        deadline: None,
        timeout_policy: Default::default(),
        allowed_outcomes: outcomes,
        assignment: None,
        quorum: Default::default(),
    }
}

/// A function call becomes a packet to approve or reject. Edits are not offered: the SDK
/// runs the function with its own arguments whatever the answer says.
pub fn function_call_draft(run_id: &str, call_id: &str, spec: &FunctionCallSpec) -> PacketDraft {
    let mut reasoning = format!(
        "HumanLayer function call {} from run {}.\n\n\
         If approved, the agent runs {} with exactly these arguments (edits cannot be passed \
         back through the HumanLayer API). A rejection's reason reaches the agent as the \
         comment.\n",
        code(call_id),
        code(run_id),
        code(&spec.function),
    );
    if let Some(options) = spec.reject_options.as_ref().filter(|o| !o.is_empty()) {
        reasoning.push_str(
            "\n**Reject options** (give the option name as the reason to choose one):\n\n",
        );
        reasoning.push_str(&option_lines(options));
    }
    let action = Action {
        name: spec.function.clone(),
        args: spec.kwargs.clone(),
    };
    base_draft(
        run_id,
        action,
        reasoning,
        vec![Outcome::Approve, Outcome::Reject],
    )
}

/// A contact request becomes a packet whose only outcome is a written response.
pub fn contact_draft(run_id: &str, call_id: &str, spec: &HumanContactSpec) -> PacketDraft {
    let mut reasoning = format!(
        "HumanLayer contact request {} from run {}. The agent waits for your written \
         response.\n\n",
        code(call_id),
        code(run_id)
    );
    if let Some(subject) = spec.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        reasoning.push_str(&format!("**Subject:** {subject}\n\n"));
    }
    reasoning.push_str(&spec.msg);
    reasoning.push('\n');
    if let Some(options) = spec.response_options.as_ref().filter(|o| !o.is_empty()) {
        reasoning.push_str("\n**Suggested responses:**\n\n");
        reasoning.push_str(&option_lines(options));
    }
    let mut args = json!({ "msg": spec.msg });
    if let Some(subject) = &spec.subject {
        args["subject"] = json!(subject);
    }
    let action = Action {
        name: CONTACT_ACTION.into(),
        args,
    };
    base_draft(run_id, action, reasoning, vec![Outcome::Respond])
}

/// The option a free-text answer names: its name or title, ignoring case and spaces.
pub fn matching_option(
    options: Option<&Vec<ResponseOption>>,
    text: Option<&str>,
) -> Option<String> {
    let text = text?.trim();
    options?
        .iter()
        .find(|o| {
            o.name.trim().eq_ignore_ascii_case(text)
                || o.title
                    .as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(text))
        })
        .map(|o| o.name.clone())
}

/// The record that settled the packet, if a signed decision did.
fn deciding(packet: &Packet, decisions: &[StoredDecision]) -> Option<DecisionRecord> {
    (packet.status == PacketStatus::Decided)
        .then(|| decisions.last())
        .flatten()
        .map(|d| d.record().clone())
}

pub fn countersign_info(
    row: &CallRow,
    packet: &Packet,
    decisions: &[StoredDecision],
    escalations: u64,
) -> CountersignInfo {
    let answered_by = if row.unsigned_answer.is_some() {
        Some("agent_api".to_string())
    } else if deciding(packet, decisions).is_some() {
        Some("countersign".to_string())
    } else {
        None
    };
    CountersignInfo {
        packet_id: packet.id.clone(),
        packet_status: packet.status,
        answered_by,
        decisions: decisions.iter().map(|d| d.signed.clone()).collect(),
        unsigned_answer: row.unsigned_answer.clone(),
        escalations,
    }
}

/// What `GET /function_calls/{call_id}` reports: `approved` stays null until settled.
pub fn function_call_status(
    row: &CallRow,
    spec: &FunctionCallSpec,
    packet: &Packet,
    decisions: &[StoredDecision],
) -> FunctionCallStatus {
    let mut status = FunctionCallStatus {
        requested_at: Some(ts(packet.created_at)),
        ..Default::default()
    };
    if let Some(answer) = &row.unsigned_answer {
        status.responded_at = Some(answer.responded_at.clone());
        status.approved = answer.approved;
        status.comment = answer.comment.clone();
        status.reject_option_name = answer.reject_option_name.clone();
        return status;
    }
    let refusal = |status: &mut FunctionCallStatus, comment: String, at: DateTime<Utc>| {
        status.approved = Some(false);
        status.comment = Some(comment);
        status.responded_at = Some(ts(at));
    };
    match packet.status {
        PacketStatus::Pending => {}
        PacketStatus::Decided => match deciding(packet, decisions) {
            Some(record) if record.outcome == Outcome::Approve => {
                status.approved = Some(true);
                status.comment = record.reason.clone();
                status.responded_at = Some(ts(record.decided_at));
            }
            Some(record) => {
                // Only approve and reject are offered; anything else fails closed.
                let comment = match record.outcome {
                    Outcome::Reject => record.reason.clone().unwrap_or_default(),
                    other => {
                        format!("the reviewer chose `{other}`, which does not approve the call")
                    }
                };
                status.reject_option_name =
                    matching_option(spec.reject_options.as_ref(), record.reason.as_deref());
                refusal(&mut status, comment, record.decided_at);
            }
            None => refusal(
                &mut status,
                "closed without a decision".into(),
                packet.updated_at,
            ),
        },
        PacketStatus::Withdrawn => refusal(
            &mut status,
            "the review was withdrawn before anyone decided".into(),
            packet.updated_at,
        ),
        PacketStatus::Expired => refusal(
            &mut status,
            "no reviewer decided before the deadline".into(),
            packet.updated_at,
        ),
    }
    status
}

/// What `GET /contact_requests/{call_id}` reports: `response` stays null until answered.
pub fn contact_status(
    row: &CallRow,
    spec: &HumanContactSpec,
    packet: &Packet,
    decisions: &[StoredDecision],
) -> HumanContactStatus {
    let mut status = HumanContactStatus {
        requested_at: Some(ts(packet.created_at)),
        ..Default::default()
    };
    if let Some(answer) = &row.unsigned_answer {
        status.responded_at = Some(answer.responded_at.clone());
        status.response = answer.response.clone();
        status.response_option_name = answer.response_option_name.clone();
    } else if let Some(record) = deciding(packet, decisions) {
        status.responded_at = Some(ts(record.decided_at));
        status.response = record.response.clone().or(record.reason.clone());
        status.response_option_name =
            matching_option(spec.response_options.as_ref(), status.response.as_deref());
    }
    status
}

/// Raise the packet to critical urgency (desktops notify on it) and show the message.
pub fn escalate(packet: &mut Packet, escalation: &Escalation, now: DateTime<Utc>) {
    let limits = Limits::V1;
    packet.urgency = Urgency::Critical;
    packet.updated_at = now;
    if packet.context.len() < limits.context_items {
        let mut excerpt = escalation.escalation_msg.clone();
        if excerpt.len() > limits.context_excerpt {
            let mut cut = limits.context_excerpt;
            while !excerpt.is_char_boundary(cut) {
                cut -= 1;
            }
            excerpt.truncate(cut);
        }
        packet.context.push(ContextItem {
            title: format!("Escalated by the agent at {}", ts(now)),
            source: Some("humanlayer escalate_email".into()),
            excerpt,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(name: &str, title: Option<&str>) -> ResponseOption {
        ResponseOption {
            name: name.into(),
            title: title.map(String::from),
            description: None,
            prompt_fill: None,
            interactive: false,
        }
    }

    #[test]
    fn reasons_match_options_by_name_or_title() {
        let options = vec![
            option("too_risky", Some("Too risky")),
            option("later", None),
        ];
        let found = |t| matching_option(Some(&options), Some(t));
        assert_eq!(found(" TOO_RISKY "), Some("too_risky".into()));
        assert_eq!(found("too risky"), Some("too_risky".into()));
        assert_eq!(found("later"), Some("later".into()));
        assert_eq!(found("no thanks"), None);
        assert_eq!(matching_option(None, Some("later")), None);
    }

    #[test]
    fn function_calls_offer_approve_and_reject_and_list_reject_options() {
        let spec = FunctionCallSpec {
            function: "send`email".into(),
            kwargs: json!({"to": "a@example.com"}),
            channel: None,
            reject_options: Some(vec![option("wrong_recipient", Some("Wrong recipient"))]),
            state: None,
        };
        let draft = function_call_draft("run-1", "call-1", &spec);
        assert_eq!(
            draft.allowed_outcomes,
            vec![Outcome::Approve, Outcome::Reject]
        );
        assert_eq!(draft.action.name, "send`email");
        assert_eq!(draft.action.args, spec.kwargs);
        assert_eq!(draft.agent.name, "run-1");
        assert!(draft
            .reasoning
            .contains("- `wrong_recipient` — Wrong recipient"));
        assert!(draft.reasoning.contains("`send'email`"));
    }
}
