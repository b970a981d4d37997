//! Measuring a stored case against its checklist: each item's status, each field's status,
//! and whether anything blocks submission.
//!
//! An applicable item's status, worst first:
//!
//! - `missing`: no file.
//! - `incomplete`: fewer files than `min_files` (an ID card needs both sides; one file the
//!   manager attests `both_sides`, a copy of both on one page, counts for two), or a stamp,
//!   signature or other mark the item asks for has not been attested on any of its files.
//! - `present`: complete, but an `error` finding stands against one of its files, or a file
//!   has not been checked yet.
//! - `ok`: complete, every mark attested, every file checked, no error finding.
//!
//! Marks are attested per file, and an item needs each of its marks on at least one of its
//! files: the stamps of a two-page agreement are on its last page, not on both.
//!
//! An item that others may stand in for (`manager_with_storefront`, for which an
//! `inspection_video` may be given) takes the best status among itself and those alternatives,
//! and says which one satisfied it. Items whose condition does not hold are `not_applicable`
//! whatever files they hold; those files are kept and listed, never dropped.
//!
//! A go-live material (stage `golive`: 上线申请表, 测试报告) is required at go-live, after the
//! account is opened (domain.md: "`opens_account`, at go-live"; the guide's 5.3 上线投产): at the
//! onboarding visit it does not exist yet. While it has no file it stays `missing` but is
//! `due_at_golive`: owed and to follow (`to_follow`, listed in the package's `follow_up`), not
//! blocking. A file given for it is checked like any other.
//!
//! The case is blocked (exit status 1 of `intake check`) while a required item is not `ok`
//! (one due at go-live aside), a required field is missing or invalid, or any `error` finding
//! stands.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use intake_bag::document::ChecklistSummary;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::fields::{self, FieldProblem};
use super::{Checklist, ChecklistField, ChecklistItem, FieldKind, Mark, Stage};
use crate::case::CaseAttributes;
use crate::database::{AttestationRecord, CaseFieldRecord, EvidenceRecord};
use crate::evidence::FindingCode;

pub use intake_domain::checklist::{ItemStatus, Severity};

/// One finding about one file of the case (`interfaces.md`, `check --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the contract's field names
pub struct CaseFinding {
    /// The material key of the slot the file is in.
    pub material: String,
    /// The file's original name.
    pub file: String,
    pub sha256: String,
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    /// The manager's acceptance of exactly this finding, if given: it then blocks nothing.
    /// Absent from the JSON when not accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub accepted: Option<FindingAcceptance>,
}

impl CaseFinding {
    /// True while the finding counts: not accepted.
    pub fn stands(&self) -> bool {
        self.accepted.is_none()
    }

    /// True when it blocks submission: an error nobody accepted.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Error && self.stands()
    }
}

/// Who accepted a finding, when and why (`intake accept`, 接受).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct FindingAcceptance {
    pub reason: String,
    pub accepted_by: String,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub accepted_at: DateTime<Utc>,
}

/// One file of an item, with what the manager attested on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckedFile {
    /// The evidence record's id.
    pub evidence_id: i64,
    #[allow(missing_docs)]
    pub sha256: String,
    /// The original file name as it may be shown (`file_names::portable_name`: no format
    /// character can make it display as another).
    pub name: String,
    #[allow(missing_docs)]
    pub bytes: u64,
    #[allow(missing_docs)]
    pub media_type: String,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub imported_at: DateTime<Utc>,
    /// The marks the manager last attested on this file.
    pub marks: Vec<Mark>,
    /// When they did, if ever. RFC 3339, UTC.
    #[ts(type = "string | null")]
    pub attested_at: Option<DateTime<Utc>>,
    /// False while the evidence checks have not looked at the file (or at its pixels).
    pub checked: bool,
    /// Its metadata is checked, its pixel checks (thumbnail, perceptual hash, too dark,
    /// blurry) are still under way: the second phase of its import (正在检查画面…).
    pub pixel_checks_pending: bool,
}

/// A checklist item with its status and files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckedItem {
    /// The checklist item.
    #[serde(flatten)]
    pub item: ChecklistItem,
    /// See the module documentation.
    pub status: ItemStatus,
    /// The alternative that gave the status, when it is better than the item's own.
    pub satisfied_by: Option<String>,
    /// Still owed, to follow: an alternative stands in for it only for now (暂以视频代替: the
    /// inspection video for the manager's photo with the storefront), or it is due at go-live
    /// (`due_at_golive`). The package says so (`case.json` `follow_up`, `Intake-Follow-Up`,
    /// the report).
    pub to_follow: bool,
    /// A go-live material with no file yet: required at go-live, so at the visit it is owed and
    /// to follow (`to_follow` is set too) and does not block (see the module documentation).
    pub due_at_golive: bool,
    /// The item's files, applicable or not, in import order.
    pub files: Vec<CheckedFile>,
    /// Its files as counted towards `min_files`: a copy of both sides of an ID card attested
    /// `both_sides` counts for two.
    pub files_counted: u32,
    /// How many more files make it complete.
    pub files_short: u32,
    /// Marks asked for and not attested on any of its files.
    pub missing_attestations: Vec<Mark>,
    /// Error findings standing (not accepted) against its files.
    pub error_findings: u32,
    /// Its files not yet checked.
    pub unchecked_files: u32,
}

/// The status of a recorded field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldStatus {
    /// Not recorded.
    Missing,
    /// Recorded, but fails validation.
    Invalid,
    /// Recorded with a warning nobody overrode.
    Warning,
    /// Recorded and valid (or a warning overridden with a reason).
    Ok,
    /// The field's condition does not hold for this case.
    NotApplicable,
}

/// A field of the checklist with its recorded value, shown masked where personal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckedField {
    /// The checklist field.
    #[serde(flatten)]
    pub field: ChecklistField,
    #[allow(missing_docs)]
    pub status: FieldStatus,
    /// The value as it may be shown: personal data masked.
    pub display_value: Option<String>,
    /// Why the manager accepted a value despite a warning.
    pub override_reason: Option<String>,
    /// RFC 3339, UTC.
    #[ts(type = "string | null")]
    pub updated_at: Option<DateTime<Utc>>,
    /// What validation says about the recorded value.
    pub problems: Vec<FieldProblem>,
}

/// A file whose material key is no longer in the rule file (the rules were corrected). Kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct UnlistedFile {
    pub material_key: String,
    pub file: CheckedFile,
}

/// Counts for a summary line: the checklist's, as the package states them, and the tray's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckSummary {
    /// What `case.json` carries (the same JSON fields, flattened into this object).
    #[serde(flatten)]
    pub counts: ChecklistSummary,
    /// Files waiting in the 未分类 tray (module `tray`): while there are any, the case blocks.
    pub unsorted_files: u32,
    /// Required go-live materials with no file yet (`CheckedItem::due_at_golive`): counted in
    /// `required` and `missing`, owed later, not work for now.
    #[serde(default)]
    pub due_at_golive: u32,
}

/// A stored case measured against its checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseCheck {
    #[allow(missing_docs)]
    pub case_id: String,
    /// The rule file's format version.
    pub rules_version: u32,
    /// True while something blocks submission (see the module documentation).
    pub blocking: bool,
    #[allow(missing_docs)]
    pub summary: CheckSummary,
    /// Every checklist item with its status.
    pub items: Vec<CheckedItem>,
    /// Every checklist field with its status.
    pub fields: Vec<CheckedField>,
    /// Every finding of the case's files.
    pub findings: Vec<CaseFinding>,
    /// Files under material keys the rule file no longer has.
    pub unlisted_files: Vec<UnlistedFile>,
}

/// What is stored about a case, as [`CaseCheck::measure`] needs it.
pub struct CaseRecords<'a> {
    /// The case's id.
    pub case_id: &'a str,
    /// The case's attributes (for fields that are attributes).
    pub attributes: &'a CaseAttributes,
    /// Its files.
    pub evidence: &'a [EvidenceRecord],
    /// The latest attestation of each file.
    pub attestations: &'a [AttestationRecord],
    /// Its recorded fields.
    pub fields: &'a [CaseFieldRecord],
    /// The findings of the evidence checks.
    pub findings: &'a [CaseFinding],
    /// Evidence ids the evidence checks have not looked at yet.
    pub unchecked: &'a HashSet<i64>,
    /// Evidence ids whose pixel checks are pending (their items stay `present`, as unchecked).
    pub pixels_pending: &'a HashSet<i64>,
    /// Today, for validating dates of birth.
    pub today: NaiveDate,
    /// The checklist's fields (an ID number's type field may have a default).
    pub checklist_fields: &'a [ChecklistField],
}

impl CaseCheck {
    /// Measures the records of a case against its checklist.
    pub fn measure(checklist: &Checklist, records: &CaseRecords<'_>) -> CaseCheck {
        let latest_attestation: HashMap<i64, &AttestationRecord> =
            records.attestations.iter().map(|attestation| (attestation.evidence_id, attestation)).collect();
        let checked_file = |record: &EvidenceRecord| {
            let attestation = latest_attestation.get(&record.id);
            CheckedFile {
                evidence_id: record.id,
                sha256: record.sha256.clone(),
                name: crate::file_names::portable_name(&record.original_name),
                bytes: record.bytes,
                media_type: record.media_type.clone(),
                imported_at: record.imported_at,
                marks: attestation.map(|attestation| attestation.marks.clone()).unwrap_or_default(),
                attested_at: attestation.map(|attestation| attestation.recorded_at),
                checked: !records.unchecked.contains(&record.id) && !records.pixels_pending.contains(&record.id),
                pixel_checks_pending: records.pixels_pending.contains(&record.id),
            }
        };

        let mut items: Vec<CheckedItem> = checklist
            .items
            .iter()
            .map(|item| {
                let files: Vec<CheckedFile> = records
                    .evidence
                    .iter()
                    .filter(|record| record.material_key == item.key)
                    .map(checked_file)
                    .collect();
                let error_findings = records
                    .findings
                    .iter()
                    .filter(|finding| {
                        finding.material == item.key
                            && finding.blocks()
                            && files.iter().any(|file| file.sha256 == finding.sha256)
                    })
                    .count() as u32;
                own_status(item, files, error_findings)
            })
            .collect();

        // An alternative may satisfy the item it stands in for.
        let own: Vec<(ItemStatus, bool)> = items.iter().map(|item| (item.status, item.item.applicable)).collect();
        for index in 0..items.len() {
            if !items[index].item.applicable {
                continue;
            }
            let best_alternative = items[index]
                .item
                .alternatives
                .iter()
                .filter_map(|key| items.iter().position(|other| &other.item.key == key))
                .filter(|position| own[*position].1)
                .max_by_key(|position| own[*position].0.rank());
            if let Some(position) = best_alternative
                && own[position].0.rank() > items[index].status.rank()
            {
                items[index].status = own[position].0;
                items[index].satisfied_by = Some(items[position].item.key.clone());
                // The guide lets the video stand in 暂时 (for now): the photo stays owed.
                items[index].to_follow = true;
            }
        }

        for item in items
            .iter_mut()
            .filter(|item| item.item.required && item.item.stage == Stage::Golive && item.status == ItemStatus::Missing)
        {
            item.due_at_golive = true;
            item.to_follow = true;
        }

        let listed: HashSet<&str> = checklist.items.iter().map(|item| item.key.as_str()).collect();
        let unlisted_files = records
            .evidence
            .iter()
            .filter(|record| !listed.contains(record.material_key.as_str()))
            .map(|record| UnlistedFile { material_key: record.material_key.clone(), file: checked_file(record) })
            .collect();

        let fields: Vec<CheckedField> = checklist.fields.iter().map(|field| checked_field(field, records)).collect();

        let mut summary = CheckSummary::default();
        for item in items.iter().filter(|item| item.item.required) {
            summary.counts.required += 1;
            match item.status {
                ItemStatus::Ok => summary.counts.ok += 1,
                ItemStatus::Present => summary.counts.present += 1,
                ItemStatus::Incomplete => summary.counts.incomplete += 1,
                ItemStatus::Missing | ItemStatus::NotApplicable => summary.counts.missing += 1,
            }
        }
        // An accepted finding is shown (in `findings`, with its acceptance) but not counted.
        for finding in records.findings.iter().filter(|finding| finding.stands()) {
            match finding.severity {
                Severity::Error => summary.counts.error_findings += 1,
                Severity::Warning => summary.counts.warning_findings += 1,
            }
        }
        for field in fields.iter().filter(|field| field.field.required) {
            summary.counts.fields_required += 1;
            match field.status {
                FieldStatus::Missing => summary.counts.fields_missing += 1,
                FieldStatus::Invalid => summary.counts.fields_invalid += 1,
                _ => {}
            }
        }
        summary.due_at_golive = items.iter().filter(|item| item.due_at_golive).count() as u32;
        let blocking = summary.counts.ok + summary.due_at_golive < summary.counts.required
            || summary.counts.error_findings > 0
            || summary.counts.fields_missing > 0
            || summary.counts.fields_invalid > 0;

        CaseCheck {
            case_id: records.case_id.to_string(),
            rules_version: checklist.rules_version,
            blocking,
            summary,
            items,
            fields,
            findings: records.findings.to_vec(),
            unlisted_files,
        }
    }
}

impl CaseCheck {
    /// The keys of the required items still owed and to follow (`CheckedItem::to_follow`): an
    /// alternative stands in for them only for now, or they are due at go-live.
    pub fn follow_up(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|item| item.item.required && item.to_follow)
            .map(|item| item.item.key.as_str())
            .collect()
    }
}

fn own_status(item: &ChecklistItem, files: Vec<CheckedFile>, error_findings: u32) -> CheckedItem {
    // What is still owed only matters for an item the case needs.
    let attested: HashSet<Mark> = files.iter().flat_map(|file| file.marks.iter().copied()).collect();
    let missing_attestations: Vec<Mark> = if item.applicable {
        item.attestations.iter().copied().filter(|mark| !attested.contains(mark)).collect()
    } else {
        Vec::new()
    };
    // A copy of both sides of an ID card on one page, attested so, counts for two.
    let counted = files.len()
        + files
            .iter()
            .filter(|file| file.marks.contains(&Mark::BothSides) && item.offered_marks.contains(&Mark::BothSides))
            .count();
    let files_short = if item.applicable { item.min_files.saturating_sub(counted as u32) } else { 0 };
    let unchecked_files = files.iter().filter(|file| !file.checked).count() as u32;
    let status = if !item.applicable {
        ItemStatus::NotApplicable
    } else if files.is_empty() {
        ItemStatus::Missing
    } else if files_short > 0 || !missing_attestations.is_empty() {
        ItemStatus::Incomplete
    } else if error_findings > 0 || unchecked_files > 0 {
        ItemStatus::Present
    } else {
        ItemStatus::Ok
    };
    CheckedItem {
        item: item.clone(),
        status,
        satisfied_by: None,
        to_follow: false,
        due_at_golive: false,
        files,
        files_counted: counted as u32,
        files_short,
        missing_attestations,
        error_findings,
        unchecked_files,
    }
}

fn checked_field(field: &ChecklistField, records: &CaseRecords<'_>) -> CheckedField {
    let stored = records.fields.iter().find(|record| record.field_key == field.key);
    let mut checked = CheckedField {
        field: field.clone(),
        status: FieldStatus::Missing,
        display_value: None,
        override_reason: stored.and_then(|record| record.override_reason.clone()),
        updated_at: stored.map(|record| record.updated_at),
        problems: Vec::new(),
    };
    if field.kind == FieldKind::Attribute {
        let answer = field
            .attribute
            .as_deref()
            .and_then(super::expression::Attribute::from_name)
            .and_then(|attribute| attribute.answer(records.attributes))
            .flatten();
        checked.display_value = answer.map(|value| if value { "是 yes" } else { "否 no" }.to_string());
        // Not yet answered (parent_child_same_entity): a required field that is missing, so it
        // blocks export until the manager answers.
        checked.status = match (field.applicable, answer) {
            (false, _) => FieldStatus::NotApplicable,
            (true, Some(_)) => FieldStatus::Ok,
            (true, None) => FieldStatus::Missing,
        };
        return checked;
    }
    if stored.is_none()
        && let Some(default) = &field.default
    {
        // A choice that holds until another is recorded (居民身份证 for the legal representative).
        checked.display_value = Some(fields::display_value(field, default));
        checked.status = FieldStatus::Ok;
    }
    if let Some(record) = stored {
        checked.display_value = Some(fields::display_value(field, &record.value));
        let context = fields::FieldContext {
            id_type: fields::id_type_of(field, records.checklist_fields, records.fields),
            today: records.today,
            merchant_type: Some(records.attributes.merchant_type),
        };
        checked.status = match fields::validate_value(field, &record.value, &context) {
            Ok(accepted) if accepted.warnings.is_empty() => FieldStatus::Ok,
            Ok(accepted) => {
                checked.problems = accepted.warnings;
                if record.override_reason.is_some() { FieldStatus::Ok } else { FieldStatus::Warning }
            }
            Err(problem) => {
                checked.problems = vec![problem];
                FieldStatus::Invalid
            }
        };
    }
    if !field.applicable {
        checked.status = FieldStatus::NotApplicable;
    }
    checked
}
