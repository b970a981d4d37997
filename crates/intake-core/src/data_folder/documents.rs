//! Reading the case's documents in this folder, and offering what was read for the fields not
//! typed yet (the readings: module `documents`; the offers: `documents::offers`).

use std::collections::HashMap;

use super::DataFolder;
use crate::documents::offers::{FieldOffer, offers};
use crate::documents::{self, DocumentReadOutcome, DocumentReading, WhichDocuments};
use crate::error::Result;

impl DataFolder {
    /// Reads the document files of a case (see the module documentation of `documents`) and
    /// stores what they say, calling `on_file_done` after each. A file that cannot be read is an
    /// outcome with its `problem`, not an error; the error is for what stops every reading (no
    /// such case, the OCR models missing, the store failing).
    pub fn read_documents(
        &self,
        case_id: &str,
        which: WhichDocuments,
        on_file_done: impl FnMut(&DocumentReadOutcome),
    ) -> Result<Vec<DocumentReadOutcome>> {
        let to_read = documents::files_to_read(self.database(), self.case_evidence(case_id)?, &which)?;
        if to_read.is_empty() {
            return Ok(Vec::new());
        }
        let engine = documents::engine()?;
        let max_bytes = self.thresholds()?.max_file_bytes;
        documents::read_files(
            &engine,
            self.database(),
            self.vault(),
            to_read,
            max_bytes,
            || self.refuse_if_stopped(),
            on_file_done,
        )
    }

    /// What was read off the case's document files, file by file in import order (the ones
    /// not read yet have none). Personal data.
    pub fn document_readings(&self, case_id: &str) -> Result<Vec<DocumentReading>> {
        let mut readings = Vec::new();
        for record in &self.case_evidence(case_id)? {
            readings.extend(documents::readings_of(self.database(), record)?);
        }
        Ok(readings)
    }

    /// The values read off the case's documents for the fields it has no value for yet (and
    /// its premises' position when it has none). Personal data: for the manager's eyes only.
    pub fn document_offers(&self, case_id: &str) -> Result<Vec<FieldOffer>> {
        let case = self.case(case_id)?;
        let fields: HashMap<String, String> =
            self.case_fields(case_id)?.into_iter().map(|field| (field.field_key, field.value)).collect();
        let readings = self.document_readings(case_id)?;
        Ok(offers(&fields, case.site.is_some(), &readings))
    }
}
