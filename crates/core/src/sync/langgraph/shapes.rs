//! The interrupt payload shapes LangGraph graphs raise, mapped to review actions with
//! their allowed outcomes, and signed decisions mapped back to the resume value each
//! shape expects. Pure: no I/O, so every shape is unit-tested here.

use countersign_protocol::{DecisionRecord, Outcome};
use serde_json::{json, Value};

/// How an interrupt's value is laid out, which decides how it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Agent Inbox `HumanInterrupt` (`action_request`, `config`, `description`); `listed`
    /// when raised as a list (`interrupt([request])`), answered with a list then.
    AgentInbox { listed: bool },
    /// HumanInTheLoopMiddleware batched: `action_requests` + `review_configs`, answered
    /// with `{"decisions": [...]}` in order.
    HitlBatch,
    /// HumanInTheLoopMiddleware per call: `type: "tool_approval"` with a
    /// `response_schema`, answered with one decision keyed by interrupt id.
    ToolApproval,
    /// Anything else: shown as raw JSON, answered with a raw value.
    Raw,
}

impl Shape {
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::AgentInbox { .. } => "agent_inbox",
            Shape::HitlBatch => "hitl_batched",
            Shape::ToolApproval => "tool_approval",
            Shape::Raw => "raw",
        }
    }

    /// Whether the resume must be keyed by interrupt id even when it is the only one.
    pub fn keyed(self) -> bool {
        self == Shape::ToolApproval
    }
}

/// One action of an interrupt: what becomes one review packet.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewAction {
    pub name: String,
    pub args: Value,
    pub description: String,
    pub allowed: Vec<Outcome>,
    /// JSON Schema for edited args, when the interrupt publishes one.
    pub args_schema: Option<Value>,
}

/// An interrupt read as a shape and its actions (one, or several for a batch).
#[derive(Debug, Clone, PartialEq)]
pub struct MappedInterrupt {
    pub shape: Shape,
    pub actions: Vec<ReviewAction>,
}

/// The action name shown for interrupts of no known shape.
pub const RAW_ACTION: &str = "langgraph_interrupt";

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Read an interrupt value (and its `response_schema`, if any).
pub fn map_interrupt(value: &Value, response_schema: Option<&Value>) -> MappedInterrupt {
    if let Some(mapped) = agent_inbox(value)
        .or_else(|| hitl_batch(value))
        .or_else(|| tool_approval(value, response_schema))
    {
        return mapped;
    }
    MappedInterrupt {
        shape: Shape::Raw,
        actions: vec![ReviewAction {
            name: RAW_ACTION.into(),
            args: value.clone(),
            description: "An interrupt of a shape Countersign does not know. Answer with a \
                          raw resume value (JSON, or else sent as text)."
                .into(),
            allowed: vec![Outcome::Respond],
            args_schema: None,
        }],
    }
}

fn agent_inbox(value: &Value) -> Option<MappedInterrupt> {
    let (items, listed): (Vec<&Value>, bool) = match value {
        Value::Array(items) if !items.is_empty() => (items.iter().collect(), true),
        Value::Object(_) => (vec![value], false),
        _ => return None,
    };
    let mut actions = Vec::new();
    for item in items {
        let request = item.get("action_request")?;
        let name = request.get("action")?.as_str()?;
        let config = item.get("config").cloned().unwrap_or(Value::Null);
        let allowed: Vec<Outcome> = [
            ("allow_accept", Outcome::Approve),
            ("allow_edit", Outcome::Edit),
            ("allow_respond", Outcome::Respond),
            ("allow_ignore", Outcome::Ignore),
        ]
        .into_iter()
        .filter(|(key, _)| flag(&config, key))
        .map(|(_, outcome)| outcome)
        .collect();
        if allowed.is_empty() {
            return None;
        }
        actions.push(ReviewAction {
            name: name.to_string(),
            args: request.get("args").cloned().unwrap_or(json!({})),
            description: text(item, "description"),
            allowed,
            args_schema: None,
        });
    }
    Some(MappedInterrupt {
        shape: Shape::AgentInbox { listed },
        actions,
    })
}

fn hitl_outcome(decision: &str) -> Option<Outcome> {
    match decision {
        "approve" => Some(Outcome::Approve),
        "edit" => Some(Outcome::Edit),
        "reject" => Some(Outcome::Reject),
        "respond" => Some(Outcome::Respond),
        _ => None,
    }
}

fn allowed_decisions(list: Option<&Value>) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(hitl_outcome)
        .collect();
    out.dedup();
    out
}

fn hitl_batch(value: &Value) -> Option<MappedInterrupt> {
    let requests = value.get("action_requests")?.as_array()?;
    let configs = value.get("review_configs")?.as_array()?;
    if requests.is_empty() {
        return None;
    }
    let mut actions = Vec::new();
    for request in requests {
        let name = request.get("name")?.as_str()?;
        let config = configs
            .iter()
            .find(|c| c.get("action_name").and_then(Value::as_str) == Some(name))?;
        let allowed = allowed_decisions(config.get("allowed_decisions"));
        if allowed.is_empty() {
            return None;
        }
        actions.push(ReviewAction {
            name: name.to_string(),
            args: request.get("args").cloned().unwrap_or(json!({})),
            description: text(request, "description"),
            allowed,
            args_schema: config.get("args_schema").filter(|s| s.is_object()).cloned(),
        });
    }
    Some(MappedInterrupt {
        shape: Shape::HitlBatch,
        actions,
    })
}

fn tool_approval(value: &Value, schema: Option<&Value>) -> Option<MappedInterrupt> {
    if value.get("type").and_then(Value::as_str) != Some("tool_approval") {
        return None;
    }
    let name = value.get("name")?.as_str()?;
    let mut allowed = schema.map(schema_decisions).unwrap_or_default();
    if allowed.is_empty() {
        // No schema to read: the middleware's default set.
        allowed = vec![
            Outcome::Approve,
            Outcome::Edit,
            Outcome::Reject,
            Outcome::Respond,
        ];
    }
    Some(MappedInterrupt {
        shape: Shape::ToolApproval,
        actions: vec![ReviewAction {
            name: name.to_string(),
            args: value.get("args").cloned().unwrap_or(json!({})),
            description: text(value, "description"),
            allowed,
            args_schema: schema.and_then(|s| edit_args_schema(s, name)),
        }],
    })
}

/// The decision types a per-call `response_schema` accepts: the `type` constants of its
/// branches (`oneOf` of `$ref`s into `$defs`, or one plain object schema).
fn schema_decisions(schema: &Value) -> Vec<Outcome> {
    let resolve = |s: &'_ Value| -> Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix("#/")
                .map(|p| format!("/{p}"))
                .and_then(|p| schema.pointer(&p).cloned())
                .unwrap_or(Value::Null),
            None => s.clone(),
        }
    };
    let branches: Vec<Value> = match schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        Some(Value::Array(list)) => list.iter().map(resolve).collect(),
        _ => vec![schema.clone()],
    };
    let mut out: Vec<Outcome> = branches
        .iter()
        .filter_map(|b| b.pointer("/properties/type/const").and_then(Value::as_str))
        .filter_map(hitl_outcome)
        .collect();
    out.dedup();
    out
}

/// The tool's own argument schema from the edit branch of a per-call `response_schema`,
/// self-contained (only when it has no further references) so the edit form can use it.
fn edit_args_schema(schema: &Value, tool: &str) -> Option<Value> {
    let candidate = schema.pointer(&format!(
        "/$defs/{}",
        tool.replace('~', "~0").replace('/', "~1")
    ))?;
    (candidate.is_object() && !candidate.to_string().contains("\"$ref\""))
        .then(|| candidate.clone())
}

/// The answer to one action, in the shape's own words.
pub fn answer(shape: Shape, action_name: &str, record: &DecisionRecord) -> Result<Value, String> {
    let outcome = record.outcome;
    let args = || record.final_args.clone().unwrap_or(json!({}));
    let unsupported = || {
        Err(format!(
            "a {} interrupt cannot be answered with `{outcome}`",
            shape.as_str()
        ))
    };
    match shape {
        Shape::AgentInbox { .. } => match outcome {
            Outcome::Approve => Ok(json!({"type": "accept", "args": null})),
            Outcome::Edit => {
                Ok(json!({"type": "edit", "args": {"action": action_name, "args": args()}}))
            }
            Outcome::Respond => Ok(json!({"type": "response", "args": record.response})),
            Outcome::Ignore => Ok(json!({"type": "ignore", "args": null})),
            _ => unsupported(),
        },
        Shape::HitlBatch | Shape::ToolApproval => match outcome {
            Outcome::Approve => Ok(json!({"type": "approve"})),
            Outcome::Edit => {
                Ok(json!({"type": "edit", "edited_action": {"name": action_name, "args": args()}}))
            }
            Outcome::Reject => Ok(match &record.reason {
                Some(reason) => json!({"type": "reject", "message": reason}),
                None => json!({"type": "reject"}),
            }),
            Outcome::Respond => Ok(json!({"type": "respond", "message": record.response})),
            _ => unsupported(),
        },
        Shape::Raw => match outcome {
            // The reviewer typed the resume value: JSON when it parses, else the text.
            Outcome::Respond => {
                let text = record.response.clone().unwrap_or_default();
                Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
            }
            _ => unsupported(),
        },
    }
}

/// The resume value for a whole interrupt from the answers to its actions, in order.
pub fn resume_value(shape: Shape, answers: Vec<Value>) -> Value {
    match shape {
        Shape::AgentInbox { listed: true } => Value::Array(answers),
        Shape::HitlBatch => json!({ "decisions": answers }),
        Shape::AgentInbox { listed: false } | Shape::ToolApproval | Shape::Raw => {
            answers.into_iter().next().unwrap_or(Value::Null)
        }
    }
}

/// Check an answer against the interrupt's `response_schema` before anything is sent:
/// the server would reject it only after the run started.
pub fn check_response(schema: &Value, answer: &Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|e| format!("the interrupt's response_schema does not compile: {e}"))?;
    let first = validator.iter_errors(answer).next().map(|e| e.to_string());
    match first {
        None => Ok(()),
        Some(e) => Err(format!(
            "the answer does not match the interrupt's response_schema: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign_protocol::{DecisionVia, ReviewerRef};

    fn record(
        outcome: Outcome,
        args: Option<Value>,
        reason: Option<&str>,
        response: Option<&str>,
    ) -> DecisionRecord {
        DecisionRecord {
            version: 1,
            decision_id: "d".into(),
            packet_id: "p".into(),
            endpoint: "http://127.0.0.1:1".into(),
            packet_digest: "x".into(),
            outcome,
            final_args: args,
            args_digest: None,
            reason: reason.map(String::from),
            response: response.map(String::from),
            meaning: outcome.meaning().into(),
            via: DecisionVia::Cli,
            reviewer: ReviewerRef {
                id: "r".into(),
                display_name: "R".into(),
            },
            decided_at: chrono::Utc::now(),
            key_id: "k".into(),
        }
    }

    #[test]
    fn agent_inbox_list_maps_config_to_outcomes_and_answers_as_a_list() {
        let value = json!([{
            "action_request": {"action": "issue_refund", "args": {"amount": 5}},
            "config": {"allow_accept": true, "allow_edit": true, "allow_respond": false, "allow_ignore": true},
            "description": "why"
        }]);
        let m = map_interrupt(&value, None);
        assert_eq!(m.shape, Shape::AgentInbox { listed: true });
        assert_eq!(
            m.actions[0].allowed,
            vec![Outcome::Approve, Outcome::Edit, Outcome::Ignore]
        );
        let edit = answer(
            m.shape,
            "issue_refund",
            &record(Outcome::Edit, Some(json!({"amount": 3})), None, None),
        )
        .unwrap();
        assert_eq!(
            resume_value(m.shape, vec![edit]),
            json!([{"type": "edit", "args": {"action": "issue_refund", "args": {"amount": 3}}}])
        );
        assert!(answer(
            m.shape,
            "issue_refund",
            &record(Outcome::Reject, None, Some("no"), None)
        )
        .is_err());
    }

    #[test]
    fn a_single_human_interrupt_object_is_answered_with_a_single_response() {
        let value = json!({
            "action_request": {"action": "send", "args": {}},
            "config": {"allow_respond": true},
            "description": "d"
        });
        let m = map_interrupt(&value, None);
        assert_eq!(m.shape, Shape::AgentInbox { listed: false });
        let a = answer(
            m.shape,
            "send",
            &record(Outcome::Respond, None, None, Some("no")),
        )
        .unwrap();
        assert_eq!(
            resume_value(m.shape, vec![a]),
            json!({"type": "response", "args": "no"})
        );
        // All four flags off: nothing a reviewer could answer, so it is shown raw.
        let closed = json!({"action_request": {"action": "send", "args": {}}, "config": {}});
        assert_eq!(map_interrupt(&closed, None).shape, Shape::Raw);
    }

    #[test]
    fn batched_middleware_gives_one_action_each_and_decisions_in_order() {
        let value = json!({
            "action_requests": [
                {"name": "send_email", "args": {"to": "a"}, "description": "mail"},
                {"name": "delete_file", "args": {"path": "/x"}}
            ],
            "review_configs": [
                {"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]},
                {"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject", "respond"]}
            ]
        });
        let m = map_interrupt(&value, None);
        assert_eq!(m.shape, Shape::HitlBatch);
        assert_eq!(m.actions.len(), 2);
        assert_eq!(
            m.actions[1].allowed,
            vec![Outcome::Approve, Outcome::Reject]
        );
        let a = answer(
            m.shape,
            "send_email",
            &record(Outcome::Respond, None, None, Some("hi")),
        )
        .unwrap();
        let b = answer(
            m.shape,
            "delete_file",
            &record(Outcome::Reject, None, Some("keep it"), None),
        )
        .unwrap();
        assert_eq!(
            resume_value(m.shape, vec![a, b]),
            json!({"decisions": [{"type": "respond", "message": "hi"}, {"type": "reject", "message": "keep it"}]})
        );
    }

    #[test]
    fn per_call_reads_allowed_decisions_and_validates_answers_against_the_schema() {
        let schema = json!({
            "$defs": {
                "ApproveDecision": {"properties": {"type": {"const": "approve", "type": "string"}}, "required": ["type"], "type": "object"},
                "RejectDecision": {"properties": {"type": {"const": "reject", "type": "string"}, "message": {"type": "string"}}, "required": ["type"], "type": "object"}
            },
            "oneOf": [{"$ref": "#/$defs/ApproveDecision"}, {"$ref": "#/$defs/RejectDecision"}]
        });
        let value = json!({"type": "tool_approval", "tool_call_id": "c", "name": "delete_file", "args": {"path": "/x"}, "description": "d"});
        let m = map_interrupt(&value, Some(&schema));
        assert_eq!(m.shape, Shape::ToolApproval);
        assert_eq!(
            m.actions[0].allowed,
            vec![Outcome::Approve, Outcome::Reject]
        );
        let ok = answer(
            m.shape,
            "delete_file",
            &record(Outcome::Reject, None, Some("no"), None),
        )
        .unwrap();
        assert!(check_response(&schema, &ok).is_ok());
        let bad = json!({"type": "respond", "message": "x"});
        assert!(check_response(&schema, &bad).is_err());
    }

    #[test]
    fn unknown_shapes_are_raw_and_answered_with_json_or_text() {
        let m = map_interrupt(&json!({"question": "colour?"}), None);
        assert_eq!(m.shape, Shape::Raw);
        assert_eq!(m.actions[0].allowed, vec![Outcome::Respond]);
        let json_answer = answer(
            m.shape,
            RAW_ACTION,
            &record(Outcome::Respond, None, None, Some("{\"pick\":\"red\"}")),
        )
        .unwrap();
        assert_eq!(json_answer, json!({"pick": "red"}));
        let text_answer = answer(
            m.shape,
            RAW_ACTION,
            &record(Outcome::Respond, None, None, Some("red")),
        )
        .unwrap();
        assert_eq!(text_answer, json!("red"));
        // A plain string interrupt is raw too.
        assert_eq!(map_interrupt(&json!("age?"), None).shape, Shape::Raw);
    }
}
