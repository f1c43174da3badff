//! Countersign engine, free of any UI toolkit: the local review queue (SQLite), signed
//! decisions (Ed25519 keys in the OS keyring), per-endpoint sync with an outbox that
//! survives restarts, and the hash-chained audit ledger. The desktop shell and the CLI
//! both drive it through [`engine::Engine`].

pub mod audit;
pub mod clock;
pub mod engine;
pub mod error;
pub mod error_code;
pub mod keystore;
pub mod policy;
pub mod signing;
pub mod store;
pub mod sync;
pub mod views;

pub use engine::{DecideRequest, Engine, EngineConfig, KeyInfo, NewEndpointRequest, SyncReport};
pub use error::CoreError;
pub use error_code::ErrorCode;
pub use views::*;
