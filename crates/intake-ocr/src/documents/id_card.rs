//! 身份证: the portrait side (姓名, 性别, 民族, 出生, 住址, 公民身份号码) and the emblem side
//! (签发机关, 有效期限).

use super::text::{dates_in, find_id_number, period};
use super::{
    Field, all_text, checked_code_field, find_labelled, period_end_field, segments, text_field, value_of,
    with_continuation,
};
use crate::Line;

const FRONT_LABELS: &[&str] = &["姓名", "性别", "民族", "出生", "住址", "公民身份号码"];
const BACK_LABELS: &[&str] = &["中华人民共和国", "居民身份证", "签发机关", "有效期限"];

pub(super) fn read_front(lines: &[Line]) -> Vec<(&'static str, Field)> {
    let segments = segments(lines);
    let found = find_labelled(&segments, FRONT_LABELS);
    let mut fields = Vec::new();
    if let Some(hit) = value_of(&found, &["姓名"]) {
        fields.push(("name", text_field(hit.value.clone(), hit.confidence)));
    }
    if let Some(hit) = value_of(&found, &["性别"])
        && let Some(sex) = hit.value.chars().find(|c| matches!(c, '男' | '女'))
    {
        fields.push(("sex", text_field(sex.to_string(), hit.confidence)));
    }
    if let Some(hit) = value_of(&found, &["民族"]) {
        // 汉, 蒙古, 维吾尔...: the Chinese characters only (a stray mark read beside them is not).
        let ethnicity: String = hit.value.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).collect();
        if !ethnicity.is_empty() {
            fields.push(("ethnicity", text_field(ethnicity, hit.confidence)));
        }
    }
    if let Some(hit) = value_of(&found, &["出生"])
        && let Some((_, date)) = dates_in(&hit.value).into_iter().next()
    {
        fields.push(("birth_date", text_field(date, hit.confidence)));
    }
    if let Some(hit) = value_of(&found, &["住址"]) {
        let (address, confidence) = with_continuation(&segments, hit, FRONT_LABELS);
        fields.push(("address", text_field(address, confidence)));
    }
    if let Some((number, check_ok)) = find_id_number(&all_text(&segments)) {
        fields.push(("id_number", checked_code_field(&segments, number, check_ok)));
    }
    fields
}

pub(super) fn read_back(lines: &[Line]) -> Vec<(&'static str, Field)> {
    let segments = segments(lines);
    let found = find_labelled(&segments, BACK_LABELS);
    let mut fields = Vec::new();
    if let Some(hit) = value_of(&found, &["签发机关"]) {
        let (issuer, confidence) = with_continuation(&segments, hit, BACK_LABELS);
        fields.push(("issuer", text_field(issuer, confidence)));
    }
    if let Some(hit) = value_of(&found, &["有效期限"])
        && let Some((from, until)) = period(&hit.value)
    {
        if let Some(from) = from {
            fields.push(("valid_from", text_field(from, hit.confidence)));
        }
        fields.push(("valid_until", period_end_field(until, hit.confidence)));
    }
    fields
}

#[cfg(test)]
mod tests {
    use crate::Line;
    use crate::documents::{DocumentKind, FieldValue, read_document, text_of as text};

    #[test]
    fn reads_the_portrait_side() {
        let lines = [
            Line::new("姓名", [60, 60, 130, 90], 0.99),
            Line::new("陈思远", [160, 58, 300, 92], 0.98),
            Line::new("性别 男", [60, 120, 200, 150], 0.97),
            Line::new("民族 汉", [260, 120, 400, 150], 0.96),
            Line::new("出生 1987 年 6 月 23 日", [60, 180, 460, 210], 0.95),
            Line::new("住址", [60, 240, 130, 270], 0.99),
            Line::new("浙江省杭州市西湖区文三路", [160, 240, 560, 270], 0.94),
            Line::new("259号7幢302室", [160, 285, 380, 315], 0.93),
            Line::new("公民身份号码", [60, 420, 250, 450], 0.99),
            Line::new("11010519491231002X", [330, 420, 760, 455], 0.96),
        ];
        let doc = read_document(DocumentKind::IdFront, &lines);
        assert_eq!(text(&doc, "name"), Some("陈思远"));
        assert_eq!(text(&doc, "sex"), Some("男"));
        assert_eq!(text(&doc, "ethnicity"), Some("汉"));
        assert_eq!(text(&doc, "birth_date"), Some("1987-06-23"));
        assert_eq!(text(&doc, "address"), Some("浙江省杭州市西湖区文三路259号7幢302室"));
        assert_eq!(text(&doc, "id_number"), Some("11010519491231002X"));
        assert!((doc.get("id_number").unwrap().confidence - 0.96).abs() < 1e-6);
    }

    #[test]
    fn reads_the_emblem_side_with_and_without_an_end() {
        let lines = [
            Line::new("中华人民共和国", [300, 60, 700, 110], 0.99),
            Line::new("居民身份证", [320, 130, 680, 190], 0.99),
            Line::new("签发机关", [150, 400, 280, 430], 0.99),
            Line::new("杭州市公安局西湖分局", [320, 400, 640, 430], 0.95),
            Line::new("有效期限", [150, 460, 280, 490], 0.99),
            Line::new("2016.03.01-2036.03.01", [320, 460, 640, 490], 0.93),
        ];
        let doc = read_document(DocumentKind::IdBack, &lines);
        assert_eq!(text(&doc, "issuer"), Some("杭州市公安局西湖分局"));
        assert_eq!(text(&doc, "valid_from"), Some("2016-03-01"));
        assert_eq!(text(&doc, "valid_until"), Some("2036-03-01"));

        let lines = [Line::new("有效期限 2010.05.20-长期", [150, 460, 600, 490], 0.9)];
        let doc = read_document(DocumentKind::IdBack, &lines);
        assert_eq!(text(&doc, "valid_from"), Some("2010-05-20"));
        assert_eq!(doc.get("valid_until").map(|f| &f.value), Some(&FieldValue::Null));
        assert!(doc.get("issuer").is_none());
    }
}
