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
//! Each change is one store transaction with its audit entry (`database.rs`). The folder's
//! methods that make them are in `data_folder::corrections`.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::{CaseAttributes, NewCase, validate_new_case};
use crate::checklist::folder::pick_case_file;
use crate::checklist::{CaseFinding, CaseUpdate, FindingAcceptance, Rules};
use crate::database::{Database, EvidenceRecord, FindingAcceptanceRecord, NoteRecord, WithdrawnFile};
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

/// One file of a stored case among the files of `scope`, by its SHA-256 prefix or original
/// name, optionally within one material.
pub(crate) fn find_file(
    database: &Database,
    case_id: &str,
    file: &str,
    material: Option<&str>,
    scope: FileScope,
) -> Result<EvidenceRecord> {
    database.case(case_id)?;
    let candidates = match scope {
        // The 未分类 tray's files too: they are withdrawn (or moved out) like any file.
        FileScope::Counting => {
            let mut files = database.case_evidence(case_id)?;
            files.extend(database.unsorted_evidence(case_id)?);
            files
        }
        FileScope::Withdrawn => {
            database.withdrawn_evidence(case_id)?.into_iter().map(|withdrawn| withdrawn.evidence).collect()
        }
        FileScope::Any => database.case_evidence_including_withdrawn(case_id)?,
    };
    pick_case_file(case_id, &candidates, file, material).map_err(|err| match scope {
        FileScope::Withdrawn => Error::new(err.kind(), format!("{} (among its withdrawn files)", err.message())),
        _ => err,
    })
}

/// The file with this id, of this case, in `scope`; a file of the other scope is refused
/// saying so.
fn file_by_id(database: &Database, case_id: &str, evidence_id: i64, scope: FileScope) -> Result<EvidenceRecord> {
    database.case(case_id)?;
    let all = database.case_evidence_including_withdrawn(case_id)?;
    let record = all.into_iter().find(|record| record.id == evidence_id).ok_or_else(|| {
        Error::new(ErrorKind::InvalidInput, format!("case {case_id} has no file with id {evidence_id}"))
    })?;
    let withdrawn = database.withdrawn_evidence(case_id)?.iter().any(|file| file.evidence.id == evidence_id);
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

/// Withdraws file `evidence_id` of a stored case with `reason` (撤回).
pub(crate) fn withdraw_file(
    database: &mut Database,
    case_id: &str,
    evidence_id: i64,
    reason: &str,
) -> Result<WithdrawnFile> {
    let reason = required_text("a reason for withdrawing the file (撤回原因)", reason, MAX_REASON_CHARS)?;
    let record = file_by_id(database, case_id, evidence_id, FileScope::Counting)?;
    database.withdraw_evidence(&record, &reason, Utc::now())?;
    database
        .withdrawn_evidence(case_id)?
        .into_iter()
        .find(|file| file.evidence.id == evidence_id)
        .ok_or_else(|| Error::new(ErrorKind::Database, "the file withdrawn is not recorded as withdrawn"))
}

/// Restores withdrawn file `evidence_id` of a stored case (恢复).
pub(crate) fn restore_file(database: &mut Database, case_id: &str, evidence_id: i64) -> Result<EvidenceRecord> {
    let record = file_by_id(database, case_id, evidence_id, FileScope::Withdrawn)?;
    database.restore_evidence(&record, Utc::now())?;
    file_by_id(database, case_id, evidence_id, FileScope::Counting)
}

/// Moves file `evidence_id` of a stored case to material `to` of `rules` (移到…). Returns the
/// file as now recorded and the material it came from.
pub(crate) fn move_file(
    database: &mut Database,
    rules: &Rules,
    case_id: &str,
    evidence_id: i64,
    to: &str,
) -> Result<(EvidenceRecord, String)> {
    let record = file_by_id(database, case_id, evidence_id, FileScope::Counting)?;
    rules.require_material(to)?;
    if record.material_key == to {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("file {} is already under {to}", record.original_name),
        ));
    }
    let from = record.material_key.clone();
    let evidence = database.move_evidence(&record, to, Utc::now())?;
    Ok((evidence, from))
}

/// The findings among `findings` (a case's) that stand on `record`: its bytes in its slot.
pub(crate) fn findings_on(findings: Vec<CaseFinding>, record: &EvidenceRecord) -> Vec<CaseFinding> {
    findings
        .into_iter()
        .filter(|finding| finding.sha256 == record.sha256 && finding.material == record.material_key)
        .collect()
}

/// An acceptance asked for, checked before the case is checked: its reason, a finding code
/// that may be accepted, a file that counts.
pub(crate) struct AcceptanceAsked {
    record: EvidenceRecord,
    code: FindingCode,
    reason: String,
}

/// Checks the acceptance of finding `code` on file `evidence_id` of a stored case.
pub(crate) fn acceptance_asked(
    database: &Database,
    case_id: &str,
    evidence_id: i64,
    code: &str,
    reason: &str,
) -> Result<AcceptanceAsked> {
    let reason = required_text("a reason for accepting the finding (接受原因)", reason, MAX_REASON_CHARS)?;
    let code = code.trim();
    let code = FindingCode::ALL.iter().copied().find(|known| known.key() == code).ok_or_else(|| {
        let known: Vec<&str> = FindingCode::ALL.iter().map(|known| known.key()).collect();
        Error::new(ErrorKind::InvalidInput, format!("{code} is not a finding code; the codes: {}", known.join(", ")))
    })?;
    if NOT_ACCEPTABLE.contains(&code) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{code} cannot be accepted: the file cannot be read, so replace it (文件无法读取,请更换文件)"),
        ));
    }
    let record = file_by_id(database, case_id, evidence_id, FileScope::Counting)?;
    Ok(AcceptanceAsked { record, code, reason })
}

/// Records `asked` when its finding stands among the case's `findings` (with the message it
/// stands with); refused, listing the file's findings, when it does not.
pub(crate) fn accept_finding(
    database: &mut Database,
    case_id: &str,
    asked: AcceptanceAsked,
    findings: Vec<CaseFinding>,
) -> Result<FindingAcceptanceRecord> {
    let AcceptanceAsked { record, code, reason } = asked;
    let on_file = findings_on(findings, &record);
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
    database.insert_finding_acceptance(
        case_id,
        &record.material_key,
        &record.sha256,
        code.key(),
        &finding.message,
        &reason,
        Utc::now(),
    )
}

/// Writes note `text` on a stored case, or on its file `evidence_id` (withdrawn ones included).
pub(crate) fn add_note(
    database: &mut Database,
    case_id: &str,
    evidence_id: Option<i64>,
    text: &str,
) -> Result<NoteRecord> {
    let text = required_text("the note's text (备注)", text, MAX_NOTE_CHARS)?;
    let record = evidence_id.map(|id| file_by_id(database, case_id, id, FileScope::Any)).transpose()?;
    if record.is_none() {
        database.case(case_id)?;
    }
    database.insert_note(case_id, record.as_ref(), &text, Utc::now())
}

/// Replaces the attributes and visit data of a stored case and says what that did to its
/// checklist under `rules`.
pub(crate) fn update_case(
    database: &mut Database,
    rules: &Rules,
    case_id: &str,
    change: NewCase,
) -> Result<CaseUpdate> {
    let change = validate_new_case(change)?;
    let before = crate::checklist::folder::case_checklist(database, rules, &database.case(case_id)?)?;
    let (case, changed) = database.update_case(case_id, &change, Utc::now())?;
    crate::checklist::folder::checklist_change(database, rules, &before, case, changed)
}
