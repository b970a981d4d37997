//! The submission package: what leaves the laptop.
//!
//! A zip that is a BagIt 1.0 bag (RFC 8493) with SHA-256 manifests, following the BagIt
//! profile `assets/bagit-profile/merchant-intake-v1.json`; the layout is in [`layout`].
//! It holds every evidence file byte for byte, `data/case.json` (the case, its checklist with
//! statuses and attestations, every file's facts and findings; schema in [`document`]), a
//! self-contained HTML report ([`report`]), and an SM2 signature over the tag manifest with
//! the installation's public key ([`crate::signing`]). [`verify`] checks a package.
//!
//! ```no_run
//! # fn main() -> intake_core::Result<()> {
//! let folder = intake_core::DataFolder::open(std::path::Path::new("/tmp/intake-demo"))?;
//! let options = intake_core::package::ExportOptions::default();
//! let summary = folder.export_case("20261120-ABCDEF", std::path::Path::new("case.zip"), &options)?;
//! println!("{} files, {} bytes", summary.payload_files, summary.bytes);
//! # Ok(()) }
//! ```
//!
//! Reproducible: the same case, packed twice by the same program and installation, gives the
//! same bytes. Entries are written in byte order of their names; every entry's time is the
//! case's last change (UTC+8 wall time); `Bagging-Date` is that change's date, not today;
//! text is deflated at a fixed level and already-compressed media stored; the signature is
//! deterministic (RFC 6979). The findings are those of `intake check`: the file-level ones
//! the evidence checks stored at import, and the case-level ones.
//!
//! Streaming: evidence files go from the vault into the zip in 1 MiB pieces, hashed on the
//! way (a file that no longer matches its SHA-256 stops the export). Memory does not grow
//! with the case; thumbnails come from the vault's cache, and one that is missing is made
//! holding one image per thread (a few threads, each image up to the evidence checks' size
//! limit). The zip is written to a temp file beside the target, fsynced and
//! renamed into place, so a crash never leaves a half-written package under the target name.
//!
//! The sealed outbox: every export queues its package in the vault (`vault/outbox/<sha256>.zip`,
//! encrypted when the folder is), which is what `upload` sends. [`crate::DataFolder::export_to_outbox`]
//! writes nothing else; [`crate::DataFolder::export_case`] also writes a plain copy where the manager
//! asks (另存为…), which the data folder's passphrase does not protect. The sealed package is
//! written in two passes, so that no byte of it is ever on the disk in clear (`sealed_zip`).
//!
//! An export's steps are in [`export`]; the folder's methods that run them in
//! `data_folder::package`.

pub(crate) mod export;
pub mod report;
mod sealed_zip;
// The package format, `verify` and its trust anchors and chain continuity are intake-bag's;
// they keep their paths here.
pub use intake_bag::{codes, continuity, document, layout, trust, verify, verify_text, zip_format};

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::case::Case;
use crate::checklist::{CaseCheck, CaseFinding, ItemStatus};
use crate::database::EvidenceRecord;
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::FileInspection;
use crate::evidence::datum::{self, LatLon};
use crate::settings::Settings;
use crate::signing::{DISTINGUISHING_ID, InstallationKey};
use crate::vault::Vault;
use document::{
    AcceptanceEntry, AttestationEntry, CaseDocument, CaseSection, ChecklistSection, FieldEntry, FileEntry, FileFacts,
    FindingEntry, ItemEntry, NoteEntry, PackageSection, SiteSection, WithdrawnFileEntry,
};

/// The program that packs, as written into `bag-info.txt` and `case.json`.
pub const SOFTWARE: &str = concat!("Merchant Intake ", env!("CARGO_PKG_VERSION"));

/// The fixed deflate level of text entries (part of what makes packing reproducible).
const DEFLATE_LEVEL: i64 = 6;

const COPY_BUFFER_BYTES: usize = 1 << 20;

/// The most threads that make thumbnails during an export (each holds one file).
const MAX_THUMBNAIL_THREADS: usize = 4;

/// How to export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportOptions {
    /// Export even while required materials are missing or error findings stand; the package
    /// says so in `bag-info.txt` (`Intake-Allow-Incomplete: true`), `case.json` and the report.
    pub allow_incomplete: bool,
    /// Why the manager exports it although incomplete: required when it is (refused without),
    /// written into `bag-info.txt` (`Intake-Incomplete-Reason`), `case.json` and the report.
    #[serde(default)]
    #[ts(optional)]
    pub incomplete_reason: Option<String>,
    /// Put watermarked copies of identity documents in the package (`crate::watermark`)
    /// rather than the originals; `None` follows the settings' `watermark_id_copies`.
    #[serde(default)]
    #[ts(optional)]
    pub watermark: Option<bool>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    #[allow(missing_docs)]
    pub case_id: String,
    /// The package written.
    pub path: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Its SHA-256: the package's name in the outbox and in the storage.
    pub sha256: String,
    /// Files under `data/`, `case.json` and the report included.
    #[ts(type = "number")]
    pub payload_files: u64,
    /// Their total size (`Payload-Oxum`).
    #[ts(type = "number")]
    pub payload_bytes: u64,
    /// Every required material `ok`, no error finding, no field problem.
    pub complete: bool,
    /// Exported although incomplete.
    pub allow_incomplete: bool,
    /// What keeps it from being complete.
    pub incomplete_reasons: Vec<String>,
    /// The manager's reason for exporting it although incomplete.
    pub incomplete_export_reason: Option<String>,
    /// Withdrawn files listed in it without their bytes.
    pub withdrawn_files: u32,
    /// `Bagging-Date`: the date of the case's last change.
    #[ts(type = "string")]
    pub bagging_date: NaiveDate,
    /// SHA-256 of the signing public key (DER).
    pub public_key_sha256: String,
    /// The package queued for upload in the data folder's outbox (`vault/outbox/<sha256>.zip`).
    pub sealed_path: String,
    /// Whether that queued package is encrypted (it is when the data folder is).
    pub sealed_encrypted: bool,
    /// The plain copy written where the manager asked (`--out`, 另存为…), if any: it is NOT
    /// encrypted, whatever the data folder is.
    pub unencrypted_copy: Option<String>,
    /// Identity documents that went in as watermarked copies.
    pub watermarked_files: u32,
}

/// The step an export is at; they come in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportPhase {
    /// Checking the case (checklist, findings, fields), taking each file's stored facts and
    /// thumbnail, and making the watermarked copies of identity documents.
    Checking,
    /// Writing `case.json`, the report and the manifests, and signing the tag manifest.
    Signing,
    /// Copying every file into the zip; each evidence file is hashed on the way and must
    /// still match the SHA-256 it was stored under.
    Writing,
    /// Flushing the zip to disk, renaming it into place and hashing it for the outbox.
    Finishing,
    /// The package is written and queued in the outbox.
    Done,
}

/// Where an export stands ([`crate::DataFolder::export_case_with_progress`]; the app sends each as
/// an `export-progress` event). Counts never go down from one report to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportProgress {
    #[allow(missing_docs)]
    pub case_id: String,
    #[allow(missing_docs)]
    pub phase: ExportPhase,
    /// Files written into the zip so far (payload and tag files).
    pub files_done: u32,
    /// Files the zip will hold.
    pub files_total: u32,
    /// Bytes of content (before compression) written into the zip so far.
    #[ts(type = "number")]
    pub bytes_done: u64,
    /// Bytes of content the zip will hold; 0 during `checking`, before the generated files exist.
    #[ts(type = "number")]
    pub bytes_total: u64,
}

/// Sends an export's progress to its listener: at every phase, after every file written, and
/// every [`PROGRESS_EVERY_BYTES`] inside a large one (a video can take a while to copy).
pub(crate) struct ExportReporter<'a> {
    listener: &'a mut dyn FnMut(&ExportProgress),
    state: ExportProgress,
    reported_bytes: u64,
    /// False during the first of the two passes of a sealed package (`sealed_zip`): its files
    /// are counted once, in the pass that writes them.
    counting_files: bool,
}

/// How many bytes of one large file are copied between two progress reports.
const PROGRESS_EVERY_BYTES: u64 = 8 << 20;

impl ExportReporter<'_> {
    fn report(&mut self) {
        self.reported_bytes = self.state.bytes_done;
        (self.listener)(&self.state);
    }

    pub(crate) fn phase(&mut self, phase: ExportPhase) {
        self.state.phase = phase;
        self.report();
    }

    fn bytes_copied(&mut self, count: u64) {
        self.state.bytes_done += count;
        if self.state.bytes_done - self.reported_bytes >= PROGRESS_EVERY_BYTES {
            self.report();
        }
    }

    fn file_written(&mut self) {
        if self.counting_files {
            self.state.files_done += 1;
        }
        self.report();
    }
}

/// One evidence file on its way into the package.
struct PackedFile {
    record: EvidenceRecord,
    path: String,
    stage: String,
    number: u32,
    /// The facts the evidence checks stored; `None` while the file could not be checked.
    inspection: Option<FileInspection>,
    /// Its findings, file-level and case-level.
    findings: Vec<CaseFinding>,
    thumbnail: Option<String>,
    distance_to_site_m: Option<f64>,
    /// The watermarked copy that goes in place of an identity document, and its bytes.
    watermarked: Option<(document::WatermarkedCopyEntry, Vec<u8>)>,
}

/// One entry of the zip: its content in memory (tag files, case.json, report) or an
/// evidence file streamed from the vault.
enum EntrySource {
    Memory(Vec<u8>),
    Vault { sha256: String, bytes: u64 },
}

struct Entry {
    source: EntrySource,
    compress: bool,
}

impl Entry {
    /// The size of its content.
    fn bytes(&self) -> u64 {
        match &self.source {
            EntrySource::Memory(content) => content.len() as u64,
            EntrySource::Vault { bytes, .. } => *bytes,
        }
    }
}

/// The payload's entries: each evidence file (its watermarked copy in memory, or its vault
/// object, streamed), `case.json` and the report.
fn payload_entries(files: &mut [PackedFile], case_json: Vec<u8>, report_html: Vec<u8>) -> BTreeMap<String, Entry> {
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for file in files {
        let entry = match file.watermarked.take() {
            Some((copy, bytes)) => {
                Entry { source: EntrySource::Memory(bytes), compress: layout::is_worth_deflating(&copy.media_type) }
            }
            None => Entry {
                source: EntrySource::Vault { sha256: file.record.sha256.clone(), bytes: file.record.bytes },
                compress: layout::is_worth_deflating(&file.record.media_type),
            },
        };
        entries.insert(file.path.clone(), entry);
    }
    entries.insert(layout::CASE_JSON.into(), Entry { source: EntrySource::Memory(case_json), compress: true });
    entries.insert(layout::REPORT_HTML.into(), Entry { source: EntrySource::Memory(report_html), compress: true });
    entries
}

/// The payload manifest, from the hashes the vault names its objects by (checked again while
/// streaming) and those of the generated files; and the payload's size.
fn payload_manifest(entries: &BTreeMap<String, Entry>) -> (String, u64) {
    let mut payload_bytes = 0u64;
    let mut manifest = String::new();
    for (name, entry) in entries {
        let sha256 = match &entry.source {
            EntrySource::Memory(content) => crate::vault::hex(&Sha256::digest(content)),
            EntrySource::Vault { sha256, .. } => sha256.clone(),
        };
        payload_bytes += entry.bytes();
        manifest.push_str(&format!("{sha256}  {name}\n"));
    }
    (manifest, payload_bytes)
}

/// Adds the tag files to `entries`: `bagit.txt`, `bag-info.txt`, the payload manifest, the
/// public key and the audit chain, then the tag manifest over them and its signature by `key`.
fn add_signed_tag_files(
    entries: &mut BTreeMap<String, Entry>,
    bag_info: String,
    manifest: String,
    key: &InstallationKey,
    chain: &[crate::audit::AuditEntry],
) {
    let mut tag_files: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    tag_files.insert(layout::BAGIT_TXT, layout::BAGIT_TXT_CONTENT.as_bytes().to_vec());
    tag_files.insert(layout::BAG_INFO_TXT, bag_info.into_bytes());
    tag_files.insert(layout::MANIFEST, manifest.into_bytes());
    tag_files.insert(layout::PUBLIC_KEY, key.public_key_pem().as_bytes().to_vec());
    tag_files.insert(layout::AUDIT_LOG, crate::audit::to_jsonl(chain));
    let mut tag_manifest = String::new();
    for (name, content) in &tag_files {
        tag_manifest.push_str(&format!("{}  {name}\n", crate::vault::hex(&Sha256::digest(content))));
    }
    let signature = key.sign(tag_manifest.as_bytes());
    tag_files.insert(layout::TAG_MANIFEST, tag_manifest.into_bytes());
    tag_files.insert(layout::SIGNATURE, signature);
    for (name, content) in tag_files {
        entries.insert(name.to_string(), Entry { source: EntrySource::Memory(content), compress: true });
    }
}

/// The thumbnail of a stored file, for the report, from the vault's cache (made there if
/// missing); `None` for what is not a picture this program decodes.
fn thumbnail_of_stored(vault: &Vault, record: &EvidenceRecord) -> Result<Option<String>> {
    if !record.media_type.starts_with("image/") {
        return Ok(None);
    }
    Ok(crate::evidence::thumbnail::cached_thumbnail(vault, &record.sha256)?.map(|jpeg| report::jpeg_data_uri(&jpeg)))
}

/// `invalid_input` while the branch or the manager's name is not set: the package names who
/// submits it.
pub(crate) fn require_identity(settings: &Settings) -> Result<()> {
    let mut missing = Vec::new();
    if settings.branch.trim().is_empty() {
        missing.push("the branch (分公司, --branch)");
    }
    if settings.manager_name.trim().is_empty() {
        missing.push("the account manager's name (客户经理, --manager)");
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!(
            "set {} first with `intake settings`: the package names who submits it (请先设置分公司和客户经理)",
            missing.join(" and ")
        ),
    ))
}

/// One sentence per thing that keeps the case from being complete.
fn incomplete_reasons(check: &CaseCheck) -> Vec<String> {
    let mut reasons = Vec::new();
    // One due at go-live is to follow, listed in `follow_up`, not a reason the package is incomplete.
    for item in
        check.items.iter().filter(|item| item.item.required && item.status != ItemStatus::Ok && !item.due_at_golive)
    {
        let mut reason =
            format!("{} {}: {} {}", item.item.title_zh, item.item.key, item.status.label_zh(), item.status.key());
        if !item.missing_attestations.is_empty() {
            let marks: Vec<&str> = item.missing_attestations.iter().map(|mark| mark.label_zh()).collect();
            reason.push_str(&format!(" (未确认 not attested: {})", marks.join("、")));
        }
        reasons.push(reason);
    }
    let errors = check.findings.iter().filter(|finding| finding.blocks()).count();
    if errors > 0 {
        reasons.push(format!("{errors} 个错误级问题 error finding(s)"));
    }
    for field in check.fields.iter().filter(|field| field.field.required) {
        match field.status {
            crate::checklist::FieldStatus::Missing => {
                reasons.push(format!("{} {}: 未填写 missing", field.field.title_zh, field.field.key))
            }
            crate::checklist::FieldStatus::Invalid => {
                reasons.push(format!("{} {}: 无效 invalid", field.field.title_zh, field.field.key))
            }
            _ => {}
        }
    }
    reasons
}

/// Wall time in China (UTC+8, no daylight saving).
fn china_time(instant: DateTime<Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    instant.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
}

/// The zip entries' time: the case's last change, UTC+8 wall time (zip times have no zone),
/// clamped to the range MS-DOS times can hold.
fn zip_time(instant: DateTime<Utc>) -> zip::DateTime {
    let local = china_time(instant);
    let year = local.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        year,
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)] // each is a distinct line of bag-info.txt
fn bag_info(
    case: &Case,
    settings: &Settings,
    bagging_date: NaiveDate,
    payload_bytes: u64,
    payload_files: u64,
    allow_incomplete: bool,
    complete: bool,
    incomplete_export_reason: Option<&str>,
    key: &InstallationKey,
    chain: &[crate::audit::AuditEntry],
    follow_up: &[&str],
) -> String {
    let one_line = |text: &str| text.replace(['\r', '\n'], " ");
    let lines = [
        ("BagIt-Profile-Identifier", layout::PROFILE_IDENTIFIER.to_string()),
        ("Source-Organization", one_line(&settings.branch)),
        ("Contact-Name", one_line(&settings.manager_name)),
        ("External-Identifier", case.id.clone()),
        ("External-Description", one_line(&format!("商户入网资料 Merchant onboarding file: {}", case.merchant_name))),
        ("Bagging-Date", bagging_date.to_string()),
        ("Payload-Oxum", format!("{payload_bytes}.{payload_files}")),
        ("Bag-Software-Agent", SOFTWARE.to_string()),
        ("Intake-Case-Updated-At", case.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        ("Intake-Complete", complete.to_string()),
        ("Intake-Allow-Incomplete", allow_incomplete.to_string()),
        ("Intake-Public-Key-SHA256", key.fingerprint().to_string()),
        ("Intake-Signature", format!("SM2-with-SM3, distid {DISTINGUISHING_ID}, DER, over {}", layout::TAG_MANIFEST)),
        // Signed here (bag-info.txt is in the tag manifest) so that a log cut short at its end,
        // which is still a whole chain, does not pass.
        ("Intake-Audit-Head", crate::audit::head_hash(chain).to_string()),
        ("Intake-Audit-Length", chain.len().to_string()),
    ];
    let mut text: String = lines.iter().map(|(label, value)| format!("{label}: {value}\n")).collect();
    // What an alternative stands in for only for now (the inspection video for the manager's
    // photo with the storefront) and the go-live materials due at go-live: still owed, to
    // follow. One line per material.
    for key in follow_up {
        text.push_str(&format!("Intake-Follow-Up: {key}\n"));
    }
    // Only in a package exported although incomplete: the manager's words, on one line.
    if let Some(reason) = incomplete_export_reason {
        text.push_str(&format!("Intake-Incomplete-Reason: {}\n", one_line(reason)));
    }
    text
}

#[allow(clippy::too_many_arguments)] // the parts of the document
fn case_document(
    case: &Case,
    settings: &Settings,
    check: &CaseCheck,
    files: &[PackedFile],
    key: &InstallationKey,
    bagging_date: NaiveDate,
    allow_incomplete: bool,
    incomplete_reasons: &[String],
) -> CaseDocument {
    let path_of: HashMap<i64, &str> = files.iter().map(|file| (file.record.id, file.path.as_str())).collect();
    let site = case.site.map(|site| {
        let wgs84 = datum::to_wgs84(LatLon::new(site.lat, site.lon), site.datum);
        SiteSection {
            lat: site.lat,
            lon: site.lon,
            datum: site.datum,
            radius_m: site.radius_or(settings.thresholds.site_radius_m),
            wgs84_lat: wgs84.lat,
            wgs84_lon: wgs84.lon,
        }
    });
    let summary = check.summary;
    let items = check
        .items
        .iter()
        .map(|checked| {
            let item = &checked.item;
            ItemEntry {
                key: item.key.clone(),
                stage: item.stage,
                group: item.group.clone(),
                title_zh: item.title_zh.clone(),
                title_en: item.title_en.clone(),
                provided_by: item.provided_by,
                applicable: item.applicable,
                required: item.required,
                optional: item.optional,
                min_files: item.min_files,
                alternative_to: item.alternative_to.clone(),
                status: checked.status,
                satisfied_by: checked.satisfied_by.clone(),
                to_follow: Some(checked.to_follow),
                attestations_required: item.attestations.clone(),
                missing_attestations: checked.missing_attestations.clone(),
                files_short: checked.files_short,
                error_findings: checked.error_findings,
                files: checked
                    .files
                    .iter()
                    .filter_map(|file| path_of.get(&file.evidence_id).map(|path| path.to_string()))
                    .collect(),
            }
        })
        .collect();
    let fields = check
        .fields
        .iter()
        .map(|checked| FieldEntry {
            key: checked.field.key.clone(),
            group: checked.field.group.clone(),
            title_zh: checked.field.title_zh.clone(),
            title_en: checked.field.title_en.clone(),
            required: checked.field.required,
            applicable: checked.field.applicable,
            personal: checked.field.personal,
            status: serde_json::to_value(checked.status)
                .ok()
                .and_then(|value| value.as_str().map(String::from))
                .unwrap_or_default(),
            display_value: checked.display_value.clone(),
            override_reason: checked.override_reason.clone(),
        })
        .collect();
    let attestation_of: HashMap<i64, AttestationEntry> = check
        .items
        .iter()
        .flat_map(|item| item.files.iter())
        .chain(check.unlisted_files.iter().map(|unlisted| &unlisted.file))
        .filter_map(|file| {
            file.attested_at
                .map(|at| (file.evidence_id, AttestationEntry { marks: file.marks.clone(), recorded_at: at }))
        })
        .collect();
    let file_entries = files
        .iter()
        .map(|file| {
            let inspection = file.inspection.as_ref();
            FileEntry {
                path: file.path.clone(),
                material: file.record.material_key.clone(),
                stage: file.stage.clone(),
                number: file.number,
                original_name: file.record.original_name.clone(),
                sha256: file.record.sha256.clone(),
                bytes: file.record.bytes,
                media_type: file.record.media_type.clone(),
                imported_at: file.record.imported_at,
                watermarked_copy: file.watermarked.as_ref().map(|(copy, _)| copy.clone()),
                attestation: attestation_of.get(&file.record.id).cloned(),
                checked: inspection.is_some(),
                facts: FileFacts {
                    width: inspection.and_then(|inspection| inspection.width),
                    height: inspection.and_then(|inspection| inspection.height),
                    orientation: inspection.and_then(|inspection| inspection.orientation),
                    exif: inspection.and_then(|inspection| inspection.exif.clone()),
                    pixels: inspection.and_then(|inspection| inspection.pixels.clone()),
                    skipped_checks: inspection.map(|inspection| inspection.skipped_checks.clone()).unwrap_or_default(),
                    error: inspection.and_then(|inspection| inspection.error.clone()),
                    distance_to_site_m: file.distance_to_site_m,
                },
                findings: file
                    .findings
                    .iter()
                    .map(|finding| FindingEntry {
                        code: finding.code.key().to_string(),
                        severity: finding.severity,
                        message: finding.message.clone(),
                        accepted: finding.accepted.as_ref().map(|acceptance| AcceptanceEntry {
                            reason: acceptance.reason.clone(),
                            accepted_by: acceptance.accepted_by.clone(),
                            accepted_at: acceptance.accepted_at,
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    CaseDocument {
        schema: document::CASE_SCHEMA_ID.to_string(),
        thresholds: Some(settings.thresholds.clone()),
        case: CaseSection {
            id: case.id.clone(),
            merchant_name: case.merchant_name.clone(),
            attributes: case.attributes.clone(),
            visit_date: case.visit_date,
            site,
            created_at: case.created_at,
            updated_at: case.updated_at,
        },
        package: PackageSection {
            bagging_date,
            source_organization: settings.branch.clone(),
            contact_name: settings.manager_name.clone(),
            software: SOFTWARE.to_string(),
            complete: incomplete_reasons.is_empty(),
            allow_incomplete,
            incomplete_reasons: incomplete_reasons.to_vec(),
            incomplete_export_reason: None,
            public_key_sha256: key.fingerprint().to_string(),
            signature_algorithm: "SM2-with-SM3".to_string(),
            distinguishing_id: DISTINGUISHING_ID.to_string(),
            follow_up: Some(check.follow_up().into_iter().map(String::from).collect()),
        },
        checklist: ChecklistSection { rules_version: check.rules_version, summary: summary.counts, items, fields },
        files: file_entries,
        withdrawn_files: Vec::new(),
        notes: Vec::new(),
    }
}

fn withdrawn_entry(file: &crate::database::WithdrawnFile) -> WithdrawnFileEntry {
    let record = &file.evidence;
    WithdrawnFileEntry {
        material: record.material_key.clone(),
        original_name: record.original_name.clone(),
        sha256: record.sha256.clone(),
        bytes: record.bytes,
        media_type: record.media_type.clone(),
        imported_at: record.imported_at,
        reason: file.reason.clone(),
        withdrawn_at: file.withdrawn_at,
        withdrawn_by: file.withdrawn_by.clone(),
    }
}

fn note_entry(note: &crate::database::NoteRecord) -> NoteEntry {
    NoteEntry {
        sha256: note.sha256.clone(),
        material: note.material.clone(),
        text: note.text.clone(),
        written_by: note.written_by.clone(),
        written_at: note.written_at,
    }
}
