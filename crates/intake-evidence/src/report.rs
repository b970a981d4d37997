//! The wire form of an inspection: what `intake inspect --json` prints and the desktop shell
//! receives, in the shape of `interfaces.md`. Built by hand from the internal facts, so the
//! internal types can change without changing the contract.

use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::capture_time::{self, OffsetSource};
use super::findings::{Finding, FindingCode, Thresholds};
use super::image_checks::PixelStats;
use super::metadata::{CaptureMetadata, MetadataOrigin};

/// `inspect --json`: one entry per file, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct InspectReport {
    pub files: Vec<FileInspection>,
}

/// The facts and file-level findings of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FileInspection {
    /// The path as given.
    pub path: String,
    /// Lower-case hex SHA-256 of the bytes; null when the file could not be read at all.
    pub sha256: Option<String>,
    /// Size in bytes; null when unknown (missing file).
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
    /// The media type from the content, e.g. `image/jpeg`.
    pub media_type: Option<String>,
    /// The stored image size (before EXIF rotation), or a video's frame size.
    pub width: Option<u32>,
    #[allow(missing_docs)]
    pub height: Option<u32>,
    /// EXIF orientation 1..8.
    pub orientation: Option<u16>,
    /// Capture metadata; null where the file has none (or where it is damaged, with the
    /// finding `exif_damaged`).
    pub exif: Option<ExifSummary>,
    /// What the pixel checks measured; null where pixels were not analysed.
    pub pixels: Option<PixelSummary>,
    /// Checks that could not run on this file, and why (e.g. HEIC pixels are not decoded).
    pub skipped_checks: Vec<SkippedCheck>,
    #[allow(missing_docs)]
    pub findings: Vec<Finding>,
    /// Why the file could not be read, as a sentence; null when it was read.
    pub error: Option<String>,
}

/// The capture metadata of a file, EXIF or (for a movie) QuickTime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExifSummary {
    /// `exif`, or `quicktime` for a movie's own metadata.
    pub source: MetadataOrigin,
    #[allow(missing_docs)]
    pub make: Option<String>,
    #[allow(missing_docs)]
    pub model: Option<String>,
    #[allow(missing_docs)]
    pub software: Option<String>,
    /// DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS`, local time with no zone; null when absent
    /// or malformed.
    pub datetime_original: Option<String>,
    /// DateTimeOriginal exactly as written, also when malformed (`0000:00:00 00:00:00`).
    pub datetime_original_raw: Option<String>,
    /// OffsetTimeOriginal (`+08:00`), only where the file records a valid one.
    pub offset_time_original: Option<String>,
    /// The capture time in UTC (`…Z`), from DateTimeOriginal and the offset below.
    pub capture_utc: Option<String>,
    /// The UTC offset used for `capture_utc`.
    pub capture_offset: Option<String>,
    /// Where that offset came from (`recorded`, `digitized`, `modified`, `assumed`).
    pub capture_offset_source: Option<OffsetSource>,
    #[allow(missing_docs)]
    pub gps: Option<GpsSummary>,
}

/// A GPS position, WGS-84 as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GpsSummary {
    /// Signed decimal degrees, south negative.
    pub lat: f64,
    /// Signed decimal degrees, west negative.
    pub lon: f64,
    /// Altitude in metres, negative below sea level.
    pub alt_m: Option<f64>,
    /// GPSHPositioningError in metres.
    pub h_error_m: Option<f64>,
    /// The GPS clock (UTC) when both GPSDateStamp and GPSTimeStamp are valid.
    pub utc: Option<String>,
}

/// What the pixel checks measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PixelSummary {
    /// Mean luminance, 0..255.
    pub mean_luminance: f64,
    /// Variance of the Laplacian on the analysis image.
    pub laplacian_variance: f64,
    /// The size of the grey image the checks ran on.
    pub analysed_width: u32,
    #[allow(missing_docs)]
    pub analysed_height: u32,
}

/// A check that did not run, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct SkippedCheck {
    pub code: FindingCode,
    pub reason: String,
}

impl From<&PixelStats> for PixelSummary {
    fn from(stats: &PixelStats) -> Self {
        PixelSummary {
            mean_luminance: (stats.mean_luminance * 10.0).round() / 10.0,
            laplacian_variance: (stats.laplacian_variance * 10.0).round() / 10.0,
            analysed_width: stats.analysed_width,
            analysed_height: stats.analysed_height,
        }
    }
}

/// The wire summary of capture metadata.
pub fn exif_summary(metadata: &CaptureMetadata, thresholds: &Thresholds) -> ExifSummary {
    let capture = capture_time::capture_instant(metadata, thresholds.default_offset());
    let gps = metadata.gps.position().map(|(lat, lon)| GpsSummary {
        lat,
        lon,
        alt_m: metadata.gps.altitude_m(),
        h_error_m: metadata.gps.h_positioning_error_m,
        utc: capture_time::gps_utc(metadata.gps.datestamp.as_deref(), metadata.gps.timestamp)
            .map(|utc| utc.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    });
    ExifSummary {
        source: metadata.origin,
        make: metadata.make.clone().filter(|text| !text.is_empty()),
        model: metadata.model.clone().filter(|text| !text.is_empty()),
        software: metadata.software.clone().filter(|text| !text.is_empty()),
        datetime_original: metadata
            .datetime_original
            .as_deref()
            .and_then(capture_time::parse_exif_datetime)
            .map(|local| local.format("%Y-%m-%dT%H:%M:%S").to_string()),
        datetime_original_raw: metadata.datetime_original.clone(),
        offset_time_original: metadata
            .offset_time_original
            .as_deref()
            .and_then(capture_time::parse_utc_offset)
            .map(capture_time::format_offset),
        capture_utc: capture.map(|capture| capture.utc().to_rfc3339_opts(SecondsFormat::Secs, true)),
        capture_offset: capture.map(|capture| capture_time::format_offset(capture.offset)),
        capture_offset_source: capture.map(|capture| capture.offset_source),
        gps,
    }
}
