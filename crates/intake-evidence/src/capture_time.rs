//! Capture time: parsing the EXIF date strings, choosing the UTC offset, and the GPS clock.
//!
//! The raw strings are kept as written (see [`super::metadata`]); these functions turn them
//! into instants for the checks. A malformed value (`0000:00:00 00:00:00`, blanks
//! `    :  :     :  :  `, a GPS date `2014:09:259`) is *absent* for every computation: it is
//! never "fixed" and never a reason to fail.
//!
//! Which UTC offset applies to DateTimeOriginal, in order:
//! 1. `OffsetTimeOriginal`, the offset EXIF 2.31 defines for that very timestamp;
//! 2. `OffsetTimeDigitized`, but only when `DateTimeDigitized` equals `DateTimeOriginal`
//!    (then both describe the same moment, as in every digital camera);
//! 3. `OffsetTime`, but only when `DateTime` (the modification time) equals
//!    `DateTimeOriginal`: the offset belongs to the time it sits beside, and editing software
//!    rewrites both. The corpus' `nikon-d3s-offsettime-only.jpg` shows why: its `OffsetTime`
//!    +02:00 was written by Lightroom an hour after the shot, with `DateTime` 19:25:49 against
//!    the capture's 18:23:07, so it is not used there;
//! 4. the installation's default, UTC+8 (China Standard Time, no daylight saving).

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::metadata::{CaptureMetadata, GpsTime};

/// Parses an EXIF date-time, `YYYY:MM:DD HH:MM:SS` (dashes in the date and a `T` between are
/// tolerated, as some writers use them). Anything else, including impossible dates such as
/// month 0, is `None`.
pub fn parse_exif_datetime(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim_end_matches('\0');
    let bytes = raw.as_bytes();
    if bytes.len() < 19 {
        return None;
    }
    let separators_ok = matches!(bytes[4], b':' | b'-')
        && bytes[7] == bytes[4]
        && matches!(bytes[10], b' ' | b'T')
        && bytes[13] == b':'
        && bytes[16] == b':';
    let digits_ok = [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
        .into_iter()
        .all(|range| bytes[range].iter().all(u8::is_ascii_digit));
    // Anything after the seconds must be a fraction or nothing (some writers append `.123`).
    let tail_ok = bytes.len() == 19 || (bytes[19] == b'.' && bytes[20..].iter().all(u8::is_ascii_digit));
    if !(separators_ok && digits_ok && tail_ok) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| raw[range].parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let time = NaiveTime::from_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    if date.year_ce().1 == 0 {
        return None;
    }
    Some(NaiveDateTime::new(date, time))
}

/// Parses an EXIF 2.31 offset, `+HH:MM` or `-HH:MM`, within ±14 hours.
pub fn parse_utc_offset(raw: &str) -> Option<FixedOffset> {
    let raw = raw.trim_end_matches('\0');
    let bytes = raw.as_bytes();
    if bytes.len() != 6 || bytes[3] != b':' || !bytes[1..3].iter().chain(&bytes[4..6]).all(u8::is_ascii_digit) {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = raw[1..3].parse().ok()?;
    let minutes: i32 = raw[4..6].parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The `+HH:MM` spelling of an offset.
pub fn format_offset(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The GPS clock (UTC) from GPSDateStamp `YYYY:MM:DD` and GPSTimeStamp; `None` unless both
/// are present and valid.
pub fn gps_utc(datestamp: Option<&str>, timestamp: Option<GpsTime>) -> Option<DateTime<Utc>> {
    let raw = datestamp?.trim_end_matches('\0');
    let bytes = raw.as_bytes();
    if bytes.len() != 10
        || !matches!(bytes[4], b':' | b'-')
        || bytes[7] != bytes[4]
        || ![0..4, 5..7, 8..10].into_iter().all(|range| bytes[range].iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(raw[0..4].parse().ok()?, raw[5..7].parse().ok()?, raw[8..10].parse().ok()?)?;
    if date.year_ce().1 == 0 {
        return None;
    }
    let time = timestamp.filter(|time| time.complete)?;
    let valid = |value: f64, below: f64| value.is_finite() && value >= 0.0 && value < below;
    if !(valid(time.hour, 24.0) && valid(time.minute, 60.0) && valid(time.second, 61.0))
        || time.hour.fract() != 0.0
        || time.minute.fract() != 0.0
    {
        return None;
    }
    let whole_seconds = time.second.trunc();
    let nanos = ((time.second - whole_seconds) * 1e9).round().min(999_999_999.0) as u32;
    // A leap second (60) is folded into the next minute.
    let base = date.and_hms_opt(time.hour as u32, time.minute as u32, 0)?;
    let instant =
        base + chrono::Duration::seconds(whole_seconds as i64) + chrono::Duration::nanoseconds(i64::from(nanos));
    Some(Utc.from_utc_datetime(&instant))
}

/// Where the UTC offset of the capture time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OffsetSource {
    /// `OffsetTimeOriginal`, or for a video the offset written with its creation date.
    Recorded,
    /// `OffsetTimeDigitized`, whose timestamp equals DateTimeOriginal.
    Digitized,
    /// `OffsetTime`, whose timestamp (DateTime) equals DateTimeOriginal.
    Modified,
    /// None recorded: the installation's default (UTC+8).
    Assumed,
}

/// The capture time as a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureInstant {
    /// The local time as written.
    pub local: NaiveDateTime,
    /// The offset used to place it in UTC.
    pub offset: FixedOffset,
    /// Where that offset came from.
    pub offset_source: OffsetSource,
}

impl CaptureInstant {
    /// The instant in UTC.
    pub fn utc(&self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&(self.local - chrono::Duration::seconds(i64::from(self.offset.local_minus_utc()))))
    }
}

/// The capture time of DateTimeOriginal with the offset chosen as the module documentation
/// says; `None` when DateTimeOriginal is absent or malformed.
pub fn capture_instant(metadata: &CaptureMetadata, default_offset: FixedOffset) -> Option<CaptureInstant> {
    let original_raw = metadata.datetime_original.as_deref()?;
    let local = parse_exif_datetime(original_raw)?;
    let same_moment = |other: &Option<String>| other.as_deref().and_then(parse_exif_datetime) == Some(local);
    let recorded = metadata
        .offset_time_original
        .as_deref()
        .and_then(parse_utc_offset)
        .map(|offset| (offset, OffsetSource::Recorded));
    let digitized = || {
        same_moment(&metadata.create_date)
            .then(|| metadata.offset_time_digitized.as_deref().and_then(parse_utc_offset))
            .flatten()
            .map(|offset| (offset, OffsetSource::Digitized))
    };
    let modified = || {
        same_moment(&metadata.modify_date)
            .then(|| metadata.offset_time.as_deref().and_then(parse_utc_offset))
            .flatten()
            .map(|offset| (offset, OffsetSource::Modified))
    };
    let (offset, offset_source) =
        recorded.or_else(digitized).or_else(modified).unwrap_or((default_offset, OffsetSource::Assumed));
    Some(CaptureInstant { local, offset, offset_source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_exif_dates_are_absent() {
        assert!(parse_exif_datetime("2021:06:27 18:23:07").is_some());
        assert!(parse_exif_datetime("2021-06-27T18:23:07").is_some());
        assert!(parse_exif_datetime("2021:06:27 18:23:07.64").is_some());
        for bad in [
            "0000:00:00 00:00:00",
            "    :  :     :  :  ",
            "",
            "2021:13:01 00:00:00",
            "2021:02:30 00:00:00",
            "2021:06:27 24:00:00",
            "2021:06:27 18:23",
            "2021:06-27 18:23:07",
            "２０２１:06:27 18:23:07",
            "2021:06:27 18:23:07 garbage",
        ] {
            assert_eq!(parse_exif_datetime(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("+08:00"), FixedOffset::east_opt(8 * 3600));
        assert_eq!(parse_utc_offset("-04:30"), FixedOffset::east_opt(-(4 * 3600 + 1800)));
        for bad in ["08:00", "+8:00", "+15:00", "+08:60", "      ", "", "+08:00x"] {
            assert_eq!(parse_utc_offset(bad), None, "{bad:?}");
        }
        assert_eq!(format_offset(FixedOffset::east_opt(-(4 * 3600 + 1800)).unwrap()), "-04:30");
    }

    #[test]
    fn gps_clock_needs_a_valid_date_and_time() {
        let time = Some(GpsTime { hour: 14.0, minute: 27.0, second: 7.24, complete: true });
        let utc = gps_utc(Some("2008:10:23"), time).unwrap();
        assert_eq!(utc.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), "2008-10-23T14:27:07.240Z");
        assert_eq!(gps_utc(Some("2014:09:259"), time), None);
        assert_eq!(gps_utc(Some("0000:00:00"), time), None);
        assert_eq!(gps_utc(None, time), None);
        assert_eq!(gps_utc(Some("2008:10:23"), None), None);
        let undefined_hour = Some(GpsTime { hour: 0.0, minute: 0.0, second: 13.0, complete: false });
        assert_eq!(gps_utc(Some("2008:10:23"), undefined_hour), None);
        assert_eq!(
            gps_utc(Some("2008:10:23"), Some(GpsTime { hour: 24.0, minute: 0.0, second: 0.0, complete: true })),
            None
        );
        assert_eq!(
            gps_utc(Some("2008:10:23"), Some(GpsTime { hour: f64::NAN, minute: 0.0, second: 0.0, complete: true })),
            None
        );
    }

    fn metadata(original: &str) -> CaptureMetadata {
        CaptureMetadata { datetime_original: Some(original.into()), ..CaptureMetadata::default() }
    }

    #[test]
    fn offset_fallbacks_apply_only_to_the_same_moment() {
        let china = FixedOffset::east_opt(8 * 3600).unwrap();
        let plus2 = FixedOffset::east_opt(2 * 3600).unwrap();

        let mut recorded = metadata("2021:06:27 18:23:07");
        recorded.offset_time_original = Some("+02:00".into());
        recorded.offset_time = Some("-05:00".into());
        let instant = capture_instant(&recorded, china).unwrap();
        assert_eq!((instant.offset, instant.offset_source), (plus2, OffsetSource::Recorded));
        assert_eq!(instant.utc().to_rfc3339(), "2021-06-27T16:23:07+00:00");

        // The nikon-d3s case: OffsetTime written at a later modification time is not used.
        let mut edited = metadata("2021:06:27 18:23:07");
        edited.create_date = Some("2021:06:27 18:23:07".into());
        edited.modify_date = Some("2021:06:27 19:25:49".into());
        edited.offset_time = Some("+02:00".into());
        let instant = capture_instant(&edited, china).unwrap();
        assert_eq!((instant.offset, instant.offset_source), (china, OffsetSource::Assumed));

        edited.modify_date = Some("2021:06:27 18:23:07".into());
        let instant = capture_instant(&edited, china).unwrap();
        assert_eq!((instant.offset, instant.offset_source), (plus2, OffsetSource::Modified));

        edited.offset_time_digitized = Some("+03:00".into());
        let instant = capture_instant(&edited, china).unwrap();
        assert_eq!(instant.offset_source, OffsetSource::Digitized);

        assert_eq!(capture_instant(&metadata("0000:00:00 00:00:00"), china), None);
    }
}
