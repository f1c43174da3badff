//! The in-process endpoint's notion of now, under the test's control: frozen (it moves
//! only when the test advances it) or the wall clock plus an offset (real time passes,
//! and the test can jump ahead past a deadline).

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy)]
enum Reading {
    Frozen(DateTime<Utc>),
    WallPlus(TimeDelta),
}

/// A clock the test holds a handle to; clones share one reading.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<Mutex<Reading>>);

impl TestClock {
    /// Stopped at the current wall-clock time.
    pub fn frozen() -> TestClock {
        TestClock::frozen_at(Utc::now())
    }

    pub fn frozen_at(at: DateTime<Utc>) -> TestClock {
        TestClock(Arc::new(Mutex::new(Reading::Frozen(at))))
    }

    /// The wall clock, until the test advances it.
    pub fn wall() -> TestClock {
        TestClock(Arc::new(Mutex::new(Reading::WallPlus(TimeDelta::zero()))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match *self.0.lock().unwrap() {
            Reading::Frozen(at) => at,
            Reading::WallPlus(offset) => Utc::now() + offset,
        }
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut reading = self.0.lock().unwrap();
        *reading = match *reading {
            Reading::Frozen(at) => Reading::Frozen(at + by),
            Reading::WallPlus(offset) => Reading::WallPlus(offset + by),
        };
    }
}

/// The endpoint reads the test's clock through the workspace's one clock vocabulary.
impl countersign_clock::Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        TestClock::now(self)
    }
}
