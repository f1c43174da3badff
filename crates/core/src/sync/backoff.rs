//! Exponential backoff with full jitter, so many clients coming back online do not hit an
//! endpoint in lockstep.

use crate::clock::Entropy;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    pub const SYNC: Backoff = Backoff {
        base: Duration::from_millis(250),
        max: Duration::from_secs(30),
    };

    /// Delay before retry number `attempt` (1-based): uniform in [cap/2, cap] where
    /// cap = min(max, base * 2^(attempt-1)). Half the cap is kept so retries never spin.
    pub fn delay(&self, attempt: u32, entropy: &dyn Entropy) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let cap = self.base.saturating_mul(1u32 << exp).min(self.max);
        let mut b = [0u8; 8];
        entropy.fill(&mut b);
        let frac = (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64;
        cap / 2 + cap.mul_f64(frac / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SeededEntropy;

    #[test]
    fn grows_then_caps_with_jitter() {
        let e = SeededEntropy::new(3);
        let b = Backoff::SYNC;
        let d1 = b.delay(1, &e);
        assert!(d1 >= Duration::from_millis(125) && d1 <= Duration::from_millis(250));
        let d4 = b.delay(4, &e);
        assert!(d4 >= Duration::from_millis(1000) && d4 <= Duration::from_millis(2000));
        let many: Vec<_> = (0..20).map(|_| b.delay(30, &e)).collect();
        assert!(many
            .iter()
            .all(|d| *d >= Duration::from_secs(15) && *d <= Duration::from_secs(30)));
        assert!(
            many.windows(2).any(|w| w[0] != w[1]),
            "jitter varies delays"
        );
    }
}
