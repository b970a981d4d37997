//! `intake read FILE --as KIND`: the fields of a licence, an ID card side or a map screenshot,
//! read offline (intake-ocr), each with its confidence, and the text lines with their boxes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use intake_core::documents::{DocumentReadOutcome, WhichDocuments, ocr_error};
use intake_core::identity::mask;
use intake_core::{Error, ErrorKind};
use intake_ocr::documents::FieldsMap;
use intake_ocr::{DocumentKind, FieldValue, OcrEngine, ReadDocument, read_document};

use crate::output::{Outcome, Report};

/// The flags of `intake read`.
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// The photo, scan or screenshot (JPEG, PNG or WebP).
    #[arg(value_name = "FILE", required_unless_present = "case_id", conflicts_with = "case_id")]
    pub file: Option<PathBuf>,

    /// What the document is: business_license (营业执照), id_front (身份证肖像面), id_back
    /// (身份证国徽面), gps_screenshot (定位截图).
    #[arg(long = "as", value_name = "KIND", value_parser = parse_kind, required_unless_present = "case_id")]
    pub kind: Option<DocumentKind>,

    /// Read the documents of this case instead (营业执照, 法人身份证, GPS 定位截图 already added):
    /// those not read yet, e.g. added with `add --no-read`.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: Option<String>,

    /// With --case: read every document of the case again.
    #[arg(long, requires = "case_id")]
    pub again: bool,
}

fn parse_kind(value: &str) -> Result<DocumentKind, String> {
    value.parse()
}

/// `intake read`
pub fn read(home: Option<PathBuf>, args: ReadArgs, json: bool) -> Outcome {
    let (path, kind) = match (&args.case_id, &args.file, args.kind) {
        (Some(case_id), _, _) => return read_case(home, case_id, args.again),
        (None, Some(path), Some(kind)) => (path, kind),
        _ => return Err(Error::new(ErrorKind::InvalidInput, "give a FILE and --as KIND, or --case ID")),
    };
    if !path.exists() {
        return Err(Error::for_file(ErrorKind::FileMissing, path, "no such file"));
    }
    if !path.is_file() {
        return Err(Error::for_file(ErrorKind::NotAFile, path, "not a file"));
    }
    let engine = OcrEngine::load_default().map_err(ocr_error)?;
    let lines = engine.read_file(path).map_err(ocr_error)?;
    let document = read_document(kind, &lines);
    let body = serde_json::json!({
        "kind": kind,
        "fields": FieldsMap(&document.fields),
        "lines": lines,
    });
    let text = if json { String::new() } else { describe(path, &document, lines.len()) };
    Ok(Report::ok(body, text))
}

/// `intake read --case ID [--again]`: reads the case's documents and stores what they say
/// (the values are not printed: `check` compares them with the case).
fn read_case(home: Option<PathBuf>, case_id: &str, again: bool) -> Outcome {
    let folder = crate::passphrase::open_data_folder(home)?;
    let which = if again { WhichDocuments::All } else { WhichDocuments::Unread };
    let outcomes = folder.read_documents(case_id, which, |_| {})?;
    let mut text = describe_outcomes(&outcomes);
    if outcomes.is_empty() {
        text.push_str("没有待读取的证件 no document to read\n");
    }
    let problems = outcomes.iter().filter_map(|outcome| outcome.problem.clone()).collect();
    let body = serde_json::json!({ "case_id": case_id, "documents_read": outcomes });
    Ok(Report { json: body, text, problems, exit: crate::output::EXIT_OK })
}

/// One line per document read: what it was read as and how many fields (no values).
pub(crate) fn describe_outcomes(outcomes: &[DocumentReadOutcome]) -> String {
    let mut text = String::new();
    for outcome in outcomes {
        let kinds: Vec<&str> = outcome
            .kinds
            .iter()
            .filter_map(|kind| kind.parse::<DocumentKind>().ok())
            .map(intake_core::documents::kind_title_zh)
            .collect();
        let _ = match &outcome.problem {
            None => writeln!(
                text,
                "已读取 read: {} ({}, {} 个字段 fields; `intake check` 核对 compares them)",
                outcome.file,
                kinds.join("、"),
                outcome.fields_read
            ),
            Some(_) => writeln!(text, "未能读取 not read: {} (见 see stderr)", outcome.file),
        };
    }
    text
}

/// The Chinese and English name of a field of `kind`.
fn title(kind: DocumentKind, key: &str) -> &'static str {
    match (kind, key) {
        (DocumentKind::BusinessLicense, "name") => "名称 name",
        (_, "uscc") => "统一社会信用代码 uscc",
        (_, "company_type") => "类型 company_type",
        (_, "legal_rep") => "法定代表人/经营者 legal_rep",
        (_, "established") => "成立日期 established",
        (DocumentKind::BusinessLicense, "valid_until") => "营业期限至 valid_until",
        (DocumentKind::BusinessLicense, "address") => "住所 address",
        (DocumentKind::IdFront, "name") => "姓名 name",
        (_, "sex") => "性别 sex",
        (_, "ethnicity") => "民族 ethnicity",
        (_, "birth_date") => "出生 birth_date",
        (DocumentKind::IdFront, "address") => "住址 address",
        (_, "id_number") => "公民身份号码 id_number",
        (_, "issuer") => "签发机关 issuer",
        (_, "valid_from") => "有效期限起 valid_from",
        (DocumentKind::IdBack, "valid_until") => "有效期限至 valid_until",
        (_, "lat") => "纬度 lat",
        (_, "lon") => "经度 lon",
        (DocumentKind::GpsScreenshot, "address") => "地址 address",
        _ => "",
    }
}

/// How a value is shown to people: personal data masked as `case show` masks it (numbers keep
/// their first six and last four characters, names and addresses their first character).
fn shown(kind: DocumentKind, key: &str, value: &FieldValue) -> String {
    let text = match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::Number(number) => number.to_string(),
        FieldValue::Null => return "长期 (none)".to_string(),
    };
    match (kind, key) {
        (DocumentKind::IdFront, "id_number") => mask(&text, 6, 4),
        (DocumentKind::IdFront, "name" | "address" | "birth_date") | (DocumentKind::BusinessLicense, "legal_rep") => {
            mask(&text, 1, 0)
        }
        _ => text,
    }
}

fn describe(path: &Path, document: &ReadDocument, line_count: usize) -> String {
    let kind_title = match document.kind {
        DocumentKind::BusinessLicense => "营业执照 business licence",
        DocumentKind::IdFront => "身份证肖像面 ID card, portrait side",
        DocumentKind::IdBack => "身份证国徽面 ID card, emblem side",
        DocumentKind::GpsScreenshot => "定位截图 position screenshot",
    };
    let mut text = format!("{kind_title}: {}\n", path.display());
    for key in document.kind.field_keys() {
        let _ = match document.get(key) {
            Some(field) => writeln!(
                text,
                "  {}: {} (置信度 confidence {:.3})",
                title(document.kind, key),
                shown(document.kind, key, &field.value),
                field.confidence
            ),
            None => writeln!(text, "  {}: 未读出 not read", title(document.kind, key)),
        };
    }
    let _ = writeln!(text, "{line_count} 行文字 text lines (--json prints them with their boxes)");
    text
}
