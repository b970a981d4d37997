//! Where and when the case's files were taken, from the facts this folder stored (the drawing's
//! data: `evidence::visit_plot`).

use super::DataFolder;
use crate::error::Result;
use crate::evidence::case_checks::ReadAgain;
use crate::evidence::visit_plot::{VisitPlot, plot};

impl DataFolder {
    /// Where and when the case's files were taken, numbered in import order, from the facts
    /// the evidence checks stored at import (a file whose facts are not stored yet has no
    /// position and no time until `check` reads them).
    pub fn visit_plot(&self, case_id: &str) -> Result<VisitPlot> {
        let case = self.case(case_id)?;
        let thresholds = self.thresholds()?;
        let mut files = Vec::new();
        for record in self.case_evidence(case_id)? {
            // Derived under the current thresholds (a capture time under an assumed UTC offset
            // follows the setting), never read from the vault here: this drawing must be quick.
            let inspection =
                self.current_facts(&record, &thresholds, ReadAgain::Never).map(|(inspection, _)| inspection);
            files.push((record, inspection));
        }
        Ok(plot(&case, &thresholds, files))
    }
}
