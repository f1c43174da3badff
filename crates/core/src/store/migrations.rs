//! The database schema as forward-only migrations, applied in order on every open.
//!
//! A migration that has landed (was committed) is never edited or removed: databases out
//! in the field already ran it, and `user_version` records how many ran. Change the schema
//! by appending a new `M::up`.

use rusqlite_migration::{Migrations, M};

const V1_SCHEMA: &str = r#"
CREATE TABLE endpoints (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    base_url      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    cursor        TEXT,
    health        TEXT NOT NULL DEFAULT 'unknown',
    health_detail TEXT,
    health_since  INTEGER,
    last_sync_at  INTEGER,
    enrolled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    removed_at    INTEGER
);
-- A removed endpoint keeps its row (its packets and decisions stay auditable), so its
-- name may be reused.
CREATE UNIQUE INDEX endpoints_live_name ON endpoints(name) WHERE removed_at IS NULL;

CREATE TABLE packets (
    id           INTEGER PRIMARY KEY,
    endpoint_id  TEXT NOT NULL REFERENCES endpoints(id),
    remote_id    TEXT NOT NULL,
    status       TEXT NOT NULL,
    urgency_rank INTEGER NOT NULL,
    risk_rank    INTEGER NOT NULL,
    agent        TEXT NOT NULL,
    action       TEXT NOT NULL,
    amount       TEXT,
    deadline_ms  INTEGER,
    created_ms   INTEGER NOT NULL,
    received_ms  INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    last_seq     INTEGER NOT NULL,
    digest       TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (endpoint_id, remote_id)
);
-- SQLite indexes cannot say NULLS LAST, so the queue orders by this expression instead
-- of deadline_ms; queries must repeat it verbatim for the index to serve the sort.
CREATE INDEX packets_queue ON packets(
    status, urgency_rank DESC, coalesce(deadline_ms, 9223372036854775807), created_ms, id);
CREATE INDEX packets_queue_any_status ON packets(
    urgency_rank DESC, coalesce(deadline_ms, 9223372036854775807), created_ms, id);
-- Also covers the pending/urgent counts of the status bar.
CREATE INDEX packets_endpoint ON packets(endpoint_id, status, urgency_rank, deadline_ms);
CREATE INDEX packets_agent ON packets(agent, status);
CREATE INDEX packets_action ON packets(action, status);
CREATE INDEX packets_risk ON packets(risk_rank, status);

-- rowid = packets.id; rows are written by the store in the same transaction as the packet.
CREATE VIRTUAL TABLE packets_fts USING fts5(
    action, agent, reasoning, args, context,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE decisions (
    decision_id     TEXT PRIMARY KEY,
    packet_id       INTEGER NOT NULL REFERENCES packets(id),
    endpoint_id     TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    state           TEXT NOT NULL,
    local           INTEGER NOT NULL,
    jws             TEXT NOT NULL,
    record          TEXT NOT NULL,
    winner          TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_ms INTEGER,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX decisions_packet ON decisions(packet_id, local, created_ms);

CREATE TABLE outbox (
    decision_id     TEXT PRIMARY KEY REFERENCES decisions(decision_id),
    endpoint_id     TEXT NOT NULL,
    next_attempt_ms INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(endpoint_id, next_attempt_ms);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    remote_id   TEXT,
    received_ms INTEGER NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    raw_size    INTEGER NOT NULL,
    raw_preview TEXT NOT NULL,
    raw_sha256  TEXT NOT NULL
);

CREATE TABLE ledger (
    seq       INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// Audit export: a decision's ledger entries (signed/received, sent, final state) are
/// found by subject, and an export walks decisions in the order they entered the chain.
const V2_LEDGER_SUBJECT: &str = r#"
CREATE INDEX ledger_subject ON ledger(subject, seq);
"#;

/// LangGraph endpoints may be narrowed to one assistant or graph.
const V3_ASSISTANT_FILTER: &str = r#"
ALTER TABLE endpoints ADD COLUMN assistant_filter TEXT;
"#;

/// Every migration, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1_SCHEMA),
        M::up(V2_LEDGER_SUBJECT),
        M::up(V3_ASSISTANT_FILTER),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }
}
