//! What an export directory holds, file by file: the decision rows (JSONL and their CSV
//! twin), the ledger lines and the signed manifest. Exporter and verifier both build on
//! these definitions, so what one writes the other reads.

pub(super) mod csv_row;
pub(super) mod files;
pub(super) mod ledger_line;
pub(super) mod manifest;
pub(super) mod row;
