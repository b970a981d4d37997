//! The app's viewer on this folder: one file of one case, full size (module `viewing`).

use super::DataFolder;
use crate::error::Result;
use crate::viewing::{ViewedFile, view_file};

impl DataFolder {
    /// The bytes of evidence record `evidence_id` of case `case_id`. `case_not_found` for an
    /// unknown case, `invalid_input` for a record that is not one of its files, `file_too_large`
    /// over [`crate::viewing::MAX_VIEWED_BYTES`], `vault_corrupt` when the stored bytes no longer
    /// match.
    pub fn view_evidence_file(&self, case_id: &str, evidence_id: i64) -> Result<ViewedFile> {
        view_file(self.case_evidence(case_id)?, self.vault(), case_id, evidence_id)
    }
}
