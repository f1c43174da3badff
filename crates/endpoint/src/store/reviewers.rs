//! Enrolled reviewers and their public keys, looked up by key id (the JWS `kid`).

use chrono::{DateTime, Utc};
use countersign_protocol::{PublicJwk, ReviewerRef};
use rusqlite::{params, Connection, OptionalExtension};

use super::{json_column, to_json, to_ms, StoreResult};
use crate::error::EndpointError;

pub struct EnrolledKey {
    pub reviewer_id: String,
    pub public_key: PublicJwk,
}

/// What enrolling did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrollment {
    Created,
    AlreadyEnrolled,
}

pub fn enrolled_key(conn: &Connection, key_id: &str) -> StoreResult<Option<EnrolledKey>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT reviewer_id, public_jwk FROM reviewer_keys WHERE key_id = ?1",
            [key_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    row.map(|(reviewer_id, jwk)| {
        Ok(EnrolledKey {
            reviewer_id,
            public_key: json_column(&jwk, "reviewer key")?,
        })
    })
    .transpose()
}

/// Register `key_id` for `reviewer`. The caller has checked that `key_id` is the key's
/// thumbprint. A key already enrolled for a different reviewer is refused: otherwise one
/// reviewer could sign as another.
pub fn enroll_key(
    conn: &Connection,
    reviewer: &ReviewerRef,
    key_id: &str,
    public_key: &PublicJwk,
    now: DateTime<Utc>,
) -> StoreResult<Enrollment> {
    conn.execute(
        "INSERT INTO reviewers (id, display_name) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name",
        params![reviewer.id, reviewer.display_name],
    )?;
    if let Some(existing) = enrolled_key(conn, key_id)? {
        if existing.reviewer_id != reviewer.id {
            return Err(EndpointError::Conflict {
                message: format!("key `{key_id}` is enrolled for another reviewer"),
                winner: None,
            });
        }
        return Ok(Enrollment::AlreadyEnrolled);
    }
    conn.execute(
        "INSERT INTO reviewer_keys (key_id, reviewer_id, public_jwk, enrolled_ms) VALUES (?1, ?2, ?3, ?4)",
        params![key_id, reviewer.id, to_json(public_key)?, to_ms(now)],
    )?;
    Ok(Enrollment::Created)
}
