//! Per-row checks that need no other row: the signed record inside the JWS against the
//! row (digests recomputed), and what the row's ledger references claim about the
//! exported chain.

use super::ledger_index::LedgerIndex;
use crate::audit::format::row::{local_time_format, ref_fingerprint, state_from_refs, ExportRow};
use chrono::format::Parsed;
use countersign_protocol::digest::{args_digest, sha256_hex};
use countersign_protocol::jws::{self, ParsedJws};
use serde_json::Value;

/// The record inside the JWS must say what the row says; digests must recompute.
pub fn check_record(row: &ExportRow, digests_only: bool) -> Result<ParsedJws, String> {
    let parsed = jws::parse(&row.jws).map_err(|e| format!("JWS: {e}"))?;
    let rec = parsed.record().map_err(|e| format!("JWS: {e}"))?;
    if rec.key_id != parsed.header.kid || rec.key_id != row.key_id {
        return Err("key id differs between JWS header, signed record and row".into());
    }
    let same = rec.decision_id == row.decision_id
        && rec.outcome == row.outcome
        && rec.meaning == row.meaning
        && rec.reviewer.display_name == row.signer_name
        && rec.reviewer.id == row.signer_id
        && rec.decided_at == row.decided_at
        && rec.reason == row.reason
        && rec.response == row.response
        && rec.packet_id == row.packet_id
        && rec.packet_digest == row.packet_digest
        && rec.args_digest == row.args_digest;
    if !same {
        return Err("the row differs from the signed record in its JWS".into());
    }
    if rec.meaning != rec.outcome.meaning() {
        return Err(format!(
            "meaning `{}` does not match outcome `{}`",
            rec.meaning, rec.outcome
        ));
    }
    if rec.final_args.as_ref().map(args_digest) != rec.args_digest {
        return Err("args_digest does not match the signed final_args".into());
    }
    if digests_only {
        if row.final_args.is_some() || row.proposed_args.is_some() {
            return Err("a digests-only export shows arguments".into());
        }
    } else {
        if row.final_args != rec.final_args {
            return Err("final_args differ from the signed record".into());
        }
        let proposed = row.proposed_args.as_ref().unwrap_or(&Value::Null);
        if args_digest(proposed) != row.proposed_args_digest {
            return Err("proposed_args_digest does not match proposed_args".into());
        }
    }
    let mut local_parts = Parsed::new();
    let local = chrono::format::parse(
        &mut local_parts,
        &row.decided_at_local,
        local_time_format().iter(),
    )
    .and_then(|()| local_parts.to_datetime())
    .map_err(|_| "decided_at_local is not a local time".to_string())?;
    if local.timestamp_millis() != row.decided_at.timestamp_millis() {
        return Err("decided_at_local is not the same instant as decided_at".into());
    }
    Ok(parsed)
}

/// What a row's ledger references claim about the exported chain: each must be an
/// entry of the segment, about this decision, recording this JWS, and together they must
/// imply the row's delivery state. Taken from the row alone, so rows are read while the
/// chain is still being checked; [`RefClaims::check`] holds them against it afterwards.
pub struct RefClaims {
    /// (seq, the fingerprint that entry must have), in the row's order.
    entries: Vec<(i64, [u8; 32])>,
    /// Why the delivery state does not follow from the references; it counts only when
    /// every reference holds, as it comes after them.
    state_error: Option<String>,
}

/// The claims of the row's references, or what is wrong with them before any entry is
/// looked up.
pub fn ref_claims(row: &ExportRow) -> Result<RefClaims, String> {
    if row.ledger.is_empty() {
        return Err("the row points at no ledger entry".into());
    }
    let jws_sha = sha256_hex(row.jws.as_bytes());
    let mut entries = Vec::with_capacity(row.ledger.len());
    for (i, r) in row.ledger.iter().enumerate() {
        let (jws, args, packet) = match (i, r.kind.as_str()) {
            (0, "decision_signed") => (
                jws_sha.as_str(),
                row.args_digest.as_deref().unwrap_or(""),
                row.packet_digest.as_str(),
            ),
            (0, "decision_received") => (jws_sha.as_str(), "", ""),
            (0, other) => {
                return Err(format!(
                    "the first ledger entry is `{other}`, not a signature"
                ))
            }
            _ => ("", "", ""),
        };
        let expected = ref_fingerprint(&r.kind, &row.decision_id, &r.hash, jws, args, packet);
        entries.push((r.seq, expected));
    }
    let state_error = (state_from_refs(&row.ledger) != Some(row.delivery_state)).then(|| {
        format!(
            "delivery state `{}` is not what its ledger entries record",
            row.delivery_state.as_str()
        )
    });
    Ok(RefClaims {
        entries,
        state_error,
    })
}

impl RefClaims {
    /// Hold the claims against the checked chain.
    pub fn check(&self, ledger: &LedgerIndex) -> Result<(), String> {
        for (seq, expected) in &self.entries {
            match ledger.fingerprint(*seq) {
                None => return Err(format!("ledger entry {seq} is not in ledger.jsonl")),
                Some(fp) if fp != expected => {
                    return Err(format!(
                    "does not match ledger entry {seq} (kind, subject, hash or JWS digest differ)"
                ))
                }
                Some(_) => {}
            }
        }
        match &self.state_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{export_with, rows, setup};
    use crate::audit::AuditFilter;
    use crate::views::DeliveryState;

    /// A chain segment holding exactly what `claims` expects, from its first seq on.
    fn chain_for(claims: &RefClaims) -> LedgerIndex {
        let first_seq = claims.entries.iter().map(|(s, _)| *s).min().unwrap();
        let last = claims.entries.iter().map(|(s, _)| *s).max().unwrap();
        let mut fingerprints = vec![[0u8; 32]; (last - first_seq + 1) as usize];
        for (seq, fp) in &claims.entries {
            fingerprints[(seq - first_seq) as usize] = *fp;
        }
        LedgerIndex {
            first_seq,
            fingerprints,
            seconds: 0.0,
        }
    }

    #[test]
    fn claims_hold_against_the_chain_they_describe_and_name_what_differs() {
        let s = setup();
        let (out, _) = export_with(&s, "claims", &AuditFilter::default(), false);
        let row = rows(&out).remove(1);
        let claims = ref_claims(&row).unwrap();
        let chain = chain_for(&claims);
        claims.check(&chain).unwrap();

        let last_seq = row.ledger.last().unwrap().seq;
        let mut short = chain_for(&claims);
        short.fingerprints.pop();
        let e = claims.check(&short).unwrap_err();
        assert_eq!(e, format!("ledger entry {last_seq} is not in ledger.jsonl"));

        let first_seq = row.ledger[0].seq;
        let mut other = chain_for(&claims);
        other.fingerprints[0][0] ^= 1;
        let e = claims.check(&other).unwrap_err();
        assert!(
            e.starts_with(&format!("does not match ledger entry {first_seq} ")),
            "{e}"
        );

        // The delivery state follows the references, so a broken reference is named first.
        let mut restated = row.clone();
        restated.delivery_state = DeliveryState::Refused;
        let claims = ref_claims(&restated).unwrap();
        assert!(claims
            .check(&chain)
            .unwrap_err()
            .contains("delivery state `refused`"));
        assert!(claims
            .check(&short)
            .unwrap_err()
            .contains("is not in ledger.jsonl"));

        let mut unsigned = row.clone();
        unsigned.ledger[0].kind = "decision_sent".into();
        assert!(ref_claims(&unsigned)
            .err()
            .is_some_and(|e| e.contains("not a signature")));
        let mut pointless = row;
        pointless.ledger.clear();
        assert!(ref_claims(&pointless)
            .err()
            .is_some_and(|e| e.contains("points at no ledger entry")));
    }
}
