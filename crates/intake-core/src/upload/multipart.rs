//! One attempt at one package: the multipart upload, resumed from the recorded parts, and
//! the read-back that decides whether the stored object is the package.

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use chrono::Utc;
use std::cell::Cell;
use std::collections::HashSet;

use futures_util::stream::{self, StreamExt};
use md5::Md5;
use object_store::aws::AmazonS3;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, GetOptions, GetRange, ObjectStore, PutMultipartOptions, PutPayload};
use sha2::{Digest, Sha256};

use super::package_bytes::{ReadPart, open_package, part_sha256};
use super::part_digests::PartDigests;
use super::{MAX_PARTS, READ_BUFFER_BYTES, SHA256_METADATA, UploadPhase, UploadProgress, UploadTarget};
use crate::database::{Database, OutboxRecord, UploadPartRecord};
use crate::error::{Error, ErrorKind, Result};
use crate::vault::Vault;

/// One attempt at one package.
pub(super) struct PackageUpload<'a> {
    pub(super) database: &'a Database,
    pub(super) vault: &'a Vault,
    pub(super) target: &'a UploadTarget,
    pub(super) store: &'a AmazonS3,
    /// The SHA-256 of the parts in flight, for `store`'s signatures (`super::part_digests`).
    pub(super) digests: &'a PartDigests,
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
        let database = self.database;
        self.report(UploadPhase::Checking, record.bytes_sent);
        // Only whether it is there: its bytes are hashed as they are sent (`send_parts`).
        crate::sealed_outbox::check_queued_package_present(self.vault, record)?;

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
        let accepted = loop {
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
                Ok(accepted) => break accepted,
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
        };

        self.report(UploadPhase::Verifying, record.bytes);
        if let Err(err) = self.verify(&location, &key, Some(&accepted)).await {
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
    ///
    /// The package is read once, in order, on a thread of its own (`read_parts`), which hashes
    /// it as it goes: the upload is completed only when the bytes read have the package's size
    /// and SHA-256 (`package_changed` otherwise, and the parts sent are forgotten). Parts
    /// accepted in an earlier attempt are read too (for that hash) but not sent. Returns each
    /// part as recorded (the server's answer for it), in order, for the check after completion
    /// ([`PackageUpload::verify`]).
    async fn send_parts(
        &mut self,
        location: &ObjectPath,
        upload_id: &str,
        part_size: u64,
    ) -> Result<Vec<UploadPartRecord>, SendError> {
        let record = self.record;
        let store = self.store;
        let digests = self.digests;
        let parts_in_flight = self.target.parts_in_flight;
        let database = self.database;
        let recorded = database.upload_parts(&record.sha256, upload_id)?;
        let part_count = record.bytes.div_ceil(part_size);
        let mut bytes_sent: u64 = recorded.iter().map(|part| part.bytes).sum();
        let accepted_before: HashSet<u64> = (1..=part_count)
            .filter(|&number| {
                let length = part_size.min(record.bytes - (number - 1) * part_size);
                recorded.iter().any(|part| u64::from(part.part_number) == number && part.bytes == length)
            })
            .collect();
        let package = open_package(self.vault, record)?;
        // One part read ahead of those in flight: the reader never waits for the network's
        // answers, and at most parts_in_flight + 2 parts are held in memory.
        let (read_tx, mut read_rx) = tokio::sync::mpsc::channel::<ReadPart>(1);
        let expected = record.bytes;
        let reader = tokio::task::spawn_blocking(move || {
            package.read_parts(
                expected,
                part_size,
                |number| !accepted_before.contains(&number),
                |part| read_tx.blocking_send(part).is_ok(),
            )
        });

        let mut failure: Option<SendError> = None;
        let stopping = Cell::new(false);
        self.report(UploadPhase::Sending, bytes_sent);
        {
            let stopping = &stopping;
            let mut answers = stream::poll_fn(|context| read_rx.poll_recv(context))
                .take_while(|_| std::future::ready(!stopping.get()))
                .map(|part: ReadPart| {
                    let (location, upload_id) = (location.clone(), upload_id.to_string());
                    async move {
                        if !part.send {
                            return (part.number, part.length, None);
                        }
                        let sent = async {
                            let sha256 = part_sha256(part.bytes.clone()).await?;
                            // Its SHA-256 is known: object_store signs it without hashing it again.
                            let _known = digests.register(&part.bytes, sha256);
                            let payload = PutPayload::from(part.bytes.clone());
                            let accepted =
                                store.put_part(&location, &upload_id, (part.number - 1) as usize, payload).await;
                            Ok::<_, Error>((sha256, accepted))
                        }
                        .await;
                        (part.number, part.length, Some(sent))
                    }
                })
                .buffer_unordered(parts_in_flight);
            while let Some((number, length, sent)) = answers.next().await {
                // None: accepted in an earlier attempt, read only for the hashes.
                let Some(sent) = sent else { continue };
                match sent {
                    Ok((sha256, Ok(accepted))) => {
                        let accepted = UploadPartRecord {
                            part_number: number as u32,
                            bytes: length,
                            sha256: crate::vault::hex(&sha256),
                            etag: accepted.content_id,
                        };
                        if let Err(err) = database.record_upload_part(&record.sha256, upload_id, &accepted, Utc::now())
                        {
                            failure.get_or_insert(err.into());
                            stopping.set(true);
                            continue;
                        }
                        bytes_sent += accepted.bytes;
                        self.sent.0 += 1;
                        self.sent.1 += accepted.bytes;
                        self.report(UploadPhase::Sending, bytes_sent);
                    }
                    Ok((_, Err(err))) => {
                        failure.get_or_insert(self.part_error(err, "sending a part"));
                        stopping.set(true);
                    }
                    Err(err) => {
                        failure.get_or_insert(err.into());
                        stopping.set(true);
                    }
                }
            }
        }
        // The reader may be waiting to hand over a part nobody takes now: closing the channel
        // ends it.
        drop(read_rx);
        let read = reader.await.unwrap_or_else(|err| {
            Err(Error::new(ErrorKind::UploadFailed, format!("reading package {} stopped: {err}", record.sha256)))
        });
        if let Some(err) = failure {
            return Err(err);
        }
        let changed = |what: String| {
            Error::for_file(
                ErrorKind::PackageChanged,
                std::path::Path::new(&record.path),
                format!("导出的包已变动 {what} since it was exported; export the case again"),
            )
        };
        let digest = match read {
            Ok(Some(digest)) => digest,
            Ok(None) => {
                return Err(SendError::Failed(Error::new(
                    ErrorKind::UploadFailed,
                    format!("reading package {} stopped before its end", record.sha256),
                )));
            }
            Err(err) => {
                if err.kind() == ErrorKind::PackageChanged {
                    database.forget_package_upload(&record.sha256)?;
                }
                return Err(SendError::Failed(err));
            }
        };
        if digest.bytes != record.bytes || digest.sha256 != record.sha256 {
            // The parts sent are not the package: never complete them.
            database.forget_package_upload(&record.sha256)?;
            return Err(SendError::Failed(changed(format!(
                "has changed ({} bytes with SHA-256 {})",
                digest.bytes, digest.sha256
            ))));
        }
        let accepted = database.upload_parts(&record.sha256, upload_id)?;
        let parts: Vec<PartId> = accepted.iter().map(|part| PartId { content_id: part.etag.clone() }).collect();
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
            Ok(_) => Ok(accepted),
            // Completed before (the answer was lost, or we were killed before recording
            // it)? Then the object is there; the read-back decides.
            Err(err) if is_not_found(&err) => {
                let key = location.to_string();
                if self.stored_whole(location, &key).await? { Ok(accepted) } else { Err(SendError::UploadForgotten) }
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
        match self.verify(location, key, None).await {
            Ok(()) => Ok(true),
            Err(err) if matches!(err.kind(), ErrorKind::UploadMismatch) => Ok(false),
            Err(err) if err.kind() == ErrorKind::FileMissing => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Checks that the stored object is the package: `upload_mismatch` when it differs,
    /// `file_missing` when there is no object. Its size and `sha256` metadata first (HEAD);
    /// then, right after this attempt completed it (`accepted`: each part as recorded when the
    /// server accepted it), the server's ETag: when it is the S3 multipart ETag of exactly the
    /// parts the server accepted (MD5 of their ETags, `-` and their number) the object is
    /// confirmed without being downloaded (module documentation: why that is as strong as the
    /// read-back). In every other case (a server whose ETag is not that, SSE-KMS, an object
    /// found already stored) the object is read back and its SHA-256 must be the package's.
    async fn verify(&mut self, location: &ObjectPath, key: &str, accepted: Option<&[UploadPartRecord]>) -> Result<()> {
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
        if accepted.is_some_and(|accepted| confirms_accepted_parts(meta.meta.e_tag.as_deref(), accepted)) {
            self.report(UploadPhase::Verifying, record.bytes);
            return Ok(());
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

/// What the server answered for one part it accepted, as object_store records it in the part's
/// `PartId` (with a checksum algorithm set, its own XML of the part's ETag and the checksum the
/// server echoed, if it did; without, the bare ETag).
#[derive(Debug, serde::Deserialize)]
struct PartAnswer {
    e_tag: String,
    #[serde(default)]
    checksum_sha256: Option<String>,
}

impl PartAnswer {
    fn of(content_id: &str) -> PartAnswer {
        quick_xml::de::from_str(content_id)
            .unwrap_or_else(|_| PartAnswer { e_tag: content_id.to_string(), checksum_sha256: None })
    }
}

/// Whether the stored object's ETag (as the server sent it, quoted or not) confirms that the
/// object is exactly the parts the server accepted for it (`accepted`, in order, each recorded
/// with its SHA-256 as read here and the server's answer). The S3 multipart ETag is the hex MD5
/// of the parts' MD5s (their ETags, as bytes) one after the other, `-` and their number; the
/// server computes it from the parts it holds, so it equals the one computed here from the
/// recorded answers only when the object is exactly those parts. Each part's bytes were checked
/// by the server on arrival against the part's SHA-256 (module documentation). Anything doubtful
/// is not a confirmation, and then the read-back decides (so a server's odd answer never fails
/// an upload by itself): an ETag of another form, a part's ETag that is not an MD5, or a
/// checksum the server echoed for a part that is not the part's SHA-256.
fn confirms_accepted_parts(e_tag: Option<&str>, accepted: &[UploadPartRecord]) -> bool {
    let Some(e_tag) = e_tag else { return false };
    if accepted.is_empty() {
        return false;
    }
    let mut of_parts = Md5::new();
    for part in accepted {
        let answer = PartAnswer::of(&part.etag);
        if let Some(echoed) = answer.checksum_sha256.as_deref() {
            let ours = crate::vault::decode_hex(&part.sha256).map(|sha256| BASE64_STANDARD.encode(sha256));
            if ours.as_deref() != Some(echoed.trim()) {
                return false;
            }
        }
        match crate::vault::decode_hex(unquoted(&answer.e_tag)) {
            Some(md5) if md5.len() == 16 => of_parts.update(&md5),
            _ => return false,
        }
    }
    let expected = format!("{}-{}", crate::vault::hex(&of_parts.finalize()), accepted.len());
    unquoted(e_tag).eq_ignore_ascii_case(&expected)
}

/// An ETag as servers send it, without its quotes or weak mark.
fn unquoted(e_tag: &str) -> &str {
    e_tag.trim().trim_start_matches("W/").trim_matches('"')
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

    /// Parts as recorded when the server accepted them: object_store's XML with the server's
    /// ETag of each (its MD5, quoted, as servers send it) and, when given, the SHA-256 the
    /// server echoed.
    fn accepted(parts: &[&[u8]], echoed: &[Option<String>]) -> Vec<UploadPartRecord> {
        parts
            .iter()
            .enumerate()
            .map(|(index, part)| {
                let e_tag = format!("\"{}\"", crate::vault::hex(&Md5::digest(part)));
                let checksum = match echoed.get(index).cloned().flatten() {
                    Some(echoed) => format!("<checksum_sha256>{echoed}</checksum_sha256>"),
                    None => String::new(),
                };
                UploadPartRecord {
                    part_number: index as u32 + 1,
                    bytes: part.len() as u64,
                    sha256: crate::vault::hex(&Sha256::digest(part)),
                    etag: format!("<PartMetadata><e_tag>{e_tag}</e_tag>{checksum}</PartMetadata>"),
                }
            })
            .collect()
    }

    #[test]
    fn the_multipart_etag_of_the_accepted_parts_confirms_the_object_as_servers_send_it() {
        // Computed apart with Python's hashlib: md5(md5(b"part one") + md5(b"part two")) + "-2".
        let parts = accepted(&[b"part one", b"part two"], &[]);
        for sent in [
            "0732917abc3288784e318ac0aab1757a-2",
            "\"0732917abc3288784e318ac0aab1757a-2\"",
            "\"0732917ABC3288784E318AC0AAB1757A-2\"",
            "W/\"0732917abc3288784e318ac0aab1757a-2\"",
        ] {
            assert!(confirms_accepted_parts(Some(sent), &parts), "{sent}");
        }
        // A part recorded as a bare ETag (object_store without a checksum algorithm).
        let mut bare = parts.clone();
        bare[0].etag = format!("\"{}\"", crate::vault::hex(&Md5::digest(b"part one")));
        assert!(confirms_accepted_parts(Some("\"0732917abc3288784e318ac0aab1757a-2\""), &bare));
    }

    #[test]
    fn any_other_etag_or_a_part_etag_that_is_no_md5_leaves_the_object_to_be_read_back() {
        let parts = accepted(&[b"part one", b"part two"], &[]);
        for other in [
            // Another part count, one part's MD5 alone, nothing.
            "\"0732917abc3288784e318ac0aab1757a-3\"",
            "\"3303e12af474ca11d85ed2966a932992\"",
            "",
        ] {
            assert!(!confirms_accepted_parts(Some(other), &parts), "{other}");
        }
        assert!(!confirms_accepted_parts(None, &parts));
        // The same parts accepted in the other order: the object is not these parts.
        let swapped = accepted(&[b"part two", b"part one"], &[]);
        assert!(!confirms_accepted_parts(Some("\"0732917abc3288784e318ac0aab1757a-2\""), &swapped));
        assert!(!confirms_accepted_parts(Some("\"0732917abc3288784e318ac0aab1757a-2\""), &[]));
        // A server whose part ETags are not MD5s (SSE-KMS, its own scheme).
        let mut opaque = parts.clone();
        opaque[1].etag = "<PartMetadata><e_tag>\"v2-7f3a\"</e_tag></PartMetadata>".into();
        assert!(!confirms_accepted_parts(Some("\"0732917abc3288784e318ac0aab1757a-2\""), &opaque));
    }

    #[test]
    fn a_sha256_the_server_echoes_for_a_part_must_be_the_parts_own_to_confirm_the_object() {
        let own = |part: &[u8]| Some(BASE64_STANDARD.encode(Sha256::digest(part)));
        let echoed = accepted(&[b"part one", b"part two"], &[own(b"part one"), own(b"part two")]);
        assert!(confirms_accepted_parts(Some("\"0732917abc3288784e318ac0aab1757a-2\""), &echoed));
        let wrong = accepted(&[b"part one", b"part two"], &[None, own(b"part three")]);
        assert!(!confirms_accepted_parts(Some("\"0732917abc3288784e318ac0aab1757a-2\""), &wrong));
    }
}
