//! All database access: the SQLite case store, one file per table group.
//!
//! Nothing else in the crate touches SQL. Encryption at rest is SQLCipher (rusqlite's bundled
//! SQLCipher): [`Database::open_encrypted`] gives the connection its raw key before anything
//! else is read; [`encrypt_database`] turns an unencrypted store into an encrypted one.
//!
//! Migrations are data ([`MIGRATIONS`]): a list of SQL scripts, applied in one transaction
//! when the database is opened; `PRAGMA user_version` counts the ones applied. A database
//! whose version is higher than the list is long (written by a newer program) is refused
//! before anything is written to it.
//!
//! Here: opening, migrating and the transactions every table group uses. The groups:
//! `cases`, `case_fields`, `evidence` (files, withdrawn files), `facts` (what the checks read
//! from the bytes, pixel checks pending), `attestations`, `acceptances`, `notes`, `audit` (the
//! hash-chained log each change appends to), `outbox` (packages and their upload parts),
//! `documents` (document readings); `sqlcipher` (keys and encrypting a store) and `columns`
//! (values to and from column text).

mod acceptances;
mod attestations;
mod audit;
mod case_fields;
mod case_summaries;
mod cases;
mod columns;
mod documents;
mod evidence;
mod facts;
mod migrations;
mod notes;
mod outbox;
mod sqlcipher;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, Transaction};

use crate::audit::UNKNOWN_MANAGER;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::DataKey;
pub use acceptances::FindingAcceptanceRecord;
pub use attestations::AttestationRecord;
pub use case_fields::CaseFieldRecord;
pub use case_summaries::{ComputedCaseSummary, StoredCaseSummary, register_sql_functions};
pub use documents::StoredDocumentReading;
pub use evidence::{EvidenceRecord, NewEvidence, WithdrawnFile};
pub use facts::{EvidenceFacts, HashedEvidence, PendingPixelChecks, UnsyncedCommits};
pub use migrations::MIGRATIONS;
pub use notes::NoteRecord;
pub(crate) use outbox::ExportedPackage;
pub use outbox::{OutboxRecord, OutboxState, UploadPartRecord};
use sqlcipher::apply_key;
pub(crate) use sqlcipher::{checkpoint_plain, encrypt_database, is_unencrypted};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT_MS: u32 = 10_000;

/// An open case store.
pub struct Database {
    connection: Connection,
    /// Who the audit log names for the changes made through this handle (the settings'
    /// `manager_name`, refreshed by `DataFolder` before each change).
    audit_manager: std::cell::RefCell<String>,
}

impl Database {
    /// Opens (creating if needed) the unencrypted store at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<Database> {
        Self::open_with(path, None)
    }

    /// Opens (creating if needed) the store at `path`, encrypted with SQLCipher under a key
    /// derived from `key`, and brings its schema up to date.
    pub fn open_encrypted(path: &Path, key: &DataKey) -> Result<Database> {
        Self::open_with(path, Some(key))
    }

    fn open_with(path: &Path, key: Option<&DataKey>) -> Result<Database> {
        refuse_newer_schema(path, key)?;
        let connection = Connection::open(crate::long_paths::for_sqlite(path)).map_err(|err| open_error(path, err))?;
        apply_key(&connection, key).map_err(|err| open_error(path, err))?;
        // SQLite opens a file it may not write read-only without a word, and the first change
        // then fails as "attempt to write a readonly database", naming no file. The data
        // folder as a whole must be writable (as `DataFolder::open` checks of the folder).
        if connection.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(Error::new(
                ErrorKind::DataFolderUnwritable,
                format!(
                    "{}: the database file cannot be written (read-only for this user); check its permissions",
                    path.display()
                ),
            ));
        }
        configure(&connection).map_err(|err| open_error(path, err))?;
        let mut database = Database { connection, audit_manager: std::cell::RefCell::new(UNKNOWN_MANAGER.to_string()) };
        database.migrate().map_err(|err| match err.kind() {
            ErrorKind::DatabaseTooNew => err,
            _ => Error::new(err.kind(), format!("{}: {}", path.display(), err.message())),
        })?;
        Ok(database)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Database> {
        let connection = Connection::open_in_memory()?;
        configure(&connection)?;
        let mut database = Database { connection, audit_manager: std::cell::RefCell::new(UNKNOWN_MANAGER.to_string()) };
        database.migrate()?;
        Ok(database)
    }

    fn migrate(&mut self) -> Result<()> {
        // IMMEDIATE takes the write lock first, so two processes opening a fresh folder at
        // once cannot both apply migration 1.
        let tx = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: usize = tx.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
        if applied > MIGRATIONS.len() {
            return Err(too_new(applied));
        }
        for (index, script) in MIGRATIONS.iter().enumerate().skip(applied) {
            tx.execute_batch(script)?;
            // PRAGMA takes no bound parameters; the number is ours, not user input.
            tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `work` in one transaction: committed if it returns `Ok`, rolled back otherwise.
    fn with_tx<T>(&mut self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Like `with_tx`, from a shared handle: an export and an upload only read the store
    /// otherwise. IMMEDIATE, so the sequence number read is still the last one at insert.
    fn with_shared_tx<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = Transaction::new_unchecked(&self.connection, rusqlite::TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Names `manager` in the audit entries of the changes made from now on through this
    /// handle ([`UNKNOWN_MANAGER`] when empty).
    pub(crate) fn set_audit_manager(&self, manager: &str) {
        let manager = manager.trim();
        *self.audit_manager.borrow_mut() = if manager.is_empty() { UNKNOWN_MANAGER } else { manager }.to_string();
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite finds nothing wrong.
    pub fn integrity_check(&self) -> Result<()> {
        let verdict: String = self.connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::DatabaseCorrupt, format!("database integrity check failed: {verdict}")))
        }
    }
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))?;
    // WAL lets the app read while the CLI writes; synchronous=FULL makes a commit durable
    // before it returns, which the vault's write order relies on.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    case_summaries::register_sql_functions(connection)?;
    Ok(())
}

/// Reads the schema version through a read-only connection, so that a database from a newer
/// program is refused without a single byte written to it (not even the WAL switch).
fn refuse_newer_schema(path: &Path, key: Option<&DataKey>) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let connection = Connection::open_with_flags(
        crate::long_paths::for_sqlite(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|err| open_error(path, err))?;
    apply_key(&connection, key).map_err(|err| open_error(path, err))?;
    let applied: i64 =
        connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|err| open_error(path, err))?;
    if applied as usize > MIGRATIONS.len() {
        return Err(Error::new(
            ErrorKind::DatabaseTooNew,
            format!("{}: {}", path.display(), too_new(applied as usize).message()),
        ));
    }
    Ok(())
}

fn too_new(applied: usize) -> Error {
    Error::new(
        ErrorKind::DatabaseTooNew,
        format!(
            "the database has schema version {applied} but this program knows only up to {}; \
             it was written by a newer Merchant Intake and is left untouched: install the newer version",
            MIGRATIONS.len()
        ),
    )
}

fn open_error(path: &Path, err: rusqlite::Error) -> Error {
    let base = Error::from(err);
    Error::new(base.kind(), format!("{}: {}", path.display(), base.message()))
}
