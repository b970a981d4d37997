//! The checklist's operations on this folder's cases (module `checklist::folder`): a case's
//! checklist and check, changing its attributes, attesting marks on its files, recording its
//! fields.

use std::collections::HashSet;

use super::DataFolder;
use crate::case::CaseAttributes;
use crate::case_list::CaseState;
use crate::checklist::folder::{self, pick_case_file};
use crate::checklist::{
    AttestationOutcome, CaseCheck, CaseFinding, CaseOverview, CaseUpdate, Checklist, FieldOutcome, FieldValidation,
    Mark,
};
use crate::database::{CaseFieldRecord, EvidenceRecord};
use crate::error::Result;
use crate::evidence::Thresholds;

impl DataFolder {
    /// The checklist of a stored case, with its recorded fields (the ID slot of a legal
    /// representative with a passport asks for one page).
    pub fn case_checklist(&self, case_id: &str) -> Result<Checklist> {
        let case = self.case(case_id)?;
        folder::case_checklist(self.database(), &*self.rules()?, &case)
    }

    /// The case measured against its checklist, with every finding of the evidence checks,
    /// file-level and case-level (`evidence::case_checks`).
    pub fn check_case(&self, case_id: &str) -> Result<CaseCheck> {
        let evidence = self.case_evidence_findings(case_id)?;
        self.check_case_with_findings(case_id, &evidence.findings, &evidence.unchecked)
    }

    /// [`DataFolder::check_case`] under these thresholds (an export reads the settings once).
    pub fn check_case_under(&self, case_id: &str, thresholds: &Thresholds) -> Result<CaseCheck> {
        let evidence = self.case_evidence_findings_with(case_id, thresholds)?;
        self.check_case_with_findings(case_id, &evidence.findings, &evidence.unchecked)
    }

    /// Every case, most recently changed first, each with its check's counts: the case list
    /// with status badges. Checks every case, so it costs what `check` costs per case.
    pub fn list_case_overviews(&self) -> Result<Vec<CaseOverview>> {
        let latest_packages = crate::case_list::latest_packages(self.database())?;
        self.list_cases()?
            .into_iter()
            .map(|case| {
                let check = self.check_case(&case.id)?;
                let state = CaseState::of(check.blocking, case.updated_at, latest_packages.get(&case.id));
                Ok(CaseOverview { case, blocking: check.blocking, summary: check.summary, state })
            })
            .collect()
    }

    /// The case measured against its checklist, with the evidence checks' findings and the
    /// evidence ids they have not looked at yet (whose items stay `present`).
    pub fn check_case_with_findings(
        &self,
        case_id: &str,
        findings: &[CaseFinding],
        unchecked: &HashSet<i64>,
    ) -> Result<CaseCheck> {
        folder::check_case_with_findings(self.database(), &*self.rules()?, case_id, findings, unchecked)
    }

    /// Changes a case's attributes. The checklist is re-derived from them; every file,
    /// attestation and field already recorded is kept. Contradictory attributes are refused
    /// (`contradictory_case`) before anything changes.
    pub fn update_case_attributes(&mut self, case_id: &str, attributes: CaseAttributes) -> Result<CaseUpdate> {
        let rules = self.rules()?;
        folder::update_case_attributes(self.database_mut(), &rules, case_id, attributes)
    }

    /// Finds one file of a case by its SHA-256 (or at least six leading hex digits of it) or
    /// its original name, optionally within one material.
    pub fn find_case_file(&self, case_id: &str, file: &str, material: Option<&str>) -> Result<EvidenceRecord> {
        pick_case_file(case_id, &self.case_evidence(case_id)?, file, material)
    }

    /// Records the marks the manager sees on a file (stamps, signatures, holding their ID),
    /// replacing what was attested on it before; the earlier attestations stay in the history.
    pub fn attest_file(&mut self, case_id: &str, evidence_id: i64, marks: &[Mark]) -> Result<AttestationOutcome> {
        let rules = self.rules()?;
        folder::attest_file(self.database_mut(), &rules, case_id, evidence_id, marks)
    }

    /// The recorded fields of a case, values in clear (personal data: the caller shows them
    /// only to the manager).
    pub fn case_fields(&self, case_id: &str) -> Result<Vec<CaseFieldRecord>> {
        self.case(case_id)?;
        self.database().case_fields(case_id)
    }

    /// Validates and records a field of a case. An error refuses the value; a warning (a
    /// USCC that fails its check, which some registered codes do) refuses it unless the
    /// manager gives `override_reason`, which is then stored with it.
    pub fn set_case_field(
        &mut self,
        case_id: &str,
        field_key: &str,
        value: &str,
        override_reason: Option<&str>,
    ) -> Result<FieldOutcome> {
        let rules = self.rules()?;
        folder::set_case_field(self.database_mut(), &rules, case_id, field_key, value, override_reason)
    }

    /// Validates a value for a field of a case without recording it (what
    /// [`DataFolder::set_case_field`] would accept, refuse or ask a reason for).
    pub fn validate_case_field(&self, case_id: &str, field_key: &str, value: &str) -> Result<FieldValidation> {
        folder::validate_case_field(self.database(), &*self.rules()?, case_id, field_key, value)
    }

    /// Removes the value of a field of a case; true when there was one.
    pub fn clear_case_field(&mut self, case_id: &str, field_key: &str) -> Result<bool> {
        let rules = self.rules()?;
        folder::clear_case_field(self.database_mut(), &rules, case_id, field_key)
    }
}
