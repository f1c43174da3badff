//! Shared state of a running endpoint (store, change feed, tokens, clock, stop signal) and
//! the bridge that runs blocking SQLite work off the async runtime.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use countersign_clock::Clock;
use tokio::sync::watch;

use crate::error::EndpointError;
use crate::events::ChangeFeed;
use crate::store::{Store, StoreResult, Writer};
use crate::tokens::Tokens;
use crate::{DemoConfig, EndpointConfig, DEMO_AGENT_TOKEN, DEMO_REVIEWER_TOKEN};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    store: Arc<Store>,
    feed: ChangeFeed,
    tokens: Tokens,
    clock: Arc<dyn Clock>,
    stop: watch::Receiver<bool>,
    demo: Option<DemoConfig>,
    /// The agent token demo agents use (the first configured one).
    demo_agent_token: Option<String>,
}

impl AppState {
    pub fn open(
        config: EndpointConfig,
        stop: watch::Receiver<bool>,
    ) -> Result<AppState, EndpointError> {
        let EndpointConfig {
            db_path,
            mut reviewer_tokens,
            mut agent_tokens,
            demo,
            clock,
        } = config;
        if demo.is_some() {
            // A demo must work out of the box: well-known tokens unless the user chose some.
            if reviewer_tokens.is_empty() {
                reviewer_tokens.push(DEMO_REVIEWER_TOKEN.into());
            }
            if agent_tokens.is_empty() {
                agent_tokens.push(DEMO_AGENT_TOKEN.into());
            }
        }
        let feed = ChangeFeed::new();
        let store = Store::open(&db_path, feed.clone())?;
        Ok(AppState {
            inner: Arc::new(Shared {
                store: Arc::new(store),
                feed,
                tokens: Tokens::new(&reviewer_tokens, &agent_tokens),
                clock,
                stop,
                demo_agent_token: demo.as_ref().and_then(|_| agent_tokens.first().cloned()),
                demo,
            }),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    pub fn feed(&self) -> &ChangeFeed {
        &self.inner.feed
    }

    /// Whether the endpoint is shutting down.
    pub fn is_stopping(&self) -> bool {
        *self.inner.stop.borrow()
    }

    /// Completes once the endpoint is shutting down (at once if it already is).
    pub async fn stopped(&self) {
        let mut stop = self.inner.stop.clone();
        // The borrowed value is dropped here, so callers' futures stay `Send`.
        let _ = stop.wait_for(|stopped| *stopped).await;
    }

    pub fn demo_config(&self) -> Option<DemoConfig> {
        self.inner.demo.clone()
    }

    pub fn demo_agent_token(&self) -> Option<&str> {
        self.inner.demo_agent_token.as_deref()
    }

    /// Run read-only SQLite work on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> StoreResult<T> + Send + 'static,
    {
        let store = self.inner.store.clone();
        blocking(move || store.read(work)).await
    }

    /// Run one SQLite write transaction on the blocking pool (see `Store::write`).
    pub async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer<'_>) -> StoreResult<T> + Send + 'static,
    {
        let store = self.inner.store.clone();
        blocking(move || store.write(work)).await
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| EndpointError::Internal(format!("database task failed: {e}")))?
}
