//! The reference endpoint's integration tests, one binary: a real server on 127.0.0.1
//! (the testkit's in-process endpoint, with a controllable clock) over real HTTP.

// The desktop face: the change feed, SSE push, and the agent face.
mod feed_and_agent;
// Signed decisions: verification, replay, conflicts, quorum, enrollment.
mod decisions;
// The HumanLayer-compatible agent API.
mod humanlayer;
