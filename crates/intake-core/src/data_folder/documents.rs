//! The case's document readings in this folder, offered for the fields not typed yet (the
//! offers themselves: `documents::offers`).

use std::collections::HashMap;

use super::DataFolder;
use crate::documents::offers::{FieldOffer, offers};
use crate::error::Result;

impl DataFolder {
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
