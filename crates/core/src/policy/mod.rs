//! Policies: pure, clock-free decisions about reviews (the caller passes `now`), so they
//! are testable with a hand-moved clock. `notification` decides which urgent reviews
//! become OS notifications; `rules` is its per-endpoint/per-action configuration.

pub mod notification;
pub mod rules;

#[cfg(test)]
mod tests;

pub use notification::{Alert, AlertReason, NotificationPolicy, PacketFacts, Situation};
pub use rules::{NotificationRules, QuietHours, RuleOverride};
