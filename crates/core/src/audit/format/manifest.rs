//! `manifest.json` of an export (what it holds and how to check it) and its detached
//! EdDSA signature `manifest.jws`.

use super::row::ExportRow;
use crate::audit::filter::AuditFilter;
use chrono::{DateTime, Utc};
use countersign_protocol::{jws, ProtocolError, PublicJwk, ReviewerRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `typ` of `manifest.jws`.
pub const MANIFEST_TYP: &str = "countersign-audit-manifest+jws";
pub const FORMAT: &str = "countersign-audit-export";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    /// The reviewer whose device made the export and whose key signs this manifest.
    pub exported_by: ReviewerRef,
    pub signer_key_id: String,
    pub filter: AuditFilter,
    pub digests_only: bool,
    pub counts: Counts,
    pub first: Option<RowMark>,
    pub last: Option<RowMark>,
    /// `row_hash` of the last row (64 zeros when there are none): a running digest over
    /// every row, so a dropped or reordered row changes it.
    pub rows_digest: String,
    pub ledger: LedgerSpan,
    /// Public keys (JWK, by key id) that signed rows or this manifest. Private keys and
    /// endpoint tokens are never exported.
    pub public_keys: BTreeMap<String, PublicJwk>,
    /// Signers whose public key this device does not hold (decisions learned from the
    /// endpoint); their signatures cannot be checked offline from this export.
    pub unknown_key_ids: Vec<String>,
    pub files: BTreeMap<String, FileDigest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub decisions: u64,
    pub ledger_entries: u64,
    pub by_outcome: BTreeMap<String, u64>,
    pub by_delivery_state: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RowMark {
    pub row: u64,
    pub decision_id: String,
    pub decided_at: DateTime<Utc>,
    pub ledger_seq: i64,
}

impl Counts {
    /// Count one exported row; exporter and verifier count the same way.
    pub fn add_row(&mut self, row: &ExportRow) {
        self.decisions += 1;
        *self
            .by_outcome
            .entry(row.outcome.as_str().into())
            .or_default() += 1;
        *self
            .by_delivery_state
            .entry(row.delivery_state.as_str().into())
            .or_default() += 1;
    }
}

impl RowMark {
    /// Where a row stands: its position, decision, time and signing ledger entry.
    pub fn of(row: &ExportRow) -> RowMark {
        RowMark {
            row: row.row,
            decision_id: row.decision_id.clone(),
            decided_at: row.decided_at,
            ledger_seq: row.signing_ref().map(|r| r.seq).unwrap_or_default(),
        }
    }
}

/// The ledger segment in `ledger.jsonl`: `first_seq..=head_seq`, ending at the chain head
/// of the database at export time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LedgerSpan {
    /// None when no row was selected (the file is then empty).
    pub first_seq: Option<i64>,
    /// `prev_hash` of the first entry in the file (64 zeros if it is entry 1).
    pub first_prev_hash: Option<String>,
    pub head_seq: i64,
    pub head_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileDigest {
    pub sha256: String,
    pub bytes: u64,
    /// Data rows (JSONL lines; CSV records without the header).
    pub rows: u64,
}

/// Check `manifest.jws` over the exact bytes of `manifest.json` with the signer key the
/// manifest names; returns the parsed manifest.
pub fn verify_manifest(bytes: &[u8], detached: &str) -> Result<Manifest, String> {
    let manifest: Manifest = serde_json::from_slice(bytes)
        .map_err(|e| format!("manifest.json is not a valid manifest: {e}"))?;
    if manifest.format != FORMAT || manifest.version != FORMAT_VERSION {
        return Err(format!(
            "unsupported export format `{}` version {}",
            manifest.format, manifest.version
        ));
    }
    let jwk = manifest
        .public_keys
        .get(&manifest.signer_key_id)
        .ok_or("the manifest signer's public key is not in public_keys")?;
    let key = jws::verifying_key_from_jwk(jwk).map_err(|e| e.to_string())?;
    if jws::key_id(&key) != manifest.signer_key_id {
        return Err("the signer key id is not the thumbprint of its public key".into());
    }
    let parsed = jws::parse_detached(detached, bytes).map_err(|e: ProtocolError| e.to_string())?;
    if parsed.header.kid != manifest.signer_key_id {
        return Err("manifest.jws names a different key than the manifest".into());
    }
    parsed
        .verify(&key)
        .map_err(|_| "manifest.jws does not verify: manifest.json was changed".to_string())?;
    Ok(manifest)
}
