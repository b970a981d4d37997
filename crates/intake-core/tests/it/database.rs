//! The case store: migrations, schema guard, round trips.

use intake_core::ErrorKind;
use intake_core::case::{CaseAttributes, Channel, Datum, Edition, MerchantType, NewCase, NonstandardRequest, Site};
use intake_core::database::{Database, MIGRATIONS};

fn sample_case() -> NewCase {
    NewCase {
        merchant_name: "沪上小面馆".into(),
        attributes: CaseAttributes {
            merchant_type: MerchantType::IndividualBusiness,
            channels: vec![Channel::Offline, Channel::OnlineApp],
            edition: Edition::Jinxiaoman,
            opens_payment: true,
            syb: true,
            nonstandard: vec![NonstandardRequest::MonthlyFee],
            ..CaseAttributes::default()
        },
        visit_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
        site: Some(Site { lat: 31.2304, lon: 121.4737, datum: Datum::Gcj02, radius_m: Some(150.0) }),
    }
}

#[test]
fn every_migration_applies_in_order_on_an_empty_database() {
    let database = Database::open_in_memory().unwrap();
    database.integrity_check().unwrap();
    // Each script is also valid on top of its predecessors alone (no hidden dependencies on
    // later ones): apply them one by one in a raw connection.
    let connection = rusqlite::Connection::open_in_memory().unwrap();
    for (index, script) in MIGRATIONS.iter().enumerate() {
        connection.execute_batch(script).unwrap_or_else(|err| panic!("migration {} fails: {err}", index + 1));
    }
}

#[test]
fn a_fresh_database_records_its_schema_version_and_uses_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    drop(Database::open(&path).unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version as usize, MIGRATIONS.len());
    let mode: String = connection.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
    // Foreign keys are a per-connection setting: check ours enforces them.
    let mut database = Database::open(&path).unwrap();
    let orphan = intake_core::database::NewEvidence {
        case_id: "no-such-case",
        material_key: "storefront_photo",
        sha256: &"a".repeat(64),
        original_name: "a.jpg",
        bytes: 1,
        media_type: "image/jpeg",
    };
    assert!(database.insert_evidence(&orphan, chrono::Utc::now()).is_err());
}

#[test]
fn reopening_applies_nothing_twice_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let id = {
        let mut database = Database::open(&path).unwrap();
        database.insert_case("20261126-AAAAAA", &sample_case(), chrono::Utc::now()).unwrap().id
    };
    let database = Database::open(&path).unwrap();
    assert_eq!(database.case(&id).unwrap().merchant_name, "沪上小面馆");
}

#[test]
fn a_database_from_a_newer_program_is_refused_and_left_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Database::open(&path).err().expect("a newer schema must be refused");
    assert_eq!(err.kind(), ErrorKind::DatabaseTooNew);
    assert!(err.message().contains("999"), "{}", err.message());
    assert_eq!(std::fs::read(&path).unwrap(), before, "the database file was modified");
    assert!(!dir.path().join("store.sqlite3-wal").exists(), "a WAL file was created");
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    std::fs::write(&path, b"this is not a database, just some text that is long enough to have a header").unwrap();
    let err = Database::open(&path).err().expect("garbage must be refused");
    assert_eq!(err.kind(), ErrorKind::DatabaseCorrupt, "{}", err.message());
    assert!(err.message().contains("store.sqlite3"), "{}", err.message());
}

#[test]
fn a_case_round_trips_every_attribute() {
    let mut database = Database::open_in_memory().unwrap();
    let new_case = sample_case();
    let now = chrono::Utc::now();
    let stored = database.insert_case("20261126-BBBBBB", &new_case, now).unwrap();
    assert_eq!(stored.attributes, new_case.attributes);
    assert_eq!(stored.site, new_case.site);
    assert_eq!(stored.visit_date, new_case.visit_date);
    assert_eq!(stored.merchant_name, new_case.merchant_name);
    assert_eq!(stored.created_at.timestamp_millis(), now.timestamp_millis());
    let listed = database.list_cases().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].merchant_type, MerchantType::IndividualBusiness);
    assert_eq!(listed[0].file_count, 0);
}

#[test]
fn an_unknown_case_is_case_not_found() {
    let database = Database::open_in_memory().unwrap();
    assert_eq!(database.case("nope").unwrap_err().kind(), ErrorKind::CaseNotFound);
}
