//! SQLite persistence of the endpoint: packets, agent idempotency keys, the change feed,
//! accepted decisions, enrolled reviewer keys and counters.
//!
//! One connection behind a mutex: every write is a short transaction, which makes each
//! state transition (check, update packet, append change) atomic without retry logic.
//! Callers run these blocking functions on tokio's blocking pool (see `state.rs`).

mod changes;
mod decisions;
mod migrations;
mod packets;
mod reviewers;

use std::path::Path;
use std::sync::Mutex;

use countersign_protocol::{Change, ChangeKind, Packet, SignedDecision};
use rusqlite::{Connection, Transaction};

use crate::error::EndpointError;
use crate::events::ChangeFeed;

pub use changes::{changes_after, has_changes_after, latest_seq};
pub use decisions::{
    bump_counter, count_decisions, counter, decision_counts, decisions_for_packet, get_decision,
    insert_decision, StoredDecision,
};
pub use packets::{
    count_packets, due_packets, get_packet, insert_packet, nearest_deadline, packet_for_agent_key,
    remember_agent_key, save_packet,
};
pub use reviewers::{enroll_key, enrolled_key, Enrollment};

pub type StoreResult<T> = Result<T, EndpointError>;

pub struct Store {
    conn: Mutex<Connection>,
    feed: ChangeFeed,
}

impl Store {
    /// Open (or create) the database file and bring its schema up to date.
    pub fn open(path: &Path, feed: ChangeFeed) -> StoreResult<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        // WAL: readers never block the writer; synchronous=FULL so an acknowledged
        // decision survives power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            feed,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic inside a closure rolled its transaction back on unwind, so the
        // connection is still consistent: recover it rather than failing forever.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Run read-only work.
    pub fn read<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.lock();
        work(&conn)
    }

    /// Run `work` in one transaction. Changes it appends are published to the feed after
    /// the commit and before the lock is released, so subscribers see them in order and
    /// never see a change that was rolled back.
    pub fn write<T>(&self, work: impl FnOnce(&mut Writer<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.lock();
        let mut writer = Writer {
            tx: conn.transaction()?,
            appended: Vec::new(),
        };
        let value = work(&mut writer)?;
        let Writer { tx, appended } = writer;
        tx.commit()?;
        for change in appended {
            self.feed.publish(change);
        }
        Ok(value)
    }
}

/// An open write transaction that also collects the changes it appends.
pub struct Writer<'conn> {
    tx: Transaction<'conn>,
    appended: Vec<Change>,
}

impl Writer<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// Append one entry to the change feed with the packet's current state.
    pub fn append_change(
        &mut self,
        kind: ChangeKind,
        packet: &Packet,
        decisions: Vec<SignedDecision>,
    ) -> StoreResult<Change> {
        let change = changes::append(&self.tx, kind, packet, decisions)?;
        self.appended.push(change.clone());
        Ok(change)
    }
}

/// Milliseconds since the epoch, the unit of indexed time columns.
pub fn to_ms(time: chrono::DateTime<chrono::Utc>) -> i64 {
    time.timestamp_millis()
}

fn json_column<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| EndpointError::Corrupt(format!("{what}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| EndpointError::Internal(format!("serialize: {e}")))
}

/// Stable text of an enum that serializes as a JSON string (status, kind, urgency).
fn enum_text<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(EndpointError::Internal(
            "enum did not serialize to a string".into(),
        )),
    }
}
