//! Correcting a case: the other half of checking it. A file may be withdrawn (撤回, with a
//! reason) and restored (恢复), moved to another material (移到…); the case's attributes and
//! visit data edited (编辑案件信息); a finding accepted with a reason (接受); notes written on
//! the case and its files.
//!
//! Nothing here destroys evidence: a withdrawn file keeps its bytes in the vault and its row
//! in the store; it only stops counting (checklist, findings, duplicate checks) and packages
//! list it without its bytes. Findings are never stored: they are derived again at every check
//! from the files where they now are, under the case as it now is, so a move or an edit
//! changes them at once. An acceptance covers one finding exactly (material, file, code and
//! its message, which names the measured values): when a threshold, the premises or the
//! file's slot change what is found, the new finding is not covered and blocks again.
//! `unreadable` cannot be accepted: the file has to be replaced.
//!
//! Each change is one store transaction with its audit entry (`database.rs`).

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::{CaseAttributes, NewCase, validate_new_case};
use crate::checklist::folder::pick_case_file;
use crate::checklist::{CaseFinding, CaseUpdate, FindingAcceptance};
use crate::data_folder::DataFolder;
use crate::database::{EvidenceRecord, FindingAcceptanceRecord, NoteRecord, WithdrawnFile};
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::FindingCode;

/// The longest reason (withdrawal, acceptance, incomplete export), in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Finding codes no acceptance may cover: the file must be replaced.
pub const NOT_ACCEPTABLE: &[FindingCode] = &[FindingCode::Unreadable];

/// Which files a name given by the manager may pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileScope {
    /// Files that count (not withdrawn).
    Counting,
    /// Withdrawn files.
    Withdrawn,
    /// Either.
    Any,
}

/// What moving a file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MoveOutcome {
    /// The file as now recorded, in its new slot.
    pub evidence: EvidenceRecord,
    /// The material it came from.
    pub from: String,
    /// Its findings in the new slot (derived again: a site-photo finding does not follow a
    /// file out of a site-photo slot).
    pub findings: Vec<CaseFinding>,
}

/// A reason or a note as stored: trimmed, not empty, not too long.
pub fn required_text(what: &str, text: &str, max_chars: usize) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::new(ErrorKind::InvalidInput, format!("{what} is required and may not be empty")));
    }
    if text.chars().count() > max_chars {
        return Err(Error::new(ErrorKind::InvalidInput, format!("{what} is longer than {max_chars} characters")));
    }
    Ok(text.to_string())
}

/// `findings` with the acceptance that covers each, if one does: the latest acceptance given
/// for the same material, file, code and message.
pub(crate) fn with_acceptances(findings: &[CaseFinding], acceptances: &[FindingAcceptanceRecord]) -> Vec<CaseFinding> {
    findings
        .iter()
        .map(|finding| {
            let covering = acceptances.iter().rev().find(|acceptance| covers(acceptance, finding));
            CaseFinding {
                accepted: covering.map(|acceptance| FindingAcceptance {
                    reason: acceptance.reason.clone(),
                    accepted_by: acceptance.accepted_by.clone(),
                    accepted_at: acceptance.accepted_at,
                }),
                ..finding.clone()
            }
        })
        .collect()
}

/// True when the acceptance was given for exactly this finding.
fn covers(acceptance: &FindingAcceptanceRecord, finding: &CaseFinding) -> bool {
    acceptance.material == finding.material
        && acceptance.sha256 == finding.sha256
        && acceptance.code == finding.code.key()
        && acceptance.detail == finding.message
        && !NOT_ACCEPTABLE.contains(&finding.code)
}

/// The names of the attributes that differ.
pub(crate) fn attribute_changes(old: &CaseAttributes, new: &CaseAttributes) -> Vec<String> {
    let old = serde_json::to_value(old).expect("attributes serialise");
    let new = serde_json::to_value(new).expect("attributes serialise");
    match (&old, &new) {
        (serde_json::Value::Object(old), serde_json::Value::Object(new)) => {
            new.iter().filter(|(key, value)| old.get(*key) != Some(value)).map(|(key, _)| key.clone()).collect()
        }
        _ => Vec::new(),
    }
}

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
        self.case(case_id)?;
        let candidates = match scope {
            // The 未分类 tray's files too: they are withdrawn (or moved out) like any file.
            FileScope::Counting => {
                let mut files = self.database().case_evidence(case_id)?;
                files.extend(self.database().unsorted_evidence(case_id)?);
                files
            }
            FileScope::Withdrawn => {
                self.database().withdrawn_evidence(case_id)?.into_iter().map(|withdrawn| withdrawn.evidence).collect()
            }
            FileScope::Any => self.database().case_evidence_including_withdrawn(case_id)?,
        };
        pick_case_file(case_id, &candidates, file, material).map_err(|err| match scope {
            FileScope::Withdrawn => Error::new(err.kind(), format!("{} (among its withdrawn files)", err.message())),
            _ => err,
        })
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

    /// The file with this id, of this case, in `scope`; a file of the other scope is refused
    /// saying so.
    fn file_by_id(&self, case_id: &str, evidence_id: i64, scope: FileScope) -> Result<EvidenceRecord> {
        self.case(case_id)?;
        let all = self.database().case_evidence_including_withdrawn(case_id)?;
        let record = all.into_iter().find(|record| record.id == evidence_id).ok_or_else(|| {
            Error::new(ErrorKind::InvalidInput, format!("case {case_id} has no file with id {evidence_id}"))
        })?;
        let withdrawn = self.database().withdrawn_evidence(case_id)?.iter().any(|file| file.evidence.id == evidence_id);
        match (scope, withdrawn) {
            (FileScope::Counting, true) => Err(Error::new(
                ErrorKind::InvalidInput,
                format!("file {} of case {case_id} is withdrawn; restore it first", record.original_name),
            )),
            (FileScope::Withdrawn, false) => Err(Error::new(
                ErrorKind::InvalidInput,
                format!("file {} of case {case_id} is not withdrawn", record.original_name),
            )),
            _ => Ok(record),
        }
    }

    /// Withdraws a file (撤回): it stays in the vault and the store, marked withdrawn with the
    /// reason, the time and the manager, and no longer counts. `reason` is required.
    pub fn withdraw_file(&mut self, case_id: &str, evidence_id: i64, reason: &str) -> Result<WithdrawnFile> {
        let reason = required_text("a reason for withdrawing the file (撤回原因)", reason, MAX_REASON_CHARS)?;
        let record = self.file_by_id(case_id, evidence_id, FileScope::Counting)?;
        self.database_mut().withdraw_evidence(&record, &reason, Utc::now())?;
        self.database()
            .withdrawn_evidence(case_id)?
            .into_iter()
            .find(|file| file.evidence.id == evidence_id)
            .ok_or_else(|| Error::new(ErrorKind::Database, "the file withdrawn is not recorded as withdrawn"))
    }

    /// Restores a withdrawn file (恢复): it counts again, in the slot it was withdrawn from.
    pub fn restore_file(&mut self, case_id: &str, evidence_id: i64) -> Result<EvidenceRecord> {
        let record = self.file_by_id(case_id, evidence_id, FileScope::Withdrawn)?;
        self.database_mut().restore_evidence(&record, Utc::now())?;
        self.file_by_id(case_id, evidence_id, FileScope::Counting)
    }

    /// Moves a file to another material of the rule file (移到…); its findings are derived
    /// again for the new slot. Refused for a material the rules do not know, the slot it is
    /// already in, or a slot that already holds the same bytes.
    pub fn move_file(&mut self, case_id: &str, evidence_id: i64, to: &str) -> Result<MoveOutcome> {
        let record = self.file_by_id(case_id, evidence_id, FileScope::Counting)?;
        self.rules()?.require_material(to)?;
        if record.material_key == to {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("file {} is already under {to}", record.original_name),
            ));
        }
        let from = record.material_key.clone();
        let evidence = self.database_mut().move_evidence(&record, to, Utc::now())?;
        let findings = self
            .check_case(case_id)?
            .findings
            .into_iter()
            .filter(|finding| finding.sha256 == evidence.sha256 && finding.material == evidence.material_key)
            .collect();
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
        let reason = required_text("a reason for accepting the finding (接受原因)", reason, MAX_REASON_CHARS)?;
        let code = code.trim();
        let code = FindingCode::ALL.iter().copied().find(|known| known.key() == code).ok_or_else(|| {
            let known: Vec<&str> = FindingCode::ALL.iter().map(|known| known.key()).collect();
            Error::new(
                ErrorKind::InvalidInput,
                format!("{code} is not a finding code; the codes: {}", known.join(", ")),
            )
        })?;
        if NOT_ACCEPTABLE.contains(&code) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{code} cannot be accepted: the file cannot be read, so replace it (文件无法读取,请更换文件)"),
            ));
        }
        let record = self.file_by_id(case_id, evidence_id, FileScope::Counting)?;
        let on_file: Vec<CaseFinding> = self
            .check_case(case_id)?
            .findings
            .into_iter()
            .filter(|finding| finding.sha256 == record.sha256 && finding.material == record.material_key)
            .collect();
        let Some(finding) = on_file.iter().find(|finding| finding.code == code) else {
            let codes: Vec<&str> = on_file.iter().map(|finding| finding.code.key()).collect();
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "file {} ({}) has no finding {}; its findings: {}",
                    record.original_name,
                    record.material_key,
                    code.key(),
                    if codes.is_empty() { "none".to_string() } else { codes.join(", ") }
                ),
            ));
        };
        self.database_mut().insert_finding_acceptance(
            case_id,
            &record.material_key,
            &record.sha256,
            code.key(),
            &finding.message,
            &reason,
            Utc::now(),
        )
    }

    /// Writes a note on the case, or on one of its files (withdrawn ones included).
    pub fn add_note(&mut self, case_id: &str, evidence_id: Option<i64>, text: &str) -> Result<NoteRecord> {
        let text = required_text("the note's text (备注)", text, MAX_NOTE_CHARS)?;
        let record = evidence_id.map(|id| self.file_by_id(case_id, id, FileScope::Any)).transpose()?;
        if record.is_none() {
            self.case(case_id)?;
        }
        self.database_mut().insert_note(case_id, record.as_ref(), &text, Utc::now())
    }

    /// Replaces every attribute and the visit data of a case (编辑案件信息; what `case new`
    /// takes). The checklist and every finding are derived again from them; every file,
    /// attestation and field is kept. Nothing is written when nothing changed.
    pub fn update_case(&mut self, case_id: &str, change: NewCase) -> Result<CaseUpdate> {
        let change = validate_new_case(change)?;
        let before = self.case_checklist(case_id)?;
        let (case, changed) = self.database_mut().update_case(case_id, &change, Utc::now())?;
        crate::checklist::folder::checklist_change(self.database(), &*self.rules()?, &before, case, changed)
    }
}
