//! 营业执照: 名称, 统一社会信用代码, 类型, 法定代表人 (or 经营者 / 负责人 / 执行事务合伙人),
//! 成立日期, 营业期限, 住所 (or 经营场所).

use super::text::{dates_in, find_uscc, period};
use super::{
    Field, all_text, checked_code_field, find_labelled, period_end_field, segments, text_field, value_of,
    with_continuation,
};
use crate::Line;

/// Every label a licence prints, the ones not read included: a value stops at the next label.
const LABELS: &[&str] = &[
    "统一社会信用代码",
    "名称",
    "类型",
    "法定代表人",
    "经营者",
    "负责人",
    "执行事务合伙人",
    "投资人",
    "注册资本",
    "出资额",
    "成立日期",
    "注册日期",
    "营业期限",
    "合伙期限",
    "经营期限",
    "住所",
    "经营场所",
    "主要经营场所",
    "经营范围",
    "登记机关",
    "组成形式",
];

const LEGAL_REP: &[&str] = &["法定代表人", "经营者", "负责人", "执行事务合伙人", "投资人"];
const ADDRESS: &[&str] = &["住所", "主要经营场所", "经营场所"];

pub(super) fn read(lines: &[Line]) -> Vec<(&'static str, Field)> {
    let segments = segments(lines);
    let found = find_labelled(&segments, LABELS);
    let mut fields = Vec::new();

    if let Some((code, check_ok)) = find_uscc(&all_text(&segments)) {
        fields.push(("uscc", checked_code_field(&segments, code, check_ok)));
    }
    if let Some(hit) = value_of(&found, &["名称"]) {
        let (name, confidence) = with_continuation(&segments, hit, LABELS);
        fields.push(("name", text_field(name, confidence)));
    }
    if let Some(hit) = value_of(&found, &["类型"]) {
        fields.push(("company_type", text_field(hit.value.clone(), hit.confidence)));
    }
    if let Some(hit) = value_of(&found, LEGAL_REP) {
        fields.push(("legal_rep", text_field(hit.value.clone(), hit.confidence)));
    }
    if let Some(hit) = value_of(&found, &["成立日期", "注册日期"])
        && let Some((_, date)) = dates_in(&hit.value).into_iter().next()
    {
        fields.push(("established", text_field(date, hit.confidence)));
    }
    if let Some(hit) = value_of(&found, &["营业期限", "合伙期限", "经营期限"])
        && let Some((_, until)) = period(&hit.value)
    {
        fields.push(("valid_until", period_end_field(until, hit.confidence)));
    }
    if let Some(hit) = value_of(&found, ADDRESS) {
        let (address, confidence) = with_continuation(&segments, hit, LABELS);
        fields.push(("address", text_field(address, confidence)));
    }
    fields
}

#[cfg(test)]
mod tests {
    use crate::Line;
    use crate::documents::{DocumentKind, FieldValue, read_document, text_of as text};

    /// A licence as the detector gives it: title, code, two columns of label and value, the
    /// right column's address wrapping onto a second line.
    #[test]
    fn reads_a_two_column_licence() {
        let lines = [
            Line::new("营业执照", [500, 40, 800, 110], 0.99),
            Line::new("统一社会信用代码", [60, 160, 300, 190], 0.99),
            Line::new("91350100M000100Y43", [310, 160, 600, 190], 0.97),
            Line::new("名 称", [100, 300, 190, 330], 0.99),
            Line::new("福州星河贸易有限公司", [230, 300, 560, 330], 0.96),
            Line::new("注册资本", [700, 300, 820, 330], 0.99),
            Line::new("壹佰万元整", [860, 300, 1020, 330], 0.98),
            Line::new("类 型", [100, 360, 190, 390], 0.99),
            Line::new("有限责任公司(自然人投资或控股)", [230, 360, 660, 390], 0.93),
            Line::new("成立日期", [700, 360, 820, 390], 0.99),
            Line::new("2019年03月08日", [860, 360, 1080, 390], 0.95),
            Line::new("法定代表人", [100, 420, 260, 450], 0.99),
            Line::new("林晓明", [290, 420, 390, 450], 0.97),
            Line::new("营业期限", [700, 420, 820, 450], 0.99),
            Line::new("2019年03月08日至长期", [860, 420, 1160, 450], 0.94),
            Line::new("经营范围", [100, 480, 220, 510], 0.99),
            Line::new("日用百货销售;五金产品零售", [250, 480, 640, 510], 0.9),
            Line::new("住 所", [700, 480, 790, 510], 0.99),
            Line::new("福建省福州市鼓楼区五四路", [860, 480, 1200, 510], 0.92),
            Line::new("128号星河大厦12层", [860, 525, 1120, 555], 0.91),
        ];
        let doc = read_document(DocumentKind::BusinessLicense, &lines);
        let keys: Vec<&str> = doc.fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["name", "uscc", "company_type", "legal_rep", "established", "valid_until", "address"]);
        assert_eq!(text(&doc, "name"), Some("福州星河贸易有限公司"));
        assert_eq!(text(&doc, "uscc"), Some("91350100M000100Y43"));
        assert_eq!(text(&doc, "company_type"), Some("有限责任公司(自然人投资或控股)"));
        assert_eq!(text(&doc, "legal_rep"), Some("林晓明"));
        assert_eq!(text(&doc, "established"), Some("2019-03-08"));
        assert_eq!(doc.get("valid_until").map(|f| &f.value), Some(&FieldValue::Null));
        assert_eq!(text(&doc, "address"), Some("福建省福州市鼓楼区五四路128号星河大厦12层"));
        assert!((doc.get("address").unwrap().confidence - 0.91).abs() < 1e-6);
    }

    #[test]
    fn label_and_value_in_one_box_and_a_dated_end() {
        let lines = [
            Line::new("统一社会信用代码:91350100M000100Y44", [60, 160, 600, 190], 0.9),
            Line::new("名称:星河小吃店", [100, 300, 400, 330], 0.95),
            Line::new("经营者:王芳", [100, 360, 300, 390], 0.95),
            Line::new("营业期限:2020年01月15日至2040年01月14日", [100, 420, 700, 450], 0.95),
        ];
        let doc = read_document(DocumentKind::BusinessLicense, &lines);
        assert_eq!(text(&doc, "name"), Some("星河小吃店"));
        assert_eq!(text(&doc, "legal_rep"), Some("王芳"));
        assert_eq!(text(&doc, "valid_until"), Some("2040-01-14"));
        // The check character is wrong: read as printed, confidence halved.
        let uscc = doc.get("uscc").unwrap();
        assert_eq!(uscc.value.as_text(), Some("91350100M000100Y44"));
        assert!((uscc.confidence - 0.45).abs() < 1e-6);
        assert!(doc.get("address").is_none() && doc.get("established").is_none());
    }
}
