//! The decision half of an export: chunks of stored decisions become rows on all cores,
//! are chained in order (each row's hash covers the previous one) and appended to
//! `decisions.jsonl` and `decisions.csv`, while counts, signer keys and the first and last
//! rows are kept for the manifest.

use crate::audit::format::csv_row;
use crate::audit::format::manifest::{Counts, RowMark};
use crate::audit::format::row::ExportRow;
use crate::audit::hashing::HashingFile;
use crate::audit::parallel::{in_parts, map_parts};
use crate::error::{CoreError, Result};
use crate::store::audit::StoredDecisionText;
use crate::store::ledger::GENESIS;
use std::collections::BTreeSet;
use std::io::Write;

/// Rows parsed or printed per thread at least; below that a thread costs more than it saves.
const MIN_PART: usize = 64;

/// Where the rows go and what the manifest needs from them.
pub struct RowFiles<'a> {
    jsonl: &'a mut HashingFile,
    csv: &'a mut HashingFile,
    digests_only: bool,
    pub counts: Counts,
    pub key_ids: BTreeSet<String>,
    pub first: Option<RowMark>,
    pub last: Option<RowMark>,
    /// `row_hash` of the last row written (the genesis hash before any).
    pub prev_row_hash: String,
}

impl<'a> RowFiles<'a> {
    /// Start both files: the CSV gets a BOM (so spreadsheets read it as UTF-8; standard
    /// CSV readers skip it) and its header.
    pub fn start(
        jsonl: &'a mut HashingFile,
        csv: &'a mut HashingFile,
        digests_only: bool,
    ) -> Result<Self> {
        csv.write_all("\u{feff}".as_bytes())?;
        let mut header = csv_row::writer(Vec::new());
        header
            .write_record(csv_row::CSV_HEADER)
            .map_err(|e| CoreError::Io(e.to_string()))?;
        csv.write_all(&into_bytes(header)?)?;
        Ok(RowFiles {
            jsonl,
            csv,
            digests_only,
            counts: Counts::default(),
            key_ids: BTreeSet::new(),
            first: None,
            last: None,
            prev_row_hash: GENESIS.to_string(),
        })
    }

    /// Turn the next decisions (in chain order) into rows and append them.
    pub fn append(&mut self, chunk: Vec<StoredDecisionText>) -> Result<()> {
        let next_row = self.counts.decisions + 1;
        let digests_only = self.digests_only;
        let built = map_parts(chunk, MIN_PART, |offset, part| {
            part.into_iter()
                .enumerate()
                .map(|(i, d)| {
                    let row = next_row + (offset + i) as u64;
                    d.parse()
                        .map(|d| ExportRow::build_unchained(row, d, digests_only))
                })
                .collect()
        });
        let mut rows = Vec::with_capacity(built.len());
        for unchained in built {
            let row = unchained?.chain(&self.prev_row_hash);
            self.counts.add_row(&row);
            if !self.key_ids.contains(&row.key_id) {
                self.key_ids.insert(row.key_id.clone());
            }
            let mark = RowMark::of(&row);
            self.first.get_or_insert_with(|| mark.clone());
            self.last = Some(mark);
            self.prev_row_hash.clone_from(&row.row_hash);
            rows.push(row);
        }
        let printed = in_parts(rows.len(), MIN_PART, |r| vec![print(&rows[r])]);
        for part in printed {
            let (jsonl, csv) = part?;
            self.jsonl.write_all(&jsonl)?;
            self.csv.write_all(&csv)?;
        }
        Ok(())
    }
}

/// The JSONL lines and CSV records of consecutive rows.
fn print(rows: &[ExportRow]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut jsonl = Vec::with_capacity(rows.len() * 2048);
    let mut csv = csv_row::writer(Vec::with_capacity(rows.len() * 2048));
    for row in rows {
        serde_json::to_writer(&mut jsonl, row)?;
        jsonl.push(b'\n');
        csv.write_record(csv_row::cells(row).iter().map(|c| c.as_bytes()))
            .map_err(|e| CoreError::Io(e.to_string()))?;
    }
    Ok((jsonl, into_bytes(csv)?))
}

fn into_bytes(csv: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    csv.into_inner()
        .map_err(|e| CoreError::Io(e.error().to_string()))
}
