//! `data/case.json`: the case as machines read it, described by the versioned JSON Schema
//! `assets/schemas/case.v5.schema.json` (embedded here, and checked by `verify`). Version 4,
//! embedded too, lacked the threshold `site_photo_spread_hours`. Version 3,
//! embedded too so that packages made before still verify, lacked the corrections
//! (`withdrawn_files`, `notes`, `files[].findings[].accepted`,
//! `package.incomplete_export_reason`), `package.follow_up` and
//! `checklist.items[].to_follow`, and required `parent_child_same_entity` to be answered;
//! version 2 lacked `thresholds`; version 1, kept beside them, lacked
//! `files[].watermarked_copy`. Each document is held to the version it names.
//!
//! The types below are the wire form, written by hand from the internal types so that the
//! internal ones can change without changing the document. Adding a field is a compatible
//! change for readers that ignore what they do not know, but the schema closes most objects
//! (`additionalProperties: false`), so a new field means a new schema version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::{CaseAttributes, Datum};
use crate::checklist::{ItemStatus, Mark, Provider, Severity, Stage};
use crate::evidence::report::{ExifSummary, PixelSummary, SkippedCheck};

/// The schema's `$id`; also the document's `schema` field.
pub const CASE_SCHEMA_ID: &str = "urn:x-merchant-intake:schema:case:v5";

/// The JSON Schema of `case.json`, version 5 (draft 2020-12).
pub const CASE_SCHEMA: &str = include_str!("../../../assets/schemas/case.v5.schema.json");

/// Version 4 of the schema (no `thresholds.site_photo_spread_hours`), for packages packed before version 5.
const CASE_SCHEMA_V4_ID: &str = "urn:x-merchant-intake:schema:case:v4";
const CASE_SCHEMA_V4: &str = include_str!("../../../assets/schemas/case.v4.schema.json");

/// Version 3 of the schema (no corrections, `follow_up`, `to_follow`), for packages packed before version 4.
const CASE_SCHEMA_V3_ID: &str = "urn:x-merchant-intake:schema:case:v3";
const CASE_SCHEMA_V3: &str = include_str!("../../../assets/schemas/case.v3.schema.json");

/// Version 2 of the schema (no `thresholds`), for packages packed before version 3.
const CASE_SCHEMA_V2_ID: &str = "urn:x-merchant-intake:schema:case:v2";
const CASE_SCHEMA_V2: &str = include_str!("../../../assets/schemas/case.v2.schema.json");

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // the sections say it
pub struct CaseDocument {
    /// [`CASE_SCHEMA_ID`].
    pub schema: String,
    pub case: CaseSection,
    pub package: PackageSection,
    pub checklist: ChecklistSection,
    /// Every evidence file, in package order (by path).
    pub files: Vec<FileEntry>,
    /// The thresholds the findings were judged by (the installation's): what `blurry` or
    /// `low_resolution` meant for this package. Always written; absent in version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<crate::evidence::Thresholds>,
    /// Files the manager withdrew (撤回): listed, their bytes not in the package. Absent
    /// before version 4.
    #[serde(default)]
    pub withdrawn_files: Vec<WithdrawnFileEntry>,
    /// Notes on the case and its files, oldest first. Absent before version 4.
    #[serde(default)]
    pub notes: Vec<NoteEntry>,
}

/// A withdrawn file: what it was, where, and why it was taken back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct WithdrawnFileEntry {
    /// The material it was withdrawn from.
    pub material: String,
    pub original_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub media_type: String,
    pub imported_at: DateTime<Utc>,
    pub reason: String,
    pub withdrawn_at: DateTime<Utc>,
    pub withdrawn_by: String,
}

/// A note on the case (`sha256` null) or on one of its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct NoteEntry {
    pub sha256: Option<String>,
    pub material: Option<String>,
    pub text: String,
    pub written_by: String,
    pub written_at: DateTime<Utc>,
}

/// The manager's acceptance of a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct AcceptanceEntry {
    pub reason: String,
    pub accepted_by: String,
    pub accepted_at: DateTime<Utc>,
}

/// The case's attributes and visit data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // the keys of domain.md
pub struct CaseSection {
    pub id: String,
    pub merchant_name: String,
    pub attributes: CaseAttributes,
    pub visit_date: Option<NaiveDate>,
    pub site: Option<SiteSection>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The premises as entered, and converted to WGS-84 (what the photos' GPS is in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct SiteSection {
    pub lat: f64,
    pub lon: f64,
    pub datum: Datum,
    pub radius_m: f64,
    pub wgs84_lat: f64,
    pub wgs84_lon: f64,
}

/// Who packed it, when, and in what state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageSection {
    /// The date of the case's last change (UTC+8), also `Bagging-Date`.
    pub bagging_date: NaiveDate,
    /// The branch (`Source-Organization`).
    pub source_organization: String,
    /// The account manager (`Contact-Name`).
    pub contact_name: String,
    /// The program that packed it.
    pub software: String,
    /// True when every required material is `ok` and no error finding or field problem stands.
    pub complete: bool,
    /// True when it was exported although incomplete (`--allow-incomplete`).
    pub allow_incomplete: bool,
    /// What kept it from being complete, one sentence each (empty when complete).
    pub incomplete_reasons: Vec<String>,
    /// Why the manager exported it although incomplete (their words); `None` when complete.
    /// Absent before version 4.
    #[serde(default)]
    pub incomplete_export_reason: Option<String>,
    /// SHA-256 of the DER public key that signs the package.
    pub public_key_sha256: String,
    /// `SM2-with-SM3`.
    pub signature_algorithm: String,
    /// The SM2 distinguishing ID.
    pub distinguishing_id: String,
    /// Required materials still owed, to follow: those an alternative stands in for only for now
    /// (the inspection video for `manager_with_storefront`) and the go-live materials not given
    /// yet (due at go-live; status `missing`, no `satisfied_by`). Absent before version 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<Vec<String>>,
}

/// The checklist with each item's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ChecklistSection {
    /// The rule file's format version.
    pub rules_version: u32,
    pub summary: ChecklistSummary,
    pub items: Vec<ItemEntry>,
    pub fields: Vec<FieldEntry>,
}

/// The checklist's counts for a summary line: in `case.json` and, with the files waiting in the
/// tray beside them, in the app's check of a case (`intake_core`'s `CheckSummary`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct ChecklistSummary {
    pub required: u32,
    pub ok: u32,
    pub present: u32,
    pub incomplete: u32,
    pub missing: u32,
    pub error_findings: u32,
    pub warning_findings: u32,
    pub fields_required: u32,
    pub fields_missing: u32,
    pub fields_invalid: u32,
}

/// One material of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ItemEntry {
    pub key: String,
    pub stage: Stage,
    pub group: String,
    pub title_zh: String,
    pub title_en: String,
    pub provided_by: Provider,
    pub applicable: bool,
    pub required: bool,
    pub optional: bool,
    pub min_files: u32,
    pub alternative_to: Option<String>,
    pub status: ItemStatus,
    /// The alternative that gave the status.
    pub satisfied_by: Option<String>,
    /// Still owed, to follow: an alternative stands in only for now, or (a go-live material
    /// with no file) it is due at go-live. Absent before version 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_follow: Option<bool>,
    /// Stamps, signatures and other marks the item asks the manager to attest.
    pub attestations_required: Vec<Mark>,
    /// Of those, the ones no file of the item carries.
    pub missing_attestations: Vec<Mark>,
    pub files_short: u32,
    pub error_findings: u32,
    /// Paths in the package of the item's files.
    pub files: Vec<String>,
}

/// One piece of recorded data. Personal values are masked, as the app shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FieldEntry {
    pub key: String,
    pub group: String,
    pub title_zh: String,
    pub title_en: String,
    pub required: bool,
    pub applicable: bool,
    pub personal: bool,
    /// `missing`, `invalid`, `warning`, `ok`, `not_applicable`.
    pub status: String,
    pub display_value: Option<String>,
    pub override_reason: Option<String>,
}

/// One evidence file with its facts, attestation and findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FileEntry {
    /// Path in the package (`data/<stage>/<material>/<nn>-<name>`).
    pub path: String,
    pub material: String,
    /// The stage key, or `unlisted` for a material the rule file no longer has.
    pub stage: String,
    /// The `nn` of the name: import order within the material, from 1.
    pub number: u32,
    pub original_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub media_type: String,
    pub imported_at: DateTime<Utc>,
    /// For an identity document exported watermarked: the copy in the package. `sha256` and
    /// `bytes` above stay the original's (the vault's and `check`'s).
    pub watermarked_copy: Option<WatermarkedCopyEntry>,
    /// What the manager last attested on the file.
    pub attestation: Option<AttestationEntry>,
    /// False while the evidence checks could not read the file (its item stays `present`).
    pub checked: bool,
    /// What the file says about itself (`intake inspect`).
    pub facts: FileFacts,
    pub findings: Vec<FindingEntry>,
}

/// The watermarked copy of an identity document, as it is in the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatermarkedCopyEntry {
    /// SHA-256 of the copy (the one `manifest-sha256.txt` lists).
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// `image/jpeg` or `image/png`.
    pub media_type: String,
    /// The text drawn on it, date included.
    pub text: String,
}

/// The latest attestation of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct AttestationEntry {
    pub marks: Vec<Mark>,
    pub recorded_at: DateTime<Utc>,
}

/// The facts the evidence checks read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FileFacts {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub orientation: Option<u16>,
    pub exif: Option<ExifSummary>,
    pub pixels: Option<PixelSummary>,
    pub skipped_checks: Vec<SkippedCheck>,
    /// Why the file could not be read, when it could not.
    pub error: Option<String>,
    /// Metres from the premises (WGS-84), when both positions are known.
    pub distance_to_site_m: Option<f64>,
}

/// One finding about a file, file-level or case-level, as `intake check` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FindingEntry {
    /// A finding code of `interfaces.md`.
    pub code: String,
    pub severity: Severity,
    /// The Chinese sentence, then the English one.
    pub message: String,
    /// Who accepted it and why; then it kept nothing from being complete. Absent before
    /// version 4.
    #[serde(default)]
    pub accepted: Option<AcceptanceEntry>,
}

/// Serialises the document: pretty, UTF-8, with a final newline.
pub fn to_json_bytes(document: &CaseDocument) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("the case document serialises");
    bytes.push(b'\n');
    bytes
}

/// Every schema violation of a `case.json` value, as `path: message` lines (empty when valid).
pub fn schema_violations(value: &serde_json::Value) -> Vec<String> {
    // A document that says it is version 2, 3 or 4 is held to that version; anything else to
    // the current one.
    let text = if value["schema"] == CASE_SCHEMA_V2_ID {
        CASE_SCHEMA_V2
    } else if value["schema"] == CASE_SCHEMA_V3_ID {
        CASE_SCHEMA_V3
    } else if value["schema"] == CASE_SCHEMA_V4_ID {
        CASE_SCHEMA_V4
    } else {
        CASE_SCHEMA
    };
    let schema: serde_json::Value = serde_json::from_str(text).expect("the embedded schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the embedded schema is a valid JSON Schema");
    validator
        .iter_errors(value)
        .map(|error| {
            let at = error.instance_path().to_string();
            format!("{}: {error}", if at.is_empty() { "/" } else { at.as_str() })
        })
        .collect()
}
