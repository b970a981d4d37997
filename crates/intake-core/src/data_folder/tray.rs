//! The 未分类 tray of this folder's cases (module `tray`): files taken in before anyone said
//! which material they are.

use std::path::PathBuf;

use super::{DataFolder, FileOutcome};
use crate::database::{EvidenceRecord, WithdrawnFile};
use crate::error::Result;
use crate::evidence::case_checks::ReadAgain;
use crate::tray::{self, AssignOutcome, UNSORTED_MATERIAL, UnsortedTray};

impl DataFolder {
    /// Imports files into the case's 未分类 tray: exactly [`DataFolder::add_files`] with the
    /// tray as the slot (copied, never moved; each file hashed, stored, its facts read, audited).
    pub fn add_unsorted_files(
        &mut self,
        case_id: &str,
        paths: &[PathBuf],
        on_file_done: impl FnMut(&FileOutcome),
    ) -> Result<Vec<FileOutcome>> {
        self.add_files(case_id, UNSORTED_MATERIAL, paths, on_file_done)
    }

    /// The case's tray, each file with its kind and suggested material (see the module
    /// documentation of `tray`). Reads only the stored facts: quick, and no file is read again.
    pub fn unsorted_tray(&self, case_id: &str) -> Result<UnsortedTray> {
        let checklist = self.case_checklist(case_id)?;
        let rules = self.rules()?;
        let thresholds = self.thresholds()?;
        let in_slots = self.database().case_evidence(case_id)?;
        let waiting = self
            .database()
            .unsorted_evidence(case_id)?
            .into_iter()
            .map(|record| {
                let inspection =
                    self.current_facts(&record, &thresholds, ReadAgain::Never).map(|(inspection, _)| inspection);
                (record, inspection)
            })
            .collect();
        Ok(tray::unsorted_tray(case_id, &checklist, &rules, &thresholds, &in_slots, waiting))
    }

    /// Assigns files of the tray to a material of the rule file (one or a multi-selection):
    /// each is moved there (a `file_moved` audit entry, one transaction per file) and gets the
    /// findings a direct import into that material gets. A file not in the tray, or whose
    /// bytes the material already holds, is an outcome with its error; the others go ahead.
    pub fn assign_unsorted_files(
        &mut self,
        case_id: &str,
        evidence_ids: &[i64],
        material: &str,
    ) -> Result<Vec<AssignOutcome>> {
        let rules = self.rules()?;
        let mut outcomes = tray::move_to_material(self.database_mut(), &rules, case_id, evidence_ids, material)?;
        if outcomes.iter().any(|outcome| outcome.evidence.is_some()) {
            tray::with_findings(&mut outcomes, &self.check_case(case_id)?.findings);
        }
        Ok(outcomes)
    }

    /// Withdraws files of the tray that do not belong to the case (撤回, with one reason for
    /// all, e.g. 与本案无关): each keeps its bytes and row, as any withdrawn file. Stops at the
    /// first file that cannot be withdrawn (those before it stay withdrawn).
    pub fn withdraw_unsorted_files(
        &mut self,
        case_id: &str,
        evidence_ids: &[i64],
        reason: &str,
    ) -> Result<Vec<WithdrawnFile>> {
        tray::withdraw_unsorted_files(self.database_mut(), case_id, evidence_ids, reason)
    }

    /// Finds one file of the tray by its original name or SHA-256 (at least six leading hex
    /// digits); a name that fits several files is refused, listing them.
    pub fn find_unsorted_file(&self, case_id: &str, file: &str) -> Result<EvidenceRecord> {
        tray::find_unsorted_file(self.database(), case_id, file)
    }

    /// How many files wait in the case's tray.
    pub fn unsorted_file_count(&self, case_id: &str) -> Result<u32> {
        Ok(self.database().unsorted_evidence(case_id)?.len() as u32)
    }
}
