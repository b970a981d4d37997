//! The 未分类 tray: files taken in before anyone said which material they are.
//!
//! At a noisy counter the manager copies a whole phone folder (dozens of photos, screenshots,
//! PDFs) at once. Each file is imported like any other ([`DataFolder::add_unsorted_files`]:
//! the same pipeline as `add`, byte-for-byte into the vault under its SHA-256, crash-safe,
//! its facts read, a `file_added` audit entry) into a slot of its own, the material key
//! [`UNSORTED_MATERIAL`], which no rule file may use. A file in the tray is in no slot of the
//! checklist: `Database::case_evidence` leaves it out, so no check, duplicate lookup,
//! drawing or package sees it, as for a withdrawn file.
//!
//! [`DataFolder::unsorted_tray`] lists the tray with a suggested material for each file,
//! from what the core knows of it ([`FileKind`]: camera EXIF, a screenshot's name or screen
//! proportions, a PDF, a video) and from which materials of the case still lack files; the
//! rule file says which kind of file each material is (`file_kinds`). A suggestion is only a
//! default choice: nothing moves until [`DataFolder::assign_unsorted_files`] is called, which
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

use crate::checklist::{CaseFinding, Rules};
use crate::corrections::{MAX_REASON_CHARS, required_text};
use crate::data_folder::{DataFolder, FileOutcome};
use crate::database::{EvidenceRecord, WithdrawnFile};
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::evidence::FileInspection;
use crate::evidence::case_checks::ReadAgain;

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
    if media_type == "application/pdf" {
        return (Some(FileKind::Document), vec![KindSign::Pdf]);
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

impl DataFolder {
    /// Imports files into the case's 未分类 tray: exactly [`DataFolder::add_files`] with the
    /// tray as the slot (copied, never moved; each file hashed, stored, its facts read, audited).
    pub fn add_unsorted_files(
        &mut self,
        case_id: &str,
        paths: &[std::path::PathBuf],
        on_file_done: impl FnMut(&FileOutcome),
    ) -> Result<Vec<FileOutcome>> {
        self.add_files(case_id, UNSORTED_MATERIAL, paths, on_file_done)
    }

    /// The case's tray, each file with its kind and suggested material (see the module
    /// documentation). Reads only the stored facts: quick, and no file is read again.
    pub fn unsorted_tray(&self, case_id: &str) -> Result<UnsortedTray> {
        let checklist = self.case_checklist(case_id)?;
        let rules = self.rules()?;
        let thresholds = self.thresholds()?;
        let in_slots = self.database().case_evidence(case_id)?;
        let waiting = self.database().unsorted_evidence(case_id)?;
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
        for record in waiting {
            let inspection =
                self.current_facts(&record, &thresholds, ReadAgain::Never).map(|(inspection, _)| inspection);
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
        Ok(UnsortedTray { case_id: case_id.to_string(), files })
    }

    /// Assigns files of the tray to a material of the rule file (one or a multi-selection):
    /// each is moved there (a `file_moved` audit entry, one transaction per file) and gets the
    /// findings a direct import into that material gets. A file not in the tray, or whose
    /// bytes the material already holds, is an outcome with its error; the others go ahead.
    pub fn assign_unsorted_files(
        &mut self,
        case_id: &str,
        evidence_ids: &[i64],
        material: &str,
    ) -> Result<Vec<AssignOutcome>> {
        self.case(case_id)?;
        self.rules()?.require_material(material)?;
        let waiting = self.database().unsorted_evidence(case_id)?;
        let mut outcomes = Vec::with_capacity(evidence_ids.len());
        for &evidence_id in evidence_ids {
            let moved = match waiting.iter().find(|record| record.id == evidence_id) {
                Some(record) => self.database_mut().move_evidence(record, material, Utc::now()),
                None => Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("file {evidence_id} of case {case_id} is not in the 未分类 tray"),
                )),
            };
            outcomes.push(match moved {
                Ok(evidence) => {
                    AssignOutcome { evidence_id, evidence: Some(evidence), findings: Vec::new(), error: None }
                }
                Err(err) => AssignOutcome {
                    evidence_id,
                    evidence: None,
                    findings: Vec::new(),
                    error: Some(ErrorReport::from(err)),
                },
            });
        }
        if outcomes.iter().any(|outcome| outcome.evidence.is_some()) {
            let findings = self.check_case(case_id)?.findings;
            for outcome in &mut outcomes {
                if let Some(evidence) = &outcome.evidence {
                    outcome.findings = findings
                        .iter()
                        .filter(|finding| {
                            finding.sha256 == evidence.sha256 && finding.material == evidence.material_key
                        })
                        .cloned()
                        .collect();
                }
            }
        }
        Ok(outcomes)
    }

    /// Withdraws files of the tray that do not belong to the case (撤回, with one reason for
    /// all, e.g. 与本案无关): each keeps its bytes and row, as any withdrawn file. Stops at the
    /// first file that cannot be withdrawn (those before it stay withdrawn).
    pub fn withdraw_unsorted_files(
        &mut self,
        case_id: &str,
        evidence_ids: &[i64],
        reason: &str,
    ) -> Result<Vec<WithdrawnFile>> {
        required_text("a reason for withdrawing the file (撤回原因)", reason, MAX_REASON_CHARS)?;
        let waiting = self.database().unsorted_evidence(case_id)?;
        let mut withdrawn = Vec::with_capacity(evidence_ids.len());
        for &evidence_id in evidence_ids {
            if !waiting.iter().any(|record| record.id == evidence_id) {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("file {evidence_id} of case {case_id} is not in the 未分类 tray"),
                ));
            }
            withdrawn.push(self.withdraw_file(case_id, evidence_id, reason)?);
        }
        Ok(withdrawn)
    }

    /// Finds one file of the tray by its original name or SHA-256 (at least six leading hex
    /// digits); a name that fits several files is refused, listing them.
    pub fn find_unsorted_file(&self, case_id: &str, file: &str) -> Result<EvidenceRecord> {
        self.case(case_id)?;
        let waiting = self.database().unsorted_evidence(case_id)?;
        crate::checklist::folder::pick_case_file(case_id, &waiting, file, None)
            .map_err(|err| Error::new(err.kind(), format!("{} (among the files of its 未分类 tray)", err.message())))
    }

    /// How many files wait in the case's tray.
    pub fn unsorted_file_count(&self, case_id: &str) -> Result<u32> {
        Ok(self.database().unsorted_evidence(case_id)?.len() as u32)
    }

    /// `unsorted_files_remain` while files wait in the case's tray: no package leaves with
    /// them undecided (see the module documentation).
    pub(crate) fn refuse_unsorted_files(&self, case_id: &str) -> Result<()> {
        let waiting = self.database().unsorted_evidence(case_id)?;
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
}
