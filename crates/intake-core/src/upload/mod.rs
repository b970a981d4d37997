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
//! Integrity: each part carries `x-amz-checksum-sha256`, which servers that support it check
//! (a damaged part is refused). After completion the object is read back: its size must equal
//! the package's, its `sha256` metadata the package's hash, and the SHA-256 of the bytes
//! downloaded (in ranged GETs, as many at once as parts are sent, hashed in order) the
//! package's hash. Only then is the package `done`. So the remote SHA-256 is measured, not
//! taken on trust; it costs one download of the package. Nothing that reads less is as
//! strong on every server: the per-part checksums are ignored by servers that do not know
//! them (Aliyun OSS), and a composite checksum at completion is computed by the server from
//! what it received, not from what it stores.
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
//! needs. It is async; [`DataFolder::upload_packages`] runs it on a private single-threaded
//! tokio runtime, so callers stay synchronous; the parts in flight are futures on that one
//! thread (the work per part is hashing and the network, not enough for a second thread).
//!
//! Files: `target` (the settings resolved, the S3 client), `outbox` (its entries and an upload
//! run over them), `multipart` (one package: send, resume, complete, read back) and
//! `package_bytes` (the only code that opens the package file).

pub mod endpoint;
mod multipart;
mod outbox;
mod package_bytes;
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
/// At most this many bytes of parts are held in memory at once: with very large parts,
/// fewer are sent at once than the setting asks.
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
