//! Compact JWS (RFC 7515) with `alg: EdDSA` (RFC 8037) over decision records.
//!
//! Hand-rolled on ed25519-dalek rather than a JOSE crate because verifiers need the raw
//! signing input and signature for batch verification of large audit exports; the format
//! is plain RFC 7515 so any JOSE library verifies it.

use crate::digest::{canonical_json, sha256_hex};
use crate::error::ProtocolError;
use crate::model::{DecisionRecord, PublicJwk};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `typ` of a decision JWS.
pub const DECISION_TYP: &str = "countersign-decision+jws";

/// The protected header of a Countersign JWS.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JwsHeader {
    /// Always `EdDSA`.
    pub alg: String,
    /// The signing key's id ([`key_id`]).
    pub kid: String,
    /// [`DECISION_TYP`] for decisions; the manifest of an audit export has its own.
    #[serde(default)]
    pub typ: Option<String>,
}

/// A parsed, not yet verified, compact JWS.
#[derive(Debug, Clone)]
pub struct ParsedJws {
    /// The decoded protected header.
    pub header: JwsHeader,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// `b64(header).b64(payload)`: the bytes the signature covers.
    pub signing_input: Vec<u8>,
    /// The Ed25519 signature.
    pub signature: Signature,
}

/// RFC 7638 JWK thumbprint of an Ed25519 key: the key id used in `kid` and `key_id`.
pub fn key_id(key: &VerifyingKey) -> String {
    let x = B64.encode(key.as_bytes());
    // Members in lexicographic order, no whitespace, as RFC 7638 requires.
    let thumb_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    B64.encode(Sha256::digest(thumb_input.as_bytes()))
}

/// The RFC 8037 JWK of a key, with its [`key_id`] as `kid`.
pub fn public_jwk(key: &VerifyingKey) -> PublicJwk {
    PublicJwk {
        kty: "OKP".into(),
        crv: "Ed25519".into(),
        x: B64.encode(key.as_bytes()),
        kid: Some(key_id(key)),
    }
}

/// The key a JWK describes; only `OKP` / `Ed25519` keys are accepted.
pub fn verifying_key_from_jwk(jwk: &PublicJwk) -> Result<VerifyingKey, ProtocolError> {
    if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
        return Err(ProtocolError::InvalidField {
            field: "public_key".into(),
            message: "only OKP/Ed25519 keys are supported".into(),
        });
    }
    let bytes = B64
        .decode(&jwk.x)
        .map_err(|e| ProtocolError::InvalidField {
            field: "public_key.x".into(),
            message: e.to_string(),
        })?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| ProtocolError::InvalidField {
        field: "public_key.x".into(),
        message: "an Ed25519 key is 32 bytes".into(),
    })?;
    VerifyingKey::from_bytes(&arr).map_err(|e| ProtocolError::InvalidField {
        field: "public_key.x".into(),
        message: e.to_string(),
    })
}

/// Sign a decision record; the payload is the record's RFC 8785 canonical JSON.
pub fn sign_decision(record: &DecisionRecord, key: &SigningKey) -> String {
    let header = JwsHeader {
        alg: "EdDSA".into(),
        kid: record.key_id.clone(),
        typ: Some(DECISION_TYP.into()),
    };
    let signing_input = format!(
        "{}.{}",
        B64.encode(canonical_json(&header)),
        B64.encode(canonical_json(record))
    );
    let sig = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64.encode(sig.to_bytes()))
}

fn bad(msg: impl Into<String>) -> ProtocolError {
    ProtocolError::BadSignature(msg.into())
}

/// Split and decode a compact JWS without checking the signature.
pub fn parse(jws: &str) -> Result<ParsedJws, ProtocolError> {
    let mut parts = jws.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(
            "not a compact JWS (expected three dot-separated parts)",
        ));
    };
    let header: JwsHeader =
        serde_json::from_slice(&B64.decode(h).map_err(|e| bad(format!("header: {e}")))?)
            .map_err(|e| bad(format!("header: {e}")))?;
    if header.alg != "EdDSA" {
        return Err(bad(format!("unsupported alg `{}`", header.alg)));
    }
    let payload = B64.decode(p).map_err(|e| bad(format!("payload: {e}")))?;
    let sig_bytes: [u8; 64] = B64
        .decode(s)
        .map_err(|e| bad(format!("signature: {e}")))?
        .try_into()
        .map_err(|_| bad("signature is not 64 bytes"))?;
    Ok(ParsedJws {
        header,
        payload,
        signing_input: format!("{h}.{p}").into_bytes(),
        signature: Signature::from_bytes(&sig_bytes),
    })
}

impl ParsedJws {
    /// The payload as a decision record (not verified by this).
    pub fn record(&self) -> Result<DecisionRecord, ProtocolError> {
        serde_json::from_slice(&self.payload)
            .map_err(|e| bad(format!("payload is not a decision record: {e}")))
    }

    /// Check the signature with `key`.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), ProtocolError> {
        key.verify(&self.signing_input, &self.signature)
            .map_err(|_| bad("signature does not verify with the reviewer's key"))
    }
}

/// Verify a decision JWS with the given key and return its record. Also checks that the
/// header's `kid` names the record's `key_id`.
pub fn verify_decision(jws: &str, key: &VerifyingKey) -> Result<DecisionRecord, ProtocolError> {
    let parsed = parse(jws)?;
    parsed.verify(key)?;
    let record = parsed.record()?;
    if record.key_id != parsed.header.kid {
        return Err(bad("header kid and record key_id differ"));
    }
    Ok(record)
}

/// Verify many signatures at once (much faster than one by one for audit exports).
/// On failure, falls back to single verification to name the first bad index.
pub fn verify_batch(items: &[(&ParsedJws, &VerifyingKey)]) -> Result<(), usize> {
    let msgs: Vec<&[u8]> = items
        .iter()
        .map(|(p, _)| p.signing_input.as_slice())
        .collect();
    let sigs: Vec<Signature> = items.iter().map(|(p, _)| p.signature).collect();
    let keys: Vec<VerifyingKey> = items.iter().map(|(_, k)| **k).collect();
    if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok() {
        return Ok(());
    }
    Err(items
        .iter()
        .position(|(p, k)| p.verify(k).is_err())
        .unwrap_or(0))
}

/// Sign `payload` as a detached compact JWS (RFC 7515 appendix F): `header..signature`,
/// the signing input being `b64(header).b64(payload)` as for an ordinary JWS.
pub fn sign_detached(payload: &[u8], key: &SigningKey, typ: &str) -> String {
    let header = JwsHeader {
        alg: "EdDSA".into(),
        kid: key_id(&key.verifying_key()),
        typ: Some(typ.into()),
    };
    let h = B64.encode(canonical_json(&header));
    let signing_input = format!("{h}.{}", B64.encode(payload));
    let sig = key.sign(signing_input.as_bytes());
    format!("{h}..{}", B64.encode(sig.to_bytes()))
}

/// Parse a detached compact JWS over `payload` (signature not yet checked).
pub fn parse_detached(jws: &str, payload: &[u8]) -> Result<ParsedJws, ProtocolError> {
    let (h, rest) = jws
        .trim()
        .split_once("..")
        .ok_or_else(|| bad("not a detached compact JWS (expected `header..signature`)"))?;
    parse(&format!("{h}.{}.{rest}", B64.encode(payload)))
}

/// Short human fingerprint of a key (first 16 hex chars of SHA-256 of its bytes).
pub fn fingerprint(key: &VerifyingKey) -> String {
    sha256_hex(key.as_bytes())[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::{TimeZone, Utc};

    fn record(key_id: &str) -> DecisionRecord {
        DecisionRecord {
            version: 1,
            decision_id: "d1".into(),
            packet_id: "p1".into(),
            endpoint: "http://127.0.0.1:1".into(),
            packet_digest: "00".into(),
            outcome: Outcome::Approve,
            final_args: Some(serde_json::json!({"amount": 10})),
            args_digest: Some("ab".into()),
            reason: None,
            response: None,
            meaning: "approval".into(),
            via: DecisionVia::Cli,
            reviewer: ReviewerRef {
                id: "r".into(),
                display_name: "R".into(),
            },
            decided_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            key_id: key_id.into(),
        }
    }

    #[test]
    fn sign_then_verify_roundtrips_and_rejects_tampering() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let vk = key.verifying_key();
        let jws = sign_decision(&record(&key_id(&vk)), &key);
        assert_eq!(verify_decision(&jws, &vk).unwrap(), record(&key_id(&vk)));

        let mut parts: Vec<String> = jws.split('.').map(String::from).collect();
        let mut rec = record(&key_id(&vk));
        rec.final_args = Some(serde_json::json!({"amount": 1000}));
        parts[1] = B64.encode(canonical_json(&rec));
        let forged = parts.join(".");
        assert_eq!(
            verify_decision(&forged, &vk).unwrap_err().code(),
            "bad_signature"
        );

        let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
        assert!(verify_decision(&jws, &other).is_err());
    }

    #[test]
    fn batch_verification_names_the_bad_entry() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let vk = key.verifying_key();
        let good = parse(&sign_decision(&record(&key_id(&vk)), &key)).unwrap();
        let mut bad_one = good.clone();
        bad_one.signing_input.push(b'x');
        assert!(verify_batch(&[(&good, &vk), (&good, &vk)]).is_ok());
        assert_eq!(
            verify_batch(&[(&good, &vk), (&bad_one, &vk), (&good, &vk)]),
            Err(1)
        );
    }

    #[test]
    fn detached_signature_covers_the_payload() {
        let key = SigningKey::from_bytes(&[3u8; 32]);
        let jws = sign_detached(b"{\"a\":1}", &key, "x+jws");
        assert_eq!(jws.split('.').nth(1), Some(""));
        let parsed = parse_detached(&jws, b"{\"a\":1}").unwrap();
        assert_eq!(parsed.header.kid, key_id(&key.verifying_key()));
        assert!(parsed.verify(&key.verifying_key()).is_ok());
        let changed = parse_detached(&jws, b"{\"a\":2}").unwrap();
        assert!(changed.verify(&key.verifying_key()).is_err());
    }

    #[test]
    fn jwk_roundtrip_and_kid_is_rfc7638_thumbprint() {
        let vk = SigningKey::from_bytes(&[1u8; 32]).verifying_key();
        let jwk = public_jwk(&vk);
        assert_eq!(verifying_key_from_jwk(&jwk).unwrap(), vk);
        assert_eq!(jwk.kid.as_deref().unwrap().len(), 43);
    }
}
