//! The agent endpoints this device syncs with: their configuration, sync cursor and
//! health. Removal is a soft delete so their packets and decisions stay auditable.

use super::convert::{ms, opt_time};
use super::{ledger, Store};
use crate::error::{CoreError, Result};
use crate::views::{EndpointKind, EndpointView, Health};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

/// What the user enters to add an endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEndpoint {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub kind: EndpointKind,
    /// LangGraph only: the assistant id or graph id to review (None: all threads).
    pub assistant_filter: Option<String>,
}

fn kind_str(kind: EndpointKind) -> &'static str {
    kind.as_str()
}

const SELECT_VIEW: &str =
    "SELECT e.id, e.name, e.base_url, e.health, e.health_detail, e.last_sync_at,
        e.enrolled, (SELECT count(*) FROM outbox o WHERE o.endpoint_id = e.id),
        e.kind, e.assistant_filter
     FROM endpoints e WHERE e.removed_at IS NULL";

fn view(r: &rusqlite::Row<'_>) -> rusqlite::Result<EndpointView> {
    Ok(EndpointView {
        id: r.get(0)?,
        name: r.get(1)?,
        base_url: r.get(2)?,
        // A kind this build does not know (a newer database) is treated as native.
        kind: EndpointKind::parse(&r.get::<_, String>(8)?).unwrap_or_default(),
        health: Health::parse(&r.get::<_, String>(3)?),
        health_detail: r.get(4)?,
        last_sync_at: opt_time(r.get(5)?),
        enrolled: r.get(6)?,
        outbox: r.get(7)?,
        assistant_filter: r.get(9)?,
    })
}

fn not_found(id: &str) -> CoreError {
    CoreError::NotFound {
        what: "endpoint",
        id: id.to_string(),
    }
}

/// Fail unless `id` names an endpoint that is not removed.
pub(super) fn require_live(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.prepare_cached("SELECT 1 FROM endpoints WHERE id = ?1 AND removed_at IS NULL")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .ok_or_else(|| not_found(id))
}

impl Store {
    pub fn add_endpoint(&self, new: &NewEndpoint, now: DateTime<Utc>) -> Result<EndpointView> {
        if new.id.trim().is_empty() || new.name.trim().is_empty() {
            return Err(CoreError::InvalidInput(
                "an endpoint needs an id and a name".into(),
            ));
        }
        self.write(|tx| {
            let taken: Option<String> = tx
                .query_row(
                    "SELECT CASE WHEN id = ?1 THEN 'id' ELSE 'name' END FROM endpoints
                     WHERE id = ?1 OR (name = ?2 AND removed_at IS NULL) LIMIT 1",
                    params![new.id, new.name],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(what) = taken {
                return Err(CoreError::InvalidInput(format!(
                    "an endpoint with this {what} already exists"
                )));
            }
            tx.execute(
                "INSERT INTO endpoints (id, name, base_url, kind, created_at, assistant_filter)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    new.id,
                    new.name,
                    new.base_url,
                    kind_str(new.kind),
                    ms(now),
                    new.assistant_filter
                ],
            )?;
            let mut payload =
                json!({"name": new.name, "base_url": new.base_url, "kind": kind_str(new.kind)});
            if let Some(filter) = &new.assistant_filter {
                payload["assistant_filter"] = json!(filter);
            }
            ledger::append(tx, "endpoint_added", &new.id, &payload, now)?;
            Ok(tx.query_row(&format!("{SELECT_VIEW} AND e.id = ?1"), [&new.id], view)?)
        })
    }

    /// Soft-delete: the endpoint stops syncing and leaves the list; its packets and
    /// decisions are kept.
    pub fn remove_endpoint(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            require_live(tx, id)?;
            tx.execute(
                "UPDATE endpoints SET removed_at = ?2 WHERE id = ?1",
                params![id, ms(now)],
            )?;
            ledger::append(tx, "endpoint_removed", id, &json!({}), now)?;
            Ok(())
        })
    }

    /// Live endpoints, by name.
    pub fn endpoints(&self) -> Result<Vec<EndpointView>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(&format!("{SELECT_VIEW} ORDER BY e.name"))?;
            let rows = stmt.query_map([], view)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// A live endpoint by id, or else by name.
    pub fn endpoint(&self, id_or_name: &str) -> Result<EndpointView> {
        self.read(|tx| {
            tx.query_row(
                &format!(
                    "{SELECT_VIEW} AND (e.id = ?1 OR e.name = ?1) ORDER BY e.id = ?1 DESC LIMIT 1"
                ),
                [id_or_name],
                view,
            )
            .optional()?
            .ok_or_else(|| not_found(id_or_name))
        })
    }

    /// Record the endpoint's health; returns whether it changed (so callers emit an event
    /// only on a change). Health flaps are not audited.
    pub fn set_health(
        &self,
        id: &str,
        health: Health,
        detail: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx| {
            let current: (String, Option<String>) = tx
                .query_row(
                    "SELECT health, health_detail FROM endpoints WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| not_found(id))?;
            if current.0 == health.as_str() && current.1.as_deref() == detail {
                return Ok(false);
            }
            tx.execute(
                "UPDATE endpoints SET health = ?2, health_detail = ?3,
                    health_since = CASE WHEN health = ?2 THEN health_since ELSE ?4 END
                 WHERE id = ?1",
                params![id, health.as_str(), detail, ms(now)],
            )?;
            Ok(true)
        })
    }

    pub fn set_last_sync(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
        self.update_one(
            id,
            "UPDATE endpoints SET last_sync_at = ?2 WHERE id = ?1",
            ms(now),
        )
    }

    pub fn set_enrolled(&self, id: &str, enrolled: bool) -> Result<()> {
        self.update_one(
            id,
            "UPDATE endpoints SET enrolled = ?2 WHERE id = ?1",
            enrolled,
        )
    }

    /// The sync cursor to resume from (None: from the start).
    pub fn cursor(&self, id: &str) -> Result<Option<String>> {
        self.read(|tx| {
            tx.query_row("SELECT cursor FROM endpoints WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| not_found(id))
        })
    }

    fn update_one(&self, id: &str, sql: &str, value: impl rusqlite::ToSql) -> Result<()> {
        self.write(|tx| match tx.execute(sql, params![id, value])? {
            0 => Err(not_found(id)),
            _ => Ok(()),
        })
    }
}
