//! How values are laid out in columns: timestamps as integer milliseconds, urgency and
//! risk as sortable ranks, enums as their wire strings.

use crate::error::{CoreError, Result};
use chrono::{DateTime, TimeZone, Utc};
use countersign_protocol::{Outcome, PacketStatus, Risk, Urgency};

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn opt_time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.map(time)
}

pub fn urgency_rank(u: Urgency) -> i64 {
    match u {
        Urgency::Low => 0,
        Urgency::Normal => 1,
        Urgency::High => 2,
        Urgency::Critical => 3,
    }
}

pub fn urgency(rank: i64) -> Urgency {
    match rank {
        0 => Urgency::Low,
        2 => Urgency::High,
        3 => Urgency::Critical,
        _ => Urgency::Normal,
    }
}

pub fn risk_rank(r: Risk) -> i64 {
    match r {
        Risk::Low => 0,
        Risk::Medium => 1,
        Risk::High => 2,
        Risk::Critical => 3,
    }
}

pub fn risk(rank: i64) -> Risk {
    match rank {
        1 => Risk::Medium,
        2 => Risk::High,
        3 => Risk::Critical,
        _ => Risk::Low,
    }
}

pub fn status(s: &str) -> Result<PacketStatus> {
    PacketStatus::parse(s)
        .ok_or_else(|| CoreError::Database(format!("unknown packet status `{s}`")))
}

pub fn outcome(s: &str) -> Result<Outcome> {
    Outcome::parse(s).ok_or_else(|| CoreError::Database(format!("unknown outcome `{s}`")))
}

pub fn delivery(s: &str) -> Result<crate::views::DeliveryState> {
    crate::views::DeliveryState::parse(s)
        .ok_or_else(|| CoreError::Database(format!("unknown delivery state `{s}`")))
}
