//! Findings: the problems a check can report, their codes and severities (the table of
//! `interfaces.md`) and the file-level rules; the thresholds they are judged by are
//! `thresholds.rs`, the standard JPEG tables `jpeg_quality.rs`.
//!
//! Every message is written twice, Simplified Chinese first, then English, and names the
//! numbers that tripped the rule, so that the manager can judge on the spot.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::capture_time::{self, CaptureInstant};
use super::image_checks::{self, PixelStats};
use super::media::MediaKind;
use super::metadata::{CaptureMetadata, MediaMetadata, MetadataOrigin, MetadataReading};
pub use crate::jpeg_quality::standard_jpeg_quality;
pub use crate::thresholds::{
    ChatAppFileName, DEFAULT_MIN_LAPLACIAN_VARIANCE, DEFAULT_NEAR_DUPLICATE_MAX_DISTANCE, NUMERIC_THRESHOLDS,
    ThresholdProblem, Thresholds,
};

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
    /// Case-level: the file is not of a type its material takes (a PDF as a storefront photo,
    /// a photo as the inspection video); the material's `file_kinds` in the rule file say
    /// which (an extension of `interfaces.md`).
    WrongFileType,
    /// Case-level: a site photo taken hours apart from the case's other site photos (an
    /// extension of `interfaces.md`; domain.md: "within a short window of the other visit
    /// photos").
    ApartFromOtherPhotos,
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
            | FindingCode::ScreenshotOutsideSiteRadius
            | FindingCode::WrongFileType => Severity::Error,
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
            FindingCode::WrongFileType => "wrong_file_type",
            FindingCode::ApartFromOtherPhotos => "apart_from_other_photos",
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
}
