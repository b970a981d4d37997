//! The outbox and the upload of packages to S3-compatible object storage.
//!
//! Every export queues its package in the outbox (by SHA-256; see `export_case`). An upload
//! sends each queued package as a multipart upload to `endpoint/bucket/prefix/case id/sha256.zip`
//! (path-style), with the package's SHA-256 as the object's metadata `sha256`.
//!
//! Resumable without asking the server: the UploadId, the remote key and the part size are
//! recorded when the upload starts, and each part the server accepted (number, ETag, SHA-256)
//! in its own transaction, as soon as the server has answered for it. Several parts are in
//! flight at once (`upload.parts_in_flight`, default 4: one at a time left a branch's uplink
//! idle while each part waited for its answer). A resume after network loss, a crash or a
//! reboot sends only the parts not recorded, so at most the parts that were in flight are
//! sent twice; it never needs
//! ListMultipartUploads or ListParts (Aliyun OSS has no ListMultipartUploads, s3s-fs returns
//! no ETags in ListParts).
//!
//! Integrity: each part carries `x-amz-checksum-sha256` and is signed with its SHA-256 (SigV4's
//! payload hash), which servers check before they accept it: a part whose bytes arrive damaged is
//! refused (S3, MinIO and Garage check both; s3s checks the signed payload hash). Each part is
//! recorded with its SHA-256 as read here and the server's answer, its ETag and, when the server
//! echoes it, the checksum it took (which must be the part's own for the ETag to confirm the
//! object). The package is hashed while its parts are read for sending: the upload is completed
//! only when the bytes read have the package's size and SHA-256 (`package_changed` otherwise, and
//! the parts sent are forgotten). After completion the object's size must equal the package's and
//! its `sha256` metadata the package's hash (HEAD), and then either its ETag confirms it or it is
//! read back:
//!
//! - the ETag: when it is the S3 multipart ETag of exactly the parts the server accepted (the MD5
//!   of their ETags, each the MD5 of the part as the server received it, one after the other, `-`
//!   and their number), the object is confirmed without downloading it. The server computes that
//!   ETag itself from the parts it holds (s3s-fs rereads the stored parts when it completes the
//!   upload; S3, MinIO and Garage keep each part's MD5 from its arrival), so a part lost, cut
//!   short, stored twice or in the wrong order, one damaged after it was answered (s3s-fs), or an
//!   object left from another upload, gives another ETag; and each part's ETag is of bytes the
//!   server checked against the part's SHA-256 before accepting them. Until issue 19's last pass
//!   the parts' MD5s were computed here as well and compared instead of the server's answers; for a
//!   server that checks the payload hash (S3 does, it is part of the signature, and so do MinIO,
//!   Garage and s3s) that adds nothing, and it was a quarter of the client's CPU (0.16 s of 0.6 s
//!   for 200 MiB). The read-back catches the same faults and costs a download of the whole package
//!   (as long again as the upload on a symmetric line, and on a branch's line much more than the
//!   upload's own hashing). What the ETag does not see and a read-back right after the upload
//!   could: bytes damaged at rest between the server's hashing and our check, on a server that
//!   hashes on arrival; that is the server's own durability (S3 checks its disks itself), and
//!   damage a moment later escapes a read-back just the same. MD5 is no defence against a forger,
//!   but neither is a read-back against a server that lies; the check is there for accidents, which
//!   MD5 catches.
//! - otherwise (a server whose ETag is not that, e.g. SSE-KMS or a server with its own ETag
//!   scheme, or an object found already stored before sending) the object is read back: the
//!   SHA-256 of the bytes downloaded (ranged GETs, as many at once as parts are sent, hashed
//!   in order) must be the package's hash. So a mismatching ETag never fails an upload by
//!   itself: the read-back decides.
//!
//! Only then is the package `done`.
//!
//! Idempotent: the key is derived from the case and the package's hash, and before a new
//! upload is started the key is checked (HEAD, then the same read-back): a package already
//! stored whole is recorded as done without sending a byte. Completing twice is harmless:
//! when the server no longer knows the UploadId, the object is checked instead.
//!
//! Retries: each request is retried by object_store with exponential back-off and jitter
//! (`max_retries` times); an attempt that still fails marks the package `failed` with the
//! reason and the time after which the app retries it (exponential back-off with jitter,
//! 30 s doubling up to an hour). The UploadId and parts are kept for that retry.
//!
//! The S3 client is object_store (Apache Arrow), chosen for its `MultipartStore` trait,
//! which takes explicit UploadIds and part ids: exactly what resuming from local records
//! needs. It is async; [`crate::DataFolder::upload_packages`] runs it on a private single-threaded
//! tokio runtime, so callers stay synchronous; the parts in flight are futures on that one
//! thread. The package is read (and, sealed, decrypted) once, in order, on a second thread
//! (`spawn_blocking`), which also computes the package's SHA-256, one part ahead of those in
//! flight (the whole package was hashed in a pass of its own before issue 19). Each part's SHA-256 is computed on the runtime's
//! blocking threads, several parts at once, once, and given to object_store for the
//! signature and the checksum (`part_digests`). When the reader thread hashed each part three times, one after the
//! other, it was what limited the upload on loopback: one part in flight at a time, whatever
//! the setting (issue 19, second pass).
//!
//! Files: `target` (the settings resolved, the S3 client), `outbox` (its entries and an upload
//! run over them), `multipart` (one package: send, resume, complete, read back),
//! `package_bytes` (the only code that opens the package file) and `part_digests` (the parts'
//! SHA-256 handed to object_store).

pub mod endpoint;
mod multipart;
pub(crate) mod outbox;
mod package_bytes;
mod part_digests;
mod target;

use std::time::Duration;

pub use outbox::{
    OutboxEntry, OutboxOverview, OutboxState, RetryTiming, UPLOAD_LOCK_FILE, UploadOutcome, UploadPhase, UploadProgress,
};
pub use target::UploadTarget;
pub(crate) use target::check_parts_in_flight;

/// The part size when none is set, in MiB.
pub const DEFAULT_PART_SIZE_MIB: u64 = 8;
/// S3's smallest part (all but the last), in MiB.
pub const MIN_PART_SIZE_MIB: u64 = 5;
/// The largest part accepted here, in MiB: a part is held in memory while it is sent.
pub const MAX_PART_SIZE_MIB: u64 = 512;
/// Parts sent at once when none is set: enough to keep a branch's uplink busy while one
/// part waits for the server's answer (one at a time left it idle between parts), few enough
/// that a crash resends little and the parts held in memory stay small (4 x 8 MiB).
pub const DEFAULT_PARTS_IN_FLIGHT: u32 = 4;
/// The most parts sent at once.
pub const MAX_PARTS_IN_FLIGHT: u32 = 16;
/// At most this many bytes of parts are in flight at once (two more parts are held by the
/// reader, one part ahead): with very large parts, fewer are sent at once than the setting
/// asks.
const MAX_BYTES_IN_FLIGHT: u64 = 1 << 30;
/// Retries of one request when none is set.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// S3's limit on the number of parts.
const MAX_PARTS: u64 = 10_000;
/// The object metadata (`x-amz-meta-sha256`) that names the package's hash.
const SHA256_METADATA: &str = "sha256";
/// First wait before the app retries a failed package; doubles with each failure.
const RETRY_AFTER_FIRST_FAILURE: Duration = Duration::from_secs(30);
const RETRY_AFTER_AT_MOST: Duration = Duration::from_secs(3600);
const READ_BUFFER_BYTES: usize = 1 << 20;
