//! This folder's outbox and its uploads (module `upload`).

use chrono::{DateTime, Utc};

use super::DataFolder;
use crate::error::Result;
use crate::upload::outbox::{self, Selection};
use crate::upload::{OutboxEntry, OutboxOverview, RetryTiming, UploadOutcome, UploadProgress, UploadTarget};

impl DataFolder {
    /// The outbox: every exported package, oldest first, with its merchant and whether it was
    /// exported complete.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        outbox::outbox_entries(self.database())
    }

    /// The outbox ordered for the 发件箱, with its counts and the next automatic retry.
    pub fn outbox_overview(&self) -> Result<OutboxOverview> {
        Ok(outbox::outbox_overview(self.outbox()?))
    }

    /// The row's 重试: sends one package of the outbox now, whatever its next retry time
    /// (`invalid_input` when it is not in the outbox; nothing is sent when it is done).
    pub fn upload_package(
        &self,
        target: &UploadTarget,
        sha256: &str,
        progress: &mut dyn FnMut(&UploadProgress),
    ) -> Result<Vec<UploadOutcome>> {
        self.database().outbox_package(sha256)?;
        self.upload_selected(target, Selection::Package(sha256), progress)
    }

    /// The open app's automatic retry: sends the failed packages whose next retry time is
    /// `now` or earlier, and nothing else (a package never tried waits for the manager's
    /// 上传). Returns nothing, and does not even build the client, when none is due.
    pub fn retry_due_packages(
        &self,
        target: &UploadTarget,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(&UploadProgress),
    ) -> Result<Vec<UploadOutcome>> {
        self.upload_selected(target, Selection::FailedDueAt(now), progress)
    }

    /// Uploads the packages of the outbox that are not done (of one case, or all), oldest
    /// first, reporting progress. A package that fails is recorded as failed (reason, next
    /// retry) and keeps what was sent; a failure that concerns every package (endpoint
    /// unreachable, credentials refused, bucket missing) ends the run, leaving the others
    /// queued. Returns what happened to each package tried.
    ///
    /// Only one run at a time per data folder: a run holds the exclusive lock of
    /// [`crate::upload::UPLOAD_LOCK_FILE`] from before it reads the outbox until it returns, so the app and
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
        self.upload_selected(target, Selection::Case(case_id, timing), progress)
    }

    /// An upload run over the packages `selection` takes (see [`DataFolder::upload_packages`]),
    /// under the folder's upload lock.
    fn upload_selected(
        &self,
        target: &UploadTarget,
        selection: Selection<'_>,
        progress: &mut dyn FnMut(&UploadProgress),
    ) -> Result<Vec<UploadOutcome>> {
        let _lock = outbox::lock_for_upload(self.root())?;
        // Sealed packages uploaded longer ago than the settings keep them (module `crate::sealed_outbox`).
        self.remove_expired_packages(Utc::now())?;
        // The audit entry of each finished upload names the manager.
        self.refresh_audit_manager();
        outbox::upload_selected(self.database(), self.vault(), target, selection, progress, || self.stop_requested())
    }
}
