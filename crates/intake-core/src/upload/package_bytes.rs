//! Where an upload reads the package's bytes from: the only place that opens the package, so
//! that where packages are kept (the sealed outbox, `crate::sealed_outbox`) stays out of the upload.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::data_folder::DataFolder;
use crate::database::OutboxRecord;
use crate::error::{Error, Result};
use crate::sealed_outbox::QueuedPackage;

/// The package of `record`, opened to read its parts: sealed in the vault (decrypted as it is
/// read) or, queued by an older version, a plain zip (module `crate::sealed_outbox`).
pub(super) fn open_package(folder: &DataFolder, record: &OutboxRecord) -> Result<PackageBytes> {
    let reader = folder.open_queued_package(record)?;
    Ok(PackageBytes { path: Path::new(&record.path).to_path_buf(), reader })
}

/// An opened package, read part by part.
pub(super) struct PackageBytes {
    path: std::path::PathBuf,
    reader: QueuedPackage,
}

impl PackageBytes {
    /// The `length` bytes from `offset` on.
    pub(super) fn read(&mut self, offset: u64, length: u64) -> Result<Vec<u8>> {
        let mut buffer = vec![0u8; length as usize];
        self.reader
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.reader.read_exact(&mut buffer))
            .map_err(|err| Error::reading(&self.path, &err))?;
        Ok(buffer)
    }
}
