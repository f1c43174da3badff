//! The local SQLite store: the only place the queue, decisions, outbox and audit ledger
//! live. The UI reads and writes here and never waits on the network; sync fills it from
//! behind.
//!
//! One connection behind a mutex: SQLite serializes writers anyway, and every public
//! method holds the lock only for one short statement or transaction.

pub mod audit;
mod convert;
mod decisions;
mod endpoints;
mod fts;
mod ingest;
mod langgraph;
pub mod ledger;
mod migrations;
mod outbox;
mod quarantine;
mod queue;
mod settings;
#[cfg(any(test, feature = "synthetic-data"))]
pub mod synthetic;
#[cfg(test)]
mod tests;

pub use endpoints::NewEndpoint;
pub use ingest::IngestReport;
pub use langgraph::{InterruptMember, MemberDecision};
pub use migrations::migrations;
pub use outbox::OutboxItem;
// Re-exported so callers of the store find its result types next to it.
pub use crate::views::{LedgerCheck, LedgerEntry};

use crate::error::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Default and largest page size of list queries.
pub const DEFAULT_LIMIT: u32 = 200;
pub const MAX_LIMIT: u32 = 10_000;

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Open (creating if needed) the database file and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                crate::CoreError::Database(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        Store::init(Connection::open(path)?)
    }

    /// A throwaway store, for tests and previews.
    pub fn open_in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        // WAL lets readers proceed during a sync write; synchronous=FULL fsyncs the WAL on
        // every commit, because a decision must be on disk before the UI says "decided".
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_millis(5000))?;
        // The default 2 MiB page cache thrashes on a 100k-packet queue (indexes + FTS are
        // tens of MiB): 32 MiB of cache keeps list, search and ingest in memory. No
        // memory-mapped I/O: every page of the file it touched would count in the app's
        // resident memory (about 90 MiB with 100k packets), while the OS page cache
        // serves the same reads without charging the app. Sorts and IN-lists stay in memory.
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a closure drops its open transaction (rolled back), so the
        // connection behind a poisoned lock is still consistent and safe to reuse.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `f` in one write transaction, committed only if it returns Ok. IMMEDIATE takes
    /// the write lock up front so a concurrent writer waits (busy_timeout) instead of
    /// failing halfway through with SQLITE_BUSY.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Run read-only queries on one consistent snapshot.
    fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        f(&tx)
    }
}

/// Clamp a caller's limit to `1..=MAX_LIMIT`, defaulting to `DEFAULT_LIMIT`.
fn clamp_limit(limit: Option<u32>) -> i64 {
    i64::from(limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT))
}
