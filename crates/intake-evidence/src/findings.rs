//! Findings: the problems a check can report, their codes and severities (the table of
//! `interfaces.md`), the thresholds, and the file-level rules.
//!
//! Every message is written twice, Simplified Chinese first, then English, and names the
//! numbers that tripped the rule, so that the manager can judge on the spot.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::capture_time::{self, CaptureInstant};
use super::image_checks::{self, PixelStats};
use super::media::MediaKind;
use super::metadata::{CaptureMetadata, MediaMetadata, MetadataOrigin, MetadataReading};

/// How serious a finding is. `error` blocks the submission; `warning` asks for a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[allow(missing_docs)]
pub enum Severity {
    Error,
    Warning,
}

/// Every finding code of `interfaces.md`, file-level and case-level. The `snake_case`
/// spelling is the public code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[non_exhaustive]
pub enum FindingCode {
    /// Not a readable image/video, truncated, or over the size limits.
    Unreadable,
    /// A camera-format photo with no EXIF at all.
    ExifMissing,
    /// An EXIF block is present but cannot be read (an extension of `interfaces.md`).
    ExifDamaged,
    /// A photo with EXIF but no position (or the position 0,0).
    GpsMissing,
    /// The Software tag names an editor.
    EditedSoftware,
    /// EXIF local time and GPS UTC time disagree.
    TimeGpsMismatch,
    /// Capture time later than now.
    FutureTimestamp,
    /// Longer side too small to read.
    LowResolution,
    /// Mean luminance too low.
    TooDark,
    /// Too little sharp detail.
    Blurry,
    /// Case-level: photo position too far from the premises.
    OutsideSiteRadius,
    /// Case-level: capture date is not the visit date.
    OutsideVisitWindow,
    /// Case-level: the same bytes in another slot of the case.
    DuplicateInCase,
    /// Case-level: the same bytes in another case.
    DuplicateOtherCase,
    /// Signs that the file passed through a chat app or was re-saved.
    ForwardedCopy,
    /// Case-level: a perceptually near-identical image elsewhere.
    NearDuplicate,
    /// Document reading: a document of a reading slot gave none of its key fields (or could
    /// not be decoded); nothing is cross-checked on it.
    DocumentNotRead,
    /// Document reading: the licence's 统一社会信用代码 is not the case's `uscc`.
    LicenceUsccMismatch,
    /// Document reading: the ID card's 公民身份号码 is not the case's `legal_rep_id_number`.
    IdNumberMismatch,
    /// Document reading: the licence's 名称 is not the case's merchant name.
    LicenceNameMismatch,
    /// Document reading: the licence's 法定代表人/经营者 is not the name on the ID card.
    LegalRepNameMismatch,
    /// Document reading: the ID card's 有效期限 or the licence's 营业期限 ended before the
    /// visit date.
    DocumentExpired,
    /// Document reading: the card's 出生 is not the birth date inside its ID number.
    IdBirthDateMismatch,
    /// Document reading: the GPS screenshot's position is too far from the premises.
    ScreenshotOutsideSiteRadius,
    /// Document reading: the case has no premises position; the screenshot's is offered.
    ScreenshotPositionOffered,
}

impl FindingCode {
    /// Every code, in declaration order (generated from the variants, never kept by hand).
    pub const ALL: &'static [FindingCode] = <FindingCode as strum::VariantArray>::VARIANTS;

    /// The default severity (`interfaces.md`).
    pub fn severity(self) -> Severity {
        match self {
            FindingCode::Unreadable
            | FindingCode::FutureTimestamp
            | FindingCode::OutsideSiteRadius
            | FindingCode::OutsideVisitWindow
            | FindingCode::DuplicateInCase
            | FindingCode::DuplicateOtherCase
            | FindingCode::LicenceUsccMismatch
            | FindingCode::IdNumberMismatch
            | FindingCode::DocumentExpired
            | FindingCode::IdBirthDateMismatch
            | FindingCode::ScreenshotOutsideSiteRadius => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// The public code, e.g. `too_dark`.
    pub fn key(self) -> &'static str {
        match self {
            FindingCode::Unreadable => "unreadable",
            FindingCode::ExifMissing => "exif_missing",
            FindingCode::ExifDamaged => "exif_damaged",
            FindingCode::GpsMissing => "gps_missing",
            FindingCode::EditedSoftware => "edited_software",
            FindingCode::TimeGpsMismatch => "time_gps_mismatch",
            FindingCode::FutureTimestamp => "future_timestamp",
            FindingCode::LowResolution => "low_resolution",
            FindingCode::TooDark => "too_dark",
            FindingCode::Blurry => "blurry",
            FindingCode::OutsideSiteRadius => "outside_site_radius",
            FindingCode::OutsideVisitWindow => "outside_visit_window",
            FindingCode::DuplicateInCase => "duplicate_in_case",
            FindingCode::DuplicateOtherCase => "duplicate_other_case",
            FindingCode::ForwardedCopy => "forwarded_copy",
            FindingCode::NearDuplicate => "near_duplicate",
            FindingCode::DocumentNotRead => "document_not_read",
            FindingCode::LicenceUsccMismatch => "licence_uscc_mismatch",
            FindingCode::IdNumberMismatch => "id_number_mismatch",
            FindingCode::LicenceNameMismatch => "licence_name_mismatch",
            FindingCode::LegalRepNameMismatch => "legal_rep_name_mismatch",
            FindingCode::DocumentExpired => "document_expired",
            FindingCode::IdBirthDateMismatch => "id_birth_date_mismatch",
            FindingCode::ScreenshotOutsideSiteRadius => "screenshot_outside_site_radius",
            FindingCode::ScreenshotPositionOffered => "screenshot_position_offered",
        }
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One problem found in a file. `message` is the Chinese and the English sentence together;
/// both are also given alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    pub message_zh: String,
    pub message_en: String,
}

impl Finding {
    /// A finding with the code's default severity.
    pub fn new(code: FindingCode, message_zh: String, message_en: String) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            message: format!("{message_zh} {message_en}"),
            message_zh,
            message_en,
        }
    }
}

/// A file-name pattern of a chat app: files it saves or forwards are named like this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChatAppFileName {
    /// The app's name, for the message (e.g. `微信 WeChat`).
    pub app: String,
    /// A regular expression (Rust `regex` syntax) matched against the whole file name.
    pub pattern: String,
}

/// The thresholds of the evidence checks, file-level (`inspect`, import) and case-level
/// (`check`), with the defaults of `interfaces.md`. An installation keeps its own in
/// `settings.json` (`thresholds`); each field may be left out, the default then applies.
/// [`Thresholds::problem`] says whether a set is usable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
#[ts(export)]
pub struct Thresholds {
    /// Files larger than this are `unreadable` without being read (200 MiB).
    #[ts(type = "number")]
    pub max_file_bytes: u64,
    /// Images with more pixels than this are `unreadable` without being decoded (100 million).
    #[ts(type = "number")]
    pub max_pixels: u64,
    /// The most memory the pixel decoder may allocate for one image (512 MiB).
    #[ts(type = "number")]
    pub max_decode_bytes: u64,
    /// `time_gps_mismatch` above this many minutes (10).
    pub time_gps_mismatch_minutes: f64,
    /// `future_timestamp` when the capture time is more than this many hours ahead (24).
    pub future_tolerance_hours: f64,
    /// `low_resolution` when the longer side is below this (1280 px).
    pub min_long_side_px: u32,
    /// `too_dark` when the mean luminance (0..255) is below this (40).
    pub min_mean_luminance: f64,
    /// `blurry` when the variance of the Laplacian on the grey image scaled to
    /// [`super::image_checks::ANALYSIS_LONG_SIDE`] pixels, over its sharpest tiles, is below
    /// this (150).
    pub min_laplacian_variance: f64,
    /// The UTC offset, in minutes, of an EXIF time that records none (480: China, UTC+8).
    pub default_utc_offset_minutes: i32,
    /// Substrings of the Software tag (case-insensitive) that name an image editor.
    pub editing_software: Vec<String>,
    /// File names chat apps give to images they save or forward.
    pub chat_app_file_names: Vec<ChatAppFileName>,
    /// Substrings of a file name (case-insensitive) that mark a screenshot, which is not
    /// expected to carry EXIF.
    pub screenshot_file_names: Vec<String>,
    /// `outside_site_radius`: the radius around the premises, in metres, of a case that names
    /// none of its own (200).
    pub site_radius_m: f64,
    /// `outside_visit_window`: how many days before or after the visit date a site photo may
    /// be taken (0: the visit day only).
    pub visit_window_days: u32,
    /// `near_duplicate` at a Hamming distance of at most this many of the perceptual hash's
    /// 64 bits (10).
    pub near_duplicate_max_distance: u32,
}

/// The default `near_duplicate` distance, in bits of 64 (`interfaces.md`).
pub const DEFAULT_NEAR_DUPLICATE_MAX_DISTANCE: u32 = 10;

/// The numeric thresholds: key, unit (for people), and the accepted range. Lower bounds keep a
/// limit from refusing every file; upper bounds keep a typo (an extra zero) from switching a
/// check off or letting a decompression bomb through.
pub const NUMERIC_THRESHOLDS: &[(&str, &str, f64, f64)] = &[
    ("max_file_bytes", "B", 1_048_576.0, 17_179_869_184.0),
    ("max_pixels", "px", 1_000_000.0, 1_000_000_000.0),
    ("max_decode_bytes", "B", 16_777_216.0, 4_294_967_296.0),
    ("time_gps_mismatch_minutes", "min", 0.0, 1440.0),
    ("future_tolerance_hours", "h", 0.0, 720.0),
    ("min_long_side_px", "px", 0.0, 20_000.0),
    ("min_mean_luminance", "/255", 0.0, 255.0),
    ("min_laplacian_variance", "", 0.0, 100_000.0),
    ("default_utc_offset_minutes", "min", -720.0, 840.0),
    ("site_radius_m", "m", 1.0, 100_000.0),
    ("visit_window_days", "d", 0.0, 30.0),
    ("near_duplicate_max_distance", "bit", 0.0, 32.0),
];

/// The default blur threshold, between what was measured (see
/// [`super::image_checks::measure`]): the 31 real photos of the EXIF corpus scored 348 to
/// 19 452 (the two that scored 0 and 1 are a flat grey test image and a thermal image), and
/// the same photos after a Gaussian blur of sigma 1.5 px at the analysis scale 11 to 96.
pub const DEFAULT_MIN_LAPLACIAN_VARIANCE: f64 = 150.0;

impl Default for Thresholds {
    fn default() -> Self {
        let words = |list: &[&str]| list.iter().map(|word| word.to_string()).collect();
        let chat = |app: &str, pattern: &str| ChatAppFileName { app: app.into(), pattern: pattern.into() };
        Thresholds {
            max_file_bytes: 200 * 1024 * 1024,
            max_pixels: 100_000_000,
            max_decode_bytes: 512 * 1024 * 1024,
            time_gps_mismatch_minutes: 10.0,
            future_tolerance_hours: 24.0,
            min_long_side_px: 1280,
            min_mean_luminance: 40.0,
            min_laplacian_variance: DEFAULT_MIN_LAPLACIAN_VARIANCE,
            default_utc_offset_minutes: 8 * 60,
            editing_software: words(&[
                "Photoshop",
                "Lightroom",
                "GIMP",
                "Meitu",
                "美图",
                "Snapseed",
                "PicsArt",
                "Pixelmator",
                "Affinity Photo",
                "paint.net",
                "PaintShop",
                "Paint Shop",
                "Capture One",
                "Luminar",
                "PhotoScape",
                "Fotor",
                "Polarr",
                "泼辣修图",
                "VSCO",
                "Facetune",
                "Canva",
                "醒图",
                "Hypic",
                "黄油相机",
                "天天P图",
                "ACDSee",
                "XnView",
                "Darktable",
                "RawTherapee",
                "Picasa",
            ]),
            chat_app_file_names: vec![
                chat("微信 WeChat", r"(?i)^mmexport\d{10,13}(\(\d+\))?\.[a-z0-9]+$"),
                chat("微信 WeChat", r"(?i)^wx_camera_\d{10,13}\.[a-z0-9]+$"),
                chat("微信 WeChat", r"^微信图片_\d{14}(_\d+)?\.[A-Za-z0-9]+$"),
                chat("QQ", r"^QQ图片\d{14}\.[A-Za-z0-9]+$"),
                chat("WhatsApp", r"(?i)^IMG-\d{8}-WA\d{4}\.[a-z0-9]+$"),
            ],
            screenshot_file_names: words(&["screenshot", "screen shot", "screen_shot", "截屏", "截图", "屏幕快照"]),
            site_radius_m: crate::case::DEFAULT_SITE_RADIUS_M,
            visit_window_days: 0,
            near_duplicate_max_distance: DEFAULT_NEAR_DUPLICATE_MAX_DISTANCE,
        }
    }
}

/// What is wrong with one threshold: the field's key and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdProblem {
    /// The field, e.g. `min_long_side_px`.
    pub field: String,
    /// Why, in Chinese and English, e.g. `须在 0 到 20000 之间 must be 0 to 20000, not 50000`.
    pub reason: String,
}

impl std::fmt::Display for ThresholdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl Thresholds {
    /// The first threshold out of its range ([`NUMERIC_THRESHOLDS`]), an empty word of a list,
    /// or a chat-app pattern that is not a regular expression; `None` when all are usable.
    pub fn problem(&self) -> Option<ThresholdProblem> {
        let value = serde_json::to_value(self).expect("thresholds serialise");
        for &(field, _, low, high) in NUMERIC_THRESHOLDS {
            let number = value[field].as_f64().filter(|number| number.is_finite());
            if !number.is_some_and(|number| (low..=high).contains(&number)) {
                let shown = value[field].to_string();
                return Some(ThresholdProblem {
                    field: field.to_string(),
                    reason: format!("须在 {low} 到 {high} 之间 must be {low} to {high}, not {shown}"),
                });
            }
        }
        let lists =
            [("editing_software", &self.editing_software), ("screenshot_file_names", &self.screenshot_file_names)];
        for (field, words) in lists {
            if words.iter().any(|word| word.trim().is_empty()) {
                return Some(ThresholdProblem {
                    field: field.to_string(),
                    reason: "不能含空字符串 must not hold an empty word (it would match everything)".into(),
                });
            }
        }
        for chat_app in &self.chat_app_file_names {
            if let Err(err) = regex::Regex::new(&chat_app.pattern) {
                let reason = err.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
                return Some(ThresholdProblem {
                    field: "chat_app_file_names".to_string(),
                    reason: format!("「{}」不是正则表达式 is not a regular expression ({reason})", chat_app.pattern),
                });
            }
        }
        None
    }

    /// These thresholds with one field set from text, as typed after `KEY=` (a number, or JSON
    /// for the lists), and checked ([`Thresholds::problem`]).
    pub fn with_value(&self, key: &str, text: &str) -> Result<Thresholds, ThresholdProblem> {
        let parsed: serde_json::Value = serde_json::from_str(text.trim()).map_err(|_| ThresholdProblem {
            field: key.to_string(),
            reason: format!("「{text}」不是数字或 JSON is not a number or JSON"),
        })?;
        self.overlaid(&serde_json::json!({ key: parsed }))
    }

    /// These thresholds with the fields of a JSON object set (the others kept), and checked. The
    /// problem names the field: one that is not a threshold, of the wrong type, or out of range.
    pub fn overlaid(&self, fields: &serde_json::Value) -> Result<Thresholds, ThresholdProblem> {
        let Some(fields) = fields.as_object() else {
            return Err(ThresholdProblem {
                field: "thresholds".into(),
                reason: "须为 JSON 对象 must be a JSON object".into(),
            });
        };
        let mut value = serde_json::to_value(self).expect("thresholds serialise");
        for (key, new) in fields {
            let problem = |reason: String| ThresholdProblem { field: key.clone(), reason };
            let slot = value
                .as_object_mut()
                .and_then(|known| known.get_mut(key))
                .ok_or_else(|| problem("没有这个阈值 is not a threshold".into()))?;
            *slot = new.clone();
            // One field at a time, so that a wrong type is blamed on its field.
            serde_json::from_value::<Thresholds>(value.clone())
                .map_err(|err| problem(format!("类型不对 has the wrong type ({err}): {new}")))?;
        }
        let changed: Thresholds = serde_json::from_value(value).expect("checked field by field above");
        match changed.problem() {
            Some(problem) => Err(problem),
            None => Ok(changed),
        }
    }

    /// The default UTC offset as a chrono offset (UTC+8 if the setting is out of range).
    pub fn default_offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.default_utc_offset_minutes.saturating_mul(60))
            .unwrap_or_else(|| FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
    }
}

/// What the file-level rules look at.
pub(crate) struct FileFacts<'a> {
    pub file_name: &'a str,
    pub metadata: &'a MediaMetadata,
    pub pixels: Option<&'a PixelStats>,
    /// The IJG quality whose standard tables this JPEG uses, if it does.
    pub standard_jpeg_quality: Option<u8>,
    pub now: DateTime<Utc>,
}

/// Every file-level finding except `unreadable`, which the reading itself produces.
pub(crate) fn file_findings(facts: &FileFacts, thresholds: &Thresholds) -> Vec<Finding> {
    let mut findings = Vec::new();
    let kind = facts.metadata.kind;
    let metadata = facts.metadata.reading.found();
    let looks_like_screenshot = {
        let name = facts.file_name.to_lowercase();
        thresholds.screenshot_file_names.iter().any(|word| name.contains(&word.to_lowercase()))
    };

    match &facts.metadata.reading {
        MetadataReading::NotFound if kind.is_camera_format() && !looks_like_screenshot => findings.push(Finding::new(
            FindingCode::ExifMissing,
            "照片没有任何 EXIF 信息(常见于经聊天软件转发后被清除)。".into(),
            "The photo has no EXIF metadata at all (often stripped by a chat app).".into(),
        )),
        MetadataReading::Damaged(reason) => findings.push(Finding::new(
            FindingCode::ExifDamaged,
            format!("照片的 EXIF 信息已损坏,无法读取({reason})。"),
            format!("The photo's EXIF metadata is damaged and cannot be read ({reason})."),
        )),
        _ => {}
    }

    if let Some(metadata) = metadata {
        if kind.is_camera_format() && metadata.origin == MetadataOrigin::Exif {
            match metadata.gps.position() {
                None => findings.push(Finding::new(
                    FindingCode::GpsMissing,
                    "照片有 EXIF 信息,但没有 GPS 位置。".into(),
                    "The photo has EXIF metadata but no GPS position.".into(),
                )),
                Some((latitude, longitude)) if latitude == 0.0 && longitude == 0.0 => findings.push(Finding::new(
                    FindingCode::GpsMissing,
                    "照片的 GPS 位置为 0,0,不是有效定位。".into(),
                    "The photo's GPS position is 0,0, which is not a real fix.".into(),
                )),
                Some(_) => {}
            }
        }
        if let Some(finding) = edited_software(metadata, thresholds) {
            findings.push(finding);
        }
        let capture = capture_time::capture_instant(metadata, thresholds.default_offset());
        if let Some(finding) = time_gps_mismatch(metadata, capture.as_ref(), thresholds) {
            findings.push(finding);
        }
        if let Some(finding) = future_timestamp(metadata, capture.as_ref(), facts.now, thresholds) {
            findings.push(finding);
        }
    }

    if kind.is_image()
        && let (Some(width), Some(height)) = (facts.metadata.width, facts.metadata.height)
    {
        let long_side = width.max(height);
        if long_side < thresholds.min_long_side_px {
            findings.push(Finding::new(
                FindingCode::LowResolution,
                format!("分辨率 {width}×{height},长边 {long_side} 像素,低于 {} 像素。", thresholds.min_long_side_px),
                format!(
                    "Resolution {width}x{height}: the longer side is {long_side} px, below {} px.",
                    thresholds.min_long_side_px
                ),
            ));
        }
    }

    if let Some(pixels) = facts.pixels {
        if pixels.mean_luminance < thresholds.min_mean_luminance {
            findings.push(Finding::new(
                FindingCode::TooDark,
                format!(
                    "照片过暗:平均亮度 {:.0}/255,低于 {:.0}。",
                    pixels.mean_luminance, thresholds.min_mean_luminance
                ),
                format!(
                    "Too dark: mean luminance {:.0} of 255, below {:.0}.",
                    pixels.mean_luminance, thresholds.min_mean_luminance
                ),
            ));
        }
        // A dark image has little contrast, so little Laplacian, however sharp it is: its
        // sharpness is not judged (see `sharpness_judged`).
        if sharpness_judged(pixels, thresholds) && pixels.laplacian_variance < thresholds.min_laplacian_variance {
            findings.push(Finding::new(
                FindingCode::Blurry,
                format!(
                    "照片模糊:清晰度(拉普拉斯方差){:.0},低于 {:.0}。",
                    pixels.laplacian_variance, thresholds.min_laplacian_variance
                ),
                format!(
                    "Blurry: sharpness (variance of the Laplacian) {:.0}, below {:.0}.",
                    pixels.laplacian_variance, thresholds.min_laplacian_variance
                ),
            ));
        }
    }

    if let Some(finding) = forwarded_copy(facts, thresholds) {
        findings.push(finding);
    }
    findings
}

/// Whether the `blurry` rule can judge this image: big enough and not too dark.
pub(crate) fn sharpness_judged(pixels: &PixelStats, thresholds: &Thresholds) -> bool {
    pixels.analysed_width.min(pixels.analysed_height) >= image_checks::MIN_SIDE_FOR_SHARPNESS
        && pixels.mean_luminance >= thresholds.min_mean_luminance
}

fn edited_software(metadata: &CaptureMetadata, thresholds: &Thresholds) -> Option<Finding> {
    let software = metadata.software.as_deref()?;
    let lower = software.to_lowercase();
    let editor = thresholds.editing_software.iter().find(|editor| lower.contains(&editor.to_lowercase()))?;
    Some(Finding::new(
        FindingCode::EditedSoftware,
        format!("EXIF 软件字段为「{software}」({editor}),照片可能经过编辑。"),
        format!("The Software tag says \"{software}\" ({editor}): the photo may have been edited."),
    ))
}

fn time_gps_mismatch(
    metadata: &CaptureMetadata,
    capture: Option<&CaptureInstant>,
    thresholds: &Thresholds,
) -> Option<Finding> {
    let capture = capture?;
    let gps = capture_time::gps_utc(metadata.gps.datestamp.as_deref(), metadata.gps.timestamp)?;
    let difference_minutes = (capture.utc() - gps).num_milliseconds().abs() as f64 / 60_000.0;
    if difference_minutes <= thresholds.time_gps_mismatch_minutes {
        return None;
    }
    let local = capture.local.format("%Y-%m-%d %H:%M:%S");
    let offset = capture_time::format_offset(capture.offset);
    let assumed_zh =
        if capture.offset_source == capture_time::OffsetSource::Assumed { ",未记录时区,按此计" } else { "" };
    let assumed_en =
        if capture.offset_source == capture_time::OffsetSource::Assumed { ", none recorded, assumed" } else { "" };
    let gps_text = gps.format("%Y-%m-%d %H:%M:%S");
    let limit = thresholds.time_gps_mismatch_minutes;
    Some(Finding::new(
        FindingCode::TimeGpsMismatch,
        format!(
            "拍摄时间 {local}(UTC{offset}{assumed_zh})与 GPS 时间 {gps_text} UTC 相差 {difference_minutes:.0} 分钟,超过 {limit} 分钟。"
        ),
        format!(
            "Capture time {local} (UTC{offset}{assumed_en}) and GPS time {gps_text} UTC differ by {difference_minutes:.0} minutes, more than {limit}."
        ),
    ))
}

fn future_timestamp(
    metadata: &CaptureMetadata,
    capture: Option<&CaptureInstant>,
    now: DateTime<Utc>,
    thresholds: &Thresholds,
) -> Option<Finding> {
    let instant = capture
        .map(CaptureInstant::utc)
        .or_else(|| capture_time::gps_utc(metadata.gps.datestamp.as_deref(), metadata.gps.timestamp))?;
    let ahead_hours = (instant - now).num_seconds() as f64 / 3600.0;
    if ahead_hours <= thresholds.future_tolerance_hours {
        return None;
    }
    let when = instant.format("%Y-%m-%d %H:%M:%S");
    let now_text = now.format("%Y-%m-%d %H:%M:%S");
    Some(Finding::new(
        FindingCode::FutureTimestamp,
        format!(
            "拍摄时间 {when} UTC 比当前时间 {now_text} UTC 晚 {ahead_hours:.0} 小时(允许 {} 小时)。",
            thresholds.future_tolerance_hours
        ),
        format!(
            "Capture time {when} UTC is {ahead_hours:.0} hours after now ({now_text} UTC); at most {} allowed.",
            thresholds.future_tolerance_hours
        ),
    ))
}

fn forwarded_copy(facts: &FileFacts, thresholds: &Thresholds) -> Option<Finding> {
    let has_exif = facts.metadata.reading.found().is_some_and(|metadata| metadata.origin == MetadataOrigin::Exif);
    let camera_named = facts
        .metadata
        .reading
        .found()
        .is_some_and(|metadata| metadata.make.as_deref().is_some_and(|make| !make.is_empty()));
    if facts.metadata.kind.is_image() && !has_exif {
        let name = facts.file_name;
        for chat_app in &thresholds.chat_app_file_names {
            // A pattern that does not compile is skipped: a settings typo must not stop inspection.
            let Ok(pattern) = regex::Regex::new(&chat_app.pattern) else { continue };
            if pattern.is_match(name) {
                let app = &chat_app.app;
                return Some(Finding::new(
                    FindingCode::ForwardedCopy,
                    format!("文件名「{name}」是{app}保存或转发图片的命名方式,且文件没有 EXIF 信息:可能不是原始照片。"),
                    format!(
                        "The file name \"{name}\" is how {app} names images it saves or forwards, and the file has no EXIF: probably not the original photo."
                    ),
                ));
            }
        }
    }
    if facts.metadata.kind == MediaKind::Jpeg
        && !camera_named
        && let Some(quality) = facts.standard_jpeg_quality
    {
        return Some(Finding::new(
            FindingCode::ForwardedCopy,
            format!(
                "JPEG 量化表与标准 libjpeg 质量 {quality} 的量化表完全相同,且没有相机信息:照片可能经聊天软件压缩或被重新保存。"
            ),
            format!(
                "The JPEG quantisation tables are exactly libjpeg's standard tables at quality {quality}, and no camera is named: the photo was probably re-compressed by a chat app or re-saved."
            ),
        ));
    }
    None
}

/// The IJG (libjpeg) quality 1..=100 whose scaled standard tables equal this file's luminance
/// table (and chrominance table, if there is one). libjpeg, libjpeg-turbo and the encoders
/// of most chat apps and editors write exactly these; cameras mostly write their own.
pub fn standard_jpeg_quality(tables: &[(u8, [u16; 64])]) -> Option<u8> {
    let luminance = tables.iter().find(|(id, _)| *id == 0).map(|(_, table)| table)?;
    let chrominance = tables.iter().find(|(id, _)| *id == 1).map(|(_, table)| table);
    (1..=100u8).rev().find(|&quality| {
        scaled_table(&IJG_LUMINANCE, quality) == *luminance
            && chrominance.is_none_or(|table| scaled_table(&IJG_CHROMINANCE, quality) == *table)
    })
}

/// libjpeg's `jpeg_quality_scaling` and `jpeg_add_quant_table` with `force_baseline`.
fn scaled_table(base: &[u16; 64], quality: u8) -> [u16; 64] {
    let quality = u32::from(quality.clamp(1, 100));
    let scale = if quality < 50 { 5000 / quality } else { 200 - quality * 2 };
    base.map(|value| ((u32::from(value) * scale + 50) / 100).clamp(1, 255) as u16)
}

/// The example tables of ITU-T T.81 Annex K, natural order, which libjpeg scales.
const IJG_LUMINANCE: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
    87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
];
const IJG_CHROMINANCE: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_severities_follow_interfaces_md() {
        assert_eq!(serde_json::to_string(&FindingCode::TimeGpsMismatch).unwrap(), "\"time_gps_mismatch\"");
        for code in [FindingCode::Unreadable, FindingCode::FutureTimestamp, FindingCode::OutsideSiteRadius] {
            assert_eq!(code.severity(), Severity::Error);
        }
        for code in
            [FindingCode::ExifMissing, FindingCode::Blurry, FindingCode::ForwardedCopy, FindingCode::NearDuplicate]
        {
            assert_eq!(code.severity(), Severity::Warning);
        }
        let json = serde_json::to_value(FindingCode::NearDuplicate).unwrap();
        assert_eq!(json, FindingCode::NearDuplicate.key());
    }

    #[test]
    fn thresholds_fill_in_defaults() {
        let partial: Thresholds = serde_json::from_str(r#"{"min_long_side_px": 800}"#).unwrap();
        assert_eq!(partial.min_long_side_px, 800);
        assert_eq!(partial.max_pixels, 100_000_000);
        assert!(serde_json::from_str::<Thresholds>(r#"{"min_long_side": 800}"#).is_err(), "typos are refused");
        for chat_app in &Thresholds::default().chat_app_file_names {
            regex::Regex::new(&chat_app.pattern).unwrap();
        }
    }

    #[test]
    fn ijg_quality_is_recognised_exactly() {
        for quality in [10u8, 50, 75, 85, 95, 100] {
            let tables = vec![(0, scaled_table(&IJG_LUMINANCE, quality)), (1, scaled_table(&IJG_CHROMINANCE, quality))];
            assert_eq!(standard_jpeg_quality(&tables), Some(quality));
        }
        let mut camera = scaled_table(&IJG_LUMINANCE, 92);
        camera[5] += 1;
        assert_eq!(standard_jpeg_quality(&[(0, camera)]), None);
        assert_eq!(standard_jpeg_quality(&[]), None);
    }
}
