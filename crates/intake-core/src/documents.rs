//! Reading a case's documents (营业执照, 法人身份证, GPS 定位截图) offline, storing what they say,
//! checking it against what the manager typed (`documents::cross_checks`) and offering it for
//! the fields not typed yet (`documents::offers`).
//!
//! A file added to a reading slot ([`kinds_read_for`]) is read by [`crate::data_folder::DataFolder::read_documents`]
//! (the CLI's `add` calls it after the import; the app calls it off the UI thread): the OCR of
//! intake-ocr on the vault object, the fields of each kind of document the slot holds (an ID
//! card file is read as both sides, since a scan may show both), stored by SHA-256 in the
//! store's `document_readings` (migration 9). The text read is personal data: it is kept only
//! in the store (SQLCipher in an encrypted folder), never in a file of its own, never logged;
//! messages name files and fields, not values.
//!
//! Reading never fails an import: it runs after the files are recorded, and a file that
//! cannot be read is a [`DocumentReadOutcome`] with its `problem`, and a `document_not_read`
//! warning at `check`, never a lost file.

pub mod cross_checks;
pub mod offers;

use std::collections::BTreeMap;
use std::io::Read;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use intake_ocr::documents::FieldsMap;
use intake_ocr::{OcrEngine, OcrError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use intake_ocr::DocumentKind;

use crate::database::{Database, EvidenceRecord, StoredDocumentReading};
use crate::error::{Error, ErrorKind, Result};
use crate::vault::Vault;

/// The version of the readers whose readings are stored; raise it when the readers of
/// intake-ocr change what they read, so that [`WhichDocuments::Unread`] reads old files again.
pub const READERS_VERSION: i64 = 1;

/// A field read with less confidence than this is not cross-checked. Measured on 80 synthetic
/// documents (bench/RESULTS.md: clean, blurred, noisy, rotated, in perspective): every one of
/// the 379 fields read right scored at least 0.886; a credit code or ID number whose check
/// character fails has its confidence halved (at most 0.5), so the OCR's misreading of a code
/// never turns into an error blaming what the manager typed.
pub const MIN_CONFIDENCE: f32 = 0.8;

/// The kinds of document read from the files of a material slot (none: not a document slot).
/// The readers exist for these kinds only, so this is the program's knowledge, not a rule.
pub fn kinds_read_for(material_key: &str) -> &'static [DocumentKind] {
    match material_key {
        "business_license" => &[DocumentKind::BusinessLicense],
        "legal_rep_id" => &[DocumentKind::IdFront, DocumentKind::IdBack],
        "gps_screenshot" => &[DocumentKind::GpsScreenshot],
        _ => &[],
    }
}

/// The Chinese name of a kind of document, as the UI's 读取自… says it.
pub fn kind_title_zh(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::BusinessLicense => "营业执照",
        DocumentKind::IdFront => "身份证肖像面",
        DocumentKind::IdBack => "身份证国徽面",
        DocumentKind::GpsScreenshot => "定位截图",
    }
}

/// The English name of a kind of document.
pub fn kind_title_en(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::BusinessLicense => "business licence",
        DocumentKind::IdFront => "ID card, portrait side",
        DocumentKind::IdBack => "ID card, emblem side",
        DocumentKind::GpsScreenshot => "position screenshot",
    }
}

/// A value read: text (names, codes, dates as `YYYY-MM-DD`) or a number (coordinates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
#[allow(missing_docs)]
pub enum ReadValue {
    Text(String),
    Number(f64),
}

/// One field read, with the reading's confidence (0 to 1). `value` is `null` when the
/// document says "none" (长期 for an end date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct ReadField {
    pub value: Option<ReadValue>,
    pub confidence: f32,
}

/// What was read off one file as one kind of document. Personal data: shown to the manager,
/// never logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentReading {
    /// The evidence record read.
    pub evidence_id: i64,
    /// Its material slot and original name.
    pub material: String,
    #[allow(missing_docs)]
    pub file: String,
    #[allow(missing_docs)]
    pub sha256: String,
    /// `business_license`, `id_front`, `id_back` or `gps_screenshot`.
    #[ts(type = "\"business_license\" | \"id_front\" | \"id_back\" | \"gps_screenshot\"")]
    pub kind: String,
    /// The fields found (the keys of `interfaces.md`); a field not found is absent.
    pub fields: BTreeMap<String, ReadField>,
    /// Why nothing could be read (the file is not an image that can be decoded).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub read_at: DateTime<Utc>,
}

impl DocumentReading {
    /// The kind, parsed.
    pub fn document_kind(&self) -> Option<DocumentKind> {
        self.kind.parse().ok()
    }

    /// A field read with at least [`MIN_CONFIDENCE`].
    pub fn confident(&self, key: &str) -> Option<&ReadField> {
        self.fields.get(key).filter(|field| field.confidence >= MIN_CONFIDENCE)
    }

    /// A text field read with at least [`MIN_CONFIDENCE`].
    pub fn confident_text(&self, key: &str) -> Option<&str> {
        match &self.confident(key)?.value {
            Some(ReadValue::Text(text)) if !text.trim().is_empty() => Some(text),
            _ => None,
        }
    }

    /// A number read with at least [`MIN_CONFIDENCE`].
    pub fn confident_number(&self, key: &str) -> Option<f64> {
        match self.confident(key)?.value {
            Some(ReadValue::Number(number)) => Some(number),
            _ => None,
        }
    }
}

/// What reading one file gave: a summary without the values (they are personal data; see
/// [`DataFolder::document_readings`] for them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentReadOutcome {
    #[allow(missing_docs)]
    pub evidence_id: i64,
    #[allow(missing_docs)]
    pub material: String,
    /// The file's original name.
    pub file: String,
    #[allow(missing_docs)]
    pub sha256: String,
    /// The kinds of document something was read as (an ID card file: `id_front` and/or
    /// `id_back`).
    pub kinds: Vec<String>,
    /// How many fields were read, all kinds together.
    pub fields_read: u32,
    /// Why nothing was read: a warning, never a failed import.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Which document files of a case [`crate::data_folder::DataFolder::read_documents`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhichDocuments {
    /// Those with no reading by the current readers (what `add` and the app do after an import).
    Unread,
    /// Every one, again.
    All,
    /// These evidence records (ids of the case; the ones not in a reading slot are skipped).
    Only(Vec<i64>),
}

/// The loaded networks, shared by every reading of the process: loading them takes a few
/// tenths of a second, and the app reads after each import. Not kept when loading failed, so
/// models put in place later are found.
static ENGINE: Mutex<Option<Arc<OcrEngine>>> = Mutex::new(None);

pub(crate) fn engine() -> Result<Arc<OcrEngine>> {
    let mut loaded = ENGINE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(engine) = loaded.as_ref() {
        return Ok(engine.clone());
    }
    let engine = Arc::new(OcrEngine::load_default().map_err(ocr_error)?);
    *loaded = Some(engine.clone());
    Ok(engine)
}

/// An OCR failure as the project's error: missing models are `file_missing` (naming the
/// script that fetches them), anything else `file_unreadable`.
pub fn ocr_error(error: OcrError) -> Error {
    let kind = match &error {
        OcrError::ModelMissing { .. } => ErrorKind::FileMissing,
        OcrError::ModelInvalid { .. } | OcrError::ImageUnreadable { .. } | OcrError::Inference(_) => {
            ErrorKind::FileUnreadable
        }
    };
    Error::new(kind, error.to_string())
}

/// Whether the legal representative's document is a 居民身份证, the one kind of ID the ID card
/// readers read: by the ID type recorded (`legal_rep_id_type`), a 居民身份证 until one is.
pub(crate) fn holds_resident_id(id_type: Option<&str>) -> bool {
    id_type.is_none_or(|id_type| id_type == "resident_id")
}

/// The document files among `evidence` (one case's files, in import order) that `which` asks
/// to read.
pub(crate) fn files_to_read(
    database: &Database,
    evidence: Vec<EvidenceRecord>,
    which: &WhichDocuments,
) -> Result<Vec<EvidenceRecord>> {
    let resident_id = match evidence.first() {
        Some(record) => {
            let fields = database.case_fields(&record.case_id)?;
            let id_type = fields.iter().find(|field| field.field_key == "legal_rep_id_type");
            holds_resident_id(id_type.map(|field| field.value.as_str()))
        }
        None => true,
    };
    let mut to_read = Vec::new();
    for record in evidence {
        let kinds = kinds_read_for(&record.material_key);
        if kinds.is_empty() {
            continue;
        }
        // The legal representative's passport or permit in the ID slot is not read (the ID
        // card readers would only say that nothing could be read).
        if kinds.contains(&DocumentKind::IdFront) && !resident_id {
            continue;
        }
        let wanted = match which {
            WhichDocuments::All => true,
            WhichDocuments::Only(ids) => ids.contains(&record.id),
            WhichDocuments::Unread => {
                let stored = database.document_readings(&record.sha256)?;
                !kinds
                    .iter()
                    .all(|kind| stored.iter().any(|row| row.kind == kind.key() && row.read_with >= READERS_VERSION))
            }
        };
        if wanted {
            to_read.push(record);
        }
    }
    Ok(to_read)
}

/// Reads each of `to_read` with `engine` (at most `max_bytes` of a file) and stores what it
/// says, calling `on_file_done` after each. `refuse_if_stopped` is asked before each file: a
/// folder's handle told to stop ends the readings there.
pub(crate) fn read_files(
    engine: &OcrEngine,
    database: &Database,
    vault: &Vault,
    to_read: Vec<EvidenceRecord>,
    max_bytes: u64,
    refuse_if_stopped: impl Fn() -> Result<()>,
    mut on_file_done: impl FnMut(&DocumentReadOutcome),
) -> Result<Vec<DocumentReadOutcome>> {
    let mut outcomes = Vec::with_capacity(to_read.len());
    for record in to_read {
        refuse_if_stopped()?;
        let rows = read_record(engine, vault, &record, max_bytes);
        database.record_document_readings(&rows)?;
        let outcome = summarise(&record, &rows);
        on_file_done(&outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// The stored readings of one evidence record, for the kinds of its slot.
pub(crate) fn readings_of(database: &Database, record: &EvidenceRecord) -> Result<Vec<DocumentReading>> {
    let kinds = kinds_read_for(&record.material_key);
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let stored = database.document_readings(&record.sha256)?;
    Ok(stored
        .into_iter()
        .filter(|row| kinds.iter().any(|kind| kind.key() == row.kind))
        .map(|row| DocumentReading {
            evidence_id: record.id,
            material: record.material_key.clone(),
            file: record.original_name.clone(),
            sha256: record.sha256.clone(),
            kind: row.kind,
            // A row this version cannot parse reads as nothing read (it is read again
            // when the readers' version moves on).
            fields: serde_json::from_str(&row.fields_json).unwrap_or_default(),
            problem: row.problem,
            read_at: row.read_at,
        })
        .collect())
}

/// Reads one file as every kind its slot holds. Never fails: what goes wrong is the rows'
/// `problem`.
fn read_record(
    engine: &OcrEngine,
    vault: &Vault,
    record: &EvidenceRecord,
    max_bytes: u64,
) -> Vec<StoredDocumentReading> {
    let kinds = kinds_read_for(&record.material_key);
    let now = Utc::now();
    let row = |kind: DocumentKind, fields_json: String, problem: Option<String>| StoredDocumentReading {
        sha256: record.sha256.clone(),
        kind: kind.key().to_string(),
        fields_json,
        problem,
        read_with: READERS_VERSION,
        read_at: now,
    };
    let lines = read_lines(engine, vault, record, max_bytes);
    match lines {
        Ok(lines) => kinds
            .iter()
            .map(|&kind| {
                let document = intake_ocr::read_document(kind, &lines);
                let json = serde_json::to_string(&FieldsMap(&document.fields)).unwrap_or_else(|_| "{}".to_string());
                row(kind, json, None)
            })
            .collect(),
        Err(problem) => kinds.iter().map(|&kind| row(kind, "{}".to_string(), Some(problem.clone()))).collect(),
    }
}

/// The text lines of a stored file, or why there are none.
fn read_lines(
    engine: &OcrEngine,
    vault: &Vault,
    record: &EvidenceRecord,
    max_bytes: u64,
) -> std::result::Result<Vec<intake_ocr::Line>, String> {
    if !record.media_type.starts_with("image/") {
        return Err(format!(
            "{}: not a picture ({}); only photos and scans are read",
            record.original_name, record.media_type
        ));
    }
    if record.bytes > max_bytes {
        return Err(format!("{}: over the reading limit of {max_bytes} bytes", record.original_name));
    }
    let mut bytes = Vec::with_capacity(record.bytes as usize);
    let object = vault.open_object(&record.sha256).map_err(|error| error.to_string())?;
    object.take(max_bytes + 1).read_to_end(&mut bytes).map_err(|error| format!("{}: {error}", record.original_name))?;
    let image = intake_ocr::load_image_bytes(&bytes, &record.original_name).map_err(|error| error.to_string())?;
    // The OCR is pure computation over the pixels; a panic in it (a bug, an image shape it
    // never met) loses this reading, not the import or the app.
    std::panic::catch_unwind(AssertUnwindSafe(|| engine.read_text(&image)))
        .map_err(|_| format!("{}: the text could not be read (internal error)", record.original_name))?
        .map_err(|error| error.to_string())
}

fn summarise(record: &EvidenceRecord, rows: &[StoredDocumentReading]) -> DocumentReadOutcome {
    let mut kinds = Vec::new();
    let mut fields_read = 0u32;
    for row in rows {
        let count = serde_json::from_str::<BTreeMap<String, ReadField>>(&row.fields_json).map_or(0, |f| f.len());
        if count > 0 {
            kinds.push(row.kind.clone());
            fields_read += count as u32;
        }
    }
    let problem = rows.iter().find_map(|row| row.problem.clone()).or_else(|| {
        (fields_read == 0).then(|| format!("{}: no field of the document could be read", record.original_name))
    });
    DocumentReadOutcome {
        evidence_id: record.id,
        material: record.material_key.clone(),
        file: record.original_name.clone(),
        sha256: record.sha256.clone(),
        kinds,
        fields_read,
        problem,
    }
}
