//! The spreadsheet view of an export row: fixed columns, RFC 4180 quoting (done by the
//! csv writer), and cells that a spreadsheet would run as a formula neutralised.

use super::row::ExportRow;
use chrono::SecondsFormat;

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
pub fn neutralize(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

fn json_cell(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// The cells of one row, already neutralised.
pub fn cells(r: &ExportRow) -> Vec<String> {
    let signing = r.signing_ref();
    let state = r.state_ref();
    let raw = vec![
        r.row.to_string(),
        r.decision_id.clone(),
        r.decided_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        r.decided_at_local.clone(),
        r.signer_name.clone(),
        r.signer_id.clone(),
        r.meaning.clone(),
        r.outcome.as_str().to_string(),
        r.endpoint.clone(),
        r.agent.clone(),
        r.action.clone(),
        r.packet_id.clone(),
        r.packet_digest.clone(),
        json_cell(&r.proposed_args),
        r.proposed_args_digest.clone(),
        json_cell(&r.final_args),
        r.args_digest.clone().unwrap_or_default(),
        r.reason.clone().unwrap_or_default(),
        r.response.clone().unwrap_or_default(),
        r.delivery_state.as_str().to_string(),
        r.local.to_string(),
        r.key_id.clone(),
        r.jws.clone(),
        signing.map(|s| s.seq.to_string()).unwrap_or_default(),
        signing.map(|s| s.hash.clone()).unwrap_or_default(),
        state.map(|s| s.seq.to_string()).unwrap_or_default(),
        state.map(|s| s.hash.clone()).unwrap_or_default(),
        r.row_hash.clone(),
    ];
    raw.into_iter().map(neutralize).collect()
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
