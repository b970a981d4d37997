//! Crash-safe writes of the small files that live beside the store and the vault (settings,
//! the installation's key) and of exported packages: write a temp file in the same folder,
//! fsync it, rename it into place, fsync the folder. A crash leaves either the old file or
//! the new one, never a half-written one; at worst a `*.part` temp file is left over.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    rename_replacing(temp, path).map_err(|err| Error::writing(path, &err))?;
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

/// `fs::rename(from, to)`, replacing `to`, patient with Windows's sharing rules.
///
/// On Windows a rename over a file that another handle holds open without `FILE_SHARE_DELETE`
/// (an antivirus or the search indexer reading the new file, a viewer, the app's other
/// process) fails with access denied or a sharing violation until that handle closes, usually
/// within milliseconds; std's POSIX-semantics rename only helps on NTFS, not on the FAT/exFAT
/// of a USB stick, and not under Wine. So those errors are retried for up to
/// [`RENAME_PATIENCE`]; any other error, and every error on unix, is returned at once.
/// Files this program opens itself are closed before they are renamed over.
pub(crate) fn rename_replacing(from: &Path, to: &Path) -> io::Result<()> {
    retry_while(|| fs::rename(from, to), is_windows_sharing_error, std::thread::sleep)
}

/// How long [`rename_replacing`] waits for another handle to let go.
const RENAME_PATIENCE: Duration = Duration::from_secs(2);

/// True for the errors Windows gives while another handle holds a file: ERROR_ACCESS_DENIED
/// (5, also a delete-pending file), ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33).
/// Never on unix, where the same numbers mean other things (5 is EIO).
fn is_windows_sharing_error(err: &io::Error) -> bool {
    cfg!(windows) && is_sharing_error_code(err.raw_os_error())
}

fn is_sharing_error_code(code: Option<i32>) -> bool {
    matches!(code, Some(5 | 32 | 33))
}

/// Runs `attempt` until it succeeds, fails with an error `transient` refuses, or
/// [`RENAME_PATIENCE`] has been spent sleeping (pauses from 10 ms, doubling, at most 200 ms).
fn retry_while(
    mut attempt: impl FnMut() -> io::Result<()>,
    transient: impl Fn(&io::Error) -> bool,
    mut sleep: impl FnMut(Duration),
) -> io::Result<()> {
    let mut waited = Duration::ZERO;
    let mut pause = Duration::from_millis(10);
    loop {
        match attempt() {
            Err(err) if transient(&err) && waited < RENAME_PATIENCE => {
                sleep(pause);
                waited += pause;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharing_errors_are_the_windows_codes_only() {
        for code in [5, 32, 33] {
            assert!(is_sharing_error_code(Some(code)), "{code}");
        }
        for code in [None, Some(2), Some(17), Some(183)] {
            assert!(!is_sharing_error_code(code), "{code:?}");
        }
        // On unix 5 is EIO: a disk error must not be retried as if a reader held the file.
        assert_eq!(is_windows_sharing_error(&io::Error::from_raw_os_error(5)), cfg!(windows));
    }

    #[test]
    fn a_held_file_is_retried_until_it_is_let_go() {
        let mut attempts = 0;
        let mut slept = Vec::new();
        let result = retry_while(
            || {
                attempts += 1;
                if attempts < 4 { Err(io::Error::from(io::ErrorKind::PermissionDenied)) } else { Ok(()) }
            },
            |_| true,
            |pause| slept.push(pause.as_millis()),
        );
        assert!(result.is_ok());
        assert_eq!(attempts, 4);
        assert_eq!(slept, [10, 20, 40]);
    }

    #[test]
    fn retrying_gives_up_after_its_patience_and_returns_the_error() {
        let mut slept = Duration::ZERO;
        let result =
            retry_while(|| Err(io::Error::from(io::ErrorKind::PermissionDenied)), |_| true, |pause| slept += pause);
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::PermissionDenied);
        assert!(slept >= RENAME_PATIENCE && slept < RENAME_PATIENCE + Duration::from_millis(200), "{slept:?}");
    }

    #[test]
    fn other_errors_are_returned_at_once() {
        let mut attempts = 0;
        let result = retry_while(
            || {
                attempts += 1;
                Err(io::Error::from(io::ErrorKind::NotFound))
            },
            |err| err.kind() == io::ErrorKind::PermissionDenied,
            |_| panic!("no pause for an error that is not transient"),
        );
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_eq!(attempts, 1);
    }
}
