//! Packing this folder's cases (module `package`; the steps of an export: `package::export`).

use std::path::Path;

use super::DataFolder;
use crate::error::Result;
use crate::package::ExportPhase;
use crate::package::export::{self, RefuseIfStopped};
use crate::package::{ExportOptions, ExportProgress, ExportSummary, require_identity};

impl DataFolder {
    /// Packs a case into a signed BagIt zip, queues it sealed in the outbox and writes a plain
    /// copy at `out` (see the module documentation of `package`).
    ///
    /// Refused (`case_incomplete`) while the case is not complete, unless
    /// `options.allow_incomplete`; refused (`invalid_input`) while the branch or the
    /// manager's name is not set (they are the package's `Source-Organization` and
    /// `Contact-Name`).
    pub fn export_case(&self, case_id: &str, out: &Path, options: &ExportOptions) -> Result<ExportSummary> {
        self.export_case_with_progress(case_id, out, options, &mut |_| {})
    }

    /// [`DataFolder::export_case`], telling `progress` where it stands as it goes: one report
    /// per phase ([`ExportPhase`], in order), one per file written, one every few MiB inside a
    /// large file, and a last one at `done` with every file written. The package's bytes do
    /// not depend on the listener. An export refused as incomplete has sent its first `checking` report.
    pub fn export_case_with_progress(
        &self,
        case_id: &str,
        out: &Path,
        options: &ExportOptions,
        progress: &mut dyn FnMut(&ExportProgress),
    ) -> Result<ExportSummary> {
        self.export(case_id, Some(out), options, progress)
    }

    /// Packs a case and queues it sealed in the outbox only (what the app's 导出 does): no
    /// copy of it in clear is written anywhere. Refused as [`DataFolder::export_case`] is.
    pub fn export_to_outbox(&self, case_id: &str, options: &ExportOptions) -> Result<ExportSummary> {
        self.export_to_outbox_with_progress(case_id, options, &mut |_| {})
    }

    /// [`DataFolder::export_to_outbox`] with progress, as [`DataFolder::export_case_with_progress`].
    pub fn export_to_outbox_with_progress(
        &self,
        case_id: &str,
        options: &ExportOptions,
        progress: &mut dyn FnMut(&ExportProgress),
    ) -> Result<ExportSummary> {
        self.export(case_id, None, options, progress)
    }

    /// An export, its steps in order (module `package::export`); a plain copy at `out` when given.
    fn export(
        &self,
        case_id: &str,
        out: Option<&Path>,
        options: &ExportOptions,
        progress: &mut dyn FnMut(&ExportProgress),
    ) -> Result<ExportSummary> {
        if let Some(out) = out {
            self.refuse_write_inside(out)?;
        }
        let case = self.case(case_id)?;
        // Not even an incomplete package leaves with files of the 未分类 tray undecided.
        crate::tray::refuse_unsorted_files(self.database(), case_id)?;
        let settings = self.settings()?;
        require_identity(&settings)?;
        let evidence = self.case_evidence(case_id)?;
        let mut reporter = export::start(progress, &case.id, evidence.len());
        // A file whose pixel checks are still pending (an import under way in the window, or
        // one a crash interrupted between its phases) is finished here, not refused: the
        // package must carry every finding and thumbnail, and the manager who asked for it
        // would otherwise have to wait for the same work and ask again.
        self.finish_pixel_checks(Some(case_id), |_| {})?;
        // The checklist with every finding, file-level and case-level, as `intake check` has
        // it under the installation's thresholds (read once, with the settings, so the
        // findings, the files' facts and the thresholds recorded in case.json agree); the
        // files' facts are derived from what the evidence checks stored at import.
        let check = self.check_case_under(case_id, &settings.thresholds)?;
        let rules = self.rules()?;
        let (database, vault) = (self.database(), self.vault());
        let mut contents =
            export::contents(database, vault, &rules, &case, &evidence, &check, &settings.thresholds, options)?;
        // Made on first use: only once the case may leave.
        let key = self.installation_key()?;
        let packed = export::entries(vault, &case, &settings, options, &check, &mut contents, &key, &mut reporter)?;
        let refuse_if_stopped: RefuseIfStopped<'_> = &|| self.refuse_if_stopped();
        let outbox_dir = self.root().join("vault").join("outbox");
        let stored =
            export::write_package(vault, &outbox_dir, out, &packed, case.updated_at, &mut reporter, refuse_if_stopped)?;
        // The audit entry of the export names the manager.
        self.refresh_audit_manager();
        let queued_path = export::queue(database, &case, &stored, &contents)?;
        reporter.phase(ExportPhase::Done);
        Ok(export::summary(&case, out, options, stored, &queued_path, vault.is_encrypted(), contents, &packed, &key))
    }
}
