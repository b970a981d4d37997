//! The second phase of an import: the pixel checks.
//!
//! An import records a file as soon as its bytes are stored and its metadata read (position,
//! time, editor, forwarded, duplicates by hash): the manager sees it in its slot with those
//! findings at once. What needs its pixels decoded (thumbnail, perceptual hash and
//! `near_duplicate`, `too_dark`, `blurry`) follows here and replaces the first phase's facts.
//! The database says which bytes still wait for it (`evidence_facts.pixels_pending`, migration
//! 10), so a crash or a lock between the phases loses nothing: [`DataFolder::finish_pixel_checks`]
//! does what was left, at the next open (the CLI, the app after unlocking) and before any export.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;

use chrono::Utc;

use super::{DataFolder, IMPORT_THREADS_PER_CORE, MAX_IMPORT_THREADS, locked_meanwhile};
use crate::database::{EvidenceFacts, PendingPixelChecks};
use crate::error::Result;
use crate::evidence::case_checks::{ImportPhase, read_at_import};
use crate::in_order;

/// Where the pixel checks stand after one more file: what a front-end shows while they run in
/// the background (the app sends one per file as an event, and refreshes the file's card).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PixelCheckProgress {
    /// The bytes checked (every record with them, in any slot or case, is done).
    pub sha256: String,
    /// The cases holding these bytes, so that a window shows only its own.
    pub case_ids: Vec<String>,
    /// Files done so far, this one included.
    pub done: u32,
    /// Files in this run.
    pub total: u32,
    /// False when the file could not be read now: it stays pending (checked again at the next
    /// open, or read at `check`).
    pub checked: bool,
}

/// The test seam of the two-phase import (builds with the `test-seams` feature only):
/// `INTAKE_FAULT_ABORT_BEFORE_PIXEL_CHECKS=1` aborts the process once an import has recorded
/// its files and before their pixel checks, as a power cut between the phases would.
#[cfg(feature = "test-seams")]
pub const FAULT_ABORT_BEFORE_PIXEL_CHECKS: &str = "INTAKE_FAULT_ABORT_BEFORE_PIXEL_CHECKS";

/// The test seam of the end-to-end test that shows a file before its pixel checks (builds with
/// the `test-seams` feature only): while the file this variable names exists, the pixel checks
/// wait before each file, so the test sees the first phase's state for as long as it needs,
/// with no race, and then releases them by deleting the file.
#[cfg(feature = "test-seams")]
pub const TEST_HOLD_PIXEL_CHECKS: &str = "INTAKE_TEST_HOLD_PIXEL_CHECKS";

#[cfg(feature = "test-seams")]
fn hold_while_asked() {
    if let Some(hold) = std::env::var_os(TEST_HOLD_PIXEL_CHECKS) {
        while std::path::Path::new(&hold).exists() {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

#[cfg(not(feature = "test-seams"))]
fn hold_while_asked() {}

/// Between the phases of an import (see [`FAULT_ABORT_BEFORE_PIXEL_CHECKS`]).
pub(super) fn between_the_phases() {
    #[cfg(feature = "test-seams")]
    if std::env::var_os(FAULT_ABORT_BEFORE_PIXEL_CHECKS).is_some() {
        std::process::abort();
    }
}

impl DataFolder {
    /// Finishes the pixel checks still pending, of one case (`Some`) or of the whole folder:
    /// left by an import that crashed or was stopped (locked) between its phases, or under way
    /// in another process. Each file is decoded on worker threads (one per core) and recorded
    /// on the calling thread, which calls `on_file_done` after each. Returns how many files were
    /// checked. Stops between two files when the handle is told to stop
    /// ([`DataFolder::stop_when`]); what is left stays pending.
    pub fn finish_pixel_checks(
        &self,
        case_id: Option<&str>,
        on_file_done: impl FnMut(&PixelCheckProgress),
    ) -> Result<usize> {
        let pending = self.database.pending_pixel_checks(case_id)?;
        self.run_pixel_checks(&pending, on_file_done)
    }

    /// The pixel checks of an import's own files (second phase of `add_files`).
    pub(super) fn finish_pixel_checks_of(
        &self,
        case_id: &str,
        sha256s: &HashSet<&str>,
        on_file_done: impl FnMut(&PixelCheckProgress),
    ) -> Result<usize> {
        let pending: Vec<PendingPixelChecks> = self
            .database
            .pending_pixel_checks(Some(case_id))?
            .into_iter()
            .filter(|pending| sha256s.contains(pending.sha256.as_str()))
            .collect();
        self.run_pixel_checks(&pending, on_file_done)
    }

    fn run_pixel_checks(
        &self,
        pending: &[PendingPixelChecks],
        mut on_file_done: impl FnMut(&PixelCheckProgress),
    ) -> Result<usize> {
        if pending.is_empty() {
            return Ok(0);
        }
        let thresholds = self.thresholds()?;
        // Before the hashes are written: the case summaries' triggers compare each at this distance.
        self.database.keep_near_duplicate_distance(thresholds.near_duplicate_max_distance)?;
        let vault = self.vault.clone();
        let stop = self.stop.clone();
        let stopped = || stop.as_ref().is_some_and(|signal| signal.load(std::sync::atomic::Ordering::SeqCst));
        let read = |file: &PendingPixelChecks| -> Option<EvidenceFacts> {
            hold_while_asked();
            if stopped() {
                return None;
            }
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                read_at_import(&vault, &file.sha256, file.bytes, &file.original_name, &thresholds, ImportPhase::Pixels)
            }))
            .ok()
            .flatten()
        };
        // Pure decoding (no fsync): one thread per core keeps the cores busy.
        let threads = in_order::threads_per_core(pending.len(), 1, MAX_IMPORT_THREADS / IMPORT_THREADS_PER_CORE);
        let total = u32::try_from(pending.len()).unwrap_or(u32::MAX);
        let _unsynced = self.database.unsynced_commits()?;
        let mut done = 0u32;
        let mut checked = 0;
        let mut failure = None;
        in_order::for_each_in_order(pending, threads, read, |index, facts| {
            if failure.is_some() || self.stop_requested() {
                return;
            }
            let file = &pending[index];
            let recorded = match facts {
                Some(facts) => match self.database.record_pixel_checks(&facts, Utc::now()) {
                    Ok(_) => true,
                    Err(err) => {
                        failure = Some(err);
                        return;
                    }
                },
                None => false,
            };
            done += 1;
            checked += usize::from(recorded);
            let case_ids = self.database.case_ids_with_sha256(&file.sha256).unwrap_or_default();
            on_file_done(&PixelCheckProgress { sha256: file.sha256.clone(), case_ids, done, total, checked: recorded });
        });
        if let Some(err) = failure {
            return Err(err);
        }
        if self.stop_requested() {
            return Err(locked_meanwhile(&self.root));
        }
        Ok(checked)
    }
}
