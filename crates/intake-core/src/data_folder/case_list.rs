//! The case list of this folder as the app shows it (module `case_list`).

use super::DataFolder;
use crate::case_list::{self, CaseListQuery, CaseListing, stored};
use crate::checklist::CaseOverview;
use crate::error::Result;

impl DataFolder {
    /// The case list: each case with its check's counts and its state, those that match the
    /// query, in its order. The counts are the stored summaries (module `case_list::stored`):
    /// only the cases changed since they were last listed are checked again.
    pub fn case_list(&self, query: &CaseListQuery) -> Result<CaseListing> {
        case_list::case_listing(self.database(), self.stored_case_overviews()?, query)
    }

    /// Every case with its check's counts and its state, as [`DataFolder::list_case_overviews`]
    /// gives them, but checking again only the cases whose stored summary no longer counts.
    pub fn stored_case_overviews(&self) -> Result<Vec<CaseOverview>> {
        let rules = self.rules()?;
        let thresholds = self.thresholds()?;
        stored::case_overviews(self.database(), &rules, &thresholds, |case_id| {
            self.check_case_under(case_id, &thresholds)
        })
    }
}
