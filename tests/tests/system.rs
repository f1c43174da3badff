//! The system tests, one binary: the real `countersign` CLI as desktop client against
//! the reference endpoint (`countersign endpoint serve`) on 127.0.0.1, a real keyring and
//! notification daemon on a private D-Bus session, and real LangGraph and HumanLayer
//! agents. Run through scripts/test.sh, or one module: `cargo test -p
//! countersign-system-tests --test system langgraph_delivery`.

// Reviewing and deciding.
mod bad_input;
mod conflict;
mod crash;
mod outage;
mod sync_and_decide;

// What the client keeps.
mod audit_export;
mod keyring;
mod ledger;

// Desktop notifications.
mod notifications;

// Other agent frameworks as endpoints.
mod humanlayer;
mod langgraph;
mod langgraph_delivery;
