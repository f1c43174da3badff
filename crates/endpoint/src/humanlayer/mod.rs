//! HumanLayer-compatible agent API, mounted at `/humanlayer/v1`: unmodified HumanLayer-SDK
//! agents (`require_approval`, `human_as_tool`) get their approvals from Countersign by
//! setting `HUMANLAYER_API_BASE` to this endpoint and `HUMANLAYER_API_KEY` to an agent
//! token.
//!
//! Function calls and contact requests become ordinary review packets (same validation,
//! change feed and SSE push as the native agent face); the signed decision sets the status
//! the SDK polls for, and every response carries the packet id and signed record for audit.

mod calls;
mod lifecycle;
mod mapping;
mod models;
mod routes;

/// Where the API is mounted (the SDKs' default base URL ends with it).
pub const BASE_PATH: &str = "/humanlayer/v1";

pub use routes::router;
