//! The spreadsheet view of an export row: fixed columns, RFC 4180 quoting (done by the
//! csv writer), and cells that a spreadsheet would run as a formula neutralised.

use super::row::ExportRow;
use chrono::SecondsFormat;
use std::borrow::Cow;

/// Columns of `decisions.csv`, in order.
pub const CSV_HEADER: [&str; 28] = [
    "row",
    "decision_id",
    "decided_at_utc",
    "decided_at_local",
    "signer_name",
    "signer_id",
    "meaning",
    "outcome",
    "endpoint",
    "agent",
    "action",
    "packet_id",
    "packet_digest",
    "proposed_args",
    "proposed_args_digest",
    "final_args",
    "args_digest",
    "reason",
    "response",
    "delivery_state",
    "local",
    "key_id",
    "jws",
    "ledger_seq",
    "ledger_hash",
    "state_seq",
    "state_hash",
    "row_hash",
];

/// A cell a spreadsheet would take for a formula (or that hides one behind a tab or
/// carriage return) gets a leading single quote, so it shows as the text it is.
pub fn neutralize(cell: Cow<'_, str>) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => cell,
    }
}

fn json_cell(v: &Option<serde_json::Value>) -> Cow<'static, str> {
    Cow::Owned(v.as_ref().map(|v| v.to_string()).unwrap_or_default())
}

/// The cells of one row, already neutralised; text fields are borrowed from the row
/// (exports print and verifiers compare every row's cells).
pub fn cells(r: &ExportRow) -> [Cow<'_, str>; 28] {
    let signing = r.signing_ref();
    let state = r.state_ref();
    fn text(s: &str) -> Cow<'_, str> {
        Cow::Borrowed(s)
    }
    fn opt(s: &Option<String>) -> Cow<'_, str> {
        Cow::Borrowed(s.as_deref().unwrap_or(""))
    }
    fn owned(s: Option<String>) -> Cow<'static, str> {
        Cow::Owned(s.unwrap_or_default())
    }
    [
        owned(Some(r.row.to_string())),
        text(&r.decision_id),
        owned(Some(
            r.decided_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        )),
        text(&r.decided_at_local),
        text(&r.signer_name),
        text(&r.signer_id),
        text(&r.meaning),
        text(r.outcome.as_str()),
        text(&r.endpoint),
        text(&r.agent),
        text(&r.action),
        text(&r.packet_id),
        text(&r.packet_digest),
        json_cell(&r.proposed_args),
        text(&r.proposed_args_digest),
        json_cell(&r.final_args),
        opt(&r.args_digest),
        opt(&r.reason),
        opt(&r.response),
        text(r.delivery_state.as_str()),
        text(if r.local { "true" } else { "false" }),
        text(&r.key_id),
        text(&r.jws),
        owned(signing.map(|s| s.seq.to_string())),
        text(signing.map_or("", |s| s.hash.as_str())),
        owned(state.map(|s| s.seq.to_string())),
        text(state.map_or("", |s| s.hash.as_str())),
        text(&r.row_hash),
    ]
    .map(neutralize)
}

/// The CSV writer every export uses: RFC 4180 (CRLF, quotes only where needed).
pub fn writer<W: std::io::Write>(inner: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_others_kept() {
        for bad in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"] {
            assert_eq!(neutralize(bad.into()), format!("'{bad}"));
        }
        for ok in [
            "approval",
            "{\"a\":1}",
            "2026-01-02T03:04:05.000Z",
            "",
            " =x",
        ] {
            assert_eq!(neutralize(ok.into()), ok);
        }
    }
}
