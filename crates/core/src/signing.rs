//! The reviewer's Ed25519 signing key: created on first use from injected entropy, kept in
//! the keyring, held in memory while the engine runs so signing costs microseconds.

use crate::clock::Entropy;
use crate::error::{CoreError, Result};
use crate::keystore::{KeyStore, SIGNING_KEY_ACCOUNT};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use countersign_protocol::jws;
use countersign_protocol::{DecisionRecord, PublicJwk};
use ed25519_dalek::SigningKey;

pub struct ReviewerKey {
    signing: SigningKey,
    key_id: String,
}

impl ReviewerKey {
    /// Load the key from the keyring, or create and store one. The stored form is the
    /// base64url 32-byte seed, tagged so a future key type can be told apart.
    pub fn load_or_create(store: &dyn KeyStore, entropy: &dyn Entropy) -> Result<ReviewerKey> {
        if let Some(stored) = store.get(SIGNING_KEY_ACCOUNT)? {
            return Self::from_stored(&stored);
        }
        let mut seed = [0u8; 32];
        entropy.fill(&mut seed);
        let key = Self::from_seed(seed);
        store.set(
            SIGNING_KEY_ACCOUNT,
            &format!("ed25519:{}", B64.encode(seed)),
        )?;
        // Read back: a keyring that accepts writes but does not persist them would
        // otherwise hand out a new identity on every start.
        match store.get(SIGNING_KEY_ACCOUNT)? {
            Some(s) if Self::from_stored(&s)?.key_id == key.key_id => Ok(key),
            _ => Err(CoreError::Keyring(
                "the keyring did not keep the new signing key".into(),
            )),
        }
    }

    fn from_stored(stored: &str) -> Result<ReviewerKey> {
        let b64 = stored.strip_prefix("ed25519:").ok_or_else(|| {
            CoreError::Keyring("the stored signing key has an unknown format".into())
        })?;
        let seed: [u8; 32] = B64
            .decode(b64)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CoreError::Keyring("the stored signing key is damaged".into()))?;
        Ok(Self::from_seed(seed))
    }

    pub fn from_seed(seed: [u8; 32]) -> ReviewerKey {
        let signing = SigningKey::from_bytes(&seed);
        let key_id = jws::key_id(&signing.verifying_key());
        ReviewerKey { signing, key_id }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn public_jwk(&self) -> PublicJwk {
        jws::public_jwk(&self.signing.verifying_key())
    }

    pub fn fingerprint(&self) -> String {
        jws::fingerprint(&self.signing.verifying_key())
    }

    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.signing.verifying_key()
    }

    /// Sign arbitrary bytes (an export manifest) as a detached compact JWS.
    pub fn sign_detached(&self, payload: &[u8], typ: &str) -> String {
        jws::sign_detached(payload, &self.signing, typ)
    }

    /// Sign a record whose `key_id` is this key's id.
    pub fn sign(&self, record: &DecisionRecord) -> String {
        debug_assert_eq!(record.key_id, self.key_id);
        jws::sign_decision(record, &self.signing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SeededEntropy;
    use crate::keystore::MemoryKeyStore;

    #[test]
    fn key_is_created_once_and_reloaded() {
        let store = MemoryKeyStore::default();
        let a = ReviewerKey::load_or_create(&store, &SeededEntropy::new(1)).unwrap();
        let b = ReviewerKey::load_or_create(&store, &SeededEntropy::new(2)).unwrap();
        assert_eq!(a.key_id(), b.key_id());
        let other = ReviewerKey::load_or_create(&MemoryKeyStore::default(), &SeededEntropy::new(2))
            .unwrap();
        assert_ne!(a.key_id(), other.key_id());
    }

    #[test]
    fn damaged_stored_key_is_an_error_not_a_new_identity() {
        let store = MemoryKeyStore::default();
        store.set(SIGNING_KEY_ACCOUNT, "ed25519:???").unwrap();
        let err = ReviewerKey::load_or_create(&store, &SeededEntropy::new(1))
            .err()
            .unwrap();
        assert_eq!(err.code(), "keyring");
    }
}
