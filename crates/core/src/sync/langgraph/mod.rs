//! The LangGraph connector: a LangGraph server (`langgraph dev`, LangGraph Platform) as an
//! endpoint. Interrupted threads become review packets (discovery), decisions are signed
//! and kept in the ledger like native ones, and go back as resume runs (delivery).
//!
//! A packet's remote id is `{thread_id}:{interrupt_id}:{action index}`: one packet per
//! action, so a batched interrupt of N tool calls is N packets answered together.

pub mod client;
pub mod delivery;
pub mod discovery;
pub mod shapes;

pub use client::LangGraphClient;
pub use delivery::deliver_due;
pub use discovery::{scan, ScanReport};

/// The remote id of action `index` of an interrupt.
pub fn remote_id(thread_id: &str, interrupt_id: &str, index: usize) -> String {
    format!("{thread_id}:{interrupt_id}:{index}")
}

/// Thread id, interrupt id and action index of a LangGraph packet's remote id.
pub fn split_remote_id(remote_id: &str) -> Option<(&str, &str, usize)> {
    let mut parts = remote_id.rsplitn(3, ':');
    let index = parts.next()?.parse().ok()?;
    let interrupt_id = parts.next()?;
    let thread_id = parts.next()?;
    (!thread_id.is_empty() && !interrupt_id.is_empty()).then_some((thread_id, interrupt_id, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_ids_round_trip() {
        let id = remote_id("01a2-thread", "95065e0b", 2);
        assert_eq!(split_remote_id(&id), Some(("01a2-thread", "95065e0b", 2)));
        assert_eq!(split_remote_id("native-packet-id"), None);
    }
}
