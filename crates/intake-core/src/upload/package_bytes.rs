//! Where an upload reads the package's bytes from: the only place that opens the package, so
//! that where packages are kept (the sealed outbox, `crate::sealed_outbox`) stays out of the upload.
//!
//! The package is read once per attempt, part after part in order, on a thread of its own
//! ([`PackageBytes::read_parts`]): each byte is read (and, sealed, decrypted) once, and hashed
//! there for the package's SHA-256 and, once handed over, for its parts' MD5s (several parts
//! at once, `super::md5_lanes`) while the runtime thread sends them; each part's SHA-256 is
//! computed on the runtime's blocking threads, several parts at once.
//! A separate pass over the whole package before sending (as before issue 19) kept both cores
//! idle for its length and read the package twice.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::md5_lanes::md5_of_equal_parts;
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
/// attempt (`send` is false: it is read only for the package's hash and its MD5). Its SHA-256
/// is computed by the sender, several parts at once ([`part_sha256`]).
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
    /// Each part's MD5, in order: what the server's ETag of a part is on S3 and the servers
    /// that follow it (the check of the stored object in `super::multipart`).
    pub(super) part_md5s: Vec<[u8; 16]>,
}

/// Parts whose MD5s are computed together (`super::md5_lanes`: four chains side by side run
/// at 2.4 times the pace of one).
const MD5_LANES: usize = 4;
/// At most this many bytes of parts are kept for their MD5 after being handed over (parts of
/// 32 MiB go two at a time, larger ones one by one).
const MD5_GROUP_BYTES: u64 = 64 << 20;

/// Appends the MD5 of each of `parts`, in order, hashing parts of the same length together.
fn md5_of_parts(parts: &[bytes::Bytes], md5s: &mut Vec<[u8; 16]>) {
    let mut rest = parts;
    while let Some(first) = rest.first() {
        let same = rest.iter().take_while(|part| part.len() == first.len()).count().min(MD5_LANES);
        match same {
            4 => md5s.extend(md5_of_equal_parts([&rest[0][..], &rest[1][..], &rest[2][..], &rest[3][..]])),
            3 => md5s.extend(md5_of_equal_parts([&rest[0][..], &rest[1][..], &rest[2][..]])),
            2 => md5s.extend(md5_of_equal_parts([&rest[0][..], &rest[1][..]])),
            _ => md5s.extend(md5_of_equal_parts([&rest[0][..]])),
        }
        rest = &rest[same.max(1)..];
    }
}

impl PackageBytes {
    /// Reads the package from its first byte to its end in parts of `part_size` bytes and
    /// hands each to `send` in order, to be sent when `wanted(number)` (the parts not yet
    /// accepted). Blocking: run it on a thread of its own. It hashes the package, and each
    /// part's MD5 after the part is handed over, up to [`MD5_LANES`] parts together
    /// (`super::md5_lanes`); each part's SHA-256 is left to the sender, which computes several
    /// at once (this thread hashing each part three times, one part after the other, was what
    /// kept only one part in flight on loopback). Stops early, without error, when `send`
    /// returns false (the upload stopped). A package shorter than `expected` is
    /// `package_changed`.
    pub(super) fn read_parts(
        mut self,
        expected: u64,
        part_size: u64,
        wanted: impl Fn(u64) -> bool,
        mut send: impl FnMut(ReadPart) -> bool,
    ) -> Result<Option<PackageDigest>> {
        self.reader.seek(SeekFrom::Start(0)).map_err(|err| Error::reading(&self.path, &err))?;
        let mut package = Sha256::new();
        // Parts handed over whose MD5 is not computed yet (at most MD5_LANES, and at most
        // MD5_GROUP_BYTES of them) and the MD5s computed, in order.
        let lanes = (MD5_GROUP_BYTES / part_size.max(1)).clamp(1, MD5_LANES as u64) as usize;
        let mut waiting_for_md5: Vec<bytes::Bytes> = Vec::with_capacity(lanes);
        let mut part_md5s: Vec<[u8; 16]> = Vec::new();
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
            if !send(ReadPart { number, length, bytes: bytes.clone(), send: wanted(number) }) {
                return Ok(None);
            }
            waiting_for_md5.push(bytes);
            if waiting_for_md5.len() == lanes {
                md5_of_parts(&waiting_for_md5, &mut part_md5s);
                waiting_for_md5.clear();
            }
            offset += length;
        }
        md5_of_parts(&waiting_for_md5, &mut part_md5s);
        // Longer than recorded: changed as well.
        let mut probe = [0u8; 1];
        match self.reader.read(&mut probe) {
            Ok(0) => {}
            Ok(_) => return Err(self.changed()),
            Err(err) => return Err(Error::reading(&self.path, &err)),
        }
        Ok(Some(PackageDigest { bytes: offset, sha256: crate::vault::hex(&package.finalize()), part_md5s }))
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
