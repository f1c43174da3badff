//! Forward-only schema migrations. Never edit a migration that has landed: append a new
//! one, because deployed endpoints have already applied the old ones.

use rusqlite_migration::{Migrations, M};

const V1_INITIAL: &str = r#"
-- One row per review packet. `body` is the full current Packet JSON; the other columns
-- are copies of fields we query by.
CREATE TABLE packets (
    id          TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    urgency     TEXT NOT NULL,
    deadline_ms INTEGER,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    body        TEXT NOT NULL
) STRICT;
CREATE INDEX packets_pending_deadline ON packets (deadline_ms)
    WHERE status = 'pending' AND deadline_ms IS NOT NULL;

-- Agent idempotency keys, scoped per agent token (stored as its SHA-256, never raw).
CREATE TABLE agent_keys (
    agent_token_hash TEXT NOT NULL,
    agent_key        TEXT NOT NULL,
    packet_id        TEXT NOT NULL REFERENCES packets (id),
    PRIMARY KEY (agent_token_hash, agent_key)
) STRICT, WITHOUT ROWID;

-- The desktop sync feed. AUTOINCREMENT so a seq is never reused, even after deletes.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    packet_id TEXT NOT NULL,
    snapshot  TEXT NOT NULL
) STRICT;
CREATE INDEX changes_by_packet ON changes (packet_id);

CREATE TABLE reviewers (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL
) STRICT;

CREATE TABLE reviewer_keys (
    key_id      TEXT PRIMARY KEY,
    reviewer_id TEXT NOT NULL REFERENCES reviewers (id),
    public_jwk  TEXT NOT NULL,
    enrolled_ms INTEGER NOT NULL
) STRICT;

-- Accepted decisions only; `packet_status_after` lets a replay return the same receipt.
CREATE TABLE decisions (
    decision_id         TEXT PRIMARY KEY,
    packet_id           TEXT NOT NULL REFERENCES packets (id),
    reviewer_id         TEXT NOT NULL,
    jws                 TEXT NOT NULL,
    record              TEXT NOT NULL,
    received_at         TEXT NOT NULL,
    packet_status_after TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_by_packet ON decisions (packet_id);

-- Named counters for /v1/agent/stats.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- How many times each decision_id was accepted as new: must only ever be 1.
CREATE TABLE decision_acceptances (
    decision_id TEXT PRIMARY KEY,
    times       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
"#;

/// The HumanLayer-compatible agent API: which packet each HumanLayer call became, the spec
/// the agent sent (echoed back to the SDK), and answers given without a signature.
const V2_HUMANLAYER: &str = r#"
-- One row per HumanLayer function call or contact request. call_ids are chosen by the
-- agent, so they are scoped per agent token (stored as its SHA-256) and per kind.
CREATE TABLE humanlayer_calls (
    agent_token_hash TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('function_call', 'human_contact')),
    call_id          TEXT NOT NULL,
    run_id           TEXT NOT NULL,
    packet_id        TEXT NOT NULL UNIQUE REFERENCES packets (id),
    spec             TEXT NOT NULL,
    -- An answer given through /agent/.../respond: JSON, never signed by a reviewer.
    unsigned_answer  TEXT,
    PRIMARY KEY (agent_token_hash, kind, call_id)
) STRICT, WITHOUT ROWID;

-- Every escalate_email request as received, in order (append-only).
CREATE TABLE humanlayer_escalations (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    packet_id   TEXT NOT NULL REFERENCES packets (id),
    body        TEXT NOT NULL,
    received_ms INTEGER NOT NULL
) STRICT;
"#;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1_INITIAL), M::up(V2_HUMANLAYER)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
