//! Packet drafts the E2E agent publishes through `POST /v1/agent/reviews`.

use crate::hostile::MARKUP;
use countersign_testkit::PacketDraftBuilder;
use serde_json::{json, Value};

/// A refund with a titled schema, so the edit form is generated from `args_schema` with
/// labels the test can find.
pub fn refund(action: &str, agent: &str, amount: u32, risk: &str) -> Value {
    PacketDraftBuilder::refund(amount)
        .agent(agent)
        .run_id("e2e-run")
        .action(action)
        .args_schema(json!({
            "type": "object",
            "properties": {
                "order": {"type": "string", "title": "Order"},
                "amount": {"type": "number", "title": "Amount", "minimum": 0, "maximum": 5000},
                "currency": {"enum": ["EUR", "USD"], "title": "Currency"}
            },
            "required": ["order", "amount", "currency"],
            "additionalProperties": false
        }))
        .reasoning("Customer was **charged twice** for the same order.")
        .risk(risk)
        .urgency("normal")
        .build()
}

/// Largest reasoning the reference endpoint accepts (limits.rs: 256 KiB), minus headroom.
const BIG_REASONING: usize = 255 * 1024;

/// Hostile markup in every text field the reviewer sees, within the endpoint's limits:
/// action and agent names, Markdown reasoning (near its 256 KiB limit), args, context.
pub fn hostile(agent: &str) -> Value {
    let mut reasoning = format!(
        "{MARKUP}\n\n[read the docs](javascript:window.__pwned='md-link') \
         <iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>\n\n"
    );
    while reasoning.len() < BIG_REASONING {
        reasoning.push_str("Padding to the largest reasoning the endpoint accepts. ");
    }
    json!({
        "agent": {"name": agent},
        "action": {"name": "<img src=x onerror=\"window.__pwned='action'\">send_email",
                   "args": {"to": "victim@example.com", "body_html": MARKUP,
                            "blob": "B".repeat(200 * 1024)}},
        "reasoning": reasoning,
        "context": [{"title": MARKUP, "source": "javascript:window.__pwned='context-source'",
                     "excerpt": format!("{MARKUP} [x](javascript:window.__pwned='excerpt')")}],
        "impact": {"risk": "high", "reversible": false},
        "urgency": "high",
        "allowed_outcomes": ["approve", "reject"]
    })
}

/// JS: the page shows no sign of executed or live hostile markup. Returns a list of
/// problems (empty when inert).
pub const INERT_CHECK: &str = r#"
const problems = [];
if (window.__pwned !== undefined) problems.push('window.__pwned = ' + window.__pwned);
const live = document.querySelectorAll('[onerror],[onload],[onclick],[srcdoc]');
if (live.length) problems.push(live.length + ' element(s) with event-handler/srcdoc attributes');
if (document.querySelectorAll('main script, main iframe, main img, main svg').length)
  problems.push('script/iframe/img/svg element inside the app');
for (const a of document.querySelectorAll('a[href]')) {
  if (/^\s*javascript:/i.test(a.getAttribute('href'))) problems.push('javascript: link ' + a.outerHTML);
}
return problems;
"#;
