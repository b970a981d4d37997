//! The thresholds of the evidence checks, file-level and case-level, their defaults and ranges
//! (the findings they judge: `findings.rs`).

use chrono::FixedOffset;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// `apart_from_other_photos`: how many hours a site photo may be taken from the middle
    /// (the median) of the case's site photo times (2). A visit's photos are taken within
    /// an hour or so; one taken hours apart may be from another visit.
    pub site_photo_spread_hours: f64,
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
    ("site_photo_spread_hours", "h", 0.25, 72.0),
    ("near_duplicate_max_distance", "bit", 0.0, 32.0),
];

/// The default blur threshold, between what was measured (see
/// [`super::image_checks::measure`]). First calibration (jpeg-decoder, the blur applied at
/// the analysis scale): the 31 real photos of the EXIF corpus scored 348 to 19 452 (the two
/// that scored 0 and 1 are a flat grey test image and a thermal image), the same photos
/// blurred (Gaussian, sigma 1.5 px) 11 to 96. Again after the move to libjpeg-turbo
/// (`examples/blur_calibration.rs`, the blur applied to the photo before it is encoded and
/// decoded as an import does, sigma 1.5 px per 1,024 px; the 22 photos whose analysis image
/// is 600 px or more): sharp 397 to 12 141, blurred 12 to 541. There 150 flags no sharp photo
/// and misses 3 of the 22 blurred ones (bench/RESULTS.md, "The import on libjpeg-turbo").
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
            site_photo_spread_hours: 2.0,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
