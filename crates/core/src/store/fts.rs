//! Full-text search: which text of a packet is indexed, and how a reviewer's search box
//! text becomes an FTS5 query that can never be a syntax error.

use countersign_protocol::Packet;
use rusqlite::{params, Transaction};
use serde_json::Value;

/// Replace the index row of a packet (rowid = packets.id).
pub fn index(
    tx: &Transaction<'_>,
    id: i64,
    packet: &Packet,
    replace: bool,
) -> rusqlite::Result<()> {
    if replace {
        tx.prepare_cached("DELETE FROM packets_fts WHERE rowid = ?1")?
            .execute([id])?;
    }
    let mut args = String::new();
    json_text(&packet.action.args, &mut args);
    let mut context = String::new();
    for item in &packet.context {
        for part in [Some(&item.title), item.source.as_ref(), Some(&item.excerpt)]
            .into_iter()
            .flatten()
        {
            context.push_str(part);
            context.push('\n');
        }
    }
    tx.prepare_cached(
        "INSERT INTO packets_fts (rowid, action, agent, reasoning, args, context)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        packet.action.name,
        packet.agent.name,
        packet.reasoning,
        args,
        context
    ])?;
    Ok(())
}

/// Keys and scalar values of a JSON document as plain words, so `order A-1` finds
/// `{"order": "A-1"}` without indexing JSON punctuation and escapes.
fn json_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::Bool(b) => push_word(out, if *b { "true" } else { "false" }),
        Value::Number(n) => push_word(out, &n.to_string()),
        Value::String(s) => push_word(out, s),
        Value::Array(items) => items.iter().for_each(|v| json_text(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                push_word(out, k);
                json_text(v, out);
            }
        }
    }
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// Turn free text into an FTS5 MATCH expression: every whitespace-separated word becomes
/// a quoted string (so `OR`, `NEAR`, `*`, `:`, `(` and quotes are plain text), all words
/// must match, and the last one matches as a prefix (search as you type). Words with no
/// letter or digit are dropped; `None` means nothing searchable is left.
pub fn match_expression(text: &str) -> Option<String> {
    // Control characters (NUL above all) split words too: SQLite reads the query as a C
    // string, so a NUL would cut a quoted word short and leave it unterminated.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let last = words.len().checked_sub(1)?;
    let mut expr = String::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            expr.push(' ');
        }
        expr.push('"');
        expr.push_str(&word.replace('"', "\"\""));
        expr.push('"');
        if i == last {
            expr.push('*');
        }
    }
    Some(expr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_text_is_quoted_and_last_word_is_a_prefix() {
        assert_eq!(
            match_expression("refund  ord").unwrap(),
            r#""refund" "ord"*"#
        );
        assert_eq!(match_expression(r#""a OR"#).unwrap(), r#""""a" "OR"*"#);
        assert_eq!(match_expression("* ( ) \"\""), None);
        assert_eq!(match_expression("   "), None);
        assert_eq!(match_expression("a\0b").unwrap(), r#""a" "b"*"#);
    }

    #[test]
    fn json_args_become_words() {
        let mut out = String::new();
        json_text(
            &json!({"order": "A-1", "amount": 12.5, "tags": ["x", true, null]}),
            &mut out,
        );
        for word in ["order", "A-1", "amount", "12.5", "tags", "x", "true"] {
            assert!(
                out.split(' ').any(|w| w == word),
                "{word} missing from {out}"
            );
        }
    }
}
