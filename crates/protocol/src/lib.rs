//! Countersign protocol v1, shared by the desktop engine and by agent endpoints.
//!
//! Everything here is pure (no I/O, no clock, no randomness): the wire model of review
//! packets and decision records, their RFC 8785 digests, compact-JWS signing and
//! verification with Ed25519, and the validation rules (size limits, allowed outcomes,
//! argument schemas) that both sides apply identically.

#![deny(missing_docs)]

pub mod canonical;
pub mod digest;
pub mod error;
pub mod jws;
pub mod limits;
pub mod model;
pub mod validate;
pub mod wire;

pub use error::ProtocolError;
pub use model::*;

/// The protocol version carried in paths (`/v1`), the version header and every packet and
/// decision record.
pub const PROTOCOL_VERSION: u32 = 1;
