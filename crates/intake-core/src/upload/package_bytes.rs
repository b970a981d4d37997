//! Where an upload reads the package's bytes from: the only place that opens the package, so
//! that where packages are kept (the sealed outbox, `crate::sealed_outbox`) stays out of the upload.
//!
//! The package is read once per attempt, part after part in order, on a thread of its own
//! ([`PackageBytes::read_parts`]): each byte is read (and, sealed, decrypted) once and hashed
//! there for the package's SHA-256 while the runtime thread sends the parts; each part's
//! SHA-256 is computed on the runtime's blocking threads, several parts at once.
//! A separate pass over the whole package before sending (as before issue 19) kept both cores
//! idle for its length and read the package twice.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::database::OutboxRecord;
use crate::error::{Error, ErrorKind, Result};
use crate::sealed_outbox::QueuedPackage;
use crate::vault::Vault;

/// The package of `record`, opened to read its parts: sealed in the vault (decrypted as it is
/// read) or, queued by an older version, a plain zip (module `crate::sealed_outbox`).
pub(super) fn open_package(vault: &Vault, record: &OutboxRecord) -> Result<PackageBytes> {
    let reader = crate::sealed_outbox::open_queued_package(vault, record)?;
    Ok(PackageBytes { path: Path::new(&record.path).to_path_buf(), reader })
}

/// An opened package, read part by part.
pub(super) struct PackageBytes {
    path: PathBuf,
    reader: QueuedPackage,
}

/// One part of the package as read: to send, or already accepted by the server in an earlier
/// attempt (`send` is false: it is read only for the package's hash). Its SHA-256 is computed
/// by the sender, several parts at once ([`part_sha256`]).
pub(super) struct ReadPart {
    pub(super) number: u64,
    pub(super) length: u64,
    pub(super) bytes: bytes::Bytes,
    pub(super) send: bool,
}

/// What reading the whole package measured: its size and SHA-256, compared with the record
/// before the upload is completed.
pub(super) struct PackageDigest {
    pub(super) bytes: u64,
    pub(super) sha256: String,
}

impl PackageBytes {
    /// Reads the package from its first byte to its end in parts of `part_size` bytes and
    /// hands each to `send` in order, to be sent when `wanted(number)` (the parts not yet
    /// accepted). Blocking: run it on a thread of its own. It hashes the package; each part's
    /// SHA-256 is left to the sender, which computes several at once (this thread hashing each
    /// part three times, one part after the other, was what kept only one part in flight on
    /// loopback). Stops early, without error, when `send` returns false (the upload stopped).
    /// A package shorter than `expected` is `package_changed`.
    pub(super) fn read_parts(
        mut self,
        expected: u64,
        part_size: u64,
        wanted: impl Fn(u64) -> bool,
        mut send: impl FnMut(ReadPart) -> bool,
    ) -> Result<Option<PackageDigest>> {
        self.reader.seek(SeekFrom::Start(0)).map_err(|err| Error::reading(&self.path, &err))?;
        let mut package = Sha256::new();
        let mut offset = 0u64;
        let mut number = 0u64;
        while offset < expected {
            number += 1;
            let length = part_size.min(expected - offset);
            let mut buffer = vec![0u8; length as usize];
            if let Err(err) = self.reader.read_exact(&mut buffer) {
                return Err(if err.kind() == std::io::ErrorKind::UnexpectedEof {
                    self.changed()
                } else {
                    Error::reading(&self.path, &err)
                });
            }
            package.update(&buffer);
            let bytes = bytes::Bytes::from(buffer);
            if !send(ReadPart { number, length, bytes, send: wanted(number) }) {
                return Ok(None);
            }
            offset += length;
        }
        // Longer than recorded: changed as well.
        let mut probe = [0u8; 1];
        match self.reader.read(&mut probe) {
            Ok(0) => {}
            Ok(_) => return Err(self.changed()),
            Err(err) => return Err(Error::reading(&self.path, &err)),
        }
        Ok(Some(PackageDigest { bytes: offset, sha256: crate::vault::hex(&package.finalize()) }))
    }

    fn changed(&self) -> Error {
        Error::for_file(
            ErrorKind::PackageChanged,
            &self.path,
            "导出的包已变动 has changed since it was exported; export the case again",
        )
    }
}

/// The SHA-256 of a part, on a blocking thread of the runtime: recorded with the part and given
/// to object_store for its signature and checksum (`super::part_digests`).
pub(super) async fn part_sha256(bytes: bytes::Bytes) -> Result<[u8; 32]> {
    tokio::task::spawn_blocking(move || Sha256::digest(&bytes).into()).await.map_err(hashing_stopped)
}

fn hashing_stopped(err: tokio::task::JoinError) -> Error {
    Error::new(ErrorKind::UploadFailed, format!("hashing a part of the package stopped: {err}"))
}
