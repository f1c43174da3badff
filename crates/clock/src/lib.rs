//! Time and randomness, passed into business logic so tests control them.
//!
//! The engine (`countersign-core`) and the reference endpoint (`countersign-endpoint`) both
//! read time through [`Clock`]; neither depends on the other, so the vocabulary lives here.

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

/// Wall-clock time at the operating system's full precision. The reference endpoint
/// stamps packets with it: its wire timestamps have always carried sub-millisecond digits.
pub struct PreciseSystemClock;

impl Clock for PreciseSystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = Utc.timestamp_millis_opt(1_700_000_000_123).unwrap();
        let clock = ManualClock::at(start);
        assert_eq!(clock.now(), start);
        clock.advance(chrono::Duration::seconds(61));
        assert_eq!(clock.now(), start + chrono::Duration::seconds(61));
    }

    #[test]
    fn the_system_clock_keeps_whole_milliseconds() {
        assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1_000_000, 0);
    }

    #[test]
    fn seeded_ids_repeat_and_follow_the_clock() {
        let clock = ManualClock::at(Utc.timestamp_millis_opt(1_700_000_000_000).unwrap());
        let a = uuid_v7(&clock, &SeededEntropy::new(7));
        let b = uuid_v7(&clock, &SeededEntropy::new(7));
        assert_eq!(a, b);
        let id = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(id.get_version_num(), 7);
        let (secs, _) = id.get_timestamp().unwrap().to_unix();
        assert_eq!(secs, 1_700_000_000);
    }
}
