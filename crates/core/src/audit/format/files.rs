//! The files of an export directory, by name.

pub const DECISIONS_JSONL: &str = "decisions.jsonl";
pub const DECISIONS_CSV: &str = "decisions.csv";
pub const LEDGER_JSONL: &str = "ledger.jsonl";
pub const MANIFEST_JSON: &str = "manifest.json";
pub const MANIFEST_JWS: &str = "manifest.jws";
