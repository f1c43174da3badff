//! The engine's integration tests, one binary: real SQLite files, real HTTP.

// Against the reference endpoint on 127.0.0.1 (the testkit's in-process endpoint).
mod engine_with_endpoint;
// LangGraph endpoints added through the engine.
mod langgraph_endpoint;
