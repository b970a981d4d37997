//! Case-level evidence checks: what a file means in its case (`intake check`).
//!
//! A file's facts (its `intake inspect` reading, what that reading measured and a 64-bit
//! perceptual hash) depend only on its bytes, so they are read once, at import, and stored
//! under the SHA-256 (`evidence_facts`). The thresholds are the installation's
//! (`settings.json`, [`Thresholds`]), read at each import and check: the file-level findings
//! are derived again from the stored measurements under the current thresholds at every check
//! ([`super::rederive`]), so a change of thresholds needs no file read, hashed or decoded
//! again, and no finding of old thresholds survives into `check` or a package. Only a change
//! of the reading limits (file size, pixels, decoder memory) reads the files again. A file
//! whose facts are missing (imported by an older version, or its reading failed) or were
//! written by an older version of the checks ([`CHECKS_VERSION`]) is read again at `check`;
//! one that cannot be read then stays *unchecked*, which keeps its item from `ok`.
//!
//! The case-level rules (`interfaces.md`):
//! - `outside_site_radius`: a site photo's GPS position farther from the premises, whose
//!   position is first converted from its datum (GCJ-02, BD-09) to WGS-84, than the case's radius
//!   (its own, else the threshold `site_radius_m`).
//! - `outside_visit_window`: a site photo's capture date, in the file's own UTC offset (else
//!   the default offset, UTC+8), is more than `visit_window_days` from the visit date (0: not
//!   the visit date).
//! - `apart_from_other_photos` (warning, an extension of `interfaces.md`): a site photo taken
//!   more than `site_photo_spread_hours` from the middle (the median) of the capture times of
//!   the case's site photos, when at least two have one. domain.md: the capture time is "on the
//!   visit day and within a short window of the other visit photos"; a photo kept from an
//!   earlier visit on the same day, or taken by the merchant later, stands out. The median, not
//!   the mean: one stray photo does not move it, so the others are not flagged with it.
//! - `duplicate_in_case` / `duplicate_other_case`: the same bytes in another slot of this case,
//!   or in another case. Every copy is flagged: which one is the rightful one is for the
//!   manager to say.
//! - `near_duplicate`: an image whose perceptual hash is within `near_duplicate_max_distance`
//!   bits of an image with other bytes in another slot or case.
//! - `wrong_file_type`: a picture, a video or a document (PDF, OFD, office file) in a material
//!   that does not take that type (the rule file's `file_kinds`: a PDF as a storefront photo,
//!   a video as the interior photo), or an office file, which anyone can edit, in a material
//!   that must carry stamps or signatures.
//!
//! Which materials are site photos is data: `site_photo = true` in the rule file. The
//! file-level findings apply to files whose content is an image or a video, and to files no
//! program here reads (`unreadable`: text, an archive); PDFs and office documents get none.
//! `exif_missing` and `gps_missing` only concern site photos: a scanned form or a screenshot
//! has no reason to carry EXIF, while a site photo must, whatever its format.
//!
//! The folder's methods over these checks (`thresholds`, `case_evidence_findings`) are in
//! `data_folder::case_checks`.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use image_hasher::{HashAlg, HasherConfig};

use super::datum::{self, LatLon};
use super::file_type::FileType;
use super::media::MediaKind;
use super::report::{ExifSummary, FileInspection};
use super::{Finding, FindingCode, PixelChecks, Thresholds, capture_time, image_checks, thumbnail};
use crate::case::{Case, Datum};
use crate::checklist::{CaseFinding, Checklist, Rules};
use crate::database::{Database, EvidenceFacts, EvidenceRecord, HashedEvidence};
use crate::documents::cross_checks;
use crate::error::{Error, Result};
use crate::tray::FileKind;
use crate::vault::Vault;

/// The version of the stored facts; raise it when the file-level checks change what they
/// find, so that stored facts are read again. 2: JPEG pixels are analysed from a DCT-scaled
/// decode (about 1000 px instead of a full decode resized to 1024 px). 3: the perceptual hash
/// is taken from the analysis image averaged down to 36x32 (a few of its bits differ).
pub const CHECKS_VERSION: i64 = 3;

/// The findings of a case's files and the files that could not be checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseEvidenceCheck {
    /// Every finding, file by file in import order.
    pub findings: Vec<CaseFinding>,
    /// Evidence ids whose facts could not be read.
    pub unchecked: HashSet<i64>,
}

/// A 64-bit gradient hash (8x8) of an image, computed on the grey image the pixel checks
/// decode (at most 1024 px on its longer side), never on the full-size picture. `None` for
/// what is not a decodable image.
pub fn perceptual_hash(bytes: &[u8], thresholds: &Thresholds) -> Option<u64> {
    let kind = MediaKind::sniff(bytes);
    if !kind.pixels_decodable() {
        return None;
    }
    let grey = image_checks::decode_for_analysis(bytes, kind, thresholds.max_decode_bytes).ok()?;
    hash_grey(&grey)
}

/// The 64-bit gradient hash of an already decoded, downscaled grey image.
fn hash_grey(grey: &image::GrayImage) -> Option<u64> {
    // The hasher resizes to 9x8 with a Lanczos filter, whose cost grows with the input: on the
    // 1000 px analysis image that was 5 % of an import. Averaging down to 4x the hash's grid
    // first (cheap, and it keeps what the 9x8 grid sees) makes it negligible.
    let small = image::imageops::thumbnail(grey, 36, 32);
    let hasher = HasherConfig::new().hash_size(8, 8).hash_alg(HashAlg::Gradient).to_hasher();
    let hash = hasher.hash_image(&small);
    let bits: [u8; 8] = hash.as_bytes().try_into().ok()?;
    Some(u64::from_be_bytes(bits))
}

/// Reads the facts of a file's bytes: its inspection (named by `file_name`, which also feeds
/// the name-based signs) and, for a readable image, its perceptual hash.
pub fn read_facts(
    sha256: &str,
    file_name: &str,
    bytes: &[u8],
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> EvidenceFacts {
    read_facts_and_thumbnail(sha256, file_name, bytes, thresholds, now, PixelChecks::Run, false).0
}

/// [`read_facts`] (with or without the pixel checks), and the file's thumbnail when asked for
/// and it is a picture whose pixels were decoded.
fn read_facts_and_thumbnail(
    sha256: &str,
    file_name: &str,
    bytes: &[u8],
    thresholds: &Thresholds,
    now: DateTime<Utc>,
    pixel_checks: PixelChecks,
    want_thumbnail: bool,
) -> (EvidenceFacts, Option<Vec<u8>>) {
    // The image the pixel checks decoded is hashed and thumbnailed: one decode per file.
    let super::Reading { inspection, reduced, measurements, pixels_deferred } = super::Inspector::new(thresholds)
        .at(now)
        .with_pixel_checks(pixel_checks)
        .reading(file_name, file_name, bytes, Some(sha256));
    let perceptual_hash =
        if inspection.error.is_none() { reduced.as_ref().and_then(|decoded| hash_grey(&decoded.grey)) } else { None };
    let thumbnail = if want_thumbnail {
        thumbnail::thumbnail_of_inspection(&inspection, reduced.as_ref().map(|decoded| &decoded.colour))
    } else {
        None
    };
    let mut facts = stored_facts(sha256, &inspection, &measurements, perceptual_hash);
    facts.pixels_pending = pixels_deferred;
    (facts, thumbnail)
}

/// The row of `evidence_facts` for one reading.
fn stored_facts(
    sha256: &str,
    inspection: &FileInspection,
    measurements: &super::Measurements,
    perceptual_hash: Option<u64>,
) -> EvidenceFacts {
    EvidenceFacts {
        sha256: sha256.to_string(),
        inspection_json: serde_json::to_string(inspection).expect("an inspection always serialises"),
        perceptual_hash,
        inspected_with: CHECKS_VERSION,
        // A measurement that cannot be written as JSON (a NaN read from a broken tag) is left
        // out: the file is then read again at each check, which is slower but right.
        measurements_json: serde_json::to_string(measurements).ok(),
        pixels_pending: false,
    }
}

/// Reads the facts of a stored object, and its thumbnail when asked for. A file over the
/// checks' size limit is not read into memory: a video is inspected from disk, anything else
/// is `unreadable`. Read as of now.
fn read_stored_facts(
    vault: &Vault,
    sha256: &str,
    size: u64,
    file_name: &str,
    thresholds: &Thresholds,
    pixel_checks: PixelChecks,
    want_thumbnail: bool,
) -> Result<(EvidenceFacts, Option<Vec<u8>>)> {
    let now = Utc::now();
    if size > thresholds.max_file_bytes {
        // A video is inspected from disk; anything else this large is `unreadable`.
        let object = vault.open_object(sha256)?;
        let (mut inspection, measurements) =
            super::Inspector::new(thresholds).at(now).large_stored_file(object.len(), object, file_name, sha256);
        inspection.path = file_name.to_string();
        return Ok((stored_facts(sha256, &inspection, &measurements, None), None));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    let object = vault.open_object(sha256)?;
    let path = object.path().to_path_buf();
    object.take(thresholds.max_file_bytes + 1).read_to_end(&mut bytes).map_err(|err| Error::reading(&path, &err))?;
    Ok(read_facts_and_thumbnail(sha256, file_name, &bytes, thresholds, now, pixel_checks, want_thumbnail))
}

/// Which phase of an import reads a file it has just stored ([`read_at_import`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImportPhase {
    /// The first, on any thread (it needs the vault, not the database): the file's facts
    /// without its pixel checks (headers and metadata: position, time, editor, forwarded),
    /// `pixels_pending` when a picture's pixels are still to be decoded.
    Metadata,
    /// The second, on any thread: the file's complete facts (its pixels decoded once for
    /// `too_dark`, `blurry`, the perceptual hash) and its thumbnail from the same decode, which
    /// is cached in the vault here, before the facts are recorded.
    Pixels,
}

/// What a phase of an import reads from a stored file. `None` when the object cannot be read:
/// after the first phase the file is read again at `check`; after the second it stays pending.
pub(crate) fn read_at_import(
    vault: &Vault,
    sha256: &str,
    size: u64,
    file_name: &str,
    thresholds: &Thresholds,
    phase: ImportPhase,
) -> Option<EvidenceFacts> {
    match phase {
        ImportPhase::Metadata => {
            read_stored_facts(vault, sha256, size, file_name, thresholds, PixelChecks::Skip, false)
                .ok()
                .map(|(facts, _)| facts)
        }
        ImportPhase::Pixels => {
            let want_thumbnail = vault.read_thumbnail(sha256).ok().flatten().is_none();
            let (facts, thumbnail) =
                read_stored_facts(vault, sha256, size, file_name, thresholds, PixelChecks::Run, want_thumbnail).ok()?;
            if let Some(thumbnail) = thumbnail {
                // A thumbnail that cannot be cached now is made when it is first asked for.
                let _ = vault.store_thumbnail(sha256, &thumbnail);
            }
            Some(facts)
        }
    }
}

/// The first phase of [`read_at_import`] from the bytes the import copied (at most the checks' size
/// limit), whose SHA-256 is `sha256`.
pub(crate) fn read_metadata_of_bytes(
    sha256: &str,
    file_name: &str,
    bytes: &[u8],
    thresholds: &Thresholds,
) -> EvidenceFacts {
    read_facts_and_thumbnail(sha256, file_name, bytes, thresholds, Utc::now(), PixelChecks::Skip, false).0
}

/// Every finding of the files of stored case `case_id` under `rules` and `thresholds`: the
/// file-level findings derived from their stored facts (read again from `vault` where needed)
/// and the case-level ones.
pub(crate) fn case_evidence_findings(
    database: &Database,
    vault: &Vault,
    rules: &Rules,
    case_id: &str,
    thresholds: &Thresholds,
) -> Result<CaseEvidenceCheck> {
    let case = database.case(case_id)?;
    let evidence = database.case_evidence(case_id)?;

    let mut facts: HashMap<String, Option<(FileInspection, Option<u64>)>> = HashMap::new();
    for record in &evidence {
        if !facts.contains_key(&record.sha256) {
            let read = current_facts(database, vault, record, thresholds, ReadAgain::WhenNeeded);
            facts.insert(record.sha256.clone(), read);
        }
    }
    let any_hash = facts.values().any(|read| read.as_ref().is_some_and(|(_, hash)| hash.is_some()));
    let hashed = if any_hash { database.hashed_evidence()? } else { Vec::new() };

    let context = CaseContext {
        case: &case,
        rules,
        checklist: rules.checklist_recorded(&case.attributes, &database.case_fields(case_id)?),
        site: case.site.map(|site| {
            let wgs84 = datum::to_wgs84(LatLon::new(site.lat, site.lon), site.datum);
            (wgs84, site.datum, site.radius_or(thresholds.site_radius_m))
        }),
        default_offset: thresholds.default_offset(),
        visit_window_days: thresholds.visit_window_days,
        site_photo_times: site_photo_times(rules, &evidence, &facts, thresholds),
        near_duplicate_max_distance: thresholds.near_duplicate_max_distance,
        hashed: &hashed,
    };
    let mut check = CaseEvidenceCheck::default();
    let mut document_findings = document_findings(database, &case, &evidence, thresholds)?;
    for record in &evidence {
        // What the documents say against the case: on the file read, after its own findings.
        let read_here =
            |finding: &CaseFinding| finding.sha256 == record.sha256 && finding.material == record.material_key;
        let of_this_file: Vec<CaseFinding> = document_findings.extract_if(.., |f| read_here(f)).collect();
        let Some((inspection, hash)) = facts.get(&record.sha256).and_then(Option::as_ref) else {
            check.unchecked.insert(record.id);
            check.findings.extend(of_this_file);
            continue;
        };
        let same_bytes = database.evidence_with_sha256(&record.sha256)?;
        let findings = context.findings(record, inspection, *hash, &same_bytes);
        check.findings.extend(findings.into_iter().map(|finding| CaseFinding {
            material: record.material_key.clone(),
            file: record.original_name.clone(),
            sha256: record.sha256.clone(),
            code: finding.code,
            severity: match finding.severity {
                super::Severity::Error => crate::checklist::Severity::Error,
                super::Severity::Warning => crate::checklist::Severity::Warning,
            },
            message: finding.message,
            accepted: None,
        }));
        check.findings.extend(of_this_file);
    }
    Ok(check)
}

/// The cross-checks of the case's document readings (`documents::cross_checks`).
fn document_findings(
    database: &Database,
    case: &Case,
    evidence: &[EvidenceRecord],
    thresholds: &Thresholds,
) -> Result<Vec<CaseFinding>> {
    let mut readings = Vec::new();
    for record in evidence {
        readings.extend(crate::documents::readings_of(database, record)?);
    }
    if readings.is_empty() {
        return Ok(Vec::new());
    }
    let fields: HashMap<String, String> =
        database.case_fields(&case.id)?.into_iter().map(|field| (field.field_key, field.value)).collect();
    Ok(cross_checks::document_findings(&cross_checks::CrossCheckInput {
        case,
        fields: &fields,
        readings: &readings,
        default_radius_m: thresholds.site_radius_m,
    }))
}

/// A file's inspection under `thresholds` and its perceptual hash: derived from its stored
/// facts, or read (and stored) again when they are missing, stale or were measured under
/// other reading limits and `read_again` allows it; `None` when they cannot be had.
pub(crate) fn current_facts(
    database: &Database,
    vault: &Vault,
    record: &EvidenceRecord,
    thresholds: &Thresholds,
    read_again: ReadAgain,
) -> Option<(FileInspection, Option<u64>)> {
    let stored = database.evidence_facts(&record.sha256).ok().flatten();
    let derived = stored.as_ref().filter(|stored| stored.inspected_with >= CHECKS_VERSION).and_then(|stored| {
        let inspection: FileInspection = serde_json::from_str(&stored.inspection_json).ok()?;
        let measurements: super::Measurements = serde_json::from_str(stored.measurements_json.as_deref()?).ok()?;
        Some((super::rederive(&inspection, &measurements, thresholds)?, stored.perceptual_hash))
    });
    if derived.is_some() {
        return derived;
    }
    let facts = match (stored, read_again) {
        (Some(stored), ReadAgain::Never) => stored,
        (None, ReadAgain::Never) => return None,
        (_, ReadAgain::WhenNeeded) => {
            let now = Utc::now();
            let (read, _) = read_stored_facts(
                vault,
                &record.sha256,
                record.bytes,
                &record.original_name,
                thresholds,
                PixelChecks::Run,
                false,
            )
            .ok()?;
            // Keeping what was read saves the next check the work; failing to is harmless.
            let _ = database.record_facts(&read, now);
            read
        }
    };
    let inspection: FileInspection = serde_json::from_str(&facts.inspection_json).ok()?;
    Some((inspection, facts.perceptual_hash))
}

struct CaseContext<'a> {
    case: &'a Case,
    rules: &'a Rules,
    /// The case's checklist, with its recorded fields (a variant may depend on a choice).
    checklist: Checklist,
    /// The premises in WGS-84, the datum it was given in, and the radius.
    site: Option<(LatLon, Datum, f64)>,
    default_offset: FixedOffset,
    visit_window_days: u32,
    site_photo_times: SitePhotoTimes,
    near_duplicate_max_distance: u32,
    hashed: &'a [HashedEvidence],
}

/// Whether a material of this kind takes files of this type: a photo or a screenshot is a
/// picture; a document (a form, a licence) is a scan or a photo of it, a PDF or an OFD, or an
/// office file unless it must carry stamps or signatures; a video is a video.
fn fits(file_type: FileType, kind: FileKind, stamped: bool) -> bool {
    match kind {
        FileKind::CameraPhoto | FileKind::Screenshot => file_type == FileType::Image,
        FileKind::Document => {
            matches!(file_type, FileType::Image | FileType::Pdf | FileType::Ofd)
                || (file_type == FileType::OfficeFile && !stamped)
        }
        FileKind::Video => file_type == FileType::Video,
    }
}

/// What a material asks for when it takes files of one of these types, (zh, en), in the
/// order they are named.
const WANTED: [(&[FileType], &str, &str); 4] = [
    (&[FileType::Image], "图片(照片、截图或扫描件)", "a picture (a photo, a screenshot or a scan)"),
    (&[FileType::Pdf, FileType::Ofd], "PDF/OFD 文档", "a PDF or OFD document"),
    (&[FileType::OfficeFile], "办公文档(Word、Excel 等)", "an office document (Word, Excel…)"),
    (&[FileType::Video], "视频(MOV、MP4)", "a video (MOV, MP4)"),
];

/// What a file of this type is, (zh, en).
fn file_type_names(file_type: FileType) -> (&'static str, &'static str) {
    match file_type {
        FileType::Image => ("图片", "a picture"),
        FileType::Video => ("视频", "a video"),
        FileType::Pdf => ("PDF 文档", "a PDF document"),
        FileType::Ofd => ("OFD 电子文档", "an OFD document"),
        FileType::OfficeFile => ("办公文档(Word、Excel 等)", "an office document (Word, Excel…)"),
        FileType::Unknown => ("无法识别的文件", "a file of no type this program knows"),
    }
}

/// `parts` joined by `separator`, the last by `last`; a space is put between a Chinese
/// character and a Latin word (需要 PDF/OFD 文档), as the other messages write it.
fn listed(parts: &[&str], separator: &str, last: &str) -> String {
    let mut text = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            text.push_str(if index + 1 == parts.len() { last } else { separator });
        }
        let after_chinese = text.chars().last().is_some_and(|previous| !previous.is_ascii());
        if after_chinese && part.starts_with(|first: char| first.is_ascii_alphanumeric()) {
            text.push(' ');
        }
        text.push_str(part);
    }
    text
}

/// Whether a file whose stored facts cannot give its findings under the current thresholds is
/// read again from the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadAgain {
    /// Yes (a check, an export).
    WhenNeeded,
    /// No: what is stored is used as it is (the positions drawing, which must stay quick and
    /// depends on nothing the limits change).
    Never,
}

impl CaseContext<'_> {
    fn findings(
        &self,
        record: &EvidenceRecord,
        inspection: &FileInspection,
        hash: Option<u64>,
        same_bytes: &[EvidenceRecord],
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let site_photo = self.rules.is_site_photo(&record.material_key);
        let file_type = FileType::of(&record.media_type, &record.original_name);
        let is_image = file_type == FileType::Image;
        // A document's reading says only that it is no picture; what no program here reads
        // (text, an archive, unknown bytes) keeps its `unreadable`: head office cannot open it.
        if matches!(file_type, FileType::Image | FileType::Video | FileType::Unknown) {
            for finding in &inspection.findings {
                let needs_site_photo = matches!(finding.code, FindingCode::ExifMissing | FindingCode::GpsMissing);
                if site_photo || !needs_site_photo {
                    findings.push(finding.clone());
                }
            }
        }
        if site_photo && is_image && inspection.error.is_none() && inspection.exif.is_none() {
            let already = inspection
                .findings
                .iter()
                .any(|finding| matches!(finding.code, FindingCode::ExifMissing | FindingCode::ExifDamaged));
            if !already {
                findings.push(Finding::new(
                    FindingCode::ExifMissing,
                    "现场照片没有任何 EXIF 信息(截图、导出或经聊天软件转发的图片不能作为现场照片)。".into(),
                    "The site photo has no EXIF metadata at all (a screenshot, an export or a forwarded image is not a site photo)."
                        .into(),
                ));
            }
        }
        if site_photo && let Some(exif) = &inspection.exif {
            let mut outside = self.outside_site_radius(exif);
            // Best taken at the premises (the manager with the legal representative): the guide
            // does not require it, so being elsewhere is a warning, not a refusal.
            if self.rules.place(&record.material_key) == Some(crate::checklist::Place::PremisesPreferred)
                && let Some(finding) = outside.as_mut()
            {
                finding.severity = super::findings::Severity::Warning;
            }
            findings.extend(outside);
            findings.extend(self.outside_visit_window(exif));
            findings.extend(self.apart_from_other_photos(exif));
        }
        findings.extend(self.wrong_file_type(record, file_type));
        findings.extend(self.duplicates(record, same_bytes));
        if let Some(hash) = hash {
            findings.extend(self.near_duplicate(record, hash));
        }
        findings
    }

    /// `wrong_file_type`: a picture, a video or a document in a material that does not take
    /// that type (its `file_kinds`), or an office file in one that must carry stamps or
    /// signatures. A file of no type a material takes is `unreadable` already; a material the
    /// rules do not know (rules changed since) expects nothing.
    fn wrong_file_type(&self, record: &EvidenceRecord, file_type: FileType) -> Option<Finding> {
        let kinds = self.rules.file_kinds(&record.material_key);
        // Such a file is a scan or an electronic document (PDF, OFD), never an office file
        // anyone can edit.
        let stamped = self.checklist.item(&record.material_key).is_some_and(|item| !item.stamps.is_empty());
        let takes = |file_type: FileType| kinds.iter().any(|kind| fits(file_type, *kind, stamped));
        if kinds.is_empty() || file_type == FileType::Unknown || takes(file_type) {
            return None;
        }
        let wanted: Vec<(&str, &str)> = WANTED
            .iter()
            .filter(|(types, _, _)| types.iter().any(|wanted| takes(*wanted)))
            .map(|(_, zh, en)| (*zh, *en))
            .collect();
        let wanted_zh: Vec<&str> = wanted.iter().map(|names| names.0).collect();
        let wanted_en: Vec<&str> = wanted.iter().map(|names| names.1).collect();
        let (is_zh, is_en) = file_type_names(file_type);
        let (why_zh, why_en) = if stamped && file_type == FileType::OfficeFile {
            ("须有盖章或签字,", ", which must carry stamps or signatures,")
        } else {
            ("", "")
        };
        let zh = format!("这份资料{why_zh}需要{},此文件是", listed(&wanted_zh, "、", "或"));
        let en = format!("This material{why_en} takes {}; this file is {is_en}.", listed(&wanted_en, ", ", " or "));
        Some(Finding::new(FindingCode::WrongFileType, format!("{}。", listed(&[&zh, is_zh], "", "")), en))
    }

    fn outside_site_radius(&self, exif: &ExifSummary) -> Option<Finding> {
        let (site, site_datum, radius_m) = self.site?;
        let gps = exif.gps.as_ref()?;
        if gps.lat == 0.0 && gps.lon == 0.0 {
            return None; // not a fix: `gps_missing` says so
        }
        let distance_m = datum::distance_m(site, LatLon::new(gps.lat, gps.lon));
        if distance_m <= radius_m {
            return None;
        }
        let (distance, radius) = (length(distance_m), length(radius_m));
        // Say how the premises were converted only when they were: "WGS84 converted to WGS-84"
        // reads as a mistake to the manager.
        let converted_from = match site_datum {
            Datum::Wgs84 => None,
            Datum::Gcj02 => Some("GCJ-02"),
            Datum::Bd09 => Some("BD-09"),
        };
        let (note_zh, note_en) = match converted_from {
            None => (String::new(), String::new()),
            Some(name) => (
                format!("(经营场所坐标按 {name} 换算为 WGS-84 后比较)"),
                format!(" (the premises' {name} position converted to WGS-84)"),
            ),
        };
        Some(Finding::new(
            FindingCode::OutsideSiteRadius,
            format!("距经营场所 {distance},超出 {radius}{note_zh}。"),
            format!("{distance} from the premises, beyond {radius}{note_en}."),
        ))
    }

    fn outside_visit_window(&self, exif: &ExifSummary) -> Option<Finding> {
        let visit = self.case.visit_date?;
        let (date, offset) = capture_date(exif, self.default_offset)?;
        let days_apart = (date - visit).num_days().unsigned_abs();
        if days_apart <= u64::from(self.visit_window_days) {
            return None;
        }
        let offset = capture_time::format_offset(offset);
        let window = self.visit_window_days;
        let (window_zh, window_en) = if window == 0 {
            (format!("不是走访日期 {visit}"), format!("not on the visit date {visit}"))
        } else {
            (
                format!("与走访日期 {visit} 相差 {days_apart} 天,超过 {window} 天"),
                format!("{days_apart} days from the visit date {visit}, more than {window}"),
            )
        };
        Some(Finding::new(
            FindingCode::OutsideVisitWindow,
            format!("拍摄日期 {date}(UTC{offset}){window_zh}。"),
            format!("Captured on {date} (UTC{offset}), {window_en}."),
        ))
    }

    /// `apart_from_other_photos`: taken more than the spread from the middle of the case's
    /// site photo times.
    fn apart_from_other_photos(&self, exif: &ExifSummary) -> Option<Finding> {
        let middle = self.site_photo_times.middle?;
        let taken = capture_moment(exif, self.default_offset)?;
        let apart_hours = (taken.with_timezone(&Utc) - middle).num_seconds().unsigned_abs() as f64 / 3600.0;
        let spread = self.site_photo_times.spread_hours;
        if apart_hours <= spread {
            return None;
        }
        // Both times in the photo's own offset, so that they read as the clock on the phone.
        let clock = |at: DateTime<FixedOffset>| at.format("%H:%M").to_string();
        let (at, middle_at) = (clock(taken), clock(middle.with_timezone(taken.offset())));
        let offset = capture_time::format_offset(*taken.offset());
        let count = self.site_photo_times.count;
        Some(Finding::new(
            FindingCode::ApartFromOtherPhotos,
            format!(
                "拍摄于 {at}(UTC{offset}),本案件 {count} 张现场照片的拍摄时间居中于 {middle_at},相隔 {apart_hours:.1} 小时,超过 {spread} 小时。"
            ),
            format!(
                "Captured at {at} (UTC{offset}), {apart_hours:.1} hours from {middle_at}, the middle of this case's {count} site photo times; more than {spread} hours."
            ),
        ))
    }

    fn duplicates(&self, record: &EvidenceRecord, same_bytes: &[EvidenceRecord]) -> Vec<Finding> {
        let mut findings = Vec::new();
        let in_case: Vec<&str> = same_bytes
            .iter()
            .filter(|other| other.case_id == record.case_id && other.material_key != record.material_key)
            .map(|other| other.material_key.as_str())
            .collect();
        if !in_case.is_empty() {
            let slots = in_case.join(", ");
            findings.push(Finding::new(
                FindingCode::DuplicateInCase,
                format!("同一文件(SHA-256 相同)也在本案件的 {slots} 中。"),
                format!("The same file (same SHA-256) is also under {slots} in this case."),
            ));
        }
        let mut other_cases: Vec<String> = same_bytes
            .iter()
            .filter(|other| other.case_id != record.case_id)
            .map(|other| format!("{} {}", other.case_id, other.material_key))
            .collect();
        other_cases.dedup();
        if !other_cases.is_empty() {
            let cases = other_cases.join(", ");
            findings.push(Finding::new(
                FindingCode::DuplicateOtherCase,
                format!("同一文件(SHA-256 相同)已在其他案件中:{cases}。"),
                format!("The same file (same SHA-256) is already in another case: {cases}."),
            ));
        }
        findings
    }

    fn near_duplicate(&self, record: &EvidenceRecord, hash: u64) -> Option<Finding> {
        let mut close: Vec<(u32, &EvidenceRecord)> = self
            .hashed
            .iter()
            .filter(|other| other.evidence.sha256 != record.sha256)
            .filter(|other| {
                other.evidence.case_id != record.case_id || other.evidence.material_key != record.material_key
            })
            .map(|other| ((other.perceptual_hash ^ hash).count_ones(), &other.evidence))
            .filter(|(distance, _)| *distance <= self.near_duplicate_max_distance)
            .collect();
        if close.is_empty() {
            return None;
        }
        close.sort_by_key(|(distance, other)| (*distance, other.id));
        let describe = |(distance, other): &(u32, &EvidenceRecord), this_case: &str, other_case: &str| {
            if other.case_id == record.case_id {
                format!("{this_case} {} ({distance}/64)", other.material_key)
            } else {
                format!("{other_case} {} {} ({distance}/64)", other.case_id, other.material_key)
            }
        };
        let listed_zh: Vec<String> = close.iter().take(3).map(|found| describe(found, "本案件", "案件")).collect();
        let listed_en: Vec<String> = close.iter().take(3).map(|found| describe(found, "this case,", "case")).collect();
        let more = close.len().saturating_sub(3);
        let limit = self.near_duplicate_max_distance;
        let (more_zh, more_en) =
            if more > 0 { (format!(" 等 {more} 个"), format!(" and {more} more")) } else { Default::default() };
        Some(Finding::new(
            FindingCode::NearDuplicate,
            format!("与其他位置的图片几乎相同(感知哈希距离不超过 {limit}/64):{}{more_zh}。", listed_zh.join("、")),
            format!(
                "Nearly identical to an image elsewhere (perceptual hash within {limit} of 64 bits): {}{more_en}.",
                listed_en.join("; ")
            ),
        ))
    }
}

/// The capture date in the file's own UTC offset (else `default_offset`), with that offset:
/// from the capture time, else from the GPS clock.
fn capture_date(exif: &ExifSummary, default_offset: FixedOffset) -> Option<(NaiveDate, FixedOffset)> {
    capture_moment(exif, default_offset).map(|taken| (taken.date_naive(), *taken.offset()))
}

/// When a file was captured, in its own UTC offset: the EXIF time with its offset, else the
/// GPS time in the default offset.
fn capture_moment(exif: &ExifSummary, default_offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    if let (Some(utc), Some(offset)) = (&exif.capture_utc, &exif.capture_offset)
        && let (Ok(utc), Some(offset)) = (DateTime::parse_from_rfc3339(utc), capture_time::parse_utc_offset(offset))
    {
        return Some(utc.with_timezone(&offset));
    }
    let gps_utc = exif.gps.as_ref()?.utc.as_deref()?;
    let utc = DateTime::parse_from_rfc3339(gps_utc).ok()?;
    Some(utc.with_timezone(&default_offset))
}

/// The middle of a case's site photo times, for `apart_from_other_photos`.
#[derive(Debug, Default)]
struct SitePhotoTimes {
    /// The median capture time; `None` with fewer than two site photos that have one.
    middle: Option<DateTime<Utc>>,
    /// How many site photos have a capture time.
    count: usize,
    spread_hours: f64,
}

/// The capture times of the case's site photos (a file held in two slots counts once).
fn site_photo_times(
    rules: &Rules,
    evidence: &[EvidenceRecord],
    facts: &HashMap<String, Option<(FileInspection, Option<u64>)>>,
    thresholds: &Thresholds,
) -> SitePhotoTimes {
    let default_offset = thresholds.default_offset();
    let mut seen = HashSet::new();
    let mut times: Vec<DateTime<Utc>> = evidence
        .iter()
        .filter(|record| rules.is_site_photo(&record.material_key) && seen.insert(record.sha256.as_str()))
        .filter_map(|record| facts.get(&record.sha256)?.as_ref()?.0.exif.as_ref())
        .filter_map(|exif| capture_moment(exif, default_offset))
        .map(|taken| taken.with_timezone(&Utc))
        .collect();
    times.sort_unstable();
    let count = times.len();
    let middle = match count {
        0 | 1 => None,
        _ if count % 2 == 1 => Some(times[count / 2]),
        _ => Some(times[count / 2 - 1] + (times[count / 2] - times[count / 2 - 1]) / 2),
    };
    SitePhotoTimes { middle, count, spread_hours: thresholds.site_photo_spread_hours }
}

/// A length for a message: metres below a kilometre, else kilometres with one decimal.
fn length(metres: f64) -> String {
    if metres < 1000.0 { format!("{metres:.0} m") } else { format!("{:.1} km", metres / 1000.0) }
}
