//! Crash-safe writes of the small files that live beside the store and the vault (settings,
//! the installation's key) and of exported packages: write a temp file in the same folder,
//! fsync it, rename it into place, fsync the folder. A crash leaves either the old file or
//! the new one, never a half-written one; at worst a `*.part` temp file is left over.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Who may read a file written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readers {
    /// The usual permissions (the umask decides).
    Anyone,
    /// The owner only: mode 0600 on unix from the moment the file exists. On Windows a new
    /// file inherits the ACL of its folder, and the data folder lives in the per-user
    /// `%LOCALAPPDATA%`, which only the user (and administrators) may read.
    OwnerOnly,
}

/// Creates a new temp file beside `path` (same folder, so the rename cannot cross file
/// systems). Returns its path and the open file.
pub(crate) fn create_temp_beside(path: &Path, readers: Readers) -> Result<(PathBuf, File)> {
    let folder = parent_of(path);
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    loop {
        let temp = folder.join(format!(".{name}.{}.part", crate::vault::random_hex(6)));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if readers == Readers::OwnerOnly {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = readers;
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(Error::writing(&temp, &err)),
        }
    }
}

/// Replaces (or creates) `path` with `bytes`, crash-safely.
pub(crate) fn write_replacing(path: &Path, bytes: &[u8], readers: Readers) -> Result<()> {
    let (temp, file) = create_temp_beside(path, readers)?;
    let result = write_and_sync(file, &temp, bytes).and_then(|()| commit_replacing(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates `path` with `bytes` only if it does not exist yet; returns false (and writes
/// nothing) when it does. Two processes racing to create the same file: one wins, the other
/// sees `false` and reads the winner's file.
pub(crate) fn write_new(path: &Path, bytes: &[u8], readers: Readers) -> Result<bool> {
    let (temp, file) = create_temp_beside(path, readers)?;
    let result = write_and_sync(file, &temp, bytes).and_then(|()| {
        // A hard link never replaces an existing file, unlike rename on unix.
        match fs::hard_link(&temp, path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(Error::writing(path, &err)),
        }
    });
    let _ = fs::remove_file(&temp);
    if let Ok(true) = result {
        sync_folder(parent_of(path)).map_err(|err| Error::writing(parent_of(path), &err))?;
    }
    result
}

/// Renames a finished, synced temp file over `path` and makes the rename durable.
pub(crate) fn commit_replacing(temp: &Path, path: &Path) -> Result<()> {
    fs::rename(temp, path).map_err(|err| Error::writing(path, &err))?;
    sync_folder(parent_of(path)).map_err(|err| Error::writing(parent_of(path), &err))
}

fn write_and_sync(mut file: File, temp: &Path, bytes: &[u8]) -> Result<()> {
    file.write_all(bytes).map_err(|err| Error::writing(temp, &err))?;
    file.sync_all().map_err(|err| Error::writing(temp, &err))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Makes a rename durable. On Windows a folder cannot be opened for syncing, and NTFS
/// journals the rename itself, so there is nothing to do.
pub(crate) fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}
