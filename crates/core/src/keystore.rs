//! Secret storage for the signing key and endpoint tokens: the OS keyring (Secret Service
//! on Linux, Keychain on macOS, Credential Manager on Windows). There is deliberately no
//! plaintext fallback: when no keyring is reachable the caller gets an error in plain words.

use crate::error::{CoreError, Result};
use std::collections::HashMap;
use std::sync::Mutex;

/// Where secrets live. Accounts are names such as `signing-key` or `endpoint-token:<id>`.
pub trait KeyStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, secret: &str) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

/// The account under which the reviewer's signing key is kept.
pub const SIGNING_KEY_ACCOUNT: &str = "signing-key";

/// The account under which an endpoint's bearer token is kept.
pub fn endpoint_token_account(endpoint_id: &str) -> String {
    format!("endpoint-token:{endpoint_id}")
}

/// The operating system's keyring, under one service name (a profile: tests and several
/// local reviewers use distinct service names).
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> Self {
        OsKeyring {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(map_keyring_error)
    }
}

/// What to install or start, by platform, when no keyring answers.
pub const KEYRING_HELP: &str = if cfg!(target_os = "linux") {
    "Countersign keeps your signing key and endpoint tokens only in the OS keyring, and no \
     Secret Service answered on the session D-Bus. Install and unlock one: on Debian/Ubuntu \
     `sudo apt install gnome-keyring` and log in to a desktop session, or run \
     `gnome-keyring-daemon --unlock --components=secrets` inside your D-Bus session \
     (KeePassXC with Secret Service integration also works)."
} else if cfg!(target_os = "macos") {
    "Countersign keeps your signing key and endpoint tokens only in the macOS Keychain, \
     which refused access. Unlock your login keychain and try again."
} else {
    "Countersign keeps your signing key and endpoint tokens only in the Windows Credential \
     Manager, which refused access."
};

fn map_keyring_error(e: keyring::Error) -> CoreError {
    match e {
        keyring::Error::PlatformFailure(inner) => {
            CoreError::KeyringUnavailable(format!("{KEYRING_HELP} (detail: {inner})"))
        }
        keyring::Error::NoStorageAccess(inner) => CoreError::KeyringLocked(format!(
            "the keyring is locked or denied access; unlock it and try again. {KEYRING_HELP} (detail: {inner})"
        )),
        other => CoreError::Keyring(other.to_string()),
    }
}

impl KeyStore for OsKeyring {
    fn get(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<()> {
        self.entry(account)?
            .set_password(secret)
            .map_err(map_keyring_error)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// Secrets in process memory: for unit tests and benchmarks only, never chosen by the app.
#[derive(Default)]
pub struct MemoryKeyStore(Mutex<HashMap<String, String>>);

impl KeyStore for MemoryKeyStore {
    fn get(&self, account: &str) -> Result<Option<String>> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> Result<()> {
        self.0.lock().unwrap().insert(account.into(), secret.into());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}
