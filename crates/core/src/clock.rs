//! Time and randomness, passed into business logic so tests control them: the vocabulary
//! of `countersign-clock`, shared with the reference endpoint, under the engine's path.

pub use countersign_clock::*;
