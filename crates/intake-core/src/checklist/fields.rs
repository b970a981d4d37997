//! The data the guide asks to record beside the files: the legal representative's name,
//! resident ID number and mobile number, the unified social credit code, and each
//! non-standard request's figures. The rule file declares the fields and their kinds; this
//! module validates a value of each kind.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::ChecklistField;
use super::status::Severity;
use crate::case::{MerchantType, keyed_enum};
use crate::database::CaseFieldRecord;
use crate::identity::{self, IdType, IdentityProblem};

keyed_enum! {
    /// How a field's value is validated.
    FieldKind {
        Text => ("text", "文本", "Text"),
        ResidentId => ("resident_id", "居民身份证号码", "Resident ID number"),
        Uscc => ("uscc", "统一社会信用代码", "Unified social credit code"),
        Mobile => ("mobile", "手机号", "Mobile number"),
        Percent => ("percent", "百分比", "Percentage"),
        Number => ("number", "数值", "Number"),
        Choice => ("choice", "选项", "Choice"),
        IdNumber => ("id_number", "证件号码", "ID number of the chosen type"),
        Attribute => ("attribute", "案件属性", "Case attribute"),
        Quantity => ("quantity", "数量(含单位)", "Quantity with its unit"),
    }
}

/// One value of a `choice` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct ChoiceOption {
    pub key: String,
    pub title_zh: String,
    pub title_en: String,
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldProblem {
    /// Stable code, e.g. `check_character_mismatch`, `empty`, `not_a_number`.
    pub code: String,
    /// `error` refuses the value; `warning` (a USCC failing its check) may be overridden by
    /// the manager with a reason.
    pub severity: Severity,
    /// In Simplified Chinese.
    pub message_zh: String,
    /// In English.
    pub message_en: String,
}

impl FieldProblem {
    fn error(code: &str, message_zh: impl Into<String>, message_en: impl Into<String>) -> FieldProblem {
        FieldProblem {
            code: code.into(),
            severity: Severity::Error,
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    fn from_identity(problem: &IdentityProblem, severity: Severity) -> FieldProblem {
        FieldProblem {
            code: problem.code().into(),
            severity,
            message_zh: problem.message_zh(),
            message_en: problem.message_en(),
        }
    }

    /// One line naming the field and the problem, both languages: what error messages show.
    pub fn describe(&self, field_key: &str) -> String {
        format!("{field_key}: {} — {}", self.message_zh, self.message_en)
    }
}

/// A value that passed validation: its normal form and any warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedValue {
    /// The normal form that is stored (e.g. upper-case, without spaces).
    pub normalized: String,
    /// Problems that do not refuse the value but must be overridden with a reason.
    pub warnings: Vec<FieldProblem>,
}

/// The longest free text accepted, in characters.
const MAX_TEXT_CHARS: usize = 500;

/// What a value is validated against besides itself.
#[derive(Debug, Clone, Copy)]
pub struct FieldContext<'a> {
    /// The value of the field's `id_type_field` (for an `id_number`): recorded, else that
    /// field's `default`.
    pub id_type: Option<&'a str>,
    /// Bounds dates of birth.
    pub today: NaiveDate,
    /// The case's merchant type, which a USCC's positions 1-2 should agree with.
    pub merchant_type: Option<MerchantType>,
}

/// The ID type that applies to `field` (an `id_number`): the value recorded for its
/// `id_type_field`, else that field's default (居民身份证 for the legal representative).
pub fn id_type_of<'a>(
    field: &ChecklistField,
    fields: &'a [ChecklistField],
    records: &'a [CaseFieldRecord],
) -> Option<&'a str> {
    let type_key = field.id_type_field.as_deref()?;
    records
        .iter()
        .find(|record| record.field_key == type_key)
        .map(|record| record.value.as_str())
        .or_else(|| fields.iter().find(|other| other.key == type_key).and_then(|other| other.default.as_deref()))
}

/// Validates `value` for `field` in `context`.
pub fn validate_value(
    field: &ChecklistField,
    value: &str,
    context: &FieldContext<'_>,
) -> Result<AcceptedValue, FieldProblem> {
    let today = context.today;
    let id_type = context.id_type;
    let value = value.trim();
    if field.kind == FieldKind::Attribute {
        let attribute = field.attribute.as_deref().unwrap_or("?");
        return Err(FieldProblem::error(
            "is_case_attribute",
            format!("这是案件属性,请用 intake case update --{} 修改", attribute.replace('_', "-")),
            format!("this is a case attribute: change it with `intake case update --{}`", attribute.replace('_', "-")),
        ));
    }
    if value.is_empty() {
        return Err(FieldProblem::error("empty", "不能为空", "must not be empty"));
    }
    let accepted = |normalized: String| AcceptedValue { normalized, warnings: Vec::new() };
    match field.kind {
        FieldKind::Text => validate_text(value).map(accepted),
        FieldKind::ResidentId => identity::check_resident_id(value, today)
            .map(accepted)
            .map_err(|problem| FieldProblem::from_identity(&problem, Severity::Error)),
        FieldKind::Uscc => validate_uscc(value, context.merchant_type),
        FieldKind::Mobile => identity::check_mobile(value)
            .map(accepted)
            .map_err(|problem| FieldProblem::from_identity(&problem, Severity::Error)),
        FieldKind::Percent => validate_percent(value).map(accepted),
        FieldKind::Number => validate_number(value).map(accepted),
        FieldKind::Choice => validate_choice(&field.options, value).map(accepted),
        FieldKind::IdNumber => match id_type {
            Some("uscc") => validate_uscc(value, None),
            Some(key) => match IdType::from_key(key) {
                Some(id_type) => identity::check_id_number(id_type, value, today)
                    .map(accepted)
                    .map_err(|problem| FieldProblem::from_identity(&problem, Severity::Error)),
                // `other` (其他证件): free text.
                None => validate_text(value).map(accepted),
            },
            None => validate_text(value).map(accepted),
        },
        FieldKind::Quantity => validate_quantity(value).map(accepted),
        FieldKind::Attribute => unreachable!("handled above"),
    }
}

/// The units a `quantity` may carry: amounts in yuan, counts of transactions.
const QUANTITY_UNITS: &[&str] = &["亿元", "万元", "元", "万笔", "笔"];

/// A number with its unit: an amount (元, 万元, 亿元) or a count (笔, 万笔), e.g. `120万元`,
/// `3000 笔`. Normal form: `<number> <unit>`.
fn validate_quantity(value: &str) -> Result<String, FieldProblem> {
    let value = identity::to_half_width(value);
    let value = value.trim();
    let unit = QUANTITY_UNITS.iter().find(|unit| value.ends_with(*unit));
    let Some(unit) = unit else {
        return Err(FieldProblem::error(
            "unit_missing",
            "请写明单位:金额用 元、万元 或 亿元,笔数用 笔 或 万笔(例如 120万元、3000笔)",
            "give the unit: an amount in 元, 万元 or 亿元, a count in 笔 or 万笔 (e.g. 120万元, 3000笔)",
        ));
    };
    let number = value[..value.len() - unit.len()].trim();
    parse_decimal(number).map(|_| format!("{} {unit}", number.replace(THOUSANDS_SEPARATORS, ""))).ok_or_else(|| {
        FieldProblem::error("not_a_number", "单位前应为非负数值", "the unit must follow a non-negative number")
    })
}

fn validate_text(value: &str) -> Result<String, FieldProblem> {
    if value.chars().any(char::is_control) {
        return Err(FieldProblem::error("control_character", "含有控制字符", "contains control characters"));
    }
    let count = value.chars().count();
    if count > MAX_TEXT_CHARS {
        return Err(FieldProblem::error(
            "too_long",
            format!("过长({count}字,最多{MAX_TEXT_CHARS}字)"),
            format!("is too long ({count} characters, at most {MAX_TEXT_CHARS})"),
        ));
    }
    Ok(value.to_string())
}

/// The USCC positions 1-2 each merchant type is registered under (GB 32100): 91 企业,
/// 92 个体工商户, 12 事业单位. A 个人(小微) merchant has no code.
fn expected_uscc_prefix(merchant_type: MerchantType) -> Option<&'static str> {
    match merchant_type {
        MerchantType::Enterprise => Some("91"),
        MerchantType::IndividualBusiness => Some("92"),
        MerchantType::PublicInstitution => Some("12"),
        MerchantType::Individual => None,
    }
}

fn validate_uscc(value: &str, merchant_type: Option<MerchantType>) -> Result<AcceptedValue, FieldProblem> {
    let reading =
        identity::check_uscc(value).map_err(|problem| FieldProblem::from_identity(&problem, Severity::Error))?;
    let mut warnings: Vec<FieldProblem> = reading
        .warnings()
        .iter()
        .map(|problem| {
            let mut warning = FieldProblem::from_identity(problem, Severity::Warning);
            if matches!(problem, IdentityProblem::CheckCharacterMismatch { .. }) {
                warning.code = "uscc_check_failed".into();
            }
            warning
        })
        .collect();
    if let (Some(merchant_type), Some(category)) = (merchant_type, reading.authority_category)
        && let Some(expected) = expected_uscc_prefix(merchant_type)
        && !reading.code.starts_with(expected)
    {
        warnings.push(FieldProblem {
            code: "uscc_type_mismatch".into(),
            severity: Severity::Warning,
            message_zh: format!(
                "前两位 {} 表示“{category}”,与商户类型“{}”(应为 {expected})不符",
                &reading.code[..2],
                merchant_type.label_zh()
            ),
            message_en: format!(
                "positions 1-2 ({}) name a different kind of body than the merchant type {} ({expected} expected)",
                &reading.code[..2],
                merchant_type.key()
            ),
        });
    }
    for warning in &mut warnings {
        warning.message_zh.push_str(";如确为登记在册的代码,可填写理由后确认");
        warning.message_en.push_str("; if this is the code as registered, confirm it with a reason");
    }
    Ok(AcceptedValue { normalized: reading.code, warnings })
}

/// Commas people type between thousands: ASCII and full-width (Chinese input methods).
const THOUSANDS_SEPARATORS: [char; 2] = [',', '\u{FF0C}'];

/// A plain decimal: digits, at most one point, thousands separators allowed.
fn parse_decimal(value: &str) -> Option<f64> {
    let plain: String = value.chars().filter(|c| !THOUSANDS_SEPARATORS.contains(c)).collect();
    let well_formed = !plain.is_empty()
        && plain.chars().all(|c| c.is_ascii_digit() || c == '.')
        && plain.matches('.').count() <= 1
        && plain.chars().any(|c| c.is_ascii_digit());
    if well_formed { plain.parse::<f64>().ok().filter(|number| number.is_finite()) } else { None }
}

fn validate_percent(value: &str) -> Result<String, FieldProblem> {
    let value = identity::to_half_width(value);
    let number_text = value.strip_suffix('%').unwrap_or(&value).trim();
    let number = parse_decimal(number_text).ok_or_else(|| {
        FieldProblem::error(
            "not_a_number",
            "不是百分比数值(例如 0.38 或 0.38%)",
            "is not a percentage (e.g. 0.38 or 0.38%)",
        )
    })?;
    // 0 is a rate: a merchant charged per transaction (元/笔) only.
    if !(0.0..100.0).contains(&number) {
        return Err(FieldProblem::error(
            "out_of_range",
            "费率应不小于0且小于100%",
            "a rate must be at least 0 and below 100%",
        ));
    }
    Ok(format!("{}%", number_text.replace(THOUSANDS_SEPARATORS, "")))
}

fn validate_number(value: &str) -> Result<String, FieldProblem> {
    let plain: String = identity::to_half_width(value).chars().filter(|c| !THOUSANDS_SEPARATORS.contains(c)).collect();
    parse_decimal(&plain).map(|_| plain.clone()).ok_or_else(|| {
        FieldProblem::error("not_a_number", "不是非负数值(例如 1200000)", "is not a non-negative number (e.g. 1200000)")
    })
}

fn validate_choice(options: &[ChoiceOption], value: &str) -> Result<String, FieldProblem> {
    options
        .iter()
        .find(|option| option.key == value || option.title_zh == value)
        .map(|option| option.key.clone())
        .ok_or_else(|| {
            let keys: Vec<String> =
                options.iter().map(|option| format!("{} ({})", option.key, option.title_zh)).collect();
            FieldProblem::error(
                "not_an_option",
                format!("不是可选值之一:{}", keys.join("、")),
                format!("is not one of: {}", keys.join(", ")),
            )
        })
}

/// How a stored value is shown: personal data masked, a choice by its Chinese name (its key is
/// internal), the rest as stored.
pub fn display_value(field: &ChecklistField, value: &str) -> String {
    if !field.personal {
        return match field.kind {
            FieldKind::Choice => field
                .options
                .iter()
                .find(|option| option.key == value)
                .map(|option| option.title_zh.clone())
                .unwrap_or_else(|| value.to_string()),
            _ => value.to_string(),
        };
    }
    match field.kind {
        FieldKind::ResidentId | FieldKind::IdNumber | FieldKind::Uscc => identity::mask(value, 6, 4),
        FieldKind::Mobile => identity::mask(value, 3, 4),
        _ => identity::mask(value, 1, 0),
    }
}
