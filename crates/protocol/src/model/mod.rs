//! Wire model of protocol v1: review packets as agents create them and endpoints serve
//! them, decision records as reviewers sign them, and the change feed that syncs both.
//!
//! Times are RFC 3339 strings in UTC. An `Option` field with `skip_serializing_if` is left
//! out when `None` (never sent as `null`), which is also why their TypeScript declarations
//! (`ts` feature) say `field?: T`.

mod decision;
mod feed;
mod packet;

pub use decision::*;
pub use feed::*;
pub use packet::*;
