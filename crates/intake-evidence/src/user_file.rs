//! Opening a file the user named (`intake inspect FILE`, `--rules FILE`, a package to verify).
//!
//! Its type is checked before it is opened, not after: opening a named pipe (`mkfifo`) for
//! reading waits for a writer that never comes, so `intake inspect pipe.jpg` hung for ever, and
//! a device can be read without end. Only regular files, or links to one, are opened.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use intake_domain::{Error, ErrorKind, Result};

/// Opens `path` for reading when it is a regular file (or a link to one).
pub fn open(path: &Path) -> Result<File> {
    require_regular(path)?;
    File::open(path).map_err(|err| Error::reading(path, &err))
}

/// The whole of the regular file `path`.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes).map_err(|err| Error::reading(path, &err))?;
    Ok(bytes)
}

/// The metadata of `path` (links followed) when it is a regular file; refused (`not_a_file`)
/// when it is a folder, a named pipe, a socket or a device; `file_missing` or
/// `file_unreadable` when it cannot be looked at.
pub fn require_regular(path: &Path) -> Result<fs::Metadata> {
    let metadata = fs::metadata(path).map_err(|err| Error::reading(path, &err))?;
    if metadata.is_file() {
        Ok(metadata)
    } else if metadata.is_dir() {
        Err(Error::for_file(ErrorKind::NotAFile, path, "is a folder, not a file"))
    } else {
        Err(Error::for_file(ErrorKind::NotAFile, path, "is not a regular file (a named pipe, a socket or a device)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_refused_and_files_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap_err().kind(), ErrorKind::NotAFile);
        assert_eq!(read(&dir.path().join("none")).unwrap_err().kind(), ErrorKind::FileMissing);
        std::fs::write(dir.path().join("a.txt"), b"abc").unwrap();
        assert_eq!(read(&dir.path().join("a.txt")).unwrap(), b"abc");
    }

    /// A named pipe with no writer: opening it would block for ever.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe.jpg");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status().unwrap();
        assert!(made.success());
        let err = read(&pipe).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotAFile);
        assert!(err.message().contains("named pipe"), "{}", err.message());
    }
}
