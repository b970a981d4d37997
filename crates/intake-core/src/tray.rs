//! The 未分类 tray: files taken in before anyone said which material they are.
//!
//! At a noisy counter the manager copies a whole phone folder (dozens of photos, screenshots,
//! PDFs) at once. Each file is imported like any other ([`crate::DataFolder::add_unsorted_files`]:
//! the same pipeline as `add`, byte-for-byte into the vault under its SHA-256, crash-safe,
//! its facts read, a `file_added` audit entry) into a slot of its own, the material key
//! [`UNSORTED_MATERIAL`], which no rule file may use. A file in the tray is in no slot of the
//! checklist: `Database::case_evidence` leaves it out, so no check, duplicate lookup,
//! drawing or package sees it, as for a withdrawn file.
//!
//! [`crate::DataFolder::unsorted_tray`] lists the tray with a suggested material for each file,
//! from what the core knows of it ([`FileKind`]: camera EXIF, a screenshot's name or screen
//! proportions, a PDF, a video) and from which materials of the case still lack files; the
//! rule file says which kind of file each material is (`file_kinds`). A suggestion is only a
//! default choice: nothing moves until [`crate::DataFolder::assign_unsorted_files`] is called, which
//! is the correction `move` (a `file_moved` audit entry from `unsorted`), so an assigned file
//! gets exactly the checks a file imported into that material gets (the findings are derived
//! from where a file is, never stored). Documents are read after an assignment as after an
//! import (the front-ends call `read_documents`, as they do after `add`).
//!
//! What stays in the tray blocks the export, even an incomplete one
//! (`unsorted_files_remain`): head office must be able to tell that every file the manager
//! took in is either in its slot or withdrawn with a reason (the package lists withdrawn
//! files), and the package's audit chain logs each tray file as added, so a package that
//! silently left one out would fail `verify` (`logged_file_missing`). Files that do not
//! belong to the case are withdrawn (撤回, with a reason), like any file.

use std::collections::HashMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checklist::{CaseFinding, Checklist, Rules};
use crate::corrections::{MAX_REASON_CHARS, required_text};
use crate::database::{Database, EvidenceRecord, WithdrawnFile};
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::evidence::file_type::FileType;
use crate::evidence::{FileInspection, Thresholds};

/// The material key of the 未分类 tray. Not a material: a rule file that declares it is refused.
pub const UNSORTED_MATERIAL: &str = "unsorted";

/// What kind of file a material usually is (the rule file's `file_kinds`), and what the tray
/// takes a file for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileKind {
    /// A photo from a camera (EXIF names the camera): the photos taken at the premises.
    CameraPhoto,
    /// A screenshot (a map app's position, a platform's pages).
    Screenshot,
    /// A document: a PDF, a scan, a photo of a form.
    Document,
    /// A video (the inspection video).
    Video,
}

/// What the tray saw in a file that made it take it for its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KindSign {
    /// Its EXIF names the camera (make or model).
    CameraExif,
    /// An image whose metadata names no camera.
    NoCameraExif,
    /// Its name is a screenshot's (the settings' 截图文件名 list: Screenshot, 截屏…).
    ScreenshotName,
    /// A tall image with a phone screen's proportions (at least 2:1, or 16:9 as PNG).
    ScreenProportions,
    /// A PDF.
    Pdf,
    /// An OFD or an office file (Word, Excel…).
    OtherDocument,
    /// A video.
    VideoFile,
    /// Its facts could not be read: nothing is suggested.
    NotRead,
}

/// One file waiting in the tray, with what the core suggests for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnsortedFile {
    /// The file as recorded (material key [`UNSORTED_MATERIAL`]).
    pub evidence: EvidenceRecord,
    /// What it looks like; `None` when nothing says (an image without camera data that does
    /// not look like a screenshot: a forwarded photo or a scan).
    pub kind: Option<FileKind>,
    /// Why it was taken for that kind.
    pub signs: Vec<KindSign>,
    /// The material offered as the default choice: the first applicable material of its kind
    /// that still lacks files (required ones first), counting the files suggested before it
    /// in the tray; `None` when none fits or when the same bytes are already in a slot.
    pub suggested_material: Option<String>,
    /// The applicable materials of its kind, in the checklist's order, required ones first
    /// (what a front-end lists first).
    pub candidates: Vec<String>,
    /// Materials of this case that already hold the same bytes (a second copy of a file).
    pub already_in: Vec<String>,
    /// Pixel size as stored, where known.
    pub width: Option<u32>,
    #[allow(missing_docs)]
    pub height: Option<u32>,
    /// The EXIF capture time as written (local time, no zone), where there is one.
    pub captured_at: Option<String>,
    /// The camera's make and model, where the EXIF names them.
    pub camera: Option<String>,
}

/// A case's 未分类 tray.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnsortedTray {
    #[allow(missing_docs)]
    pub case_id: String,
    /// The files waiting, in import order.
    pub files: Vec<UnsortedFile>,
}

/// What assigning one file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssignOutcome {
    /// The file's record id.
    pub evidence_id: i64,
    /// The file as now recorded, in its material; `None` when it was not assigned.
    pub evidence: Option<EvidenceRecord>,
    /// Its findings in that material (the same as a direct import into it gives).
    pub findings: Vec<CaseFinding>,
    /// Why it was not assigned.
    pub error: Option<ErrorReport>,
}

/// `Ok` for a material of the rules or the tray: where an import may put files.
pub(crate) fn require_import_slot(rules: &Rules, key: &str) -> Result<()> {
    if key == UNSORTED_MATERIAL { Ok(()) } else { rules.require_material(key) }
}

/// What kind of file this is, and why, from its media type, name and facts.
pub fn classify_file(
    media_type: &str,
    name: &str,
    inspection: Option<&FileInspection>,
    screenshot_words: &[String],
) -> (Option<FileKind>, Vec<KindSign>) {
    if media_type.starts_with("video/") {
        return (Some(FileKind::Video), vec![KindSign::VideoFile]);
    }
    match FileType::of(media_type, name) {
        FileType::Pdf => return (Some(FileKind::Document), vec![KindSign::Pdf]),
        other if other.is_document() => return (Some(FileKind::Document), vec![KindSign::OtherDocument]),
        _ => {}
    }
    if !media_type.starts_with("image/") {
        return (None, Vec::new());
    }
    let Some(inspection) = inspection else { return (None, vec![KindSign::NotRead]) };
    let names_camera = inspection
        .exif
        .as_ref()
        .is_some_and(|exif| exif.make.as_deref().is_some_and(|make| !make.trim().is_empty()) || exif.model.is_some());
    if names_camera {
        return (Some(FileKind::CameraPhoto), vec![KindSign::CameraExif]);
    }
    let lower = name.to_lowercase();
    let mut signs = vec![KindSign::NoCameraExif];
    if screenshot_words.iter().any(|word| !word.is_empty() && lower.contains(&word.to_lowercase())) {
        signs.push(KindSign::ScreenshotName);
    }
    if let (Some(width), Some(height)) = (inspection.width, inspection.height) {
        // Phones' screens are 19.5:9 and so (2.1-2.2), older ones 16:9; a camera's photo is
        // 4:3 or 16:9 and, here, names its camera. Only the tall shape counts: a 16:9 JPEG
        // without EXIF is as likely a forwarded photo, a 16:9 PNG a screenshot.
        let (short, long) = (width.min(height) as f64, width.max(height) as f64);
        let ratio = if short > 0.0 { long / short } else { 0.0 };
        let portrait = height > width;
        if portrait && (ratio >= 2.0 || (ratio >= 1.7 && media_type == "image/png")) {
            signs.push(KindSign::ScreenProportions);
        }
    }
    if signs.len() > 1 { (Some(FileKind::Screenshot), signs) } else { (None, signs) }
}

/// The tray's files (`waiting`, each with its stored facts) with their kind and suggested
/// material, given the case's checklist and the files already in its slots.
pub(crate) fn unsorted_tray(
    case_id: &str,
    checklist: &Checklist,
    rules: &Rules,
    thresholds: &Thresholds,
    in_slots: &[EvidenceRecord],
    waiting: Vec<(EvidenceRecord, Option<FileInspection>)>,
) -> UnsortedTray {
    // Files each material still lacks, counting down as files of the tray are suggested.
    let mut lacking: HashMap<&str, u32> = HashMap::new();
    for item in checklist.items.iter().filter(|item| item.applicable) {
        let held = in_slots.iter().filter(|record| record.material_key == item.key).count() as u32;
        lacking.insert(item.key.as_str(), item.min_files.saturating_sub(held));
    }
    let mut ordered: Vec<_> = checklist.items.iter().filter(|item| item.applicable).collect();
    // Stable: the checklist's order within required and within optional materials.
    ordered.sort_by_key(|item| !item.required);
    let mut files = Vec::with_capacity(waiting.len());
    for (record, inspection) in waiting {
        let (kind, signs) = classify_file(
            &record.media_type,
            &record.original_name,
            inspection.as_ref(),
            &thresholds.screenshot_file_names,
        );
        let candidates: Vec<String> = match kind {
            Some(kind) => ordered
                .iter()
                .filter(|item| rules.file_kinds(&item.key).contains(&kind))
                .map(|item| item.key.clone())
                .collect(),
            None => Vec::new(),
        };
        let already_in: Vec<String> = in_slots
            .iter()
            .filter(|other| other.sha256 == record.sha256)
            .map(|other| other.material_key.clone())
            .collect();
        let suggested_material = if already_in.is_empty() {
            candidates.iter().find(|key| lacking.get(key.as_str()).is_some_and(|count| *count > 0)).cloned()
        } else {
            None
        };
        if let Some(key) = &suggested_material
            && let Some(count) = lacking.get_mut(key.as_str())
        {
            *count -= 1;
        }
        let exif = inspection.as_ref().and_then(|inspection| inspection.exif.as_ref());
        let camera = exif.and_then(|exif| {
            let parts: Vec<&str> = [exif.make.as_deref(), exif.model.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        files.push(UnsortedFile {
            width: inspection.as_ref().and_then(|inspection| inspection.width),
            height: inspection.as_ref().and_then(|inspection| inspection.height),
            captured_at: exif.and_then(|exif| exif.datetime_original.clone()),
            camera,
            evidence: record,
            kind,
            signs,
            suggested_material,
            candidates,
            already_in,
        });
    }
    UnsortedTray { case_id: case_id.to_string(), files }
}

/// Moves each of `evidence_ids` from the tray of a stored case to `material` (checked to be a
/// material of `rules`), one transaction per file; a file not in the tray, or that cannot
/// move, is an outcome with its error. The outcomes' findings are left empty
/// ([`with_findings`] fills them).
pub(crate) fn move_to_material(
    database: &mut Database,
    rules: &Rules,
    case_id: &str,
    evidence_ids: &[i64],
    material: &str,
) -> Result<Vec<AssignOutcome>> {
    database.case(case_id)?;
    rules.require_material(material)?;
    let waiting = database.unsorted_evidence(case_id)?;
    let mut outcomes = Vec::with_capacity(evidence_ids.len());
    for &evidence_id in evidence_ids {
        let moved = match waiting.iter().find(|record| record.id == evidence_id) {
            Some(record) => database.move_evidence(record, material, Utc::now()),
            None => Err(not_in_tray(case_id, evidence_id)),
        };
        outcomes.push(match moved {
            Ok(evidence) => AssignOutcome { evidence_id, evidence: Some(evidence), findings: Vec::new(), error: None },
            Err(err) => {
                AssignOutcome { evidence_id, evidence: None, findings: Vec::new(), error: Some(ErrorReport::from(err)) }
            }
        });
    }
    Ok(outcomes)
}

/// Gives each assigned file of `outcomes` its findings among the case's `findings` (those of
/// its bytes in its new material).
pub(crate) fn with_findings(outcomes: &mut [AssignOutcome], findings: &[CaseFinding]) {
    for outcome in outcomes {
        if let Some(evidence) = &outcome.evidence {
            outcome.findings = findings
                .iter()
                .filter(|finding| finding.sha256 == evidence.sha256 && finding.material == evidence.material_key)
                .cloned()
                .collect();
        }
    }
}

/// Withdraws each of `evidence_ids`, files of the tray of case `case_id` (the correction 撤回),
/// stopping at the first that is not in the tray or cannot be withdrawn.
pub(crate) fn withdraw_unsorted_files(
    database: &mut Database,
    case_id: &str,
    evidence_ids: &[i64],
    reason: &str,
) -> Result<Vec<WithdrawnFile>> {
    required_text("a reason for withdrawing the file (撤回原因)", reason, MAX_REASON_CHARS)?;
    let waiting = database.unsorted_evidence(case_id)?;
    let mut withdrawn = Vec::with_capacity(evidence_ids.len());
    for &evidence_id in evidence_ids {
        if !waiting.iter().any(|record| record.id == evidence_id) {
            return Err(not_in_tray(case_id, evidence_id));
        }
        withdrawn.push(crate::corrections::withdraw_file(database, case_id, evidence_id, reason)?);
    }
    Ok(withdrawn)
}

fn not_in_tray(case_id: &str, evidence_id: i64) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("file {evidence_id} of case {case_id} is not in the 未分类 tray"))
}

/// One file of the tray of a stored case, by its original name or SHA-256 prefix.
pub(crate) fn find_unsorted_file(database: &Database, case_id: &str, file: &str) -> Result<EvidenceRecord> {
    database.case(case_id)?;
    let waiting = database.unsorted_evidence(case_id)?;
    crate::checklist::folder::pick_case_file(case_id, &waiting, file, None)
        .map_err(|err| Error::new(err.kind(), format!("{} (among the files of its 未分类 tray)", err.message())))
}

/// `unsorted_files_remain` while files wait in the case's tray: no package leaves with them
/// undecided (see the module documentation).
pub(crate) fn refuse_unsorted_files(database: &Database, case_id: &str) -> Result<()> {
    let waiting = database.unsorted_evidence(case_id)?;
    if waiting.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = waiting.iter().take(5).map(|record| record.original_name.as_str()).collect();
    Err(Error::new(
        ErrorKind::UnsortedFilesRemain,
        format!(
            "case {case_id} has {} file(s) in the 未分类 tray ({}{}): assign each to a material or withdraw it \
             with a reason before exporting (请先分配或撤回未分类文件)",
            waiting.len(),
            names.join(", "),
            if waiting.len() > names.len() { ", …" } else { "" }
        ),
    ))
}
