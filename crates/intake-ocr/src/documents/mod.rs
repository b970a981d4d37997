//! From text lines to the fields of a document, each with a confidence.
//!
//! Pure functions over [`Line`]s: the readers see only the text and where each line is, so they
//! are tested on hand-written lines as well as on what the networks read. Labels are found in
//! the text ("名称", "公民身份号码", ...), a value is what follows its label on the same row, and
//! a value that wraps (an address) takes the lines below that start where it starts.
//!
//! A field the document does not show, or that could not be read, is absent; `Null` is a value
//! read off the document (长期: no end date).

mod gps;
mod id_card;
mod licence;
pub mod text;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::Line;

/// The kinds of document `intake read --as` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 营业执照.
    BusinessLicense,
    /// 身份证 肖像面 (the side with the photo).
    IdFront,
    /// 身份证 国徽面 (the side with the national emblem).
    IdBack,
    /// 手机定位截图: a map app showing the position.
    GpsScreenshot,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] =
        [DocumentKind::BusinessLicense, DocumentKind::IdFront, DocumentKind::IdBack, DocumentKind::GpsScreenshot];

    pub fn key(self) -> &'static str {
        match self {
            DocumentKind::BusinessLicense => "business_license",
            DocumentKind::IdFront => "id_front",
            DocumentKind::IdBack => "id_back",
            DocumentKind::GpsScreenshot => "gps_screenshot",
        }
    }

    /// The field keys this kind of document gives, in the order they are printed.
    pub fn field_keys(self) -> &'static [&'static str] {
        match self {
            DocumentKind::BusinessLicense => {
                &["name", "uscc", "company_type", "legal_rep", "established", "valid_until", "address"]
            }
            DocumentKind::IdFront => &["name", "sex", "ethnicity", "birth_date", "address", "id_number"],
            DocumentKind::IdBack => &["issuer", "valid_from", "valid_until"],
            DocumentKind::GpsScreenshot => &["lat", "lon", "address"],
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentKind::ALL.into_iter().find(|kind| kind.key() == s).ok_or_else(|| {
            let keys: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.key()).collect();
            format!("unknown document kind `{s}` (one of {})", keys.join(", "))
        })
    }
}

/// A field's value as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Text(String),
    Number(f64),
    /// Read, and it says "none" (长期 for an end date).
    Null,
}

impl FieldValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// One field: its value and how sure the reading is (0 to 1): the recognition confidence of
/// the line(s) it came from, halved when a check the value must pass fails (a credit code's
/// or ID number's check character).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub value: FieldValue,
    #[serde(serialize_with = "crate::three_decimals")]
    pub confidence: f32,
}

/// The fields read off one document, in the kind's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadDocument {
    pub kind: DocumentKind,
    pub fields: Vec<(&'static str, Field)>,
}

impl ReadDocument {
    pub fn get(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, field)| field)
    }
}

/// `fields` serialises as a JSON object in the kind's order.
pub struct FieldsMap<'a>(pub &'a [(&'static str, Field)]);

impl Serialize for FieldsMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, field) in self.0 {
            map.serialize_entry(key, field)?;
        }
        map.end()
    }
}

/// Reads the fields of a document of `kind` from its lines.
pub fn read_document(kind: DocumentKind, lines: &[Line]) -> ReadDocument {
    let mut found = match kind {
        DocumentKind::BusinessLicense => licence::read(lines),
        DocumentKind::IdFront => id_card::read_front(lines),
        DocumentKind::IdBack => id_card::read_back(lines),
        DocumentKind::GpsScreenshot => gps::read(lines),
    };
    let order = kind.field_keys();
    found.sort_by_key(|(key, _)| order.iter().position(|k| k == key).unwrap_or(usize::MAX));
    ReadDocument { kind, fields: found }
}

fn round3(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}

fn text_field(value: impl Into<String>, confidence: f32) -> Field {
    Field { value: FieldValue::Text(value.into()), confidence: round3(confidence) }
}

/// A number that ends in a check character (公民身份号码, 统一社会信用代码): as confident as the
/// weaker of its two ends, halved when the check fails, since it is then read as printed but
/// surely misread somewhere.
fn checked_code_field(segments: &[Segment], code: String, check_ok: bool) -> Field {
    let confidence = confidence_of(segments, &code[..6]).min(confidence_of(segments, &code[12..]));
    text_field(code, if check_ok { confidence } else { confidence / 2.0 })
}

/// The end of a validity period: a date, or null when the document says 长期 (no end).
fn period_end_field(until: Option<String>, confidence: f32) -> Field {
    Field { value: until.map_or(FieldValue::Null, FieldValue::Text), confidence: round3(confidence) }
}

/// The text of a field the tests expect to be read as text.
#[cfg(test)]
fn text_of<'a>(doc: &'a ReadDocument, key: &str) -> Option<&'a str> {
    doc.get(key).and_then(|f| f.value.as_text())
}

/// Lines joined into rows, and neighbours on a row joined into segments: the detector splits
/// a spaced-out label ("名　　称") or a label and its value into several boxes, or not, depending
/// on the gap; joining them makes both cases one text to search.
#[derive(Debug, Clone)]
struct Segment {
    text: String,
    bounds: [f32; 4],
    confidence: f32,
    /// Each part's start (byte offset in `text`), its bounds, normalised character count and
    /// confidence.
    parts: Vec<(usize, [f32; 4], usize, f32)>,
}

impl Segment {
    fn height(&self) -> f32 {
        self.bounds[3] - self.bounds[1]
    }
    fn center_y(&self) -> f32 {
        (self.bounds[1] + self.bounds[3]) / 2.0
    }

    /// Where the character at byte `offset` of `text` lies, roughly (characters of a part
    /// taken as equally wide).
    fn x_at(&self, offset: usize) -> f32 {
        let Some(&(start, bounds, chars, _)) = self.parts.iter().rev().find(|part| part.0 <= offset) else {
            return self.bounds[0];
        };
        let index = self.text[start..offset.min(self.text.len())].chars().count();
        bounds[0] + (bounds[2] - bounds[0]) * index as f32 / chars.max(1) as f32
    }

    /// The lowest confidence of the parts that hold bytes `range` of `text`.
    fn confidence_over(&self, range: std::ops::Range<usize>) -> f32 {
        let mut lowest: Option<f32> = None;
        for (i, &(start, _, _, confidence)) in self.parts.iter().enumerate() {
            let end = self.parts.get(i + 1).map_or(self.text.len(), |next| next.0);
            if start < range.end.max(range.start + 1) && range.start < end {
                lowest = Some(lowest.map_or(confidence, |l| l.min(confidence)));
            }
        }
        lowest.unwrap_or(self.confidence)
    }
}

fn segments(lines: &[Line]) -> Vec<Segment> {
    let mut sorted: Vec<&Line> = lines.iter().filter(|l| !text::normalize(&l.text).is_empty()).collect();
    sorted.sort_by(|a, b| a.center_y().total_cmp(&b.center_y()));
    let mut rows: Vec<Vec<&Line>> = Vec::new();
    for line in sorted {
        match rows.last_mut() {
            Some(row)
                if {
                    let last = row[row.len() - 1];
                    (line.center_y() - last.center_y()).abs() < 0.5 * line.height().min(last.height())
                } =>
            {
                row.push(line)
            }
            _ => rows.push(vec![line]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.layout[0].total_cmp(&b.layout[0]));
        let mut current: Option<Segment> = None;
        for line in row {
            let bounds = line.layout;
            let mut normalized = text::normalize(&line.text);
            // The detector sometimes gives one character of a spaced-out label in two
            // overlapping boxes ("投资" then "资" for 投　资　人): the repeated character is
            // dropped when the boxes overlap.
            if let Some(seg) = current.as_ref() {
                let overlaps = bounds[0] < seg.bounds[2] - 0.2 * (bounds[3] - bounds[1]);
                if overlaps && seg.text.chars().last() == normalized.chars().next() {
                    normalized = normalized.chars().skip(1).collect();
                }
            }
            if normalized.is_empty() {
                continue;
            }
            let chars = normalized.chars().count();
            match current.as_mut() {
                Some(seg) if bounds[0] - seg.bounds[2] < 3.0 * seg.height().max(bounds[3] - bounds[1]) => {
                    seg.parts.push((seg.text.len(), bounds, chars, line.confidence));
                    seg.text.push_str(&normalized);
                    seg.bounds = [
                        seg.bounds[0].min(bounds[0]),
                        seg.bounds[1].min(bounds[1]),
                        seg.bounds[2].max(bounds[2]),
                        seg.bounds[3].max(bounds[3]),
                    ];
                    seg.confidence = seg.confidence.min(line.confidence);
                }
                _ => {
                    if let Some(seg) = current.take() {
                        out.push(seg);
                    }
                    current = Some(Segment {
                        text: normalized,
                        bounds,
                        confidence: line.confidence,
                        parts: vec![(0, bounds, chars, line.confidence)],
                    });
                }
            }
        }
        out.extend(current);
    }
    out
}

/// A label found, and the value after it.
#[derive(Debug, Clone)]
struct Labelled {
    label: &'static str,
    value: String,
    confidence: f32,
    /// The segment the value ends in, and where (x) the value starts.
    segment: usize,
    value_x: f32,
}

/// Every label of `labels` in the segments, with the text up to the next label as its value.
/// A label that ends its segment takes the next segment to its right on the same row.
fn find_labelled(segments: &[Segment], labels: &[&'static str]) -> Vec<Labelled> {
    let mut found = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        // Label occurrences, longest label first where two start at the same place.
        let mut hits: Vec<(usize, &'static str)> = Vec::new();
        let mut at = 0;
        while at < segment.text.len() {
            let rest = &segment.text[at..];
            let best = labels.iter().filter(|label| rest.starts_with(**label)).max_by_key(|label| label.len());
            match best {
                Some(label) => {
                    hits.push((at, label));
                    at += label.len();
                }
                None => at += rest.chars().next().map_or(1, char::len_utf8),
            }
        }
        for (i, &(start, label)) in hits.iter().enumerate() {
            let value_start = start + label.len();
            let value_end = hits.get(i + 1).map_or(segment.text.len(), |next| next.0);
            let value = segment.text[value_start..value_end].trim_start_matches([':', '.', ',']).to_string();
            if !value.is_empty() || i + 1 < hits.len() {
                let value_x = segment.x_at(value_start);
                let confidence = segment.confidence_over(value_start..value_end);
                found.push(Labelled { label, value, confidence, segment: index, value_x });
                continue;
            }
            // The value is a segment of its own further right on the row.
            let right = segments
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    s.bounds[0] >= segment.bounds[2] - 2.0
                        && (s.center_y() - segment.center_y()).abs() < 0.5 * segment.height()
                })
                .min_by(|a, b| a.1.bounds[0].total_cmp(&b.1.bounds[0]));
            match right {
                Some((right_index, s)) if !labels.iter().any(|l| s.text.starts_with(l)) => {
                    let end = labels.iter().filter_map(|l| s.text.find(l)).min().unwrap_or(s.text.len());
                    let value = s.text[..end].trim_start_matches([':', '.', ',']).to_string();
                    found.push(Labelled {
                        label,
                        value,
                        confidence: s.confidence_over(0..end),
                        segment: right_index,
                        value_x: s.bounds[0],
                    });
                }
                _ => found.push(Labelled {
                    label,
                    value,
                    confidence: segment.confidence,
                    segment: index,
                    value_x: segment.bounds[2],
                }),
            }
        }
    }
    found
}

/// The first value found for any of `labels` (in the order of `labels`' priority).
fn value_of<'a>(found: &'a [Labelled], labels: &[&str]) -> Option<&'a Labelled> {
    labels.iter().find_map(|wanted| found.iter().find(|hit| hit.label == *wanted && !hit.value.is_empty()))
}

/// A value and the lines below that continue it: lines that start within a character or two
/// of where the value starts, each close below the last, with no label of `labels` in them.
fn with_continuation(segments: &[Segment], hit: &Labelled, labels: &[&str]) -> (String, f32) {
    let mut value = hit.value.clone();
    let mut confidence = hit.confidence;
    let mut last = &segments[hit.segment];
    let line_height = last.height();
    loop {
        let next = segments.iter().find(|s| {
            let gap = s.center_y() - last.center_y();
            gap > 0.5 * line_height
                && gap < 1.9 * line_height
                && (s.bounds[0] - hit.value_x).abs() < 1.5 * line_height
                && !labels.iter().any(|l| s.text.contains(l))
        });
        match next {
            Some(s) => {
                value.push_str(&s.text);
                confidence = confidence.min(s.confidence);
                last = s;
            }
            None => return (value, confidence),
        }
    }
}

/// The text of all segments, one per line (what the pattern searches look through).
fn all_text(segments: &[Segment]) -> String {
    segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n")
}

/// The confidence of the parts where `needle` was read; when it is not there as such (letters
/// were read for digits and fixed), the lowest confidence of the whole document.
fn confidence_of(segments: &[Segment], needle: &str) -> f32 {
    let at_needle = segments
        .iter()
        .filter_map(|s| s.text.find(needle).map(|at| s.confidence_over(at..at + needle.len())))
        .fold(None, |acc: Option<f32>, c| Some(acc.map_or(c, |a| a.min(c))));
    at_needle.unwrap_or_else(|| segments.iter().map(|s| s.confidence).fold(1.0, f32::min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_keys() {
        assert_eq!("id_back".parse::<DocumentKind>(), Ok(DocumentKind::IdBack));
        assert!("passport".parse::<DocumentKind>().unwrap_err().contains("business_license"));
    }

    #[test]
    fn a_character_detected_twice_in_overlapping_boxes_counts_once() {
        let lines = [
            Line::new("投资", [126, 495, 204, 536], 0.99),
            Line::new("资", [188, 498, 230, 533], 0.98),
            Line::new("人", [219, 495, 291, 535], 0.99),
            Line::new("严平萱", [324, 491, 430, 539], 0.97),
        ];
        let segs = segments(&lines);
        assert_eq!(segs[0].text, "投资人严平萱");
        assert_eq!(find_labelled(&segs, &["投资人"])[0].value, "严平萱");
    }

    #[test]
    fn a_spaced_label_split_in_two_boxes_still_reads() {
        let lines = [
            Line::new("名", [100, 100, 130, 130], 0.99),
            Line::new("称", [190, 100, 220, 130], 0.98),
            Line::new("星河贸易有限公司", [300, 101, 560, 131], 0.95),
        ];
        let segs = segments(&lines);
        assert_eq!(segs.len(), 1, "{segs:?}");
        let found = find_labelled(&segs, &["名称"]);
        assert_eq!(found[0].value, "星河贸易有限公司");
        assert!((found[0].confidence - 0.95).abs() < 1e-6);
    }
}
