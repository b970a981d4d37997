//! The map app's position screenshot: latitude and longitude as the app shows them (decimal
//! degrees, or degrees-minutes-seconds turned into decimal), and the address text. The datum
//! (WGS-84, GCJ-02, BD-09) is the app's; converting is the caller's business.

use std::sync::LazyLock;

use regex::Regex;

use super::{Field, FieldValue, Segment, find_labelled, round3, segments, text_field, with_continuation};
use crate::Line;

const ADDRESS_LABELS: &[&str] = &["详细地址", "当前位置", "所在位置", "地址", "位置"];

/// Degrees, minutes, seconds: `39°54'59.50"N`, `北纬39°54′59.5″`; OCR may read the degree sign
/// as 度 or o.
static DMS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(北纬|南纬|东经|西经|纬度|经度|[NSEW])?:?(\d{1,3})[°度o](\d{1,2})['′’](\d{1,2}(?:\.\d+)?)(?:["″”]|'')?([NSEW])?"#)
        .expect("DMS pattern")
});

/// Decimal degrees with a label or hemisphere: `纬度:39.916527`, `N39.916527`, `116.397128°E`.
static DECIMAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(北纬|南纬|东经|西经|纬度|经度|(?i:lat(?:itude)?|lng|lon(?:gitude)?)|[NSEW])?:?(-?\d{1,3}\.\d{3,})°?([NSEW])?")
        .expect("decimal pattern")
});

#[derive(Debug, Clone, Copy, PartialEq)]
enum Axis {
    Lat,
    Lon,
}

fn axis_of(tag: &str) -> Option<(Axis, f64)> {
    let lower = tag.to_lowercase();
    match lower.as_str() {
        "北纬" | "纬度" | "n" | "lat" | "latitude" => Some((Axis::Lat, 1.0)),
        "南纬" | "s" => Some((Axis::Lat, -1.0)),
        "东经" | "经度" | "e" | "lng" | "lon" | "longitude" => Some((Axis::Lon, 1.0)),
        "西经" | "w" => Some((Axis::Lon, -1.0)),
        _ => None,
    }
}

/// One coordinate found: its axis if the text says, its value, and the segment's confidence.
struct Found {
    axis: Option<Axis>,
    value: f64,
    confidence: f32,
}

/// Every match of `pattern` in `text`; a match with a leading tag (group 1) gives its trailing
/// hemisphere letter (group `trailing`) back to the next coordinate: in "N31°13′45″E121°28′12″"
/// the E belongs to the longitude.
fn matches<'t>(pattern: &Regex, text: &'t str, trailing: usize) -> Vec<regex::Captures<'t>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at <= text.len() {
        let Some(c) = pattern.captures_at(text, at) else { break };
        let whole = c.get(0).expect("whole match").range();
        at = match (c.get(1), c.get(trailing)) {
            (Some(_), Some(letter)) => letter.start(),
            _ => whole.end.max(whole.start + 1),
        };
        out.push(c);
    }
    out
}

/// The hemisphere or axis written before a coordinate, else the letter after it unless that
/// letter starts the next coordinate.
fn tag_of(c: &regex::Captures, trailing: usize) -> Option<(Axis, f64)> {
    match c.get(1) {
        Some(lead) => axis_of(lead.as_str()),
        None => c.get(trailing).and_then(|m| axis_of(m.as_str())),
    }
}

fn coordinates_in(segment: &Segment) -> Vec<Found> {
    let mut out = Vec::new();
    let text = &segment.text;
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    for c in matches(&DMS, text, 5) {
        let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<f64>().ok());
        let (Some(d), Some(m), Some(s)) = (number(2), number(3), number(4)) else { continue };
        if m >= 60.0 || s >= 60.0 {
            continue;
        }
        let (axis, sign) = match tag_of(&c, 5) {
            Some((axis, sign)) => (Some(axis), sign),
            None => (None, 1.0),
        };
        let value = sign * (d + m / 60.0 + s / 3600.0);
        out.push(Found { axis, value: (value * 1e6).round() / 1e6, confidence: segment.confidence });
        taken.push(c.get(0).expect("whole match").range());
    }
    for c in matches(&DECIMAL, text, 3) {
        let whole = c.get(0).expect("whole match").range();
        if taken.iter().any(|t| t.start < whole.end && whole.start < t.end) {
            continue;
        }
        let Some(value) = c.get(2).and_then(|m| m.as_str().parse::<f64>().ok()) else { continue };
        let (axis, sign) = match tag_of(&c, 3) {
            Some((axis, sign)) => (Some(axis), sign),
            None => (None, 1.0),
        };
        out.push(Found { axis, value: sign * value, confidence: segment.confidence });
    }
    out
}

pub(super) fn read(lines: &[Line]) -> Vec<(&'static str, Field)> {
    let segments = segments(lines);
    let found: Vec<Found> = segments.iter().flat_map(coordinates_in).collect();
    let mut lat = found.iter().find(|f| f.axis == Some(Axis::Lat));
    let mut lon = found.iter().find(|f| f.axis == Some(Axis::Lon));
    // Unlabelled numbers ("39.916527, 116.397128"): in order, latitude first, unless the first
    // cannot be a latitude (China spans longitudes 73-136 and latitudes 3-54).
    let bare: Vec<&Found> = found.iter().filter(|f| f.axis.is_none()).collect();
    if let [first, second, ..] = bare.as_slice() {
        let (a, b) = if first.value.abs() > 90.0 || (first.value.abs() > 60.0 && second.value.abs() <= 60.0) {
            (second, first)
        } else {
            (first, second)
        };
        lat = lat.or(Some(a));
        lon = lon.or(Some(b));
    }
    let mut fields = Vec::new();
    for (key, coordinate, limit) in [("lat", lat, 90.0), ("lon", lon, 180.0)] {
        if let Some(c) = coordinate.filter(|c| c.value.abs() <= limit) {
            fields.push((key, Field { value: FieldValue::Number(c.value), confidence: round3(c.confidence) }));
        }
    }

    let labelled = find_labelled(&segments, ADDRESS_LABELS);
    let address = labelled
        .iter()
        .find(|hit| hit.value.chars().count() >= 4)
        .map(|hit| with_continuation(&segments, hit, ADDRESS_LABELS));
    // No label: the longest line that reads like an address and holds no coordinate.
    let address = address.or_else(|| {
        segments
            .iter()
            .filter(|s| s.text.chars().any(|c| "省市区县路街道号镇村弄巷".contains(c)) && coordinates_in(s).is_empty())
            .max_by_key(|s| s.text.chars().count())
            .map(|s| (s.text.clone(), s.confidence))
    });
    if let Some((address, confidence)) = address {
        fields.push(("address", text_field(address, confidence)));
    }
    fields
}

#[cfg(test)]
mod tests {
    use crate::Line;
    use crate::documents::{DocumentKind, FieldValue, read_document};

    fn number(doc: &crate::ReadDocument, key: &str) -> Option<f64> {
        match doc.get(key).map(|f| &f.value) {
            Some(FieldValue::Number(n)) => Some(*n),
            _ => None,
        }
    }

    #[test]
    fn labelled_decimal_degrees_and_an_address() {
        let lines = [
            Line::new("12:08", [20, 10, 90, 40], 0.99),
            Line::new("我的位置", [300, 900, 460, 940], 0.99),
            Line::new("经度：116.397128", [60, 1000, 400, 1040], 0.97),
            Line::new("纬度：39.916527", [60, 1060, 400, 1100], 0.96),
            Line::new("地址：北京市东城区东长安街1号", [60, 1120, 700, 1160], 0.93),
        ];
        let doc = read_document(DocumentKind::GpsScreenshot, &lines);
        assert_eq!(number(&doc, "lat"), Some(39.916527));
        assert_eq!(number(&doc, "lon"), Some(116.397128));
        assert_eq!(doc.get("address").and_then(|f| f.value.as_text()), Some("北京市东城区东长安街1号"));
    }

    #[test]
    fn degrees_minutes_seconds_with_hemispheres() {
        let lines = [
            Line::new("N 31°13′45.60″  E 121°28′12.00″", [40, 800, 700, 840], 0.9),
            Line::new("上海市黄浦区南京东路100号", [40, 860, 600, 900], 0.92),
        ];
        let doc = read_document(DocumentKind::GpsScreenshot, &lines);
        assert_eq!(number(&doc, "lat"), Some(31.229333));
        assert_eq!(number(&doc, "lon"), Some(121.47));
        assert_eq!(doc.get("address").and_then(|f| f.value.as_text()), Some("上海市黄浦区南京东路100号"));
    }

    #[test]
    fn a_bare_pair_longitude_first_is_told_apart() {
        let lines = [Line::new("113.264385, 23.129112", [40, 800, 500, 840], 0.95)];
        let doc = read_document(DocumentKind::GpsScreenshot, &lines);
        assert_eq!(number(&doc, "lat"), Some(23.129112));
        assert_eq!(number(&doc, "lon"), Some(113.264385));
        assert!(doc.get("address").is_none());
    }
}
