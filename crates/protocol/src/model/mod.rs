//! Wire model of protocol v1: review packets as agents create them and endpoints serve
//! them, decision records as reviewers sign them, and the change feed that syncs both.

mod decision;
mod feed;
mod packet;

pub use decision::*;
pub use feed::*;
pub use packet::*;
