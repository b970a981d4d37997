//! Reading capture metadata: EXIF from JPEG, TIFF, HEIC/HEIF, AVIF, PNG and WebP with
//! kamadak-exif; creation time and location of QuickTime/MP4 movies with nom-exif; the
//! stored image size from each format's header.
//!
//! Values are kept **as written**: strings are cut at their first NUL (as ExifTool does),
//! Make/Model/Software are also trimmed of trailing spaces, dates are not parsed here (see
//! [`super::capture_time`]). The corpus test (`tests/it/exif_corpus.rs`) holds this module to
//! ExifTool's reading of 80 real files.
//!
//! Workarounds, each for a file kamadak-exif rejects that ExifTool reads:
//! - TIFF whose sub-IFD pointers have type 13 (IFD): retyped in a copy, see
//!   [`super::containers::retype_ifd_pointers`];
//! - WebP whose EXIF chunk starts with `Exif\0\0`: the prefix is skipped, see
//!   [`super::containers::webp_exif_payload`].
//!
//! Not read (optional in the corpus): EXIF hidden in a PNG `Raw profile type exif` text chunk
//! (an ImageMagick convention).

use std::io::{Cursor, Read, Seek};

use exif::{Context, Field, In, Tag, Value};

use super::containers;
use super::media::MediaKind;

/// Everything read from one file's header and metadata. Serialisable because it is stored
/// with the file's facts (`evidence::Measurements`), so findings follow a threshold change
/// without the file being read again.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MediaMetadata {
    /// The format, from the content.
    pub kind: MediaKind,
    /// The stored image size (before any EXIF rotation), or a video's track size.
    pub width: Option<u32>,
    #[allow(missing_docs)]
    pub height: Option<u32>,
    /// What the metadata reader found.
    pub reading: MetadataReading,
}

/// The outcome of reading a file's capture metadata.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum MetadataReading {
    /// Metadata was found and read.
    Found(Box<CaptureMetadata>),
    /// The file has no capture metadata (no EXIF block, or an empty one).
    NotFound,
    /// A metadata block is there but cannot be read; the reason, in English, from the reader.
    Damaged(String),
}

impl MetadataReading {
    /// The metadata, when found.
    pub fn found(&self) -> Option<&CaptureMetadata> {
        match self {
            MetadataReading::Found(metadata) => Some(metadata),
            _ => None,
        }
    }
}

/// Where the metadata came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MetadataOrigin {
    /// An EXIF block (TIFF IFDs).
    #[default]
    Exif,
    /// QuickTime/MP4 movie metadata (`mvhd`, `udta`, `meta`/`keys`).
    #[serde(rename = "quicktime")]
    QuickTime,
}

/// Capture metadata as written in the file. For a movie, `datetime_original` and
/// `offset_time_original` hold its creation date (`com.apple.quicktime.creationdate`, else
/// the movie header's time, which is UTC by the spec, so `+00:00`) in EXIF's spelling.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[allow(missing_docs)] // the EXIF tag names say it
pub struct CaptureMetadata {
    pub origin: MetadataOrigin,
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    /// DateTimeOriginal (0x9003), `YYYY:MM:DD HH:MM:SS` when well formed.
    pub datetime_original: Option<String>,
    /// OffsetTimeOriginal (0x9011).
    pub offset_time_original: Option<String>,
    /// OffsetTime (0x9010), the offset of DateTime.
    pub offset_time: Option<String>,
    /// OffsetTimeDigitized (0x9012).
    pub offset_time_digitized: Option<String>,
    /// DateTimeDigitized (0x9004), called CreateDate by ExifTool.
    pub create_date: Option<String>,
    /// DateTime (0x0132), the modification time, called ModifyDate by ExifTool.
    pub modify_date: Option<String>,
    /// Orientation (0x0112), 1..8 when valid.
    pub orientation: Option<u16>,
    pub gps: GpsMetadata,
}

/// GPSTimeStamp (UTC): its three rationals as numbers, unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct GpsTime {
    #[allow(missing_docs)]
    pub hour: f64,
    #[allow(missing_docs)]
    pub minute: f64,
    #[allow(missing_docs)]
    pub second: f64,
    /// False when a component was `0/0` ("undefined"). ExifTool reads such a component as 0
    /// (the corpus' `canon-eos-30d-odd-gps.jpg`: `0/0 0/0 13/1` is `00:00:13`), and so do the
    /// numbers above; but the time is not used for any check.
    pub complete: bool,
}

/// The GPS facts of a file.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct GpsMetadata {
    /// True when any GPS tag exists (a GPS IFD, or a movie's location).
    pub present: bool,
    /// Signed decimal degrees (south negative), WGS-84; only when both the value and its
    /// reference letter are present and the value is a finite number.
    pub latitude: Option<f64>,
    /// Signed decimal degrees (west negative).
    pub longitude: Option<f64>,
    /// GPSAltitude in metres, unsigned, as written.
    pub altitude_raw: Option<f64>,
    /// GPSAltitudeRef: 0 above sea level, 1 below.
    pub altitude_ref: Option<u8>,
    /// A movie's ISO 6709 altitude, already signed.
    pub altitude_signed: Option<f64>,
    /// GPSHPositioningError in metres.
    pub h_positioning_error_m: Option<f64>,
    /// GPSDateStamp as written (`YYYY:MM:DD`, UTC).
    pub datestamp: Option<String>,
    /// GPSTimeStamp (UTC).
    pub timestamp: Option<GpsTime>,
}

impl GpsMetadata {
    /// Latitude and longitude, when both are known.
    pub fn position(&self) -> Option<(f64, f64)> {
        Some((self.latitude?, self.longitude?))
    }

    /// Signed altitude in metres. A missing GPSAltitudeRef means above sea level (its EXIF
    /// default), where ExifTool reports no altitude at all.
    pub fn altitude_m(&self) -> Option<f64> {
        if self.altitude_signed.is_some() {
            return self.altitude_signed;
        }
        let raw = self.altitude_raw?;
        Some(if self.altitude_ref == Some(1) { -raw } else { raw })
    }
}

/// Reads the size and capture metadata of a whole file held in memory. Never panics; every
/// problem ends in [`MetadataReading::Damaged`] or [`MetadataReading::NotFound`].
pub fn read_metadata(file: &[u8]) -> MediaMetadata {
    let kind = MediaKind::sniff(file);
    let (size, reading) = if kind.is_image() {
        (image_size(file, kind), read_exif(file, kind))
    } else if kind.is_video() {
        read_movie(Cursor::new(file))
    } else {
        (None, MetadataReading::NotFound)
    };
    MediaMetadata { kind, width: size.map(|(width, _)| width), height: size.map(|(_, height)| height), reading }
}

/// The stored size from the header, without decoding pixels.
fn image_size(file: &[u8], kind: MediaKind) -> Option<(u32, u32)> {
    let format = match kind {
        MediaKind::Heif | MediaKind::Avif => return containers::heif_primary_size(file),
        MediaKind::Png => return containers::png_size(file),
        MediaKind::Jpeg => {
            // jpeg-decoder reads the headers in place; `image`'s JPEG reader first copies the
            // whole file (3 % of an import). `image` still answers for what jpeg-decoder refuses.
            let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(file));
            if decoder.read_info().is_ok()
                && let Some(info) = decoder.info()
            {
                return Some((u32::from(info.width), u32::from(info.height)));
            }
            image::ImageFormat::Jpeg
        }
        MediaKind::Webp => image::ImageFormat::WebP,
        MediaKind::Tiff => image::ImageFormat::Tiff,
        _ => return None,
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(file), format);
    // Only the header is read here; the size limits are applied by the caller, who must
    // know the size of a bomb to refuse it.
    reader.no_limits();
    reader.into_dimensions().ok()
}

fn read_exif(file: &[u8], kind: MediaKind) -> MetadataReading {
    let reader = exif::Reader::new();
    let first_error = match reader.read_from_container(&mut Cursor::new(file)) {
        Ok(exif) => return capture_metadata_of(&exif),
        Err(exif::Error::NotFound(_)) if kind != MediaKind::Webp => return MetadataReading::NotFound,
        Err(err) => err,
    };
    let retry = match kind {
        MediaKind::Tiff => {
            let mut copy = file.to_vec();
            containers::retype_ifd_pointers(&mut copy).then(|| reader.read_raw(copy))
        }
        MediaKind::Webp => containers::webp_exif_payload(file).map(|payload| reader.read_raw(payload.to_vec())),
        _ => None,
    };
    match retry {
        Some(Ok(exif)) => capture_metadata_of(&exif),
        _ if matches!(first_error, exif::Error::NotFound(_)) => MetadataReading::NotFound,
        _ => MetadataReading::Damaged(first_error.to_string()),
    }
}

fn capture_metadata_of(exif: &exif::Exif) -> MetadataReading {
    if exif.fields().len() == 0 {
        return MetadataReading::NotFound;
    }
    let field = |tag: Tag| exif.get_field(tag, In::PRIMARY);
    let text = |tag: Tag| field(tag).and_then(first_ascii);
    let trimmed = |tag: Tag| text(tag).map(|value| value.trim_end().to_string());
    let rational = |tag: Tag, index: usize| field(tag).and_then(|field| rational_at(&field.value, index));

    let gps = GpsMetadata {
        present: exif.fields().any(|field| field.tag.context() == Context::Gps),
        latitude: coordinate(field(Tag::GPSLatitude), field(Tag::GPSLatitudeRef), b'S'),
        longitude: coordinate(field(Tag::GPSLongitude), field(Tag::GPSLongitudeRef), b'W'),
        altitude_raw: rational(Tag::GPSAltitude, 0),
        altitude_ref: field(Tag::GPSAltitudeRef)
            .and_then(|field| field.value.get_uint(0))
            .and_then(|value| u8::try_from(value).ok()),
        altitude_signed: None,
        h_positioning_error_m: rational(Tag::GPSHPositioningError, 0),
        datestamp: text(Tag::GPSDateStamp),
        timestamp: field(Tag::GPSTimeStamp).and_then(|field| gps_time(&field.value)),
    };
    MetadataReading::Found(Box::new(CaptureMetadata {
        origin: MetadataOrigin::Exif,
        make: trimmed(Tag::Make),
        model: trimmed(Tag::Model),
        software: trimmed(Tag::Software),
        datetime_original: text(Tag::DateTimeOriginal),
        offset_time_original: text(Tag::OffsetTimeOriginal),
        offset_time: text(Tag::OffsetTime),
        offset_time_digitized: text(Tag::OffsetTimeDigitized),
        create_date: text(Tag::DateTimeDigitized),
        modify_date: text(Tag::DateTime),
        orientation: field(Tag::Orientation)
            .and_then(|field| field.value.get_uint(0))
            .and_then(|value| u16::try_from(value).ok()),
        gps,
    }))
}

/// The first string of an ASCII field, cut at its first NUL (kamadak-exif splits a
/// NUL-padded field into several strings; ExifTool shows the first).
fn first_ascii(field: &Field) -> Option<String> {
    match &field.value {
        Value::Ascii(strings) => {
            let first = strings.first()?;
            let end = first.iter().position(|&byte| byte == 0).unwrap_or(first.len());
            Some(String::from_utf8_lossy(&first[..end]).into_owned())
        }
        _ => None,
    }
}

fn rational_at(value: &Value, index: usize) -> Option<f64> {
    let number = match value {
        Value::Rational(values) => values.get(index).map(|value| value.num as f64 / value.denom as f64),
        Value::SRational(values) => values.get(index).map(|value| value.num as f64 / value.denom as f64),
        _ => None,
    }?;
    number.is_finite().then_some(number)
}

/// GPSTimeStamp's three rationals; a `0/0` component counts as 0 and marks the time
/// incomplete (see [`GpsTime::complete`]).
fn gps_time(value: &Value) -> Option<GpsTime> {
    let Value::Rational(parts) = value else { return None };
    if parts.len() < 3 {
        return None;
    }
    let undefined = |index: usize| parts[index].num == 0 && parts[index].denom == 0;
    let component = |index: usize| if undefined(index) { Some(0.0) } else { rational_at(value, index) };
    Some(GpsTime {
        hour: component(0)?,
        minute: component(1)?,
        second: component(2)?,
        complete: !(0..3).any(undefined),
    })
}

/// Degrees, minutes, seconds and a reference letter as signed decimal degrees. Fewer than
/// three rationals are accepted (degrees, or degrees and minutes), as ExifTool does.
fn coordinate(value: Option<&Field>, reference: Option<&Field>, negative: u8) -> Option<f64> {
    let value = &value?.value;
    let reference = first_ascii(reference?)?;
    let first_letter = *reference.as_bytes().first()?;
    let degrees = rational_at(value, 0)?;
    let minutes = if value.len_of_rationals() > 1 { rational_at(value, 1)? } else { 0.0 };
    let seconds = if value.len_of_rationals() > 2 { rational_at(value, 2)? } else { 0.0 };
    let magnitude = degrees + minutes / 60.0 + seconds / 3600.0;
    Some(if first_letter.eq_ignore_ascii_case(&negative) { -magnitude } else { magnitude })
}

trait RationalCount {
    fn len_of_rationals(&self) -> usize;
}

impl RationalCount for Value {
    fn len_of_rationals(&self) -> usize {
        match self {
            Value::Rational(values) => values.len(),
            Value::SRational(values) => values.len(),
            _ => 0,
        }
    }
}

/// Reads the size and metadata of a movie (`kind` sniffed from its first bytes) from a
/// seekable source such as a file on disk, without holding it in memory: nom-exif reads the
/// box headers and the metadata boxes and seeks over the media data. This is how videos larger
/// than the checks read into memory are inspected.
pub fn read_movie_metadata(kind: MediaKind, source: impl Read + Seek) -> MediaMetadata {
    let (size, reading) = read_movie(source);
    MediaMetadata { kind, width: size.map(|(width, _)| width), height: size.map(|(_, height)| height), reading }
}

/// A movie's size, creation date, make/model/software and location (ISO 6709).
fn read_movie(source: impl Read + Seek) -> (Option<(u32, u32)>, MetadataReading) {
    use nom_exif::{EntryValue, TrackInfoTag};

    let track =
        nom_exif::MediaSource::seekable(source).and_then(|source| nom_exif::MediaParser::new().parse_track(source));
    let track = match track {
        Ok(track) => track,
        Err(nom_exif::Error::TrackNotFound) => return (None, MetadataReading::NotFound),
        Err(err) => return (None, MetadataReading::Damaged(err.to_string())),
    };
    let number = |tag| match track.get(tag) {
        Some(EntryValue::U32(value)) => Some(*value),
        Some(EntryValue::U16(value)) => Some(u32::from(*value)),
        Some(EntryValue::U64(value)) => u32::try_from(*value).ok(),
        _ => None,
    };
    let size = match (number(TrackInfoTag::Width), number(TrackInfoTag::Height)) {
        (Some(width), Some(height)) if width > 0 && height > 0 => Some((width, height)),
        _ => None,
    };
    let text = |tag| match track.get(tag) {
        Some(EntryValue::Text(value)) => {
            let value = value.split('\0').next().unwrap_or_default().trim_end();
            (!value.is_empty()).then(|| value.to_string())
        }
        _ => None,
    };
    let (datetime_original, offset_time_original) = match track.get(TrackInfoTag::CreateDate) {
        // Year 1904 is the QuickTime epoch: a zero creation time means "not set".
        Some(EntryValue::DateTime(time)) if chrono::Datelike::year(time) > 1904 => (
            Some(time.format("%Y:%m:%d %H:%M:%S").to_string()),
            Some(super::capture_time::format_offset(*time.offset())),
        ),
        Some(EntryValue::NaiveDateTime(time)) if chrono::Datelike::year(time) > 1904 => {
            (Some(time.format("%Y:%m:%d %H:%M:%S").to_string()), None)
        }
        _ => (None, None),
    };
    let location = text(TrackInfoTag::GpsIso6709);
    let (latitude, longitude, altitude_signed) = match location.as_deref().and_then(parse_iso6709) {
        Some((latitude, longitude, altitude)) => (Some(latitude), Some(longitude), altitude),
        None => (None, None, None),
    };
    let metadata = CaptureMetadata {
        origin: MetadataOrigin::QuickTime,
        make: text(TrackInfoTag::Make),
        model: text(TrackInfoTag::Model),
        software: text(TrackInfoTag::Software),
        datetime_original,
        offset_time_original,
        gps: GpsMetadata {
            present: location.is_some(),
            latitude,
            longitude,
            altitude_signed,
            ..GpsMetadata::default()
        },
        ..CaptureMetadata::default()
    };
    let nothing = metadata.make.is_none() && metadata.datetime_original.is_none() && location.is_none();
    (size, if nothing { MetadataReading::NotFound } else { MetadataReading::Found(Box::new(metadata)) })
}

/// An ISO 6709 string such as Apple's `+31.2304+121.4737+012.345/` as latitude, longitude and
/// altitude. `iso6709parse` reads the position (all the forms of the standard); it keeps the
/// altitude only when a CRS follows, so the third signed number is read here.
fn parse_iso6709(text: &str) -> Option<(f64, f64, Option<f64>)> {
    let coord: iso6709parse::ISO6709Coord = iso6709parse::parse(text).ok()?;
    if !(coord.lat.is_finite() && coord.lon.is_finite()) {
        return None;
    }
    let altitude = coord.altitude.or_else(|| third_signed_number(text));
    Some((coord.lat, coord.lon, altitude))
}

fn third_signed_number(text: &str) -> Option<f64> {
    let mut starts = text.match_indices(['+', '-']).map(|(index, _)| index);
    let start = starts.nth(2)?;
    let end =
        text[start + 1..].find(|c: char| !(c.is_ascii_digit() || c == '.')).map_or(text.len(), |end| start + 1 + end);
    text[start..end].parse().ok().filter(|value: &f64| value.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso6709_with_and_without_altitude() {
        assert_eq!(parse_iso6709("+32.0929+034.8620+028.516/"), Some((32.0929, 34.862, Some(28.516))));
        assert_eq!(parse_iso6709("+51.4169-000.0806/"), Some((51.4169, -0.0806, None)));
        assert_eq!(parse_iso6709("-33.8568+151.2153-003.5/"), Some((-33.8568, 151.2153, Some(-3.5))));
        assert_eq!(parse_iso6709("nonsense"), None);
        assert_eq!(parse_iso6709(""), None);
    }

    #[test]
    fn garbage_is_not_found_or_damaged_never_a_panic() {
        for bytes in [
            &b""[..],
            b"\xFF\xD8\xFF",
            b"\x89PNG\r\n\x1a\n",
            b"II*\0\xff\xff\xff\xff",
            b"RIFF\0\0\0\0WEBP",
            b"\0\0\0\x14ftypqt  \0\0\0\0qt  ",
        ] {
            let metadata = read_metadata(bytes);
            assert!(metadata.reading.found().is_none(), "{bytes:?}: {metadata:?}");
        }
    }
}
