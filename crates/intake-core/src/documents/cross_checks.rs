//! What the documents say against what the manager typed: the document findings of a case.
//!
//! Each finding is attached to the document file it was read from (so `accept` and the
//! checklist item work as for any finding of a file). Only fields read with at least
//! [`MIN_CONFIDENCE`](super::MIN_CONFIDENCE) are compared, after NFKC and with whitespace
//! removed (and codes in upper case), so that a full-width bracket or a space typed by an
//! input method is no difference.
//!
//! - `licence_uscc_mismatch` (error): the licence's 统一社会信用代码 ≠ the case's `uscc`;
//! - `id_number_mismatch` (error): the ID card's 公民身份号码 ≠ `legal_rep_id_number` (for a
//!   居民身份证 only: the readers read that card);
//! - `licence_name_mismatch` (warning): the licence's 名称 ≠ the merchant name;
//! - `legal_rep_name_mismatch` (warning): the licence's 法定代表人/经营者 ≠ the name on the ID card
//!   (the portrait side of a file of `legal_rep_id`);
//! - `document_expired` (error): the licence's 营业期限 or the card's 有效期限 ended before the
//!   visit date (长期 never ends; no visit date, no check: the package must not depend on the clock);
//! - `id_birth_date_mismatch` (error): the card's 出生 ≠ the birth date inside the number read;
//! - `screenshot_outside_site_radius` (error): the screenshot's position, taken as GCJ-02 (what
//!   the Chinese map apps show) and converted to WGS-84, is farther from the premises than the
//!   case's radius; `screenshot_position_offered` (warning) when the case has no premises yet;
//! - `document_not_read` (warning): a document file was read and gave no field at all.

use std::collections::HashMap;

use chrono::NaiveDate;
use intake_ocr::DocumentKind;

use super::DocumentReading;
use crate::case::{Case, Datum};
use crate::checklist::{CaseFinding, Severity};
use crate::evidence::datum::{self, LatLon};
use crate::evidence::{Finding, FindingCode};
use crate::identity::mask;

/// What the cross-checks compare.
pub struct CrossCheckInput<'a> {
    #[allow(missing_docs)]
    pub case: &'a Case,
    /// The case's recorded fields by key (`uscc`, `legal_rep_id_number`, …).
    pub fields: &'a HashMap<String, String>,
    /// Every reading of the case's document files.
    pub readings: &'a [DocumentReading],
    /// The radius around the premises when the case sets none (the threshold `site_radius_m`).
    pub default_radius_m: f64,
}

/// A text as compared: NFKC (full-width forms, compatibility characters), no whitespace,
/// upper case (credit codes, the X of an ID number).
pub fn comparable(text: &str) -> String {
    let normalized = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    normalized.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// The document findings of a case, each on the file it was read from.
pub fn document_findings(input: &CrossCheckInput<'_>) -> Vec<CaseFinding> {
    let mut findings = Vec::new();
    let resident_id = super::holds_resident_id(input.fields.get("legal_rep_id_type").map(String::as_str));
    // The ID card readers read a 居民身份证: what they made of another document (a passport,
    // read before its type was recorded) says nothing about it.
    let readings: Vec<&DocumentReading> = input
        .readings
        .iter()
        .filter(|r| resident_id || !matches!(r.document_kind(), Some(DocumentKind::IdFront | DocumentKind::IdBack)))
        .collect();
    let of_kind = |kind: DocumentKind| readings.iter().copied().filter(move |r| r.document_kind() == Some(kind));
    let card_names: Vec<&str> = of_kind(DocumentKind::IdFront).filter_map(|r| r.confident_text("name")).collect();

    // Per file: read and gave nothing at all.
    let mut files: Vec<i64> = readings.iter().map(|r| r.evidence_id).collect();
    files.dedup();
    for id in files {
        let of_file: Vec<&DocumentReading> = readings.iter().copied().filter(|r| r.evidence_id == id).collect();
        if of_file.iter().all(|r| r.fields.is_empty()) {
            let reason_zh =
                of_file.iter().find_map(|r| r.problem.as_deref()).map_or(String::new(), |p| format!("({p})"));
            findings.push(on(
                of_file[0],
                FindingCode::DocumentNotRead,
                format!(
                    "未能从该文件读出{}的任何内容{reason_zh},无法与填写的信息核对。",
                    slot_title_zh(&of_file[0].material)
                ),
                format!(
                    "Nothing could be read off this {} file; it is not checked against what was typed.",
                    of_file[0].material
                ),
            ));
        }
    }

    for reading in of_kind(DocumentKind::BusinessLicense) {
        if let (Some(read), Some(typed)) = (reading.confident_text("uscc"), input.fields.get("uscc"))
            && comparable(read) != comparable(typed)
        {
            findings.push(on(
                reading,
                FindingCode::LicenceUsccMismatch,
                format!("营业执照上的统一社会信用代码为 {read},与填写的 {typed} 不一致。"),
                format!("The licence's unified social credit code is {read}, not {typed} as typed."),
            ));
        }
        if let Some(read) = reading.confident_text("name")
            && !input.case.merchant_name.trim().is_empty()
            && comparable(read) != comparable(&input.case.merchant_name)
        {
            let typed = &input.case.merchant_name;
            findings.push(on(
                reading,
                FindingCode::LicenceNameMismatch,
                format!("营业执照上的名称为「{read}」,商户名称为「{typed}」。"),
                format!("The licence's name is \"{read}\"; the merchant name is \"{typed}\"."),
            ));
        }
        if let Some(read) = reading.confident_text("legal_rep")
            && !card_names.is_empty()
            && !card_names.iter().any(|name| comparable(name) == comparable(read))
        {
            let card = card_names.join("、");
            findings.push(on(
                reading,
                FindingCode::LegalRepNameMismatch,
                format!("营业执照上的法定代表人/经营者为「{read}」,法人身份证上的姓名为「{card}」。"),
                format!("The licence names \"{read}\" as legal representative; the ID card names \"{card}\"."),
            ));
        }
        findings.extend(expired(input.case, reading, "营业执照的营业期限", "The licence's term of business"));
    }

    for reading in of_kind(DocumentKind::IdFront) {
        let number = reading.confident_text("id_number");
        // (Read only while the type is 居民身份证: the readings were filtered above.)
        if let (Some(read), Some(typed)) = (number, input.fields.get("legal_rep_id_number"))
            && comparable(read) != comparable(typed)
        {
            let (read, typed) = (mask(&comparable(read), 6, 4), mask(&comparable(typed), 6, 4));
            findings.push(on(
                reading,
                FindingCode::IdNumberMismatch,
                format!("身份证上的公民身份号码为 {read},与填写的法定代表人证件号码 {typed} 不一致。"),
                format!("The ID card's number is {read}, not {typed} as typed for the legal representative."),
            ));
        }
        if let (Some(printed), Some(number)) = (reading.confident_text("birth_date"), number)
            && let Some(inside) = intake_ocr::documents::text::birth_date_of(&comparable(number))
            && comparable(printed) != comparable(&inside)
        {
            findings.push(on(
                reading,
                FindingCode::IdBirthDateMismatch,
                format!("身份证上的出生日期 {printed} 与号码中的出生日期 {inside} 不一致。"),
                format!("The card's birth date {printed} is not the one inside its number, {inside}."),
            ));
        }
    }
    for reading in of_kind(DocumentKind::IdBack) {
        findings.extend(expired(input.case, reading, "身份证的有效期限", "The ID card's validity"));
    }

    for reading in of_kind(DocumentKind::GpsScreenshot) {
        let (Some(lat), Some(lon)) = (reading.confident_number("lat"), reading.confident_number("lon")) else {
            continue;
        };
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            continue;
        }
        // The Chinese map apps (高德, 腾讯; 百度 too in its own BD-09 mode) show GCJ-02.
        let shown = datum::to_wgs84(LatLon::new(lat, lon), Datum::Gcj02);
        match input.case.site {
            Some(site) => {
                let premises = datum::to_wgs84(LatLon::new(site.lat, site.lon), site.datum);
                let radius_m = site.radius_or(input.default_radius_m);
                let distance_m = datum::distance_m(premises, shown);
                if distance_m > radius_m {
                    let (distance, radius) = (length(distance_m), length(radius_m));
                    findings.push(on(
                        reading,
                        FindingCode::ScreenshotOutsideSiteRadius,
                        format!("定位截图中的位置 {lat:.6}, {lon:.6}(按 GCJ-02 换算为 WGS-84)距经营场所 {distance},超出 {radius}。"),
                        format!("The screenshot's position {lat:.6}, {lon:.6} (GCJ-02, converted to WGS-84) is {distance} from the premises, beyond {radius}."),
                    ));
                }
            }
            None => findings.push(on(
                reading,
                FindingCode::ScreenshotPositionOffered,
                format!("案件尚无经营场所坐标;定位截图显示 {lat:.6}, {lon:.6}(GCJ-02),可采用为经营场所坐标。"),
                format!("The case has no premises position; the screenshot shows {lat:.6}, {lon:.6} (GCJ-02), which can be taken as the premises'."),
            )),
        }
    }
    findings
}

/// `document_expired` when the document's end date is before the visit date.
fn expired(case: &Case, reading: &DocumentReading, what_zh: &str, what_en: &str) -> Option<CaseFinding> {
    let visit = case.visit_date?;
    let until = reading.confident_text("valid_until")?;
    let until = NaiveDate::parse_from_str(&comparable(until), "%Y-%m-%d").ok()?;
    (until < visit).then(|| {
        on(
            reading,
            FindingCode::DocumentExpired,
            format!("{what_zh}至 {until},早于考察日期 {visit},证件已过期。"),
            format!("{what_en} ended on {until}, before the visit date {visit}: expired."),
        )
    })
}

fn on(reading: &DocumentReading, code: FindingCode, message_zh: String, message_en: String) -> CaseFinding {
    let finding = Finding::new(code, message_zh, message_en);
    CaseFinding {
        material: reading.material.clone(),
        file: reading.file.clone(),
        sha256: reading.sha256.clone(),
        code,
        severity: match finding.severity {
            crate::evidence::Severity::Error => Severity::Error,
            crate::evidence::Severity::Warning => Severity::Warning,
        },
        message: finding.message,
        accepted: None,
    }
}

fn slot_title_zh(material: &str) -> &'static str {
    match material {
        "business_license" => "营业执照",
        "legal_rep_id" => "身份证",
        "gps_screenshot" => "定位截图",
        _ => "证件",
    }
}

/// A length for a message: metres below a kilometre, else kilometres with one decimal.
fn length(metres: f64) -> String {
    if metres < 1000.0 { format!("{metres:.0} m") } else { format!("{:.1} km", metres / 1000.0) }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Utc};

    use super::*;
    use crate::case::{CaseAttributes, Site};
    use crate::documents::{ReadField, ReadValue};

    fn case(site: Option<Site>) -> Case {
        Case {
            id: "c".into(),
            merchant_name: "星河贸易（福州）有限公司".into(),
            attributes: CaseAttributes::default(),
            visit_date: NaiveDate::from_ymd_opt(2026, 11, 20),
            site,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    /// A reading of file `id` as `kind` with these (key, value, confidence).
    fn reading(id: i64, kind: &str, fields: &[(&str, ReadValue, f32)]) -> DocumentReading {
        let material = match kind {
            "business_license" => "business_license",
            "gps_screenshot" => "gps_screenshot",
            _ => "legal_rep_id",
        };
        DocumentReading {
            evidence_id: id,
            material: material.into(),
            file: format!("{kind}.jpg"),
            sha256: format!("{id:064}"),
            kind: kind.into(),
            fields: fields
                .iter()
                .map(|(key, value, confidence)| {
                    (key.to_string(), ReadField { value: Some(value.clone()), confidence: *confidence })
                })
                .collect::<BTreeMap<_, _>>(),
            problem: None,
            read_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    fn text(value: &str) -> ReadValue {
        ReadValue::Text(value.into())
    }

    fn codes(case: &Case, fields: &[(&str, &str)], readings: &[DocumentReading]) -> Vec<String> {
        let fields: HashMap<String, String> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let input = CrossCheckInput { case, fields: &fields, readings, default_radius_m: 200.0 };
        document_findings(&input).into_iter().map(|finding| finding.code.to_string()).collect()
    }

    #[test]
    fn a_field_read_without_enough_confidence_is_not_compared() {
        let licence = |confidence| reading(1, "business_license", &[("uscc", text("91350100M000100Y43"), confidence)]);
        let typed = [("uscc", "91440106RFRYG5GG5Q")];
        assert_eq!(codes(&case(None), &typed, &[licence(0.95)]), ["licence_uscc_mismatch"]);
        assert!(codes(&case(None), &typed, &[licence(0.79)]).is_empty());
    }

    #[test]
    fn names_equal_after_normalisation_are_no_finding_and_different_ones_are() {
        let licence = reading(
            1,
            "business_license",
            &[("name", text("星河贸易(福州)有限公司"), 0.99), ("legal_rep", text("严 平萱"), 0.99)],
        );
        let card = |name: &str| reading(2, "id_front", &[("name", text(name), 0.99)]);
        assert!(codes(&case(None), &[], &[licence.clone(), card("严平萱")]).is_empty());
        assert_eq!(codes(&case(None), &[], &[licence, card("严平宣")]), ["legal_rep_name_mismatch"]);
    }

    #[test]
    fn a_birth_date_not_in_the_number_is_an_error() {
        let card = |birth: &str| {
            reading(
                1,
                "id_front",
                &[("birth_date", text(birth), 0.99), ("id_number", text("11010519491231002X"), 0.99)],
            )
        };
        assert!(codes(&case(None), &[], &[card("1949-12-31")]).is_empty());
        assert_eq!(codes(&case(None), &[], &[card("1949-12-13")]), ["id_birth_date_mismatch"]);
    }

    #[test]
    fn an_id_number_is_compared_only_for_a_resident_id() {
        let card = reading(1, "id_front", &[("id_number", text("11010519491231002X"), 0.99)]);
        let typed = [("legal_rep_id_number", "110105194912310021")];
        assert_eq!(codes(&case(None), &typed, std::slice::from_ref(&card)), ["id_number_mismatch"]);
        let passport = [("legal_rep_id_number", "E12345678"), ("legal_rep_id_type", "passport")];
        assert!(codes(&case(None), &passport, &[card]).is_empty());
    }

    #[test]
    fn an_end_date_before_the_visit_is_expired_and_none_is_not() {
        let back = |until: Option<&str>| {
            let mut read = reading(1, "id_back", &[]);
            read.fields.insert("valid_until".into(), ReadField { value: until.map(text), confidence: 0.99 });
            read
        };
        assert_eq!(codes(&case(None), &[], &[back(Some("2026-11-19"))]), ["document_expired"]);
        assert!(codes(&case(None), &[], &[back(Some("2026-11-20"))]).is_empty(), "valid on its last day");
        assert!(codes(&case(None), &[], &[back(None)]).is_empty(), "长期");
    }

    #[test]
    fn the_screenshot_is_read_as_gcj02() {
        // A WGS-84 premises and the same place as a map app shows it (GCJ-02, ~500 m off here).
        let premises = LatLon::new(31.2304, 121.4737);
        let shown = datum::from_wgs84(premises, Datum::Gcj02);
        assert!(datum::distance_m(premises, shown) > 300.0, "the datums differ enough to tell");
        let screenshot = reading(
            1,
            "gps_screenshot",
            &[("lat", ReadValue::Number(shown.lat), 0.99), ("lon", ReadValue::Number(shown.lon), 0.99)],
        );
        let site = Site { lat: premises.lat, lon: premises.lon, datum: Datum::Wgs84, radius_m: Some(200.0) };
        assert!(codes(&case(Some(site)), &[], std::slice::from_ref(&screenshot)).is_empty());
        let far = Site { lat: premises.lat + 0.01, ..site };
        assert_eq!(codes(&case(Some(far)), &[], std::slice::from_ref(&screenshot)), ["screenshot_outside_site_radius"]);
        assert_eq!(codes(&case(None), &[], &[screenshot]), ["screenshot_position_offered"]);
    }

    #[test]
    fn a_file_that_gave_nothing_is_not_read() {
        let mut failed = reading(1, "id_front", &[]);
        failed.problem = Some("a.pdf: not a picture".into());
        let empty_back = reading(1, "id_back", &[]);
        assert_eq!(codes(&case(None), &[], &[failed, empty_back]), ["document_not_read"]);
    }

    #[test]
    fn full_width_forms_and_spaces_are_no_difference() {
        assert_eq!(comparable("星河贸易（福州）有限公司 "), comparable("星河贸易(福州)有限公司"));
        assert_eq!(comparable("９１３５０１００ｍ０００１００ｙ４３"), "91350100M000100Y43");
        assert_ne!(comparable("王桂"), comparable("王贵"));
    }
}
