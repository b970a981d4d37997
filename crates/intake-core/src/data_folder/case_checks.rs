//! The evidence checks of this folder's cases (module `evidence::case_checks`).

use super::DataFolder;
use crate::database::EvidenceRecord;
use crate::error::Result;
use crate::evidence::case_checks::{self, CaseEvidenceCheck, ReadAgain};
use crate::evidence::{FileInspection, Thresholds};

impl DataFolder {
    /// The installation's thresholds (`settings.json`; the defaults where it names none).
    pub fn thresholds(&self) -> Result<Thresholds> {
        Ok(self.settings()?.thresholds)
    }

    /// Every finding of a case's files under the installation's thresholds: the file-level
    /// findings derived from their stored facts and the case-level ones (see the module
    /// documentation of `evidence::case_checks`).
    pub fn case_evidence_findings(&self, case_id: &str) -> Result<CaseEvidenceCheck> {
        let thresholds = self.thresholds()?;
        self.case_evidence_findings_with(case_id, &thresholds)
    }

    /// [`DataFolder::case_evidence_findings`] under these thresholds.
    pub fn case_evidence_findings_with(&self, case_id: &str, thresholds: &Thresholds) -> Result<CaseEvidenceCheck> {
        case_checks::case_evidence_findings(self.database(), self.vault(), &*self.rules()?, case_id, thresholds)
    }

    /// A file's inspection under `thresholds` and its perceptual hash, from its stored facts
    /// (see [`case_checks::current_facts`]).
    pub(crate) fn current_facts(
        &self,
        record: &EvidenceRecord,
        thresholds: &Thresholds,
        read_again: ReadAgain,
    ) -> Option<(FileInspection, Option<u64>)> {
        case_checks::current_facts(self.database(), self.vault(), record, thresholds, read_again)
    }
}
