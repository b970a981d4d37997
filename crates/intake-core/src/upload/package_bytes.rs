//! Where an upload reads the package's bytes from: the only place that opens the package
//! file, so that where packages are kept can change without touching the upload itself.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::READ_BUFFER_BYTES;
use crate::database::OutboxRecord;
use crate::error::{Error, ErrorKind, Result};

/// The package must still be the bytes that were exported: same size, same SHA-256.
pub(super) fn check_package(record: &OutboxRecord) -> Result<()> {
    let (path, sha256, bytes) = (Path::new(&record.path), record.sha256.as_str(), record.bytes);
    let changed = |what: &str| {
        Error::for_file(
            ErrorKind::PackageChanged,
            path,
            format!("导出的包已变动 {what} since it was exported; export the case again"),
        )
    };
    if !path.exists() {
        return Err(changed("is gone"));
    }
    let (actual, total) = file_sha256(path)?;
    if total != bytes || actual != sha256 {
        return Err(changed("has changed"));
    }
    Ok(())
}

/// The SHA-256 (hex) and size of a file, read in pieces.
pub(crate) fn file_sha256(path: &Path) -> Result<(String, u64)> {
    let mut file = File::open(path).map_err(|err| Error::reading(path, &err))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; READ_BUFFER_BYTES];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(|err| Error::reading(path, &err))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
    Ok((crate::vault::hex(&hasher.finalize()), total))
}

/// The package of `record`, opened to read its parts.
pub(super) fn open_package(record: &OutboxRecord) -> Result<PackageBytes> {
    let path = Path::new(&record.path);
    let file = File::open(path).map_err(|err| Error::reading(path, &err))?;
    Ok(PackageBytes { path: path.to_path_buf(), file })
}

/// An opened package, read part by part.
pub(super) struct PackageBytes {
    path: std::path::PathBuf,
    file: File,
}

impl PackageBytes {
    /// The `length` bytes from `offset` on.
    pub(super) fn read(&mut self, offset: u64, length: u64) -> Result<Vec<u8>> {
        let mut buffer = vec![0u8; length as usize];
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(&mut buffer))
            .map_err(|err| Error::reading(&self.path, &err))?;
        Ok(buffer)
    }
}
