//! Prefill, never silently: the values read off the documents offered for the fields the
//! manager has not typed yet. Nothing here writes: the manager confirms an offer (the app
//! then records it as any typed value, `set_case_field`, audited) or types another value, which
//! is kept as typed; the difference with the document stays a finding (`cross_checks`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{DocumentKind, DocumentReading, kind_title_en, kind_title_zh};
use crate::case::Datum;

/// A value read off a document, offered for a field that has none yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldOffer {
    /// The field key of the rule file (`uscc`, `legal_rep_name`, `legal_rep_id_number`), or
    /// `site` for the premises' position.
    pub field: String,
    /// The value as read; for `site`, `lat,lon` in decimal degrees in `datum`.
    pub value: String,
    /// For `site`: the datum of `value` (GCJ-02, what the map apps show).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datum: Option<Datum>,
    /// The reading's confidence, 0 to 1 (shown beside the value).
    pub confidence: f32,
    /// The document it was read from: `business_license`, `id_front`, `gps_screenshot`.
    pub source_kind: String,
    /// 营业执照, 身份证肖像面, 定位截图: what 读取自… names.
    pub source_title_zh: String,
    /// The same in English (business licence, …).
    pub source_title_en: String,
    /// The file it was read from.
    pub evidence_id: i64,
    #[allow(missing_docs)]
    pub file: String,
}

/// Where each offered field is read from, in order of preference.
const SOURCES: &[(&str, DocumentKind, &str)] = &[
    ("uscc", DocumentKind::BusinessLicense, "uscc"),
    ("legal_rep_name", DocumentKind::BusinessLicense, "legal_rep"),
    ("legal_rep_name", DocumentKind::IdFront, "name"),
    ("legal_rep_id_number", DocumentKind::IdFront, "id_number"),
];

/// The offers for a case with these fields recorded and these readings (see
/// [`crate::data_folder::DataFolder::document_offers`]).
pub fn offers(fields: &HashMap<String, String>, has_site: bool, readings: &[DocumentReading]) -> Vec<FieldOffer> {
    let mut offered: Vec<FieldOffer> = Vec::new();
    let resident_id = super::holds_resident_id(fields.get("legal_rep_id_type").map(String::as_str));
    for &(field, kind, key) in SOURCES {
        if fields.contains_key(field) || offered.iter().any(|offer| offer.field == field) {
            continue;
        }
        if field == "legal_rep_id_number" && !resident_id {
            continue;
        }
        let found = readings.iter().filter(|r| r.document_kind() == Some(kind)).find_map(|reading| {
            let read = reading.fields.get(key)?;
            match &read.value {
                Some(super::ReadValue::Text(text)) if !text.trim().is_empty() => {
                    Some((reading, text.clone(), read.confidence))
                }
                _ => None,
            }
        });
        if let Some((reading, value, confidence)) = found {
            offered.push(offer(field, value, None, confidence, kind, reading));
        }
    }
    if !has_site {
        let found = readings.iter().filter(|r| r.document_kind() == Some(DocumentKind::GpsScreenshot)).find_map(|r| {
            let (lat, lon) = (r.fields.get("lat")?, r.fields.get("lon")?);
            match (&lat.value, &lon.value) {
                (Some(super::ReadValue::Number(la)), Some(super::ReadValue::Number(lo))) => {
                    Some((r, format!("{la},{lo}"), lat.confidence.min(lon.confidence)))
                }
                _ => None,
            }
        });
        if let Some((reading, value, confidence)) = found {
            offered.push(offer("site", value, Some(Datum::Gcj02), confidence, DocumentKind::GpsScreenshot, reading));
        }
    }
    offered
}

fn offer(
    field: &str,
    value: String,
    datum: Option<Datum>,
    confidence: f32,
    kind: DocumentKind,
    reading: &DocumentReading,
) -> FieldOffer {
    FieldOffer {
        field: field.to_string(),
        value,
        datum,
        confidence,
        source_kind: kind.key().to_string(),
        source_title_zh: kind_title_zh(kind).to_string(),
        source_title_en: kind_title_en(kind).to_string(),
        evidence_id: reading.evidence_id,
        file: reading.file.clone(),
    }
}
