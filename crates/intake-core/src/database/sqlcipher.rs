//! Encryption at rest: the key statement every encrypted connection starts with, and turning an
//! unencrypted store into an encrypted one.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

use super::{BUSY_TIMEOUT_MS, open_error};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::DataKey;

/// Gives an encrypted store's connection its key: must be the first statement on it.
pub(super) fn apply_key(connection: &Connection, key: Option<&DataKey>) -> rusqlite::Result<()> {
    let Some(key) = key else { return Ok(()) };
    // SQLCipher then locks its key material in memory and wipes every allocation it frees
    // (process-wide), so the page cache of an unlocked store does not linger after locking.
    // Measured: README "Encryption at rest".
    connection.execute_batch("PRAGMA cipher_memory_security = ON;")?;
    // The key is ours (hex), never user input; the statement is built in one wiped buffer of
    // the right size (no reallocation leaves a copy behind). rusqlite copies it into a C
    // string it does not wipe: that copy is SQLite's to free.
    let hex = key.database_key();
    let mut statement = zeroize::Zeroizing::new(String::with_capacity(hex.len() + 16));
    statement.push_str("PRAGMA key = \"");
    statement.push_str(&hex);
    statement.push_str("\";");
    connection.execute_batch(&statement)
}

/// True when the file at `path` is an SQLite database readable without a key (an unencrypted
/// store); false for an encrypted one (or anything else SQLite cannot read).
pub(crate) fn is_unencrypted(path: &Path) -> bool {
    Connection::open_with_flags(
        crate::long_paths::for_sqlite(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|connection| connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)))
    .is_ok()
}

/// Checkpoints the WAL of the unencrypted store at `plain` into it (and empties the WAL), so
/// that its file holds every row and stays the same bytes while it is only read after.
pub(crate) fn checkpoint_plain(plain: &Path) -> Result<()> {
    let connection = Connection::open(crate::long_paths::for_sqlite(plain)).map_err(|err| open_error(plain, err))?;
    connection
        .busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))
        .map_err(|err| open_error(plain, err))?;
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|err| open_error(plain, err))
}

/// Writes an encrypted copy of the unencrypted store at `plain` to `target` (which must not
/// exist) with `sqlcipher_export`, schema version included, and syncs it. `plain` is only read;
/// its WAL is checkpointed into it first so that the copy misses nothing and the WAL can go.
pub(crate) fn encrypt_database(plain: &Path, target: &Path, key: &DataKey) -> Result<()> {
    let connection = Connection::open(crate::long_paths::for_sqlite(plain)).map_err(|err| open_error(plain, err))?;
    connection
        .busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))
        .map_err(|err| open_error(plain, err))?;
    let version: i64 =
        connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|err| open_error(plain, err))?;
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|err| open_error(plain, err))?;
    let target_sqlite = crate::long_paths::for_sqlite(target);
    let target_name = target_sqlite.to_str().ok_or_else(|| {
        Error::for_file(ErrorKind::DataFolderUnwritable, target, "the data folder's path is not valid Unicode")
    })?;
    let exported = (|| {
        connection
            .execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", params![target_name, key.database_key().as_str()])?;
        connection.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // sqlcipher_export copies the schema and the rows, not the header's user_version.
        connection.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        connection.execute_batch("DETACH DATABASE encrypted;")
    })();
    exported.map_err(|err| open_error(target, err))?;
    drop(connection);
    // Opened for writing: Windows flushes a file (FlushFileBuffers) only through a handle with
    // write access, and a read-only one fails with "Access denied" (found under Wine: every
    // `passphrase set` failed on the Windows build).
    std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .and_then(|file| file.sync_all())
        .map_err(|err| Error::writing(target, &err))
}
