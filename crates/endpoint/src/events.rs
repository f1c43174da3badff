//! In-process broadcast of appended changes: feeds live SSE streams and wakes agents
//! long-polling for a decision.
//!
//! The broadcast is only a fast path. Subscribers that lag or see a gap in `seq` re-read
//! the `changes` table, which is the source of truth, so nothing is ever missed.

use std::sync::Arc;

use countersign_protocol::Change;
use tokio::sync::broadcast;

/// How many changes a slow subscriber may fall behind before it must re-read the store.
const CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct ChangeFeed {
    sender: broadcast::Sender<Arc<Change>>,
}

impl ChangeFeed {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        ChangeFeed { sender }
    }

    /// Announce a committed change. Called while the store lock is still held, so
    /// subscribers receive changes in `seq` order.
    pub fn publish(&self, change: Change) {
        // No subscribers is normal (nobody is streaming or waiting).
        let _ = self.sender.send(Arc::new(change));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.sender.subscribe()
    }
}
