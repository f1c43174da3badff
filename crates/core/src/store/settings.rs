//! Small key/value preferences that must survive restarts with the rest of the state
//! (reviewer identity, UI choices), kept in the same database so a backup has them too.

use super::Store;
use crate::error::Result;
use rusqlite::{params, OptionalExtension};

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?)
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
            Ok(())
        })
    }
}
