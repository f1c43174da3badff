//! Time and randomness, passed into business logic so tests control them.

use chrono::{DateTime, TimeZone, Utc};
use rand::{RngCore, SeedableRng};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Wall-clock time, truncated to milliseconds (the precision of stored timestamps).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = Utc::now().timestamp_millis();
        Utc.timestamp_millis_opt(ms)
            .single()
            .unwrap_or_else(Utc::now)
    }
}

/// A clock tests move by hand.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        ManualClock(AtomicI64::new(t.timestamp_millis()))
    }
    pub fn advance(&self, d: chrono::Duration) {
        self.0.fetch_add(d.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0.load(Ordering::SeqCst))
            .unwrap()
    }
}

pub trait Entropy: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG.
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&self, buf: &mut [u8]) {
        rand::rngs::OsRng.fill_bytes(buf);
    }
}

/// Deterministic randomness for tests.
pub struct SeededEntropy(Mutex<rand::rngs::StdRng>);

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        SeededEntropy(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, buf: &mut [u8]) {
        self.0.lock().unwrap().fill_bytes(buf);
    }
}

/// A UUIDv7 (time-ordered) from the given clock and entropy.
pub fn uuid_v7(clock: &dyn Clock, entropy: &dyn Entropy) -> String {
    let mut rnd = [0u8; 10];
    entropy.fill(&mut rnd);
    let ms = clock.now().timestamp_millis().max(0) as u64;
    uuid::Builder::from_unix_timestamp_millis(ms, &rnd)
        .into_uuid()
        .to_string()
}
