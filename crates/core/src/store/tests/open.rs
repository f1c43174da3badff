//! Opening the database: pragmas, migrations on new, existing and too-new files, and
//! durability of state across a reopen.

use super::*;
use crate::store::migrations;

#[test]
fn open_creates_the_folder_and_sets_durability_pragmas() {
    let f = fixture();
    assert!(f.path.exists());
    let conn = f.store.lock();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!((journal.as_str(), sync, fk), ("wal", 2, 1));
}

#[test]
fn existing_file_is_migrated_and_data_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database from before the store existed: no schema, something else inside.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE scratch (x); INSERT INTO scratch VALUES (1);")
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    store.add_endpoint(&new_endpoint("ep1"), t(0)).unwrap();
    ingest(&store, &pkt("p1"), 1);
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.packet_id_by_remote("ep1", "p1").unwrap(), Some(1));
    let conn = store.lock();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let scratch: i64 = conn
        .query_row("SELECT x FROM scratch", [], |r| r.get(0))
        .unwrap();
    // V1 schema, then V2 (the ledger's subject index for audit exports), then V3 (the
    // LangGraph assistant filter).
    assert_eq!((version, scratch), (3, 1));
    assert_eq!(migrations().pending_migrations(&conn).unwrap(), 0);
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ledger_subject'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);
}

#[test]
fn a_file_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&path)
        .err()
        .expect("a newer schema must not be opened");
    assert_eq!(err.code(), "database");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn everything_survives_a_reopen() {
    let f = fixture();
    let p = pkt("p1");
    let id = ingest(&f.store, &p, 1);
    f.store
        .quarantine_raw("ep1", Some("bad"), "malformed_json", "eof", b"{", t(2))
        .unwrap();
    f.store.set_setting("reviewer.name", "Ada").unwrap();
    f.store.set_setting("reviewer.name", "Ada L.").unwrap();
    let head = f.store.verify_ledger().unwrap();
    let f = f.reopen();
    assert_eq!(f.store.packet(id).unwrap().packet, p);
    assert_eq!(
        f.store.quarantine(100).unwrap()[0].remote_id.as_deref(),
        Some("bad")
    );
    assert_eq!(
        f.store.setting("reviewer.name").unwrap().as_deref(),
        Some("Ada L.")
    );
    assert_eq!(f.store.setting("missing").unwrap(), None);
    assert_eq!(f.store.verify_ledger().unwrap(), head);
}

#[test]
fn in_memory_store_works() {
    let store = Store::open_in_memory().unwrap();
    store.add_endpoint(&new_endpoint("ep1"), t(0)).unwrap();
    assert_eq!(ingest(&store, &pkt("p1"), 1), 1);
}
