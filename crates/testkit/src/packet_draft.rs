//! Packet drafts, what an agent sends to `POST /v1/agent/reviews`, built fluently as JSON
//! (so a test can also build drafts no agent should send). [`PacketDraftBuilder::refund`]
//! is the draft most tests use; the setters change one field each.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// A packet draft under construction; [`Self::build`] gives the JSON to post.
#[derive(Debug, Clone)]
pub struct PacketDraftBuilder(Map<String, Value>);

impl PacketDraftBuilder {
    /// The least a draft has: who asks and for what.
    pub fn new(agent: &str, action: &str, args: Value) -> Self {
        let mut draft = Map::new();
        draft.insert("agent".into(), json!({ "name": agent }));
        draft.insert("action".into(), json!({ "name": action, "args": args }));
        PacketDraftBuilder(draft)
    }

    /// refund-bot's refund of `amount` EUR for order `A-{amount}`, with an args schema
    /// (amount ≤ 5000, no other fields), medium risk, reversible, urgency high, and
    /// approve, edit or reject allowed.
    pub fn refund(amount: u32) -> Self {
        PacketDraftBuilder::from_json(json!({
            "agent": {"name": "refund-bot", "run_id": "run-1"},
            "action": {"name": "issue_refund", "args": {"order": format!("A-{amount}"), "amount": amount, "currency": "EUR"}},
            "args_schema": {
                "type": "object",
                "properties": {
                    "order": {"type": "string"},
                    "amount": {"type": "number", "minimum": 0, "maximum": 5000},
                    "currency": {"enum": ["EUR", "USD"]}
                },
                "required": ["order", "amount", "currency"],
                "additionalProperties": false
            },
            "reasoning": "Customer was **charged twice**.",
            "impact": {"risk": "medium", "amount": {"value": amount.to_string(), "currency": "EUR"}, "reversible": true},
            "urgency": "high",
            "allowed_outcomes": ["approve", "edit", "reject"]
        }))
    }

    /// refund-bot's refund of 120.50 EUR for order ORD-12345, irreversible, no urgency
    /// given, with a stricter args schema (order id pattern `ORD-nnnnn`, amount ≤ 500)
    /// that edits can break.
    pub fn damaged_parcel_refund() -> Self {
        PacketDraftBuilder::from_json(json!({
            "agent": {"name": "refund-bot", "run_id": "run-1"},
            "action": {"name": "issue_refund", "args": {"order_id": "ORD-12345", "amount": 120.5, "currency": "EUR"}},
            "args_schema": {
                "type": "object",
                "properties": {
                    "order_id": {"type": "string", "pattern": "^ORD-[0-9]{5}$"},
                    "amount": {"type": "number", "maximum": 500},
                    "currency": {"enum": ["EUR", "USD"]}
                },
                "required": ["order_id", "amount", "currency"]
            },
            "reasoning": "Parcel arrived **damaged**.",
            "impact": {"risk": "medium", "amount": {"value": "120.50", "currency": "EUR"}, "reversible": false},
            "allowed_outcomes": ["approve", "edit", "reject"]
        }))
    }

    fn from_json(draft: Value) -> Self {
        match draft {
            Value::Object(map) => PacketDraftBuilder(map),
            _ => unreachable!("drafts are JSON objects"),
        }
    }

    /// The object under `key`, created empty if missing.
    fn object(&mut self, key: &str) -> &mut Map<String, Value> {
        let entry = self
            .0
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        entry.as_object_mut().expect("an object")
    }

    /// Set any top-level field (the escape hatch for fields without a setter).
    pub fn set(mut self, key: &str, value: Value) -> Self {
        self.0.insert(key.into(), value);
        self
    }

    pub fn agent(mut self, name: &str) -> Self {
        self.object("agent").insert("name".into(), json!(name));
        self
    }

    pub fn run_id(mut self, run_id: &str) -> Self {
        self.object("agent").insert("run_id".into(), json!(run_id));
        self
    }

    pub fn agent_key(self, key: &str) -> Self {
        self.set("agent_key", json!(key))
    }

    pub fn action(mut self, name: &str) -> Self {
        self.object("action").insert("name".into(), json!(name));
        self
    }

    pub fn args(mut self, args: Value) -> Self {
        self.object("action").insert("args".into(), args);
        self
    }

    pub fn args_schema(self, schema: Value) -> Self {
        self.set("args_schema", schema)
    }

    pub fn reasoning(self, reasoning: &str) -> Self {
        self.set("reasoning", json!(reasoning))
    }

    pub fn risk(mut self, risk: &str) -> Self {
        self.object("impact").insert("risk".into(), json!(risk));
        self
    }

    pub fn reversible(mut self, reversible: bool) -> Self {
        self.object("impact")
            .insert("reversible".into(), json!(reversible));
        self
    }

    pub fn urgency(self, urgency: &str) -> Self {
        self.set("urgency", json!(urgency))
    }

    pub fn deadline(self, deadline: DateTime<Utc>) -> Self {
        self.set("deadline", json!(deadline))
    }

    pub fn allowed_outcomes(self, outcomes: &[&str]) -> Self {
        self.set("allowed_outcomes", json!(outcomes))
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}
