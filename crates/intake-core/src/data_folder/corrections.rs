//! Correcting this folder's cases (module `corrections`): withdrawing, restoring and moving
//! files, accepting findings, notes, editing a case.

use super::DataFolder;
use crate::case::NewCase;
use crate::checklist::CaseUpdate;
use crate::corrections::{self, FileScope, MoveOutcome};
use crate::database::{EvidenceRecord, FindingAcceptanceRecord, NoteRecord, WithdrawnFile};
use crate::error::Result;

impl DataFolder {
    /// Finds one file of a case, among the files of `scope`, by its SHA-256 (at least six
    /// leading hex digits) or its original name, optionally within one material. A name that
    /// fits several files is refused, listing them.
    pub fn find_file(
        &self,
        case_id: &str,
        file: &str,
        material: Option<&str>,
        scope: FileScope,
    ) -> Result<EvidenceRecord> {
        corrections::find_file(self.database(), case_id, file, material, scope)
    }

    /// The withdrawn files of a case, in import order.
    pub fn withdrawn_files(&self, case_id: &str) -> Result<Vec<WithdrawnFile>> {
        self.case(case_id)?;
        self.database().withdrawn_evidence(case_id)
    }

    /// The notes of a case and of its files, oldest first.
    pub fn case_notes(&self, case_id: &str) -> Result<Vec<NoteRecord>> {
        self.case(case_id)?;
        self.database().case_notes(case_id)
    }

    /// Withdraws a file (撤回): it stays in the vault and the store, marked withdrawn with the
    /// reason, the time and the manager, and no longer counts. `reason` is required.
    pub fn withdraw_file(&mut self, case_id: &str, evidence_id: i64, reason: &str) -> Result<WithdrawnFile> {
        corrections::withdraw_file(self.database_mut(), case_id, evidence_id, reason)
    }

    /// Restores a withdrawn file (恢复): it counts again, in the slot it was withdrawn from.
    pub fn restore_file(&mut self, case_id: &str, evidence_id: i64) -> Result<EvidenceRecord> {
        corrections::restore_file(self.database_mut(), case_id, evidence_id)
    }

    /// Moves a file to another material of the rule file (移到…); its findings are derived
    /// again for the new slot. Refused for a material the rules do not know, the slot it is
    /// already in, or a slot that already holds the same bytes.
    pub fn move_file(&mut self, case_id: &str, evidence_id: i64, to: &str) -> Result<MoveOutcome> {
        let rules = self.rules()?;
        let (evidence, from) = corrections::move_file(self.database_mut(), &rules, case_id, evidence_id, to)?;
        let findings = corrections::findings_on(self.check_case(case_id)?.findings, &evidence);
        Ok(MoveOutcome { evidence, from, findings })
    }

    /// Accepts a finding that now stands on a file (接受): it stays visible as accepted and
    /// blocks nothing while that exact finding stands. `reason` is required; `unreadable`
    /// cannot be accepted.
    pub fn accept_finding(
        &mut self,
        case_id: &str,
        evidence_id: i64,
        code: &str,
        reason: &str,
    ) -> Result<FindingAcceptanceRecord> {
        let asked = corrections::acceptance_asked(self.database(), case_id, evidence_id, code, reason)?;
        let findings = self.check_case(case_id)?.findings;
        corrections::accept_finding(self.database_mut(), case_id, asked, findings)
    }

    /// Writes a note on the case, or on one of its files (withdrawn ones included).
    pub fn add_note(&mut self, case_id: &str, evidence_id: Option<i64>, text: &str) -> Result<NoteRecord> {
        corrections::add_note(self.database_mut(), case_id, evidence_id, text)
    }

    /// Replaces every attribute and the visit data of a case (编辑案件信息; what `case new`
    /// takes). The checklist and every finding are derived again from them; every file,
    /// attestation and field is kept. Nothing is written when nothing changed.
    pub fn update_case(&mut self, case_id: &str, change: NewCase) -> Result<CaseUpdate> {
        let rules = self.rules()?;
        corrections::update_case(self.database_mut(), &rules, case_id, change)
    }
}
