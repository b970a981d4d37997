//! The `outbox` and `upload_parts` tables (migration 4): exported packages waiting to be stored at
//! head office, and the parts of their multipart uploads.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{parse_key, parse_timestamp, timestamp};
use crate::audit::AuditAction;
use crate::error::{Error, ErrorKind, Result};

/// Where a package of the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
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
    /// The text of the `state` column (migration 4 checks it is one of these four).
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Waiting => "waiting",
            OutboxState::Uploading => "uploading",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
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

impl std::str::FromStr for OutboxState {
    type Err = Error;

    /// The state stored as `text` in the `state` column.
    fn from_str(text: &str) -> Result<OutboxState> {
        [OutboxState::Waiting, OutboxState::Uploading, OutboxState::Done, OutboxState::Failed]
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, format!("unknown outbox state '{text}'")))
    }
}

/// A package just exported, as the outbox queues it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportedPackage<'a> {
    /// The package's SHA-256: what the outbox knows it by.
    pub sha256: &'a str,
    pub case_id: &'a str,
    /// Where it was stored (the sealed copy in the vault).
    pub path: &'a str,
    pub bytes: u64,
    /// How many entries of the case's audit chain it carries.
    pub chain_length: usize,
}

/// One package in the outbox, as recorded.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the columns of `outbox`
pub struct OutboxRecord {
    pub sha256: String,
    pub case_id: String,
    pub path: String,
    pub bytes: u64,
    pub queued_at: DateTime<Utc>,
    pub state: OutboxState,
    pub attempts: u32,
    pub destination: Option<String>,
    pub remote_key: Option<String>,
    pub upload_id: Option<String>,
    pub part_size: Option<u64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub next_retry_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// Sum of the bytes of the parts recorded for the current UploadId.
    pub bytes_sent: u64,
}

/// One part of a multipart upload the server accepted.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the columns of `upload_parts`
pub struct UploadPartRecord {
    pub part_number: u32,
    pub bytes: u64,
    pub sha256: String,
    pub etag: String,
}

const OUTBOX_COLUMNS: &str = "o.sha256, o.case_id, o.path, o.bytes, o.queued_at, o.state, o.attempts, o.destination,
    o.remote_key, o.upload_id, o.part_size, o.error_code, o.error_message, o.next_retry_at, o.done_at,
    (SELECT coalesce(sum(p.bytes), 0) FROM upload_parts p
     WHERE p.package_sha256 = o.sha256 AND p.upload_id = o.upload_id) AS bytes_sent";

impl Database {
    /// Queues an exported package. The same bytes exported again keep their state (an
    /// uploaded package stays done) and only the path is updated.
    ///
    /// The export is logged in the same transaction (`exported`, with the package's SHA-256
    /// and the length of the chain it carries); the case's `updated_at` is not touched, so
    /// packing again gives the same bytes.
    pub(crate) fn enqueue_package(&self, package: &ExportedPackage<'_>, now: DateTime<Utc>) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_shared_tx(|tx| queue_package(tx, &manager, package, now))
    }

    /// [`Database::enqueue_package`] for a package exported although incomplete: the
    /// `incomplete_export` entry (the manager's `reason`, how many `open_items`) goes in the
    /// same transaction, just before `exported`. Both are about a package, so no package
    /// carries them (its `bag-info.txt` and `case.json` carry the reason).
    pub(crate) fn enqueue_incomplete_package(
        &self,
        package: &ExportedPackage<'_>,
        reason: &str,
        open_items: usize,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_shared_tx(|tx| {
            let details = audit_details(&[
                ("package_sha256", package.sha256.into()),
                ("reason", reason.into()),
                ("open_items", open_items.to_string()),
            ]);
            append_audit(tx, package.case_id, &manager, AuditAction::IncompleteExport, details, now)?;
            queue_package(tx, &manager, package, now)
        })
    }

    /// Every package in the outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxRecord>> {
        let mut statement = self
            .connection
            .prepare(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox o ORDER BY o.queued_at, o.sha256"))?;
        let rows = statement.query_map([], outbox_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One package of the outbox.
    pub fn outbox_package(&self, sha256: &str) -> Result<OutboxRecord> {
        self.connection
            .query_row(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox o WHERE o.sha256 = ?1"), [sha256], outbox_from_row)
            .optional()?
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, format!("no package {sha256} in the outbox")))
    }

    /// Records a multipart upload just started: from now on a resume continues it.
    pub(crate) fn start_package_upload(
        &self,
        sha256: &str,
        destination: &str,
        remote_key: &str,
        upload_id: &str,
        part_size: u64,
    ) -> Result<()> {
        self.connection.execute(
            "UPDATE outbox SET state = 'uploading', destination = ?2, remote_key = ?3, upload_id = ?4, part_size = ?5,
                error_code = NULL, error_message = NULL, next_retry_at = NULL
             WHERE sha256 = ?1",
            params![sha256, destination, remote_key, upload_id, part_size as i64],
        )?;
        Ok(())
    }

    /// Marks a package whose recorded upload is being resumed as under way again.
    pub(crate) fn resume_package_upload(&self, sha256: &str) -> Result<()> {
        self.connection.execute(
            "UPDATE outbox SET state = 'uploading' WHERE sha256 = ?1 AND upload_id IS NOT NULL AND state <> 'done'",
            [sha256],
        )?;
        Ok(())
    }

    /// Forgets an upload id (the server no longer knows it, or the object must be sent anew);
    /// its parts go with it.
    pub(crate) fn forget_package_upload(&self, sha256: &str) -> Result<()> {
        let tx = self.connection.unchecked_transaction()?;
        tx.execute("DELETE FROM upload_parts WHERE package_sha256 = ?1", [sha256])?;
        tx.execute(
            "UPDATE outbox SET upload_id = NULL, part_size = NULL, state = CASE state WHEN 'uploading' THEN 'waiting'
                ELSE state END
             WHERE sha256 = ?1",
            [sha256],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records one part the server accepted (one statement: one transaction).
    pub(crate) fn record_upload_part(
        &self,
        package_sha256: &str,
        upload_id: &str,
        part: &UploadPartRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute(
            "INSERT OR REPLACE INTO upload_parts (package_sha256, upload_id, part_number, bytes, sha256, etag, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                package_sha256,
                upload_id,
                part.part_number,
                part.bytes as i64,
                part.sha256,
                part.etag,
                timestamp(now)
            ],
        )?;
        Ok(())
    }

    /// The parts recorded for an upload id, by part number.
    pub fn upload_parts(&self, package_sha256: &str, upload_id: &str) -> Result<Vec<UploadPartRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT part_number, bytes, sha256, etag FROM upload_parts
             WHERE package_sha256 = ?1 AND upload_id = ?2 ORDER BY part_number",
        )?;
        let rows = statement.query_map([package_sha256, upload_id], |row| {
            Ok(UploadPartRecord {
                part_number: row.get(0)?,
                bytes: row.get::<_, i64>(1)? as u64,
                sha256: row.get(2)?,
                etag: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Marks a package stored and checked at `remote_key`.
    /// Logged as `uploaded` in the same transaction (once: a package already done is not
    /// logged again).
    pub fn finish_package_upload(
        &self,
        sha256: &str,
        destination: &str,
        remote_key: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_shared_tx(|tx| {
            let (case_id, state): (String, OutboxState) =
                tx.query_row("SELECT case_id, state FROM outbox WHERE sha256 = ?1", [sha256], |row| {
                    Ok((row.get(0)?, parse_key(row, 1)?))
                })?;
            tx.execute(
                "UPDATE outbox SET state = 'done', destination = ?2, remote_key = ?3, upload_id = NULL, part_size = NULL,
                    error_code = NULL, error_message = NULL, next_retry_at = NULL, done_at = ?4
                 WHERE sha256 = ?1",
                params![sha256, destination, remote_key, timestamp(now)],
            )?;
            if state != OutboxState::Done {
                let details = audit_details(&[
                    ("package_sha256", sha256.into()),
                    ("destination", destination.into()),
                    ("remote_key", remote_key.into()),
                ]);
                append_audit(tx, &case_id, &manager, AuditAction::Uploaded, details, now)?;
            }
            Ok(())
        })
    }

    /// Records a failed attempt; the upload id and its parts are kept for the next one.
    /// Public, as [`Database::finish_package_upload`] is, for the tests that play an upload's
    /// outcome without a server.
    pub fn fail_package_upload(
        &self,
        sha256: &str,
        error_code: &str,
        error_message: &str,
        next_retry_at: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error_code = ?2, error_message = ?3,
                next_retry_at = ?4
             WHERE sha256 = ?1 AND state <> 'done'",
            params![sha256, error_code, error_message, timestamp(next_retry_at)],
        )?;
        Ok(())
    }
}

/// The outbox row of an exported package and its `exported` entry.
fn queue_package(tx: &Transaction<'_>, manager: &str, package: &ExportedPackage<'_>, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (sha256, case_id, path, bytes, queued_at, state) VALUES (?1, ?2, ?3, ?4, ?5, 'waiting')
         ON CONFLICT (sha256) DO UPDATE SET path = excluded.path",
        params![package.sha256, package.case_id, package.path, package.bytes as i64, timestamp(now)],
    )?;
    let details = audit_details(&[
        ("package_sha256", package.sha256.into()),
        ("bytes", package.bytes.to_string()),
        ("chain_length", package.chain_length.to_string()),
    ]);
    append_audit(tx, package.case_id, manager, AuditAction::Exported, details, now)?;
    Ok(())
}

fn outbox_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRecord> {
    let optional_time = |column: &str| -> rusqlite::Result<Option<DateTime<Utc>>> {
        match row.get::<_, Option<String>>(column)? {
            None => Ok(None),
            Some(_) => parse_timestamp(row, column).map(Some),
        }
    };
    Ok(OutboxRecord {
        sha256: row.get("sha256")?,
        case_id: row.get("case_id")?,
        path: row.get("path")?,
        bytes: row.get::<_, i64>("bytes")? as u64,
        queued_at: parse_timestamp(row, "queued_at")?,
        state: parse_key(row, row.as_ref().column_index("state")?)?,
        attempts: row.get("attempts")?,
        destination: row.get("destination")?,
        remote_key: row.get("remote_key")?,
        upload_id: row.get("upload_id")?,
        part_size: row.get::<_, Option<i64>>("part_size")?.map(|size| size as u64),
        error_code: row.get("error_code")?,
        error_message: row.get("error_message")?,
        next_retry_at: optional_time("next_retry_at")?,
        done_at: optional_time("done_at")?,
        bytes_sent: row.get::<_, i64>("bytes_sent")? as u64,
    })
}
