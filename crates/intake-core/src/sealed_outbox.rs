//! The sealed outbox: where the upload reads a queued package from, and when an uploaded one
//! is removed.
//!
//! An export queues its package in the vault (`vault/outbox/<sha256>.zip`, encrypted when the
//! data folder is; module `package`), so the merchant's documents never sit in clear in a
//! folder of zips. Packages queued before the outbox was sealed (plain zips under `exports/`
//! or wherever `--out` wrote them) are still read from where they were written.
//!
//! Retention: once a package is uploaded and read back whole (`done`), its sealed copy is kept
//! for `upload.keep_uploaded_days` days (default [`DEFAULT_KEEP_UPLOADED_DAYS`]) in case head
//! office asks for it again, then removed at the next open of the folder or the next upload.
//! Only sealed packages of the outbox are removed: a plain copy written where the manager
//! asked is the manager's file, and the outbox row (with the package's SHA-256) stays.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::database::{Database, OutboxRecord, OutboxState};
use crate::error::{Error, ErrorKind, Result};
use crate::vault::{Vault, VaultReader};

/// How many days a sealed package is kept after its upload was verified, when the settings
/// do not say (`upload.keep_uploaded_days`).
pub const DEFAULT_KEEP_UPLOADED_DAYS: u32 = 30;

/// A queued package open for reading: sealed in the vault, or a plain zip from before.
pub(crate) enum QueuedPackage {
    Sealed(VaultReader),
    Plain(File),
}

impl Read for QueuedPackage {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            QueuedPackage::Sealed(reader) => reader.read(buffer),
            QueuedPackage::Plain(file) => file.read(buffer),
        }
    }
}

impl Seek for QueuedPackage {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match self {
            QueuedPackage::Sealed(reader) => reader.seek(to),
            QueuedPackage::Plain(file) => file.seek(to),
        }
    }
}

/// Whether the outbox row names a package sealed in the vault. The path is recorded at export;
/// a data folder moved since still has it at the same place in the vault.
fn is_sealed(vault: &Vault, record: &OutboxRecord) -> bool {
    let path = Path::new(&record.path);
    if path == vault.package_path(&record.sha256) {
        return true;
    }
    let name = |path: Option<&Path>| path.and_then(Path::file_name).map(|name| name.to_string_lossy().into_owned());
    let folder = path.parent();
    name(Some(path)).as_deref() == Some(format!("{}.zip", record.sha256).as_str())
        && name(folder).as_deref() == Some("outbox")
        && name(folder.and_then(Path::parent)).as_deref() == Some("vault")
}

/// Opens a queued package for reading (decrypting a sealed one), as the upload sends it.
pub(crate) fn open_queued_package(vault: &Vault, record: &OutboxRecord) -> Result<QueuedPackage> {
    if is_sealed(vault, record) {
        return vault.open_package(&record.sha256).map(QueuedPackage::Sealed);
    }
    let path = Path::new(&record.path);
    File::open(path).map(QueuedPackage::Plain).map_err(|err| Error::reading(path, &err))
}

/// Checks that a queued package is still the bytes that were exported: same size, same
/// SHA-256 (`package_changed` when it is gone or changed).
pub(crate) fn check_queued_package(vault: &Vault, record: &OutboxRecord) -> Result<()> {
    let path = check_queued_package_present(vault, record)?;
    let mut package = open_queued_package(vault, record)?;
    if !stream_matches_record(&mut package, record, &path, &mut io::sink(), &path)? {
        return Err(package_changed(&path, "has changed"));
    }
    Ok(())
}

/// The cheap half of [`check_queued_package`]: `package_changed` when the queued package is
/// gone. The upload hashes the package as it sends it (one read instead of two) and checks the
/// bytes then. Returns where the package is.
pub(crate) fn check_queued_package_present(vault: &Vault, record: &OutboxRecord) -> Result<PathBuf> {
    let sealed = is_sealed(vault, record);
    let path: PathBuf = if sealed { vault.package_path(&record.sha256) } else { PathBuf::from(&record.path) };
    if !path.exists() {
        return Err(package_changed(&path, "is gone"));
    }
    Ok(path)
}

/// Removes the sealed packages of `outbox` whose upload was verified more than `keep_days`
/// days before `now` (module documentation). Returns how many were removed.
pub(crate) fn remove_expired_packages(
    vault: &Vault,
    outbox: Vec<OutboxRecord>,
    keep_days: u32,
    now: DateTime<Utc>,
) -> Result<usize> {
    let cutoff = now - chrono::Duration::days(i64::from(keep_days));
    let mut removed = 0;
    for record in outbox {
        let expired = record.state == OutboxState::Done && record.done_at.is_some_and(|done_at| done_at <= cutoff);
        if expired && is_sealed(vault, &record) && vault.remove_package(&record.sha256)? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Writes a plain copy of the queued package `sha256` at `out` (see
/// `DataFolder::save_plain_copy`). Returns its size.
pub(crate) fn save_plain_copy(database: &Database, vault: &Vault, sha256: &str, out: &Path) -> Result<u64> {
    if out.is_dir() {
        return Err(Error::for_file(ErrorKind::NotAFile, out, "is a folder; give the name of the zip file to write"));
    }
    let record = database.outbox_package(sha256)?;
    check_queued_package(vault, &record)?;
    let mut package = open_queued_package(vault, &record)?;
    let (temp, file) = crate::durable::create_temp_beside(out, crate::durable::Readers::Anyone)?;
    let copied = copy_checked(&mut package, &record, file, &temp);
    match copied.and_then(|total| crate::durable::commit_replacing(&temp, out).map(|()| total)) {
        Ok(total) => Ok(total),
        Err(err) => {
            let _ = std::fs::remove_file(&temp);
            Err(err)
        }
    }
}

fn package_changed(path: &Path, what: &str) -> Error {
    Error::for_file(
        ErrorKind::PackageChanged,
        path,
        format!("导出的包已变动 {what} since it was exported; export the case again"),
    )
}

/// Copies a queued package into `file` (the temp file at `temp`), hashing on the way: it must
/// still be the bytes recorded. Returns the size, the file synced.
fn copy_checked(package: &mut QueuedPackage, record: &OutboxRecord, file: File, temp: &Path) -> Result<u64> {
    let mut writer = std::io::BufWriter::new(file);
    // Checked again while copying: the queued file may have changed since the check.
    if !stream_matches_record(package, record, Path::new(&record.path), &mut writer, temp)? {
        return Err(Error::for_file(
            ErrorKind::PackageChanged,
            Path::new(&record.path),
            "导出的包已变动 has changed since it was exported; export the case again",
        ));
    }
    let file = writer.into_inner().map_err(|err| Error::writing(temp, err.error()))?;
    file.sync_all().map_err(|err| Error::writing(temp, &err))?;
    Ok(record.bytes)
}

/// Reads a queued package to its end, hashing it and writing each chunk to `sink`
/// (`io::sink()` for a check alone); true when it is still the bytes recorded (size and
/// SHA-256). Errors name `read_path` for reading and `sink_path` for writing.
fn stream_matches_record(
    package: &mut QueuedPackage,
    record: &OutboxRecord,
    read_path: &Path,
    sink: &mut impl std::io::Write,
    sink_path: &Path,
) -> Result<bool> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let read = match package.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(Error::reading(read_path, &err)),
        };
        hasher.update(&buffer[..read]);
        sink.write_all(&buffer[..read]).map_err(|err| Error::writing(sink_path, &err))?;
        total += read as u64;
    }
    Ok(total == record.bytes && crate::vault::hex(&hasher.finalize()) == record.sha256)
}
