//! Evidence checks on single files: what a photo or video says about itself, and the
//! file-level findings of `interfaces.md` (`intake inspect`).
//!
//! ```no_run
//! use intake_evidence::{Inspector, Thresholds};
//! let thresholds = Thresholds::default();
//! let inspection = Inspector::new(&thresholds).file(std::path::Path::new("IMG_0001.jpg"));
//! for finding in &inspection.findings {
//!     println!("{}: {}", finding.code.key(), finding.message);
//! }
//! ```
//!
//! - [`Inspector`] is the one way in: it holds the thresholds, the time findings are judged
//!   at and whether pixels are decoded, and inspects a file on disk, many files, bytes in
//!   memory or a large stored file.
//! - [`metadata`] reads EXIF and movie metadata as written; [`capture_time`] turns its dates
//!   into instants; [`datum`] converts map datums; [`image_checks`] decodes pixels under
//!   limits; [`findings`] holds the codes, the thresholds and the rules; [`report`] the wire
//!   types.
//! - Limits: a file over [`Thresholds::max_file_bytes`] is not read into memory (a MOV/MP4
//!   on disk is then inspected by seeking, with bounded memory; anything else is
//!   `unreadable`); an image over
//!   [`Thresholds::max_pixels`] (by its header) is not decoded; the decoder may allocate at
//!   most [`Thresholds::max_decode_bytes`]. Each ends in `unreadable`, never in a crash.
//! - Which files get `exif_missing`: only camera formats (JPEG, HEIC/HEIF, AVIF) whose name
//!   does not mark a screenshot. PNG, WebP and TIFF are what screenshots, scans and exports
//!   are, where no EXIF is normal; knowing the material slot, the case-level check can be
//!   stricter. `gps_missing` likewise applies to camera formats only.
//! - Not decoded: HEIC/HEIF and AVIF pixels (they need native codecs); for those files
//!   `too_dark` and `blurry` are listed in `skipped_checks`. Videos get metadata only.

pub mod capture_time;
pub mod containers;
pub mod datum;
pub mod finding_advice;
pub mod findings;
pub mod image_checks;
pub mod in_order;
pub mod media;
pub mod metadata;
pub mod report;
pub mod thumbnail;
pub mod user_file;

mod jpeg_quality;
mod thresholds;

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use findings::{Finding, FindingCode, Severity, Thresholds};
pub use report::{FileInspection, InspectReport};

use crate::error::Error;
use findings::FileFacts;
use image_checks::DecodeFailure;
use intake_domain::{case, error};
use media::MediaKind;
use metadata::MetadataReading;
use report::SkippedCheck;

/// Whether an inspection decodes pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelChecks {
    /// Decode each picture (scaled) for `too_dark`, `blurry` and damaged image data.
    Run,
    /// Read headers and metadata only, as ExifTool does: several times faster, for a quick
    /// look at a whole phone folder (positions, times, editors). `too_dark` and `blurry` are
    /// listed as not checked, and damage inside the image data goes unnoticed.
    Skip,
}

/// What inspects files: the thresholds, the time the findings are judged at (a capture time
/// after it is `future_timestamp`) and whether pixels are decoded, held once for every file it
/// looks at. None of its inspections fails: a file that cannot be read comes back with `error`
/// set and the finding `unreadable`.
#[derive(Debug, Clone, Copy)]
pub struct Inspector<'a> {
    thresholds: &'a Thresholds,
    now: DateTime<Utc>,
    pixel_checks: PixelChecks,
}

impl<'a> Inspector<'a> {
    /// Under `thresholds`, as of now, decoding pixels.
    pub fn new(thresholds: &'a Thresholds) -> Inspector<'a> {
        Inspector { thresholds, now: Utc::now(), pixel_checks: PixelChecks::Run }
    }

    /// The same, judging times as of `now` (tests; a reading stored with its time).
    pub fn at(self, now: DateTime<Utc>) -> Inspector<'a> {
        Inspector { now, ..self }
    }

    /// The same, decoding pixels or not.
    pub fn with_pixel_checks(self, pixel_checks: PixelChecks) -> Inspector<'a> {
        Inspector { pixel_checks, ..self }
    }

    /// Inspects one file on disk.
    pub fn file(&self, path: &Path) -> FileInspection {
        inspect_file_with(path, self.thresholds, self.now, self.pixel_checks)
    }

    /// Inspects many files on all cores (at most one file per core in memory). The inspections
    /// come in the order of `paths`, and `on_file_done` is called on the calling thread after
    /// each one, in that order (for progress).
    pub fn files(
        &self,
        paths: &[std::path::PathBuf],
        mut on_file_done: impl FnMut(&FileInspection),
    ) -> Vec<FileInspection> {
        let mut inspections = Vec::with_capacity(paths.len());
        let threads = crate::in_order::thread_count(paths.len(), 8);
        crate::in_order::for_each_in_order(
            paths,
            threads,
            |path| {
                std::panic::catch_unwind(|| self.file(path)).unwrap_or_else(|_| {
                    let mut inspection = FileInspection::empty(path.display().to_string());
                    inspection.mark_unreadable(Unreadable {
                        zh: "读取文件时发生内部错误。".into(),
                        en: "an internal error occurred while reading the file.".into(),
                    });
                    inspection
                })
            },
            |_, inspection| {
                on_file_done(&inspection);
                inspections.push(inspection);
            },
        );
        inspections
    }

    /// Inspects a file already in memory (e.g. while it is imported). `label` is reported as
    /// its path; `file_name` is used for the name-based signs (chat apps, screenshots).
    pub fn bytes(&self, label: &str, file_name: &str, bytes: &[u8]) -> FileInspection {
        self.reading(label, file_name, bytes, None).inspection
    }

    /// [`Inspector::bytes`], also giving back the downscaled colour image the pixel checks ran
    /// on and what was measured ([`Reading`]). `known_sha256`: the bytes' SHA-256 when the
    /// caller has it (a vault object), so that they are not hashed twice.
    pub fn reading(&self, label: &str, file_name: &str, bytes: &[u8], known_sha256: Option<&str>) -> Reading {
        inspect_bytes_keeping_image(label, file_name, bytes, known_sha256, self.thresholds, self.now, self.pixel_checks)
    }

    /// Inspects a stored object too large to read into memory, whose SHA-256 is known: a video
    /// is inspected by seeking in it ([`inspect_video`], through the vault's decrypting reader),
    /// anything else is `unreadable` as too large.
    pub fn large_stored_file(
        &self,
        size: u64,
        object: impl Read + Seek,
        file_name: &str,
        sha256: &str,
    ) -> (FileInspection, Measurements) {
        let (thresholds, now) = (self.thresholds, self.now);
        inspect_video(object, size, file_name, file_name, Some(sha256), thresholds, now).unwrap_or_else(|| {
            let mut inspection = FileInspection::empty(file_name.to_string());
            inspection.bytes = Some(size);
            inspection.mark_unreadable(too_large_file(size, thresholds));
            (inspection, Measurements::unmeasured(file_name, thresholds, now))
        })
    }
}

/// [`Inspector::file`]'s work.
fn inspect_file_with(
    path: &Path,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
    pixel_checks: PixelChecks,
) -> FileInspection {
    let label = path.display().to_string();
    let file_name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    match read_bounded(path, thresholds.max_file_bytes) {
        Ok(bytes) => {
            inspect_bytes_keeping_image(&label, &file_name, &bytes, None, thresholds, now, pixel_checks).inspection
        }
        Err(ReadFailure::TooLarge(size)) => {
            // A video is inspected from disk, whatever its size.
            if let Some(inspection) = inspect_video_file(path, &label, &file_name, None, thresholds, now) {
                return inspection;
            }
            let mut inspection = FileInspection::empty(label);
            inspection.bytes = Some(size);
            inspection.mark_unreadable(too_large_file(size, thresholds));
            inspection
        }
        Err(ReadFailure::Io(error)) => {
            let mut inspection = FileInspection::empty(label);
            let reason = error.message().to_string();
            inspection.mark_unreadable(Unreadable {
                zh: "文件无法读取(不存在、是文件夹或没有权限)。".into(),
                en: format!("cannot be read: {reason}"),
            });
            inspection
        }
    }
}

/// How many leading bytes of a video on disk are read for its kind and media type.
const VIDEO_HEAD_BYTES: usize = 4096;

/// Inspects a video on disk of any size with bounded memory ([`inspect_video`]). `None` when
/// the file is not a MOV/MP4 or cannot be opened (the caller then says why).
fn inspect_video_file(
    path: &Path,
    label: &str,
    file_name: &str,
    known_sha256: Option<&str>,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> Option<FileInspection> {
    let file = user_file::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    inspect_video(file, size, label, file_name, known_sha256, thresholds, now).map(|(inspection, _)| inspection)
}

/// Inspects a video of `size` bytes with bounded memory: its metadata is read by seeking
/// (only the box headers and the metadata boxes, see [`metadata::read_movie_metadata`]) and
/// its SHA-256, unless `known_sha256`, hashed in 1 MiB pieces. `None` when it is not a
/// MOV/MP4 or cannot be read.
fn inspect_video(
    mut file: impl Read + Seek,
    size: u64,
    label: &str,
    file_name: &str,
    known_sha256: Option<&str>,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> Option<(FileInspection, Measurements)> {
    let mut head = Vec::with_capacity(VIDEO_HEAD_BYTES);
    (&mut file).take(VIDEO_HEAD_BYTES as u64).read_to_end(&mut head).ok()?;
    let kind = MediaKind::sniff(&head);
    if !kind.is_video() {
        return None;
    }
    let mut inspection = FileInspection::empty(label.to_string());
    inspection.bytes = Some(size);
    let sha256 = match known_sha256 {
        Some(sha256) => sha256.to_string(),
        None => {
            file.seek(SeekFrom::Start(0)).ok()?;
            let mut hasher = Sha256::new();
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                match file.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => hasher.update(&buffer[..read]),
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return None,
                }
            }
            intake_domain::digest::hex(&hasher.finalize())
        }
    };
    inspection.sha256 = Some(sha256);
    file.seek(SeekFrom::Start(0)).ok()?;
    let metadata = metadata::read_movie_metadata(kind, std::io::BufReader::new(file));
    let reading = inspect_read(inspection, file_name, &head, metadata, thresholds, now, PixelChecks::Run);
    Some((reading.inspection, reading.measurements))
}

/// One reading of a file: its inspection, the downscaled image the pixel checks ran on (kept
/// for the perceptual hash and the thumbnail at import, so the image is decoded once), and
/// what was measured (stored, so the findings can follow a change of thresholds).
pub struct Reading {
    /// What the checks found.
    pub inspection: FileInspection,
    /// The downscaled image, when pixels were decoded.
    pub reduced: Option<image_checks::Decoded>,
    /// What was measured.
    pub measurements: Measurements,
    /// True when the pixels of a decodable picture were left for later ([`PixelChecks::Skip`]):
    /// a reading with [`PixelChecks::Run`] would decode them and may find more. An import
    /// stores such a reading at once and finishes the pixel checks in a second phase.
    pub pixels_deferred: bool,
}

/// [`Inspector::reading`]'s work.
fn inspect_bytes_keeping_image(
    label: &str,
    file_name: &str,
    bytes: &[u8],
    known_sha256: Option<&str>,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
    pixel_checks: PixelChecks,
) -> Reading {
    let mut inspection = FileInspection::empty(label.to_string());
    inspection.bytes = Some(bytes.len() as u64);
    let unmeasured = |inspection| Reading {
        inspection,
        reduced: None,
        measurements: Measurements::unmeasured(file_name, thresholds, now),
        pixels_deferred: false,
    };
    if bytes.len() as u64 > thresholds.max_file_bytes {
        inspection.mark_unreadable(too_large_file(bytes.len() as u64, thresholds));
        return unmeasured(inspection);
    }
    inspection.sha256 =
        Some(known_sha256.map_or_else(|| intake_domain::digest::hex(&Sha256::digest(bytes)), str::to_string));
    if bytes.is_empty() {
        inspection.mark_unreadable(Unreadable {
            zh: "文件是空的(0 字节)。".into(),
            en: "the file is empty (0 bytes).".into(),
        });
        return unmeasured(inspection);
    }
    let metadata = metadata::read_metadata(bytes);
    inspect_read(inspection, file_name, bytes, metadata, thresholds, now, pixel_checks)
}

/// The rest of an inspection once the file's metadata is read. `content` is the whole file, or,
/// for a video inspected from disk, its first bytes only: a video's checks read nothing else.
fn inspect_read(
    mut inspection: FileInspection,
    file_name: &str,
    content: &[u8],
    metadata: metadata::MediaMetadata,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
    pixel_checks: PixelChecks,
) -> Reading {
    let bytes = content;
    let kind = metadata.kind;
    if kind == MediaKind::Other {
        inspection.mark_unreadable(Unreadable {
            zh: "不是可识别的图片或视频(支持 JPEG、PNG、WebP、TIFF、HEIC/HEIF、AVIF、MOV、MP4)。".into(),
            en: "not an image or video this program reads (JPEG, PNG, WebP, TIFF, HEIC/HEIF, AVIF, MOV, MP4).".into(),
        });
        return Reading {
            inspection,
            reduced: None,
            measurements: Measurements::unmeasured(file_name, thresholds, now),
            pixels_deferred: false,
        };
    }
    inspection.media_type = Some(media::media_type_of(bytes).to_string());
    inspection.width = metadata.width;
    inspection.height = metadata.height;
    if let Some(found) = metadata.reading.found() {
        inspection.orientation = found.orientation.filter(|value| (1..=8).contains(value));
        inspection.exif = Some(report::exif_summary(found, thresholds));
    }

    let mut pixels = None;
    let mut reduced = None;
    let mut pixels_deferred = false;
    let unreadable = match (metadata.width, metadata.height) {
        (Some(width), Some(height)) if u64::from(width) * u64::from(height) > thresholds.max_pixels => {
            Some(too_many_pixels(width, height, thresholds))
        }
        (None, _) | (_, None) if kind.is_image() && !kind.pixels_decodable() => Some(Unreadable {
            zh: "图片结构损坏或被截断,无法读出图片尺寸。".into(),
            en: "the image is damaged or truncated: its size cannot be read.".into(),
        }),
        _ if kind.is_video() => match &metadata.reading {
            MetadataReading::Damaged(reason) => Some(Unreadable {
                zh: "视频结构损坏或被截断。".into(),
                en: format!("the video is damaged or truncated ({reason})."),
            }),
            _ if metadata.width.is_none() => Some(Unreadable {
                zh: "视频中没有可读的画面轨道。".into(),
                en: "the video has no readable picture track.".into(),
            }),
            _ => None,
        },
        _ if kind == MediaKind::Jpeg && !containers::jpeg_has_end_marker(bytes) => Some(Unreadable {
            zh: "JPEG 文件不完整(缺少结束标记),可能在复制或上传时被截断。".into(),
            en: "the JPEG is incomplete (no end-of-image marker): it was probably cut short while copied or uploaded."
                .into(),
        }),
        _ if kind.pixels_decodable() && pixel_checks == PixelChecks::Skip => {
            inspection.skip_pixel_checks("pixels not decoded (--no-pixel-checks)");
            pixels_deferred = true;
            None
        }
        _ if kind.pixels_decodable() => match image_checks::decode_for_checks(bytes, kind, thresholds.max_decode_bytes)
            .map(|decoded| {
                let stats = image_checks::measure(&decoded.grey);
                reduced = Some(decoded);
                stats
            }) {
            Ok(stats) => {
                inspection.skipped_checks.extend(sharpness_not_judged(&stats, thresholds));
                pixels = Some(stats);
                None
            }
            Err(DecodeFailure::TooLarge(reason)) => Some(Unreadable {
                zh: format!("解码这张图片需要的内存超过上限 {} MiB。", thresholds.max_decode_bytes / (1024 * 1024)),
                en: format!(
                    "decoding the image needs more memory than the limit of {} MiB ({reason}).",
                    thresholds.max_decode_bytes / (1024 * 1024)
                ),
            }),
            Err(DecodeFailure::Broken(reason)) => Some(Unreadable {
                zh: "图片数据损坏或被截断,无法解码。".into(),
                en: format!("the image data is damaged or truncated and cannot be decoded ({reason})."),
            }),
            Err(DecodeFailure::Unsupported(reason)) => {
                inspection.skip_pixel_checks(&format!("this variant of the format cannot be decoded ({reason})"));
                None
            }
        },
        _ => {
            if kind.is_image() {
                inspection.skip_pixel_checks("HEIC/HEIF and AVIF pixels are not decoded by this version");
            }
            None
        }
    };

    let standard_jpeg_quality = (kind == MediaKind::Jpeg)
        .then(|| findings::standard_jpeg_quality(&containers::jpeg_quantisation_tables(bytes)))
        .flatten();
    let facts = FileFacts { file_name, metadata: &metadata, pixels: pixels.as_ref(), standard_jpeg_quality, now };
    inspection.pixels = pixels.as_ref().map(report::PixelSummary::from);
    inspection.findings = findings::file_findings(&facts, thresholds);
    if let Some(unreadable) = unreadable {
        inspection.mark_unreadable(unreadable);
    }
    let measurements = Measurements {
        limits: ReadingLimits::of(thresholds),
        file_name: file_name.to_string(),
        measured_at: now,
        metadata: Some(metadata),
        pixels: pixels.map(MeasuredPixels::from),
        standard_jpeg_quality,
    };
    Reading { inspection, reduced, measurements, pixels_deferred }
}

/// The `blurry` check that an image's stats do not allow, and why (too dark, too small).
fn sharpness_not_judged(stats: &image_checks::PixelStats, thresholds: &Thresholds) -> Option<SkippedCheck> {
    if findings::sharpness_judged(stats, thresholds) {
        return None;
    }
    let reason = if stats.mean_luminance < thresholds.min_mean_luminance {
        "the image is too dark to judge its sharpness".to_string()
    } else {
        format!("the image is too small to judge its sharpness (under {} px)", image_checks::MIN_SIDE_FOR_SHARPNESS)
    };
    Some(SkippedCheck { code: FindingCode::Blurry, reason })
}

/// The thresholds that decide how far a file is read (its size, its pixel count, the decoder's
/// memory): what was measured depends on them, so when they change the file is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // the fields of Thresholds
pub struct ReadingLimits {
    pub max_file_bytes: u64,
    pub max_pixels: u64,
    pub max_decode_bytes: u64,
}

impl ReadingLimits {
    /// The limits of these thresholds.
    pub fn of(thresholds: &Thresholds) -> ReadingLimits {
        ReadingLimits {
            max_file_bytes: thresholds.max_file_bytes,
            max_pixels: thresholds.max_pixels,
            max_decode_bytes: thresholds.max_decode_bytes,
        }
    }
}

/// What the pixel checks measured, unrounded (the inspection shows it to 0.1), so that a
/// finding derived again is the finding a new reading would give.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // the fields of PixelStats
pub struct MeasuredPixels {
    pub mean_luminance: f64,
    pub laplacian_variance: f64,
    pub analysed_width: u32,
    pub analysed_height: u32,
}

impl From<image_checks::PixelStats> for MeasuredPixels {
    fn from(stats: image_checks::PixelStats) -> Self {
        let image_checks::PixelStats { mean_luminance, laplacian_variance, analysed_width, analysed_height } = stats;
        MeasuredPixels { mean_luminance, laplacian_variance, analysed_width, analysed_height }
    }
}

impl From<MeasuredPixels> for image_checks::PixelStats {
    fn from(stats: MeasuredPixels) -> Self {
        let MeasuredPixels { mean_luminance, laplacian_variance, analysed_width, analysed_height } = stats;
        image_checks::PixelStats { mean_luminance, laplacian_variance, analysed_width, analysed_height }
    }
}

/// What one reading of a file measured, stored beside its inspection (`evidence_facts`), so
/// that the parts of the inspection that depend on the thresholds (the findings, the capture
/// time under an assumed UTC offset, whether sharpness is judged) are derived again
/// ([`rederive`]) when the installation's thresholds change, without reading, hashing or
/// decoding the file again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// The limits it was read under.
    pub limits: ReadingLimits,
    /// The file's name, for the name-based signs (chat apps, screenshots).
    pub file_name: String,
    /// When it was read: `future_timestamp` is judged against this instant, as at import.
    pub measured_at: DateTime<Utc>,
    /// Header and metadata; `None` when the reading stopped before them (an empty file, an
    /// unknown format, a file over the size limit), whose inspection then depends on no
    /// threshold but the limits.
    pub metadata: Option<metadata::MediaMetadata>,
    /// What the pixel checks measured, when they ran.
    pub pixels: Option<MeasuredPixels>,
    /// For a JPEG, the libjpeg quality whose standard tables it uses (`forwarded_copy`).
    pub standard_jpeg_quality: Option<u8>,
}

impl Measurements {
    fn unmeasured(file_name: &str, thresholds: &Thresholds, now: DateTime<Utc>) -> Measurements {
        Measurements {
            limits: ReadingLimits::of(thresholds),
            file_name: file_name.to_string(),
            measured_at: now,
            metadata: None,
            pixels: None,
            standard_jpeg_quality: None,
        }
    }
}

/// The inspection a reading under `thresholds` would give, derived from a stored inspection and
/// its measurements without touching the file: the findings, the capture metadata (its UTC time
/// depends on the default offset) and the sharpness skip are made again, the rest is kept.
/// `None` when the reading limits differ: what was measured may then differ, and the file must
/// be read again.
pub fn rederive(
    stored: &FileInspection,
    measurements: &Measurements,
    thresholds: &Thresholds,
) -> Option<FileInspection> {
    if measurements.limits != ReadingLimits::of(thresholds) {
        return None;
    }
    let mut inspection = stored.clone();
    let Some(metadata) = &measurements.metadata else { return Some(inspection) };
    inspection.exif = metadata.reading.found().map(|found| report::exif_summary(found, thresholds));
    let pixels = measurements.pixels.map(image_checks::PixelStats::from);
    if let Some(stats) = &pixels {
        // With pixels measured, the only skipped check there can be is this one.
        inspection.skipped_checks.retain(|skipped| skipped.code != FindingCode::Blurry);
        inspection.skipped_checks.extend(sharpness_not_judged(stats, thresholds));
    }
    let facts = FileFacts {
        file_name: &measurements.file_name,
        metadata,
        pixels: pixels.as_ref(),
        standard_jpeg_quality: measurements.standard_jpeg_quality,
        now: measurements.measured_at,
    };
    // `unreadable` comes from the reading itself and depends only on the limits, unchanged here.
    let unreadable = stored.findings.iter().find(|finding| finding.code == FindingCode::Unreadable).cloned();
    inspection.findings = findings::file_findings(&facts, thresholds);
    if let Some(unreadable) = unreadable {
        inspection.findings.insert(0, unreadable);
    }
    Some(inspection)
}

/// Why a file is unreadable, in both languages; the English part is also `error`.
struct Unreadable {
    zh: String,
    en: String,
}

/// A library's error text on one line (some end in a newline or span several).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn too_large_file(size: u64, thresholds: &Thresholds) -> Unreadable {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    Unreadable {
        zh: format!("文件大小 {:.1} MiB,超过上限 {:.0} MiB,未读取。", mib(size), mib(thresholds.max_file_bytes)),
        en: format!(
            "the file is {:.1} MiB, over the limit of {:.0} MiB; it was not read.",
            mib(size),
            mib(thresholds.max_file_bytes)
        ),
    }
}

fn too_many_pixels(width: u32, height: u32, thresholds: &Thresholds) -> Unreadable {
    let millions = |pixels: u64| pixels as f64 / 1e6;
    let pixels = u64::from(width) * u64::from(height);
    Unreadable {
        zh: format!(
            "图片为 {width}×{height},共 {:.1} 百万像素,超过上限 {:.0} 百万像素,未解码。",
            millions(pixels),
            millions(thresholds.max_pixels)
        ),
        en: format!(
            "the image is {width}x{height} = {:.1} million pixels, over the limit of {:.0} million; it was not decoded.",
            millions(pixels),
            millions(thresholds.max_pixels)
        ),
    }
}

impl FileInspection {
    fn empty(path: String) -> FileInspection {
        FileInspection {
            path,
            sha256: None,
            bytes: None,
            media_type: None,
            width: None,
            height: None,
            orientation: None,
            exif: None,
            pixels: None,
            skipped_checks: Vec::new(),
            findings: Vec::new(),
            error: None,
        }
    }

    fn mark_unreadable(&mut self, reason: Unreadable) {
        let en = one_line(&reason.en);
        self.findings.insert(0, Finding::new(FindingCode::Unreadable, reason.zh, format!("Unreadable: {en}")));
        self.error = Some(capitalised(&en));
    }

    fn skip_pixel_checks(&mut self, reason: &str) {
        for code in [FindingCode::TooDark, FindingCode::Blurry] {
            self.skipped_checks.push(SkippedCheck { code, reason: reason.to_string() });
        }
    }

    /// True when any finding has severity `error`.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|finding| finding.severity == Severity::Error)
    }
}

fn capitalised(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

enum ReadFailure {
    TooLarge(u64),
    Io(Error),
}

/// Reads a whole file, refusing (before reading) one larger than `max_bytes`, and stopping if
/// it grows past the limit while being read.
fn read_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadFailure> {
    let file = user_file::open(path).map_err(ReadFailure::Io)?;
    let metadata = file.metadata().map_err(|err| ReadFailure::Io(Error::reading(path, &err)))?;
    if metadata.len() > max_bytes {
        return Err(ReadFailure::TooLarge(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(|err| ReadFailure::Io(Error::reading(path, &err)))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadFailure::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}
