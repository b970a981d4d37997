//! The outbox: its entries as shown, and an upload run over the packages not done (the
//! folder's methods: `data_folder::upload`).

use std::fs::File;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::multipart::PackageUpload;
use super::{RETRY_AFTER_AT_MOST, RETRY_AFTER_FIRST_FAILURE, UploadTarget};
pub use crate::database::OutboxState;
use crate::database::{Database, OutboxRecord};
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::vault::Vault;

/// One package of the outbox (`intake outbox --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxEntry {
    /// The package's SHA-256: what identifies it.
    pub sha256: String,
    #[allow(missing_docs)]
    pub case_id: String,
    /// The merchant of the case, as named now.
    #[serde(default)]
    pub merchant_name: String,
    /// False when the package was exported although incomplete (资料不全也导出).
    #[serde(default = "yes")]
    pub complete: bool,
    /// True for the latest package of its case; an earlier one was replaced by a later export.
    #[serde(default = "yes")]
    pub latest_of_case: bool,
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

fn yes() -> bool {
    true
}

impl From<OutboxRecord> for OutboxEntry {
    fn from(record: OutboxRecord) -> Self {
        let error = match (record.error_code, record.error_message) {
            (Some(code), Some(message)) => Some(ErrorReport::stored(&code, &message, ErrorKind::UploadFailed)),
            _ => None,
        };
        OutboxEntry {
            state: record.state,
            sha256: record.sha256,
            case_id: record.case_id,
            merchant_name: String::new(),
            complete: true,
            latest_of_case: true,
            path: record.path,
            bytes: record.bytes,
            bytes_sent: if record.state == OutboxState::Done { record.bytes } else { record.bytes_sent },
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
    /// Looking for the package and asking whether it is already stored.
    Checking,
    /// Sending parts.
    Sending,
    /// Checking the stored object against the package (its ETag, or reading it back).
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

/// The outbox as the app shows it (发件箱): the latest package of each case first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxOverview {
    /// Case by case, the case whose latest package is newest first; within a case, its latest
    /// package first, then the earlier ones it replaced.
    pub entries: Vec<OutboxEntry>,
    /// Packages not uploaded yet (waiting, uploading or failed): the count on the 发件箱 button.
    pub not_done: u32,
    /// Of those, the ones whose last attempt failed.
    pub failed: u32,
    /// The earliest time a failed package is due to be tried again, if any failed: when the
    /// open app retries by itself ([`crate::DataFolder::retry_due_packages`]).
    #[ts(type = "string | null")]
    pub next_retry_at: Option<DateTime<Utc>>,
}

/// Which packages an upload run considers, and whether a failed one must be due.
pub(crate) enum Selection<'a> {
    /// Every package not done, or those of one case.
    Case(Option<&'a str>, RetryTiming),
    /// One package, now (the row's 重试).
    Package(&'a str),
    /// Only the failed packages whose next try is due at this time (the app's automatic retry).
    FailedDueAt(DateTime<Utc>),
}

/// The outbox in `database`: every exported package, oldest first, with its merchant and
/// whether it was exported complete.
pub(crate) fn outbox_entries(database: &Database) -> Result<Vec<OutboxEntry>> {
    let incomplete = database.incomplete_packages()?;
    let names: std::collections::HashMap<String, String> =
        database.list_cases()?.into_iter().map(|case| (case.id, case.merchant_name)).collect();
    let latest = crate::case_list::latest_packages(database)?;
    Ok(database
        .outbox()?
        .into_iter()
        .map(|record| {
            let complete = !incomplete.contains(&record.sha256);
            let latest_of_case = latest.get(&record.case_id).is_some_and(|last| last.sha256 == record.sha256);
            let merchant_name = names.get(&record.case_id).cloned().unwrap_or_default();
            OutboxEntry { complete, latest_of_case, merchant_name, ..OutboxEntry::from(record) }
        })
        .collect())
}

/// `entries` (the outbox, oldest first) ordered for the 发件箱, with their counts and the next
/// automatic retry.
pub(crate) fn outbox_overview(mut entries: Vec<OutboxEntry>) -> OutboxOverview {
    // Each case's newest package time orders the cases; oldest-first input, so the last wins.
    let mut newest: std::collections::HashMap<String, DateTime<Utc>> = std::collections::HashMap::new();
    for entry in &entries {
        newest.insert(entry.case_id.clone(), entry.queued_at);
    }
    entries.reverse(); // newest first within a case (a stable sort keeps it)
    entries.sort_by(|a, b| newest[&b.case_id].cmp(&newest[&a.case_id]).then_with(|| a.case_id.cmp(&b.case_id)));
    let count = |keep: &dyn Fn(&OutboxEntry) -> bool| {
        u32::try_from(entries.iter().filter(|entry| keep(entry)).count()).unwrap_or(u32::MAX)
    };
    let not_done = count(&|entry| entry.state != OutboxState::Done);
    let failed = count(&|entry| entry.state == OutboxState::Failed);
    let next_retry_at =
        entries.iter().filter(|entry| entry.state == OutboxState::Failed).filter_map(|entry| entry.next_retry_at).min();
    OutboxOverview { entries, not_done, failed, next_retry_at }
}

/// Sends the packages of the outbox in `database` (sealed in `vault`) that `selection` takes,
/// one after the other, until `stop_requested` says so or a failure concerns every package.
/// The caller holds the upload lock ([`lock_for_upload`]).
pub(crate) fn upload_selected(
    database: &Database,
    vault: &Vault,
    target: &UploadTarget,
    selection: Selection<'_>,
    progress: &mut dyn FnMut(&UploadProgress),
    stop_requested: impl Fn() -> bool,
) -> Result<Vec<UploadOutcome>> {
    let now = Utc::now();
    let mut outcomes = Vec::new();
    let mut pending = Vec::new();
    for record in database.outbox()? {
        if record.state == OutboxState::Done {
            continue;
        }
        match selection {
            Selection::Case(case_id, timing) => {
                if case_id.is_some_and(|id| record.case_id != id) {
                    continue;
                }
                match record.next_retry_at {
                    Some(not_before)
                        if timing == RetryTiming::WhenDue
                            && record.state == OutboxState::Failed
                            && not_before > now =>
                    {
                        outcomes.push(skipped(&record, not_before));
                    }
                    _ => pending.push(record),
                }
            }
            Selection::Package(sha256) => {
                if record.sha256 == sha256 {
                    pending.push(record);
                }
            }
            Selection::FailedDueAt(at) => {
                if record.state == OutboxState::Failed && record.next_retry_at.is_some_and(|due| due <= at) {
                    pending.push(record);
                }
            }
        }
    }
    if pending.is_empty() {
        return Ok(outcomes);
    }
    let (store, digests) = target.store()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::new(ErrorKind::UploadFailed, format!("cannot start the upload runtime: {err}")))?;
    for record in pending {
        // Locked meanwhile (`stop_when`): the packages not started wait for the next run.
        if stop_requested() {
            break;
        }
        let mut run = PackageUpload {
            database,
            vault,
            target,
            store: &store,
            digests: &digests,
            record: &record,
            progress,
            sent: (0, 0),
        };
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
                database.fail_package_upload(&record.sha256, err.code(), err.message(), next_retry)?;
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

/// Takes the upload lock of the data folder at `root`, or refuses (`upload_busy`) when another run,
/// in this process or another, holds it. Released when the returned file is dropped.
pub(crate) fn lock_for_upload(root: &Path) -> Result<File> {
    let path = root.join(UPLOAD_LOCK_FILE);
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

/// The outcome of a failed package left alone because its next try is not due yet.
fn skipped(record: &OutboxRecord, not_before: DateTime<Utc>) -> UploadOutcome {
    let error = match (&record.error_code, &record.error_message) {
        (Some(code), Some(message)) => Some(ErrorReport::stored(code, message, ErrorKind::UploadFailed)),
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
