//! Validation rules both sides apply: packet drafts and packets (size limits, required
//! fields, a compilable `args_schema`) and decisions (allowed outcome, reason, schema).

use crate::error::ProtocolError;
use crate::limits::Limits;
use crate::model::{ContextItem, Outcome, Packet, PacketDraft};
use serde_json::Value;

fn check_len(field: &str, value: &str, limit: usize) -> Result<(), ProtocolError> {
    if value.len() > limit {
        return Err(ProtocolError::FieldTooLarge {
            field: field.into(),
            size: value.len(),
            limit,
        });
    }
    Ok(())
}

fn check_json_len(field: &str, value: &Value, limit: usize) -> Result<(), ProtocolError> {
    let size = serde_json::to_vec(value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > limit {
        return Err(ProtocolError::FieldTooLarge {
            field: field.into(),
            size,
            limit,
        });
    }
    Ok(())
}

fn required(field: &str, value: &str) -> Result<(), ProtocolError> {
    if value.trim().is_empty() {
        return Err(ProtocolError::InvalidField {
            field: field.into(),
            message: "must not be empty".into(),
        });
    }
    Ok(())
}

/// Borrowed view of the fields drafts and packets share, so both validate identically.
struct Content<'a> {
    agent_name: &'a str,
    action_name: &'a str,
    args: &'a Value,
    args_schema: Option<&'a Value>,
    reasoning: &'a str,
    context: &'a [ContextItem],
    summary: Option<&'a str>,
    outcomes: &'a [Outcome],
    quorum_required: u32,
}

fn check_content(c: &Content<'_>, limits: &Limits) -> Result<(), ProtocolError> {
    required("agent.name", c.agent_name)?;
    check_len("agent.name", c.agent_name, limits.short_text)?;
    required("action.name", c.action_name)?;
    check_len("action.name", c.action_name, limits.short_text)?;
    check_json_len("action.args", c.args, limits.args)?;
    check_len("reasoning", c.reasoning, limits.reasoning)?;
    if let Some(summary) = c.summary {
        check_len("impact.summary", summary, limits.short_text)?;
    }
    if c.context.len() > limits.context_items {
        return Err(ProtocolError::InvalidField {
            field: "context".into(),
            message: format!(
                "{} items, over the limit of {}",
                c.context.len(),
                limits.context_items
            ),
        });
    }
    for (i, item) in c.context.iter().enumerate() {
        check_len(
            &format!("context[{i}].title"),
            &item.title,
            limits.short_text,
        )?;
        check_len(
            &format!("context[{i}].excerpt"),
            &item.excerpt,
            limits.context_excerpt,
        )?;
        if let Some(src) = &item.source {
            check_len(&format!("context[{i}].source"), src, limits.short_text * 4)?;
        }
    }
    if c.outcomes.is_empty() {
        return Err(ProtocolError::InvalidField {
            field: "allowed_outcomes".into(),
            message: "at least one outcome must be allowed".into(),
        });
    }
    if c.quorum_required == 0 {
        return Err(ProtocolError::InvalidField {
            field: "quorum.required".into(),
            message: "must be at least 1".into(),
        });
    }
    if let Some(schema) = c.args_schema {
        check_json_len("args_schema", schema, limits.args_schema)?;
        let validator = compile_schema(schema)?;
        // The proposed args must satisfy the agent's own schema, or approving as-is would
        // sign something the schema calls invalid.
        first_schema_error(&validator, c.args).map_or(Ok(()), |e| {
            Err(ProtocolError::SchemaViolation(format!(
                "proposed args: {e}"
            )))
        })?;
    }
    Ok(())
}

fn compile_schema(schema: &Value) -> Result<jsonschema::Validator, ProtocolError> {
    jsonschema::validator_for(schema).map_err(|e| ProtocolError::InvalidSchema(e.to_string()))
}

fn first_schema_error(validator: &jsonschema::Validator, instance: &Value) -> Option<String> {
    validator.iter_errors(instance).next().map(|e| {
        let path = e.instance_path().to_string();
        if path.is_empty() {
            e.to_string()
        } else {
            format!("{path}: {e}")
        }
    })
}

/// Validate what an agent submits.
pub fn validate_draft(draft: &PacketDraft, limits: &Limits) -> Result<(), ProtocolError> {
    if let Some(key) = &draft.agent_key {
        check_len("agent_key", key, limits.short_text)?;
    }
    check_content(
        &Content {
            agent_name: &draft.agent.name,
            action_name: &draft.action.name,
            args: &draft.action.args,
            args_schema: draft.args_schema.as_ref(),
            reasoning: &draft.reasoning,
            context: &draft.context,
            summary: draft.impact.summary.as_deref(),
            outcomes: &draft.allowed_outcomes,
            quorum_required: draft.quorum.required,
        },
        limits,
    )
}

/// Validate a packet received from an endpoint, given its raw JSON size.
pub fn validate_packet(
    packet: &Packet,
    raw_size: usize,
    limits: &Limits,
) -> Result<(), ProtocolError> {
    if packet.version != crate::PROTOCOL_VERSION {
        return Err(ProtocolError::UnsupportedVersion(packet.version));
    }
    if raw_size > limits.packet {
        return Err(ProtocolError::PacketTooLarge {
            size: raw_size,
            limit: limits.packet,
        });
    }
    required("id", &packet.id)?;
    check_len("id", &packet.id, limits.short_text)?;
    check_content(
        &Content {
            agent_name: &packet.agent.name,
            action_name: &packet.action.name,
            args: &packet.action.args,
            args_schema: packet.args_schema.as_ref(),
            reasoning: &packet.reasoning,
            context: &packet.context,
            summary: packet.impact.summary.as_deref(),
            outcomes: &packet.allowed_outcomes,
            quorum_required: packet.quorum.required,
        },
        limits,
    )
}

/// A reviewer's choice before it is signed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecisionChoice {
    /// The chosen outcome (none yet: nothing to sign).
    pub outcome: Option<Outcome>,
    /// Edited args for `edit` (ignored otherwise).
    pub args: Option<Value>,
    /// Why (required for `reject`).
    pub reason: Option<String>,
    /// The answer text for `respond`.
    pub response: Option<String>,
}

/// What a valid choice resolves to: the args the agent may run with.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedChoice {
    /// The outcome to sign.
    pub outcome: Outcome,
    /// Proposed args for `approve`, the edited ones for `edit`, none otherwise.
    pub final_args: Option<Value>,
    /// The reason, trimmed; none when empty.
    pub reason: Option<String>,
    /// The response, trimmed; none when empty.
    pub response: Option<String>,
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// Check a decision against the packet: allowed outcome, required reason or response,
/// edited args against `args_schema`. Returns the final arguments to sign.
pub fn resolve_decision(
    packet: &Packet,
    outcome: Outcome,
    args: Option<&Value>,
    reason: Option<&str>,
    response: Option<&str>,
    limits: &Limits,
) -> Result<ResolvedChoice, ProtocolError> {
    if !packet.allows(outcome) {
        return Err(ProtocolError::OutcomeNotAllowed(outcome.as_str().into()));
    }
    let reason = non_empty(reason);
    let response = non_empty(response);
    if let Some(r) = &reason {
        check_len("reason", r, limits.reason)?;
    }
    if let Some(r) = &response {
        check_len("response", r, limits.reasoning)?;
    }
    let final_args = match outcome {
        Outcome::Approve => Some(packet.action.args.clone()),
        Outcome::Edit => {
            let edited = args.ok_or_else(|| ProtocolError::InvalidField {
                field: "args".into(),
                message: "edit needs the edited arguments".into(),
            })?;
            check_json_len("args", edited, limits.args)?;
            check_args(packet, edited)?;
            Some(edited.clone())
        }
        Outcome::Reject => {
            if reason.is_none() {
                return Err(ProtocolError::ReasonRequired("reject".into()));
            }
            None
        }
        Outcome::Respond => {
            if response.is_none() {
                return Err(ProtocolError::ResponseRequired);
            }
            None
        }
        Outcome::Escalate | Outcome::Ignore => None,
    };
    Ok(ResolvedChoice {
        outcome,
        final_args,
        reason,
        response,
    })
}

/// Check arguments against the packet's `args_schema` (no schema: anything goes).
pub fn check_args(packet: &Packet, args: &Value) -> Result<(), ProtocolError> {
    let Some(schema) = &packet.args_schema else {
        return Ok(());
    };
    let validator = compile_schema(schema)?;
    match first_schema_error(&validator, args) {
        Some(e) => Err(ProtocolError::SchemaViolation(e)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::Utc;
    use serde_json::json;

    fn draft() -> PacketDraft {
        serde_json::from_value(json!({
            "agent": {"name": "refund-bot"},
            "action": {"name": "issue_refund", "args": {"amount": 120, "order": "A-1"}},
            "args_schema": {"type": "object", "properties": {"amount": {"type": "number", "maximum": 500}}, "required": ["amount"]},
            "allowed_outcomes": ["approve", "edit", "reject"]
        }))
        .unwrap()
    }

    #[test]
    fn oversize_field_is_named() {
        let mut d = draft();
        d.reasoning = "x".repeat(Limits::V1.reasoning + 1);
        let err = validate_draft(&d, &Limits::V1).unwrap_err();
        assert_eq!(err.code(), "field_too_large");
        assert!(err.to_string().contains("reasoning"));
    }

    #[test]
    fn proposed_args_must_fit_own_schema() {
        let mut d = draft();
        d.action.args = json!({"amount": 9000});
        assert_eq!(
            validate_draft(&d, &Limits::V1).unwrap_err().code(),
            "schema_violation"
        );
        d.args_schema = Some(json!({"type": 12}));
        assert_eq!(
            validate_draft(&d, &Limits::V1).unwrap_err().code(),
            "invalid_schema"
        );
    }

    #[test]
    fn decisions_follow_packet_rules() {
        let p = Packet::from_draft("p".into(), Utc::now(), draft());
        let l = Limits::V1;
        let ok = resolve_decision(&p, Outcome::Approve, None, None, None, &l).unwrap();
        assert_eq!(ok.final_args, Some(json!({"amount": 120, "order": "A-1"})));
        let edited = resolve_decision(
            &p,
            Outcome::Edit,
            Some(&json!({"amount": 60})),
            None,
            None,
            &l,
        )
        .unwrap();
        assert_eq!(edited.final_args, Some(json!({"amount": 60})));
        let too_much = resolve_decision(
            &p,
            Outcome::Edit,
            Some(&json!({"amount": 600})),
            None,
            None,
            &l,
        );
        assert_eq!(too_much.unwrap_err().code(), "schema_violation");
        let no_reason = resolve_decision(&p, Outcome::Reject, None, Some("  "), None, &l);
        assert_eq!(no_reason.unwrap_err().code(), "reason_required");
        let not_allowed = resolve_decision(&p, Outcome::Respond, None, None, Some("hi"), &l);
        assert_eq!(not_allowed.unwrap_err().code(), "outcome_not_allowed");
    }
}
