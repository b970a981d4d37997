//! One attempt at one package: the multipart upload, resumed from the recorded parts, and
//! the read-back that decides whether the stored object is the package.

use chrono::Utc;
use futures_util::stream::{self, FuturesUnordered, StreamExt};
use object_store::aws::AmazonS3;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, GetOptions, GetRange, ObjectStore, PutMultipartOptions, PutPayload};
use sha2::{Digest, Sha256};

use super::package_bytes::open_package;
use super::{MAX_PARTS, READ_BUFFER_BYTES, SHA256_METADATA, UploadPhase, UploadProgress, UploadTarget};
use crate::data_folder::DataFolder;
use crate::database::{OutboxRecord, UploadPartRecord};
use crate::error::{Error, ErrorKind, Result};

/// One attempt at one package.
pub(super) struct PackageUpload<'a> {
    pub(super) folder: &'a DataFolder,
    pub(super) target: &'a UploadTarget,
    pub(super) store: &'a AmazonS3,
    pub(super) record: &'a OutboxRecord,
    pub(super) progress: &'a mut dyn FnMut(&UploadProgress),
    /// Parts and bytes sent in this attempt.
    pub(super) sent: (u32, u64),
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
    pub(super) async fn send(&mut self) -> Result<bool> {
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

    /// Sends the parts not recorded yet, up to the target's `parts_in_flight` at once, then
    /// completes the upload. Each part is recorded (its own transaction) only once the server
    /// has accepted it, in whatever order the answers come; so a crash loses at most the
    /// parts in flight, and a resume sends just those and the ones never started. When a
    /// part fails, no new part starts but those in flight are let finish, so that what the
    /// server accepts is recorded and not sent again.
    async fn send_parts(&mut self, location: &ObjectPath, upload_id: &str, part_size: u64) -> Result<(), SendError> {
        let record = self.record;
        let folder = self.folder;
        let store = self.store;
        let database = folder.database();
        let recorded = database.upload_parts(&record.sha256, upload_id)?;
        let part_count = record.bytes.div_ceil(part_size);
        let mut bytes_sent: u64 = recorded.iter().map(|part| part.bytes).sum();
        let mut missing = (1..=part_count)
            .map(|number| {
                let offset = (number - 1) * part_size;
                (number, offset, part_size.min(record.bytes - offset))
            })
            .filter(|&(number, _, length)| {
                !recorded.iter().any(|part| u64::from(part.part_number) == number && part.bytes == length)
            });
        let mut package = open_package(self.folder, record)?;
        let mut in_flight = FuturesUnordered::new();
        let mut stopped: Option<SendError> = None;
        self.report(UploadPhase::Sending, bytes_sent);
        loop {
            while stopped.is_none() && in_flight.len() < self.target.parts_in_flight {
                let Some((number, offset, length)) = missing.next() else { break };
                let buffer = match package.read(offset, length) {
                    Ok(buffer) => buffer,
                    Err(err) => {
                        stopped = Some(err.into());
                        break;
                    }
                };
                let sha256 = crate::vault::hex(&Sha256::digest(&buffer));
                let (location, upload_id) = (location.clone(), upload_id.to_string());
                in_flight.push(async move {
                    let accepted =
                        store.put_part(&location, &upload_id, (number - 1) as usize, PutPayload::from(buffer)).await;
                    (
                        UploadPartRecord { part_number: number as u32, bytes: length, sha256, etag: String::new() },
                        accepted,
                    )
                });
            }
            let Some((mut part, accepted)) = in_flight.next().await else { break };
            match accepted {
                Ok(accepted) => {
                    part.etag = accepted.content_id;
                    if let Err(err) = database.record_upload_part(&record.sha256, upload_id, &part, Utc::now()) {
                        stopped.get_or_insert(err.into());
                        continue;
                    }
                    bytes_sent += part.bytes;
                    self.sent.0 += 1;
                    self.sent.1 += part.bytes;
                    self.report(UploadPhase::Sending, bytes_sent);
                }
                Err(err) => {
                    let err = self.part_error(err, "sending a part");
                    stopped.get_or_insert(err);
                }
            }
        }
        if let Some(err) = stopped {
            return Err(err);
        }

        let parts: Vec<PartId> = database
            .upload_parts(&record.sha256, upload_id)?
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
        match self.store.complete_multipart(location, &upload_id.to_string(), parts).await {
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
        // Pieces of a part's size, several read at once (as many as parts are sent at once)
        // and hashed in order: the same check as one read after the other, in less time.
        let step = self.target.part_size.max(READ_BUFFER_BYTES as u64);
        let store = self.store;
        let ranges = (0..record.bytes.div_ceil(step)).map(|index| index * step..((index + 1) * step).min(record.bytes));
        let mut pieces = stream::iter(ranges)
            .map(|range| async move {
                let options = GetOptions { range: Some(GetRange::Bounded(range.clone())), ..GetOptions::default() };
                let piece = match store.get_opts(location, options).await {
                    Ok(result) => result.bytes().await,
                    Err(err) => Err(err),
                };
                (range, piece)
            })
            .buffered(self.target.parts_in_flight);
        let mut hasher = Sha256::new();
        while let Some((range, piece)) = pieces.next().await {
            let piece = piece.map_err(|err| self.classify(err, "reading the stored object back"))?;
            if piece.len() as u64 != range.end - range.start {
                return Err(mismatch(format!(
                    "a read of bytes {}..{} returned {} bytes",
                    range.start,
                    range.end,
                    piece.len()
                )));
            }
            hasher.update(&piece);
            self.report(UploadPhase::Verifying, range.end);
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
