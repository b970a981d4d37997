//! The outbox and the upload of packages to S3-compatible object storage.
//!
//! Every export queues its package in the outbox (by SHA-256; see `export_case`). An upload
//! sends each queued package as a multipart upload to `endpoint/bucket/prefix/case id/sha256.zip`
//! (path-style), with the package's SHA-256 as the object's metadata `sha256`.
//!
//! Resumable without asking the server: the UploadId, the remote key and the part size are
//! recorded when the upload starts, and each part the server accepted (number, ETag, SHA-256)
//! in its own transaction. A resume after network loss, a crash or a reboot sends only the
//! parts not recorded, so at most the part in flight is sent twice; it never needs
//! ListMultipartUploads or ListParts (Aliyun OSS has no ListMultipartUploads, s3s-fs returns
//! no ETags in ListParts).
//!
//! Integrity: each part carries `x-amz-checksum-sha256`, which servers that support it check
//! (a damaged part is refused). After completion the object is read back: its size must equal
//! the package's, its `sha256` metadata the package's hash, and the SHA-256 of the bytes
//! downloaded (in ranged GETs) the package's hash. Only then is the package `done`. So the
//! remote SHA-256 is measured, not taken on trust; it costs one download of the package.
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
//! tokio runtime, so callers stay synchronous.

pub mod endpoint;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore, PutMultipartOptions,
    PutPayload, RetryConfig,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::data_folder::DataFolder;
use crate::database::{OutboxRecord, UploadPartRecord};
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::settings::{Secret, UploadSettings};

/// The part size when none is set, in MiB.
pub const DEFAULT_PART_SIZE_MIB: u64 = 8;
/// S3's smallest part (all but the last), in MiB.
pub const MIN_PART_SIZE_MIB: u64 = 5;
/// The largest part accepted here, in MiB: a part is held in memory while it is sent.
pub const MAX_PART_SIZE_MIB: u64 = 512;
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

/// Where packages go: the upload settings with the command line's overrides and the
/// credentials resolved. `Debug` leaves the secret out (a [`Secret`]).
#[derive(Debug, Clone)]
pub struct UploadTarget {
    endpoint: String,
    bucket: String,
    region: String,
    prefix: String,
    part_size: u64,
    max_retries: u32,
    access_key_id: String,
    secret_access_key: Secret,
}

impl UploadTarget {
    /// The target from the settings, `overrides` (command-line flags) winning over them, and
    /// the credentials from `environment` (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`)
    /// winning over the settings'. Refused (`invalid_input`) when something needed is missing.
    pub fn resolve(
        settings: &UploadSettings,
        overrides: &UploadSettings,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<UploadTarget> {
        let pick = |given: &Option<String>, stored: &Option<String>| {
            given.clone().or_else(|| stored.clone()).map(|value| value.trim().to_string()).filter(|v| !v.is_empty())
        };
        let missing = |what: &str, flag: &str, key: &str| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("没有设置上传{what} no upload {key} is set: pass {flag} or set upload.{key} in settings.json"),
            )
        };
        let endpoint = pick(&overrides.endpoint, &settings.endpoint)
            .ok_or_else(|| missing("地址", "--endpoint URL", "endpoint"))?
            .trim_end_matches('/')
            .to_string();
        // Also when used: the endpoint may come from a flag, or a settings file from elsewhere.
        endpoint::check_endpoint(&endpoint, overrides.allow_insecure_http || settings.allow_insecure_http)?;
        let bucket =
            pick(&overrides.bucket, &settings.bucket).ok_or_else(|| missing("存储桶", "--bucket NAME", "bucket"))?;
        let region = pick(&overrides.region, &settings.region).unwrap_or_else(|| "us-east-1".to_string());
        let prefix = pick(&overrides.prefix, &settings.prefix).unwrap_or_default().trim_matches('/').to_string();
        let part_size_mib = overrides.part_size_mib.or(settings.part_size_mib).unwrap_or(DEFAULT_PART_SIZE_MIB);
        if !(MIN_PART_SIZE_MIB..=MAX_PART_SIZE_MIB).contains(&part_size_mib) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("the part size must be {MIN_PART_SIZE_MIB} to {MAX_PART_SIZE_MIB} MiB, not {part_size_mib}"),
            ));
        }
        let max_retries = overrides.max_retries.or(settings.max_retries).unwrap_or(DEFAULT_MAX_RETRIES);
        let from_environment = |name: &str| environment(name).filter(|value| !value.is_empty());
        let access_key_id = from_environment("AWS_ACCESS_KEY_ID")
            .or_else(|| settings.access_key_id.clone())
            .ok_or_else(|| missing("访问密钥", "AWS_ACCESS_KEY_ID", "access_key_id"))?;
        let secret_access_key = from_environment("AWS_SECRET_ACCESS_KEY")
            .map(Secret::from)
            .or_else(|| settings.secret_access_key.clone())
            .ok_or_else(|| missing("访问密钥", "AWS_SECRET_ACCESS_KEY", "secret_access_key"))?;
        Ok(UploadTarget {
            endpoint,
            bucket,
            region,
            prefix,
            part_size: part_size_mib << 20,
            max_retries,
            access_key_id,
            secret_access_key,
        })
    }

    /// The endpoint and bucket, as recorded with an upload (an UploadId belongs to them).
    pub fn destination(&self) -> String {
        format!("{}/{}", self.endpoint, self.bucket)
    }

    /// The object key of a package: derived from its case and its bytes, so the same package
    /// is stored once, under the same name, however often it is sent.
    pub fn remote_key(&self, case_id: &str, sha256: &str) -> String {
        if self.prefix.is_empty() {
            format!("{case_id}/{sha256}.zip")
        } else {
            format!("{}/{case_id}/{sha256}.zip", self.prefix)
        }
    }

    fn store(&self) -> Result<AmazonS3> {
        // reqwest is built without a default TLS crypto provider (the ring one builds in
        // seconds where aws-lc-rs takes minutes); installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(10),
                base: 2.0,
            },
            max_retries: self.max_retries as usize,
            retry_timeout: Duration::from_secs(120),
        };
        AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(self.secret_access_key.expose())
            .with_checksum_algorithm(object_store::aws::Checksum::SHA256)
            .with_retry(retry)
            // One ClientOptions for both: setting it replaces any set before (allow_http too).
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(self.endpoint.starts_with("http://"))
                    .with_connect_timeout(Duration::from_secs(10)),
            )
            .build()
            .map_err(|err| Error::new(ErrorKind::InvalidInput, format!("the upload settings are not usable: {err}")))
    }
}

/// Where a package of the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxState {
    /// 待上传: not sent yet.
    Waiting,
    /// 上传中: a multipart upload is under way (possibly interrupted; it resumes).
    Uploading,
    /// 已上传: stored and checked.
    Done,
    /// 上传失败: the last attempt failed; it is retried.
    Failed,
}

impl OutboxState {
    fn from_key(key: &str) -> OutboxState {
        match key {
            "uploading" => OutboxState::Uploading,
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Waiting,
        }
    }

    /// The label shown to people, Chinese first.
    pub fn label(self) -> &'static str {
        match self {
            OutboxState::Waiting => "待上传 waiting",
            OutboxState::Uploading => "上传中 uploading",
            OutboxState::Done => "已上传 done",
            OutboxState::Failed => "上传失败 failed",
        }
    }
}

/// One package of the outbox (`intake outbox --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxEntry {
    /// The package's SHA-256: what identifies it.
    pub sha256: String,
    #[allow(missing_docs)]
    pub case_id: String,
    /// The package file as last exported.
    pub path: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
    #[allow(missing_docs)]
    pub state: OutboxState,
    /// Bytes of the current upload the server has accepted (parts recorded).
    #[ts(type = "number")]
    pub bytes_sent: u64,
    /// Failed attempts so far.
    pub attempts: u32,
    #[ts(type = "string")]
    #[allow(missing_docs)]
    pub queued_at: DateTime<Utc>,
    /// Endpoint and bucket of the upload under way or done.
    pub destination: Option<String>,
    /// The object key, once an upload has started.
    pub remote_key: Option<String>,
    /// When it was stored and checked.
    #[ts(type = "string | null")]
    pub done_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub error: Option<ErrorReport>,
    /// When the app tries a failed package again.
    #[ts(type = "string | null")]
    pub next_retry_at: Option<DateTime<Utc>>,
}

impl From<OutboxRecord> for OutboxEntry {
    fn from(record: OutboxRecord) -> Self {
        let error = match (record.error_code, record.error_message) {
            (Some(code), Some(message)) => Some(ErrorReport { code, message }),
            _ => None,
        };
        OutboxEntry {
            state: OutboxState::from_key(&record.state),
            sha256: record.sha256,
            case_id: record.case_id,
            path: record.path,
            bytes: record.bytes,
            bytes_sent: if record.state == "done" { record.bytes } else { record.bytes_sent },
            attempts: record.attempts,
            queued_at: record.queued_at,
            destination: record.destination,
            remote_key: record.remote_key,
            done_at: record.done_at,
            error,
            next_retry_at: record.next_retry_at,
        }
    }
}

/// What an upload is doing, reported as it goes (the CLI's progress bar, the app's events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UploadPhase {
    /// Reading the package and asking whether it is already stored.
    Checking,
    /// Sending parts.
    Sending,
    /// Reading the stored object back to compare it.
    Verifying,
    /// Stored and checked.
    Done,
    /// This attempt failed.
    Failed,
}

/// A progress event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct UploadProgress {
    pub sha256: String,
    pub case_id: String,
    pub phase: UploadPhase,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Which failed packages an upload run takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RetryTiming {
    /// A failed package is tried again only once its `next_retry_at` has passed, so that a
    /// run started every few minutes (or a laptop that keeps waking up) backs off from a
    /// server that is down instead of hammering it.
    WhenDue,
    /// Every package not done is tried now: the person asked for it (`intake upload --now`,
    /// the app's 上传 button).
    Now,
}

/// What one upload run did with one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UploadOutcome {
    #[allow(missing_docs)]
    pub sha256: String,
    #[allow(missing_docs)]
    pub case_id: String,
    /// Where the package stands afterwards.
    pub state: OutboxState,
    #[allow(missing_docs)]
    pub remote_key: Option<String>,
    #[ts(type = "number")]
    #[allow(missing_docs)]
    pub bytes: u64,
    /// Parts sent in this run (a resumed upload sends only the missing ones).
    pub parts_sent: u32,
    /// Bytes sent in this run.
    #[ts(type = "number")]
    pub bytes_sent: u64,
    /// The package was found already stored whole, so nothing was sent.
    pub already_stored: bool,
    /// Why this attempt failed (or, when skipped, why the last one did).
    pub error: Option<ErrorReport>,
    /// Set when the package was skipped because its next try is not due yet
    /// ([`RetryTiming::WhenDue`]): nothing was sent, and this is when it will be.
    #[ts(type = "string | null")]
    pub not_before: Option<DateTime<Utc>>,
}

/// The file whose exclusive lock an upload run holds, in the data folder.
pub const UPLOAD_LOCK_FILE: &str = "upload.lock";

impl DataFolder {
    /// The outbox: every exported package, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        Ok(self.database().outbox()?.into_iter().map(OutboxEntry::from).collect())
    }

    /// Uploads the packages of the outbox that are not done (of one case, or all), oldest
    /// first, reporting progress. A package that fails is recorded as failed (reason, next
    /// retry) and keeps what was sent; a failure that concerns every package (endpoint
    /// unreachable, credentials refused, bucket missing) ends the run, leaving the others
    /// queued. Returns what happened to each package tried.
    ///
    /// Only one run at a time per data folder: a run holds the exclusive lock of
    /// [`UPLOAD_LOCK_FILE`] from before it reads the outbox until it returns, so the app and
    /// the CLI (or two windows) never send the same package at once; the second is refused
    /// with `upload_busy` and changes nothing. The operating system releases the lock when
    /// the process dies, so a crash never leaves the outbox locked.
    pub fn upload_packages(
        &self,
        target: &UploadTarget,
        case_id: Option<&str>,
        timing: RetryTiming,
        progress: &mut dyn FnMut(&UploadProgress),
    ) -> Result<Vec<UploadOutcome>> {
        if let Some(case_id) = case_id {
            self.case(case_id)?;
        }
        let _lock = self.lock_for_upload()?;
        // Sealed packages uploaded longer ago than the settings keep them (module `outbox`).
        self.remove_expired_packages(Utc::now())?;
        // The audit entry of each finished upload names the manager.
        self.refresh_audit_manager();
        let now = Utc::now();
        let mut outcomes = Vec::new();
        let mut pending = Vec::new();
        for record in self.database().outbox()? {
            if record.state == "done" || case_id.is_some_and(|id| record.case_id != id) {
                continue;
            }
            match record.next_retry_at {
                Some(not_before) if timing == RetryTiming::WhenDue && record.state == "failed" && not_before > now => {
                    outcomes.push(skipped(&record, not_before));
                }
                _ => pending.push(record),
            }
        }
        if pending.is_empty() {
            return Ok(outcomes);
        }
        let store = target.store()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| Error::new(ErrorKind::UploadFailed, format!("cannot start the upload runtime: {err}")))?;
        for record in pending {
            // Locked meanwhile (`stop_when`): the packages not started wait for the next run.
            if self.stop_requested() {
                break;
            }
            let mut run =
                PackageUpload { folder: self, target, store: &store, record: &record, progress, sent: (0, 0) };
            match runtime.block_on(run.send()) {
                Ok(already_stored) => {
                    let (parts_sent, bytes_sent) = run.sent;
                    outcomes.push(UploadOutcome {
                        sha256: record.sha256.clone(),
                        case_id: record.case_id.clone(),
                        state: OutboxState::Done,
                        remote_key: Some(target.remote_key(&record.case_id, &record.sha256)),
                        bytes: record.bytes,
                        parts_sent,
                        bytes_sent,
                        already_stored,
                        error: None,
                        not_before: None,
                    })
                }
                Err(err) => {
                    let (parts_sent, bytes_sent) = run.sent;
                    let next_retry = Utc::now() + retry_delay(record.attempts);
                    self.database().fail_package_upload(&record.sha256, err.code(), err.message(), next_retry)?;
                    progress(&UploadProgress {
                        sha256: record.sha256.clone(),
                        case_id: record.case_id.clone(),
                        phase: UploadPhase::Failed,
                        bytes_sent: 0,
                        bytes: record.bytes,
                    });
                    let stop = matches!(
                        err.kind(),
                        ErrorKind::UploadUnreachable | ErrorKind::UploadRefused | ErrorKind::UploadBucketMissing
                    );
                    outcomes.push(UploadOutcome {
                        sha256: record.sha256.clone(),
                        case_id: record.case_id.clone(),
                        state: OutboxState::Failed,
                        remote_key: None,
                        bytes: record.bytes,
                        parts_sent,
                        bytes_sent,
                        already_stored: false,
                        error: Some(ErrorReport::from(&err)),
                        not_before: None,
                    });
                    if stop {
                        break;
                    }
                }
            }
        }
        Ok(outcomes)
    }

    /// Takes the data folder's upload lock, or refuses (`upload_busy`) when another run,
    /// in this process or another, holds it. Released when the returned file is dropped.
    fn lock_for_upload(&self) -> Result<File> {
        let path = self.root().join(UPLOAD_LOCK_FILE);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| Error::writing(&path, &err))?;
        match lock.try_lock() {
            Ok(()) => Ok(lock),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::new(
                ErrorKind::UploadBusy,
                "另一个上传正在进行 another upload from this data folder is under way; wait for it to finish",
            )),
            Err(std::fs::TryLockError::Error(err)) => Err(Error::writing(&path, &err)),
        }
    }
}

/// The outcome of a failed package left alone because its next try is not due yet.
fn skipped(record: &OutboxRecord, not_before: DateTime<Utc>) -> UploadOutcome {
    let error = match (&record.error_code, &record.error_message) {
        (Some(code), Some(message)) => Some(ErrorReport { code: code.clone(), message: message.clone() }),
        _ => None,
    };
    UploadOutcome {
        sha256: record.sha256.clone(),
        case_id: record.case_id.clone(),
        state: OutboxState::Failed,
        remote_key: None,
        bytes: record.bytes,
        parts_sent: 0,
        bytes_sent: 0,
        already_stored: false,
        error,
        not_before: Some(not_before),
    }
}

/// The wait before the app retries a package that failed `attempts` times before:
/// 30 s doubling up to an hour, with jitter (50 to 100 % of it) so that laptops coming
/// back online together do not retry in step.
fn retry_delay(attempts: u32) -> chrono::Duration {
    let full = RETRY_AFTER_FIRST_FAILURE.saturating_mul(1u32 << attempts.min(10)).min(RETRY_AFTER_AT_MOST);
    let mut random = [0u8; 2];
    let fraction = match getrandom::fill(&mut random) {
        Ok(()) => 0.5 + f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX) / 2.0,
        Err(_) => 1.0,
    };
    chrono::Duration::milliseconds((full.as_millis() as f64 * fraction) as i64)
}

/// One attempt at one package.
struct PackageUpload<'a> {
    folder: &'a DataFolder,
    target: &'a UploadTarget,
    store: &'a AmazonS3,
    record: &'a OutboxRecord,
    progress: &'a mut dyn FnMut(&UploadProgress),
    /// Parts and bytes sent in this attempt.
    sent: (u32, u64),
}

impl PackageUpload<'_> {
    fn report(&mut self, phase: UploadPhase, bytes_sent: u64) {
        (self.progress)(&UploadProgress {
            sha256: self.record.sha256.clone(),
            case_id: self.record.case_id.clone(),
            phase,
            bytes_sent,
            bytes: self.record.bytes,
        });
    }

    /// Sends the package; `Ok(true)` when it was found already stored.
    async fn send(&mut self) -> Result<bool> {
        let record = self.record;
        let database = self.folder.database();
        self.report(UploadPhase::Checking, record.bytes_sent);
        self.folder.check_queued_package(record)?;

        let destination = self.target.destination();
        let key = self.target.remote_key(&record.case_id, &record.sha256);
        let location = ObjectPath::from(key.as_str());
        // Is the bucket there? Some servers (s3s-fs) accept a multipart upload into a bucket
        // that does not exist. Listing the key itself (at most one entry) tells; a key that
        // may write but not list gets 403 here, which is left to the requests that follow.
        if let Err(err) = self.store.list_with_delimiter(Some(&location)).await {
            let err = self.classify(err, "looking for the bucket");
            if matches!(err.kind(), ErrorKind::UploadBucketMissing | ErrorKind::UploadUnreachable) {
                return Err(err);
            }
        }
        let mut current = database.outbox_package(&record.sha256)?;
        let same_upload = current.destination.as_deref() == Some(destination.as_str())
            && current.remote_key.as_deref() == Some(key.as_str());
        if current.upload_id.is_some() && !same_upload {
            // Started towards another bucket or key: that UploadId means nothing here.
            database.forget_package_upload(&record.sha256)?;
            current = database.outbox_package(&record.sha256)?;
        }
        // One fresh start is allowed when the server has forgotten our UploadId (expired,
        // aborted by a lifecycle rule): then the package is sent again from the first part.
        let mut restarted = false;
        loop {
            let (upload_id, part_size) = match (&current.upload_id, current.part_size) {
                (Some(upload_id), Some(part_size)) => {
                    database.resume_package_upload(&record.sha256)?;
                    (upload_id.clone(), part_size)
                }
                _ => {
                    if self.stored_whole(&location, &key).await? {
                        database.finish_package_upload(&record.sha256, &destination, &key, Utc::now())?;
                        self.report(UploadPhase::Done, record.bytes);
                        return Ok(true);
                    }
                    let part_size = self.target.part_size.max(record.bytes.div_ceil(MAX_PARTS));
                    let mut attributes = Attributes::new();
                    attributes.insert(Attribute::Metadata(SHA256_METADATA.into()), record.sha256.clone().into());
                    attributes.insert(Attribute::ContentType, "application/zip".into());
                    let options = PutMultipartOptions { attributes, ..PutMultipartOptions::default() };
                    let upload_id = self
                        .store
                        .create_multipart_opts(&location, options)
                        .await
                        .map_err(|err| self.classify(err, "starting the upload"))?;
                    database.start_package_upload(&record.sha256, &destination, &key, &upload_id, part_size)?;
                    (upload_id, part_size)
                }
            };
            match self.send_parts(&location, &upload_id, part_size).await {
                Ok(()) => break,
                Err(SendError::UploadForgotten) if !restarted => {
                    restarted = true;
                    database.forget_package_upload(&record.sha256)?;
                    current = database.outbox_package(&record.sha256)?;
                }
                Err(SendError::UploadForgotten) => {
                    return Err(Error::new(
                        ErrorKind::UploadFailed,
                        format!("{destination} keeps forgetting the multipart upload of {key}"),
                    ));
                }
                Err(SendError::Failed(err)) => return Err(err),
            }
        }

        self.report(UploadPhase::Verifying, record.bytes);
        if let Err(err) = self.verify(&location, &key).await {
            if err.kind() == ErrorKind::UploadMismatch {
                // The stored object is wrong: the next attempt sends the package anew.
                database.forget_package_upload(&record.sha256)?;
            }
            return Err(err);
        }
        database.finish_package_upload(&record.sha256, &destination, &key, Utc::now())?;
        self.report(UploadPhase::Done, record.bytes);
        Ok(false)
    }

    /// Sends the parts not recorded yet, then completes the upload.
    async fn send_parts(&mut self, location: &ObjectPath, upload_id: &str, part_size: u64) -> Result<(), SendError> {
        let record = self.record;
        let database = self.folder.database();
        let recorded = database.upload_parts(&record.sha256, upload_id)?;
        let part_count = record.bytes.div_ceil(part_size);
        let mut file = self.folder.open_queued_package(record)?;
        let mut bytes_sent: u64 = recorded.iter().map(|part| part.bytes).sum();
        let upload_id = upload_id.to_string();
        for number in 1..=part_count {
            let offset = (number - 1) * part_size;
            let length = part_size.min(record.bytes - offset);
            if recorded.iter().any(|part| u64::from(part.part_number) == number && part.bytes == length) {
                continue;
            }
            self.report(UploadPhase::Sending, bytes_sent);
            let mut buffer = vec![0u8; length as usize];
            file.seek(SeekFrom::Start(offset))
                .and_then(|_| file.read_exact(&mut buffer))
                .map_err(|err| Error::reading(Path::new(&record.path), &err))?;
            let sha256 = crate::vault::hex(&Sha256::digest(&buffer));
            let part = self
                .store
                .put_part(location, &upload_id, (number - 1) as usize, PutPayload::from(buffer))
                .await
                .map_err(|err| self.part_error(err, "sending a part"))?;
            let part = UploadPartRecord { part_number: number as u32, bytes: length, sha256, etag: part.content_id };
            database.record_upload_part(&record.sha256, &upload_id, &part, Utc::now())?;
            bytes_sent += length;
            self.sent.0 += 1;
            self.sent.1 += length;
        }
        self.report(UploadPhase::Sending, bytes_sent);

        let parts: Vec<PartId> = database
            .upload_parts(&record.sha256, &upload_id)?
            .into_iter()
            .map(|part| PartId { content_id: part.etag })
            .collect();
        if parts.len() as u64 != part_count {
            return Err(SendError::Failed(Error::new(
                ErrorKind::UploadFailed,
                format!(
                    "{} parts recorded for package {} where {part_count} were expected",
                    parts.len(),
                    record.sha256
                ),
            )));
        }
        match self.store.complete_multipart(location, &upload_id, parts).await {
            Ok(_) => Ok(()),
            // Completed before (the answer was lost, or we were killed before recording
            // it)? Then the object is there; the read-back decides.
            Err(err) if is_not_found(&err) => {
                let key = location.to_string();
                if self.stored_whole(location, &key).await? { Ok(()) } else { Err(SendError::UploadForgotten) }
            }
            Err(err) => Err(SendError::Failed(self.classify(err, "completing the upload"))),
        }
    }

    fn part_error(&self, err: object_store::Error, doing: &str) -> SendError {
        if is_not_found(&err) && !err.to_string().contains("NoSuchBucket") {
            SendError::UploadForgotten
        } else {
            SendError::Failed(self.classify(err, doing))
        }
    }

    /// Whether the object at `key` is the package whole (size, metadata, downloaded SHA-256).
    async fn stored_whole(&mut self, location: &ObjectPath, key: &str) -> Result<bool> {
        match self.verify(location, key).await {
            Ok(()) => Ok(true),
            Err(err) if matches!(err.kind(), ErrorKind::UploadMismatch) => Ok(false),
            Err(err) if err.kind() == ErrorKind::FileMissing => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Reads the stored object back and compares it with the package: `upload_mismatch`
    /// when it differs, `file_missing` when there is no object.
    async fn verify(&mut self, location: &ObjectPath, key: &str) -> Result<()> {
        let record = self.record;
        let head = GetOptions { head: true, ..GetOptions::default() };
        let meta = match self.store.get_opts(location, head).await {
            Ok(result) => result,
            Err(err) if is_not_found(&err) && !err.to_string().contains("NoSuchBucket") => {
                return Err(Error::new(ErrorKind::FileMissing, format!("{key} is not stored")));
            }
            Err(err) => return Err(self.classify(err, "checking the stored object")),
        };
        let mismatch = |what: String| {
            Error::new(
                ErrorKind::UploadMismatch,
                format!(
                    "远端对象与本地包不一致 the stored object {key} does not match package {}: {what}",
                    record.sha256
                ),
            )
        };
        if meta.meta.size != record.bytes {
            return Err(mismatch(format!("{} bytes stored, {} bytes here", meta.meta.size, record.bytes)));
        }
        let recorded = meta.attributes.get(&Attribute::Metadata(SHA256_METADATA.into())).map(|value| value.to_string());
        if recorded.as_deref() != Some(record.sha256.as_str()) {
            return Err(mismatch(format!("its recorded SHA-256 is {}", recorded.as_deref().unwrap_or("missing"))));
        }
        let mut hasher = Sha256::new();
        let step = self.target.part_size.max(READ_BUFFER_BYTES as u64);
        let mut offset = 0;
        while offset < record.bytes {
            let end = (offset + step).min(record.bytes);
            let options = GetOptions { range: Some(GetRange::Bounded(offset..end)), ..GetOptions::default() };
            let piece = match self.store.get_opts(location, options).await {
                Ok(result) => result.bytes().await,
                Err(err) => Err(err),
            }
            .map_err(|err| self.classify(err, "reading the stored object back"))?;
            if piece.len() as u64 != end - offset {
                return Err(mismatch(format!("a read of bytes {offset}..{end} returned {} bytes", piece.len())));
            }
            hasher.update(&piece);
            offset = end;
            self.report(UploadPhase::Verifying, offset);
        }
        let downloaded = crate::vault::hex(&hasher.finalize());
        if downloaded != record.sha256 {
            return Err(mismatch(format!("the bytes read back have SHA-256 {downloaded}")));
        }
        Ok(())
    }

    /// Turns a storage error into one that names the problem (never the credentials).
    fn classify(&self, err: object_store::Error, doing: &str) -> Error {
        let target = self.target;
        let text = error_chain(&err);
        let endpoint = &target.endpoint;
        if text.contains("NoSuchBucket") {
            return Error::new(
                ErrorKind::UploadBucketMissing,
                format!("存储桶不存在 the bucket '{}' does not exist at {endpoint}", target.bucket),
            );
        }
        let refused =
            matches!(err, object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. })
                || ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403 Forbidden"]
                    .iter()
                    .any(|code| text.contains(code));
        if refused {
            return Error::new(
                ErrorKind::UploadRefused,
                format!(
                    "存储服务拒绝了访问密钥 {endpoint} refused the credentials (access key id '{}') while {doing}: \
                     check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the key's rights on bucket '{}'",
                    target.access_key_id, target.bucket
                ),
            );
        }
        let unreachable = [
            "error sending request",
            "Connection refused",
            "connection refused",
            "dns error",
            "timed out",
            "tcp connect",
        ]
        .iter()
        .any(|sign| text.contains(sign));
        if unreachable {
            return Error::new(
                ErrorKind::UploadUnreachable,
                format!("无法连接上传服务器 cannot reach {endpoint} while {doing} ({})", first_line(&text)),
            );
        }
        Error::new(
            ErrorKind::UploadFailed,
            format!("上传失败 upload to {endpoint} failed while {doing}: {}", first_line(&text)),
        )
    }
}

/// Why sending the parts stopped.
enum SendError {
    /// The server no longer knows the UploadId.
    UploadForgotten,
    Failed(Error),
}

impl From<Error> for SendError {
    fn from(err: Error) -> Self {
        SendError::Failed(err)
    }
}

fn is_not_found(err: &object_store::Error) -> bool {
    matches!(err, object_store::Error::NotFound { .. })
}

/// The error and its sources on one line: the HTTP client's errors hide the useful part
/// (connection refused, the server's error code) in the chain.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn first_line(text: &str) -> String {
    let line = text.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ");
    let mut line: String = line.chars().take(400).collect();
    if line.len() < text.len() {
        line.push('…');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_wait_doubles_from_30_seconds_up_to_an_hour_with_jitter_below_it() {
        for attempts in 0..20u32 {
            let full = (30i64 << attempts.min(10)).min(3600) * 1000;
            let waits: Vec<i64> = (0..50).map(|_| retry_delay(attempts).num_milliseconds()).collect();
            assert!(waits.iter().all(|&wait| wait >= full / 2 && wait <= full), "attempt {attempts}: {waits:?}");
            // Jitter: fifty draws are not all the same.
            assert!(waits.iter().any(|&wait| wait != waits[0]), "attempt {attempts}: no jitter");
        }
    }
}
