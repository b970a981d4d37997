//! The checklist's operations on a case's records, over the store and the rules (the folder's
//! methods call them: `data_folder::checklist`): its check, changing its attributes, attesting
//! marks on its files, recording its fields.
//!
//! Nothing here ever removes a file: changing a case's attributes only re-derives which
//! materials apply; files of materials that no longer apply stay, listed as such.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::fields::{self, FieldProblem};
use super::status::{CaseCheck, CaseFinding, CaseRecords, CheckSummary};
use super::{Checklist, ChecklistField, FieldKind, Mark, Rules};
use crate::case::{Case, CaseAttributes, CaseSummary};
use crate::database::{AttestationRecord, CaseFieldRecord, Database, EvidenceRecord};
use crate::error::{Error, ErrorKind, Result};

/// The fewest hex digits that may name a file by its SHA-256.
const MIN_SHA256_PREFIX: usize = 6;

/// What changing a case's attributes changed in its checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseUpdate {
    /// The case as now stored.
    pub case: Case,
    /// Materials required now and not before.
    pub now_required: Vec<String>,
    /// Materials required before and not now.
    pub no_longer_required: Vec<String>,
    /// Materials that no longer apply but hold files: the files are kept.
    pub files_kept: Vec<KeptFiles>,
    /// The names of the attributes that changed (`merchant_type`, `visit_date`, `site`, …).
    #[serde(default)]
    pub changed: Vec<String>,
}

/// Files kept under a material that no longer applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct KeptFiles {
    pub material: String,
    pub files: u32,
}

/// What an attestation recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttestationOutcome {
    /// The file attested.
    pub evidence: EvidenceRecord,
    /// What now stands for it.
    pub attestation: AttestationRecord,
    /// Marks recorded that its material does not ask for (kept, but worth a second look).
    pub not_asked: Vec<Mark>,
    /// Marks its material asks for and this file does not carry (another file of the
    /// material may).
    pub not_on_this_file: Vec<Mark>,
}

/// What recording a field stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldOutcome {
    #[allow(missing_docs)]
    pub field_key: String,
    /// The stored value as it may be shown (personal data masked).
    pub display_value: String,
    /// Warnings the manager overrode with the stored reason.
    pub overridden: Vec<FieldProblem>,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

/// What the core says of a value before it is recorded: the same validation as
/// [`crate::DataFolder::set_case_field`], so a front-end can show it while the manager types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldValidation {
    #[allow(missing_docs)]
    pub field_key: String,
    /// Every problem: one `error` refuses the value; `warning`s need an override reason.
    pub problems: Vec<FieldProblem>,
    /// How the value would be shown once recorded (personal data masked); `None` when refused.
    pub display_value: Option<String>,
}

/// One line of the case list with where the case stands, for a status badge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseOverview {
    #[allow(missing_docs)]
    pub case: CaseSummary,
    /// True while something blocks submission (as [`CaseCheck::blocking`]).
    pub blocking: bool,
    /// The counts of its check.
    pub summary: CheckSummary,
    /// Where it stands: 草稿, 可提交, or what became of its package (`case_list`).
    pub state: crate::case_list::CaseState,
}

/// Today in China (UTC+8, no daylight saving): the date that bounds dates of birth and
/// validity, and so one of what a stored case summary was computed under (`case_list::stored`).
pub(crate) fn today_in_china() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A stored case measured against its checklist under `rules`, with the evidence checks'
/// findings and the evidence ids they have not looked at yet.
pub(crate) fn check_case_with_findings(
    database: &Database,
    rules: &Rules,
    case_id: &str,
    findings: &[CaseFinding],
    unchecked: &HashSet<i64>,
) -> Result<CaseCheck> {
    let case = database.case(case_id)?;
    let fields = database.case_fields(case_id)?;
    let checklist = rules.checklist_recorded(&case.attributes, &fields);
    let evidence = database.case_evidence(case_id)?;
    let attestations = database.latest_attestations(case_id)?;
    let pixels_pending = database.pixel_checks_pending_in_case(case_id)?;
    // The manager's acceptances, each on the exact finding it was given for.
    let findings = crate::corrections::with_acceptances(findings, &database.finding_acceptances(case_id)?);
    let records = CaseRecords {
        case_id,
        attributes: &case.attributes,
        evidence: &evidence,
        attestations: &attestations,
        fields: &fields,
        findings: &findings,
        unchecked,
        pixels_pending: &pixels_pending,
        today: today_in_china(),
        checklist_fields: &checklist.fields,
    };
    let mut check = CaseCheck::measure(&checklist, &records);
    // Files in the 未分类 tray are in no slot, so `measure` never sees them; undecided, they
    // keep the case from being submitted (module `tray`).
    check.summary.unsorted_files = database.unsorted_evidence(case_id)?.len() as u32;
    check.blocking |= check.summary.unsorted_files > 0;
    Ok(check)
}

/// The checklist of stored case `case`, with the fields recorded for it: a variant may depend
/// on a choice among them (the legal representative's ID type).
pub(crate) fn case_checklist(database: &Database, rules: &Rules, case: &Case) -> Result<Checklist> {
    Ok(rules.checklist_recorded(&case.attributes, &database.case_fields(&case.id)?))
}

/// Stores a case's new attributes (checked consistent first) and says what that did to its
/// checklist.
pub(crate) fn update_case_attributes(
    database: &mut Database,
    rules: &Rules,
    case_id: &str,
    attributes: CaseAttributes,
) -> Result<CaseUpdate> {
    attributes.check_consistent()?;
    let previous = database.case(case_id)?;
    let before = case_checklist(database, rules, &previous)?;
    let case = database.update_case_attributes(case_id, &attributes.normalized(), Utc::now())?;
    let changed = crate::corrections::attribute_changes(&previous.attributes, &case.attributes);
    checklist_change(database, rules, &before, case, changed)
}

/// What a change of `case` did to its checklist, `before` being the checklist it had.
pub(crate) fn checklist_change(
    database: &Database,
    rules: &Rules,
    before: &Checklist,
    case: Case,
    changed: Vec<String>,
) -> Result<CaseUpdate> {
    let after = case_checklist(database, rules, &case)?;
    let was_required: HashSet<&str> = before.required_keys().into_iter().collect();
    let is_required: HashSet<&str> = after.required_keys().into_iter().collect();
    let evidence = database.case_evidence(&case.id)?;
    let files_kept = after
        .items
        .iter()
        .filter(|item| !item.applicable)
        .filter_map(|item| {
            let files = evidence.iter().filter(|record| record.material_key == item.key).count() as u32;
            (files > 0).then(|| KeptFiles { material: item.key.clone(), files })
        })
        .collect();
    let required_only_in = |checklist: &Checklist, other: &HashSet<&str>| -> Vec<String> {
        checklist.required_keys().into_iter().filter(|key| !other.contains(key)).map(String::from).collect()
    };
    Ok(CaseUpdate {
        now_required: required_only_in(&after, &was_required),
        no_longer_required: required_only_in(before, &is_required),
        files_kept,
        changed,
        case,
    })
}

/// Records `marks` on file `evidence_id` of a stored case, saying which its material does not
/// ask for and which it asks for that the file lacks.
pub(crate) fn attest_file(
    database: &mut Database,
    rules: &Rules,
    case_id: &str,
    evidence_id: i64,
    marks: &[Mark],
) -> Result<AttestationOutcome> {
    let case = database.case(case_id)?;
    let evidence =
        database.case_evidence(case_id)?.into_iter().find(|record| record.id == evidence_id).ok_or_else(|| {
            Error::new(ErrorKind::InvalidInput, format!("case {case_id} has no file with id {evidence_id}"))
        })?;
    let mut unique: Vec<Mark> = Vec::new();
    for mark in marks {
        if !unique.contains(mark) {
            unique.push(*mark);
        }
    }
    let checklist = case_checklist(database, rules, &case)?;
    let item = checklist.item(&evidence.material_key);
    let asked = item.map(|item| item.attestations.clone()).unwrap_or_default();
    // Offered marks (both sides of an ID card in one file) are taken without a word.
    let offered = item.map(|item| item.offered_marks.clone()).unwrap_or_default();
    let attestation = database.insert_attestation(evidence_id, &unique, Utc::now())?;
    Ok(AttestationOutcome {
        not_asked: unique.iter().copied().filter(|mark| !asked.contains(mark) && !offered.contains(mark)).collect(),
        not_on_this_file: asked.iter().copied().filter(|mark| !unique.contains(mark)).collect(),
        evidence,
        attestation,
    })
}

/// Validates `value` for field `field_key` of a stored case and records it (with the override
/// reason its warnings need).
pub(crate) fn set_case_field(
    database: &mut Database,
    rules: &Rules,
    case_id: &str,
    field_key: &str,
    value: &str,
    override_reason: Option<&str>,
) -> Result<FieldOutcome> {
    let case = database.case(case_id)?;
    let stored = database.case_fields(case_id)?;
    let checklist = rules.checklist_recorded(&case.attributes, &stored);
    let field = checklist_field(&checklist, field_key)?;
    let context = field_context(&case, &checklist, field, &stored);
    let accepted = fields::validate_value(field, value, &context)
        .map_err(|problem| Error::new(ErrorKind::InvalidInput, problem.describe(field_key)))?;
    let reason = override_reason.map(str::trim).filter(|reason| !reason.is_empty());
    if !accepted.warnings.is_empty() && reason.is_none() {
        let described: Vec<String> = accepted.warnings.iter().map(|warning| warning.describe(field_key)).collect();
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} — not recorded; to record it as it is, give a reason (--override-reason)",
                described.join("; ")
            ),
        ));
    }
    let reason = if accepted.warnings.is_empty() { None } else { reason };
    if reason.is_some_and(|reason| reason.chars().count() > 500) {
        return Err(Error::new(ErrorKind::InvalidInput, "the override reason is longer than 500 characters"));
    }
    let record = database.set_case_field(case_id, field_key, &accepted.normalized, reason, Utc::now())?;
    Ok(FieldOutcome {
        field_key: field_key.to_string(),
        display_value: fields::display_value(field, &record.value),
        overridden: accepted.warnings,
        updated_at: record.updated_at,
    })
}

/// What recording `value` for field `field_key` of a stored case would meet, recording nothing.
pub(crate) fn validate_case_field(
    database: &Database,
    rules: &Rules,
    case_id: &str,
    field_key: &str,
    value: &str,
) -> Result<FieldValidation> {
    let case = database.case(case_id)?;
    let stored = database.case_fields(case_id)?;
    let checklist = rules.checklist_recorded(&case.attributes, &stored);
    let field = checklist_field(&checklist, field_key)?;
    let context = field_context(&case, &checklist, field, &stored);
    let (problems, display_value) = match fields::validate_value(field, value, &context) {
        Ok(accepted) => (accepted.warnings, Some(fields::display_value(field, &accepted.normalized))),
        Err(problem) => (vec![problem], None),
    };
    Ok(FieldValidation { field_key: field_key.to_string(), problems, display_value })
}

/// The field `field_key` of a case's checklist, or `invalid_input` naming the fields there are.
fn checklist_field<'a>(checklist: &'a Checklist, field_key: &str) -> Result<&'a ChecklistField> {
    checklist.fields.iter().find(|field| field.key == field_key).ok_or_else(|| {
        let keys: Vec<&str> = checklist.fields.iter().map(|field| field.key.as_str()).collect();
        Error::new(
            ErrorKind::InvalidInput,
            format!("'{field_key}' is not a field of the checklist; the fields are: {}", keys.join(", ")),
        )
    })
}

/// What a value of `field` is judged against: the ID type recorded beside it (in `stored`, the
/// case's fields), today in China, the merchant type.
fn field_context<'a>(
    case: &Case,
    checklist: &'a Checklist,
    field: &ChecklistField,
    stored: &'a [CaseFieldRecord],
) -> fields::FieldContext<'a> {
    fields::FieldContext {
        id_type: fields::id_type_of(field, &checklist.fields, stored),
        today: today_in_china(),
        merchant_type: Some(case.attributes.merchant_type),
    }
}

/// Removes the value of field `field_key` of a stored case, refusing a case attribute.
pub(crate) fn clear_case_field(database: &mut Database, rules: &Rules, case_id: &str, field_key: &str) -> Result<bool> {
    let checklist = case_checklist(database, rules, &database.case(case_id)?)?;
    // A key the rules no longer know may still be cleared: it is stale data.
    let field = checklist.fields.iter().find(|field| field.key == field_key);
    if field.is_some_and(|field| field.kind == FieldKind::Attribute) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{field_key} is a case attribute: change it with `intake case update`"),
        ));
    }
    database.clear_case_field(case_id, field_key, Utc::now())
}

/// Picks one file among `evidence` (of case `case_id`) by its SHA-256 (or at least six
/// leading hex digits of it) or its original name, optionally within one material; a name
/// that fits several files is refused, listing them.
pub(crate) fn pick_case_file(
    case_id: &str,
    evidence: &[EvidenceRecord],
    file: &str,
    material: Option<&str>,
) -> Result<EvidenceRecord> {
    let wanted = file.trim();
    let lower = wanted.to_ascii_lowercase();
    let looks_like_hash = lower.len() >= MIN_SHA256_PREFIX && lower.bytes().all(|byte| byte.is_ascii_hexdigit());
    let matches: Vec<&EvidenceRecord> = evidence
        .iter()
        .filter(|record| material.is_none_or(|material| record.material_key == material))
        .filter(|record| record.original_name == wanted || (looks_like_hash && record.sha256.starts_with(&lower)))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "case {case_id} has no file '{wanted}'{}; name it by its original name or SHA-256 (see `intake case show`)",
                material.map(|material| format!(" under {material}")).unwrap_or_default()
            ),
        )),
        several => {
            let listed: Vec<String> = several
                .iter()
                .map(|record| format!("{} {} ({})", record.material_key, record.original_name, &record.sha256[..12]))
                .collect();
            Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "'{wanted}' names {} files of case {case_id}: {}; give --material or more of the SHA-256",
                    several.len(),
                    listed.join(", ")
                ),
            ))
        }
    }
}
