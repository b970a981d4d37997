//! The rule file as data: loaded from a path, checked when loaded, every mistake reported with
//! its line and never a panic; and the condition language.

use intake_core::ErrorKind;
use intake_core::case::{CaseAttributes, Channel, MerchantType, NonstandardRequest};
use intake_core::checklist::expression::{self, Attribute};
use intake_core::checklist::{RULES_FORMAT_VERSION, Rules};

/// The embedded rule file with one exact text replaced; and the 1-based line of the change.
fn corrupted(from: &str, to: &str) -> (String, usize) {
    let text = Rules::embedded_text();
    let offset = text.find(from).unwrap_or_else(|| panic!("the rule file has no '{from}'"));
    let line = text[..offset].matches('\n').count() + 1;
    (text.replacen(from, to, 1), line)
}

fn error_of(text: &str) -> String {
    let err = Rules::parse(text, "rules.toml").expect_err("the broken file must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidRules);
    err.message().to_string()
}

#[test]
fn the_embedded_rules_load_and_name_their_version() {
    let rules = Rules::embedded().unwrap();
    assert_eq!(rules.version(), RULES_FORMAT_VERSION);
    assert!(Rules::embedded_text().contains("version = 1"));
}

#[test]
fn an_unknown_attribute_in_a_condition_is_reported_with_its_line() {
    let (text, line) =
        corrupted("when = \"opens_payment and regulated_industry\"", "when = \"opens_payment and regulated_industri\"");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")), "{message}");
    assert!(message.contains("unknown attribute 'regulated_industri'"), "{message}");
    assert!(message.contains("industry_qualification"), "names the material: {message}");
}

#[test]
fn an_unknown_value_of_an_attribute_is_reported_with_its_line() {
    let (text, line) = corrupted(
        "when = 'merchant_type == \"public_institution\"'",
        "when = 'merchant_type == \"public_instituion\"'",
    );
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")), "{message}");
    assert!(message.contains("\"public_instituion\" is not a value of merchant_type"), "{message}");
}

#[test]
fn an_unknown_channel_in_a_set_condition_is_reported() {
    let (text, line) = corrupted(
        "when = 'opens_payment and \"online_website\" in channels'",
        "when = 'opens_payment and \"website\" in channels'",
    );
    let message = error_of(&text);
    assert!(
        message.contains(&format!("line {line}:")) && message.contains("\"website\" is not a value of channels"),
        "{message}"
    );
}

#[test]
fn a_misspelt_field_of_a_material_is_reported_with_its_line() {
    let (text, line) = corrupted("min_files = 2\n# The customer", "min_file = 2\n# The customer");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")), "{message}");
    assert!(message.contains("min_file"), "{message}");
}

#[test]
fn an_unknown_stage_or_mark_is_reported_with_its_line() {
    let (text, line) = corrupted("stage = \"golive\"", "stage = \"go_live\"");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")) && message.contains("go_live"), "{message}");

    let (text, line) = corrupted("stamps = [\"customer_stamp\"]", "stamps = [\"merchant_stamp\"]");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")) && message.contains("merchant_stamp"), "{message}");
}

#[test]
fn a_toml_syntax_error_is_reported_with_its_line() {
    let (text, line) = corrupted("key = \"interior_photo\"", "key = \"interior_photo");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")), "{message}");
}

#[test]
fn a_condition_syntax_error_names_the_line_and_the_column() {
    let (text, line) =
        corrupted("when = \"opens_payment and regulated_industry\"", "when = \"opens_payment && regulated_industry\"");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")), "{message}");
    assert!(message.contains("column 15") && message.contains("write 'and'"), "{message}");
}

#[test]
fn a_condition_nested_or_chained_beyond_reason_is_refused_not_a_stack_overflow() {
    // 20,000 parentheses, 200,000 `not`s, a chain of 100,000 `and`s: each crashed the program
    // on a stack overflow before it could name the line. Now they are too long; nesting
    // within that length is bounded on its own.
    let huge = [
        format!("{}opens_payment{}", "(".repeat(20_000), ")".repeat(20_000)),
        format!("{}opens_payment", "not ".repeat(200_000)),
        vec!["opens_payment"; 100_000].join(" and "),
    ];
    let deep =
        [format!("{}opens_payment{}", "(".repeat(40), ")".repeat(40)), format!("{}opens_payment", "not ".repeat(40))];
    let cases = huge.into_iter().map(|condition| (condition, "too long"));
    let cases = cases.chain(deep.into_iter().map(|condition| (condition, "nested more than 32")));
    for (condition, expected) in cases {
        let (text, line) =
            corrupted("when = \"opens_payment and regulated_industry\"", &format!("when = \"{condition}\""));
        let message = error_of(&text);
        assert!(message.contains(&format!("line {line}:")), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(message.len() < 600, "the message quotes the start of the condition, not all of it: {message}");
    }
    // Nesting as deep as a person writes still reads.
    let nested = format!("{}opens_payment{}", "(not ".repeat(10), ")".repeat(10));
    assert!(expression::parse(&nested).is_ok());
}

#[test]
fn duplicate_keys_unknown_groups_and_dangling_alternatives_are_refused() {
    let (text, line) = corrupted("key = \"interior_photo\"", "key = \"storefront_photo\"");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")) && message.contains("declared twice"), "{message}");

    let (text, line) =
        corrupted("key = \"test_report\"\ngroup = \"golive\"", "key = \"test_report\"\ngroup = \"go_live\"");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {}:", line + 1)) && message.contains("'go_live'"), "{message}");

    let (text, line) =
        corrupted("alternative_to = \"manager_with_storefront\"", "alternative_to = \"manager_with_shopfront\"");
    let message = error_of(&text);
    assert!(message.contains(&format!("line {line}:")) && message.contains("manager_with_shopfront"), "{message}");

    let (text, _) =
        corrupted("key = \"monthly_fee.change_approval_form\"", "key = \"monthly_fees.change_approval_form\"");
    assert!(error_of(&text).contains("keyed under 'monthly_fees'"));
}

#[test]
fn a_newer_or_missing_version_is_refused_as_such() {
    let (text, _) = corrupted("\nversion = 1\n", "\nversion = 2\n");
    assert!(error_of(&text).contains("version 2 is not a format this program reads"));
    let (text, _) = corrupted("\nversion = 1\n", "\n");
    assert!(error_of(&text).contains("must start with `version = 1`"));
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "\0\0\0",
        "[[material]]\nkey = 3",
        "version = 1\n[[material]]\n",
        "version = \"one\"",
        "version = 1\n[[group]]\nkey = \"\"\ntitle_zh = \"\"\ntitle_en = \"\"\nwhen = \"(\"",
    ] {
        let err = Rules::parse(text, "x.toml").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRules, "{text:?}");
        assert!(err.message().starts_with("x.toml"), "{}", err.message());
    }
}

#[test]
fn a_corrected_rule_file_is_loaded_from_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    // Operations decide that the risk rating form is needed only with payment products.
    let text = Rules::embedded_text().replacen(
        "guide_zh = \"《网络支付业务商户风险评级表》\"\nwhen = \"true\"",
        "guide_zh = \"《网络支付业务商户风险评级表》\"\nwhen = \"opens_payment\"",
        1,
    );
    assert_ne!(text, Rules::embedded_text());
    std::fs::write(&path, text).unwrap();
    let rules = Rules::load(&path).unwrap();
    let plain = rules.checklist(&CaseAttributes::default());
    assert!(!plain.item("risk_rating_form").unwrap().required);
    assert!(
        Rules::embedded().unwrap().checklist(&CaseAttributes::default()).item("risk_rating_form").unwrap().required
    );

    let missing = Rules::load(&dir.path().join("nope.toml")).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::FileMissing);
    std::fs::write(&path, [0xFF, 0xFE, 0x00]).unwrap();
    assert_eq!(Rules::load(&path).unwrap_err().kind(), ErrorKind::InvalidRules);
}

#[test]
fn a_rule_file_saved_by_windows_notepad_reads_as_the_same_rules() {
    // A byte-order mark and CRLF line ends: what Notepad and most Windows editors save.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    let text = format!("\u{FEFF}{}", Rules::embedded_text().replace('\n', "\r\n"));
    std::fs::write(&path, text).unwrap();
    let rules = Rules::load(&path).unwrap();
    let attributes = CaseAttributes { opens_payment: true, ..CaseAttributes::default() };
    let loaded = serde_json::to_string(&rules.checklist(&attributes)).unwrap();
    let embedded = serde_json::to_string(&Rules::embedded().unwrap().checklist(&attributes)).unwrap();
    assert!(!loaded.contains("\\r"), "a CR reached the checklist's text");
    assert_eq!(loaded, embedded);
}

#[test]
fn the_condition_attributes_are_exactly_the_fields_of_case_attributes() {
    let json = serde_json::to_value(CaseAttributes::default()).unwrap();
    let mut fields: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let mut names: Vec<&str> = Attribute::ALL.iter().map(|attribute| attribute.name()).collect();
    fields.sort_unstable();
    names.sort_unstable();
    assert_eq!(names, fields);
}

#[test]
fn close_keys_are_suggested_for_a_mistyped_material() {
    let rules = Rules::embedded().unwrap();
    let err = rules.require_material("storefront_foto").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("did you mean: storefront_photo"), "{}", err.message());
    let err = rules.require_material("change_approval_form").unwrap_err();
    for request in NonstandardRequest::ALL {
        assert!(err.message().contains(&format!("{}.change_approval_form", request.key())), "{}", err.message());
    }
    assert!(rules.require_material("monthly_fee.change_approval_form").is_ok());
    assert!(rules.require_material("../x").is_err());
}

mod conditions {
    use super::*;

    fn holds(condition: &str, case: &CaseAttributes) -> bool {
        let choices = std::collections::BTreeMap::new();
        let answers = expression::Answers { attributes: case, choices: &choices };
        expression::parse(condition).unwrap_or_else(|err| panic!("{condition}: {err}")).evaluate(&answers)
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tighter_than_both() {
        let case = CaseAttributes { opens_payment: true, ..CaseAttributes::default() };
        assert!(holds("opens_payment or syb and syb_sft", &case));
        assert!(!holds("(opens_payment or syb) and syb_sft", &case));
        assert!(!holds("not opens_payment or syb", &case));
        assert!(holds("not (syb or syb_sft)", &case));
        assert!(holds("true", &case) && !holds("false", &case));
    }

    #[test]
    fn comparisons_lists_and_sets() {
        let case = CaseAttributes {
            merchant_type: MerchantType::Individual,
            channels: vec![Channel::OnlineApp],
            ..CaseAttributes::default()
        };
        assert!(holds("merchant_type == \"individual\"", &case));
        assert!(holds("merchant_type != 'enterprise'", &case));
        assert!(holds("merchant_type in [\"individual\", \"individual_business\"]", &case));
        assert!(!holds("merchant_type in [\"enterprise\"]", &case));
        assert!(holds("\"online_app\" in channels", &case));
        assert!(!holds("\"online_website\" in channels", &case));
        assert!(!holds("\"fund_consolidation\" in nonstandard", &case));
    }

    #[test]
    fn mistakes_are_named_with_their_column() {
        let cases = [
            ("opens_paymnt", 1, "unknown attribute 'opens_paymnt'"),
            ("opens_payment = true", 15, "write '=='"),
            ("merchant_type", 14, "must be compared"),
            ("merchant_type == \"individul\"", 18, "not a value of merchant_type"),
            ("channels == \"offline\"", 1, "is a set"),
            ("\"offline\" in merchant_type", 14, "is not a set"),
            ("opens_payment ==", 15, "is yes/no"),
            ("(syb or syb_sft", 16, "expected ')'"),
            ("syb syb_sft", 5, "expected 'and', 'or'"),
            ("\"unterminated", 1, "never closed"),
            ("", 1, "expected a condition"),
            ("syb || syb_sft", 5, "write 'or'"),
            ("!syb", 1, "write 'not'"),
            ("merchant_type in [\"individual\" \"enterprise\"]", 32, "expected ',' or ']'"),
        ];
        for (condition, column, words) in cases {
            let err = expression::parse(condition).expect_err(condition);
            assert_eq!(err.column, column, "{condition}: {err}");
            assert!(err.message.contains(words), "{condition}: {err}");
        }
    }
}

mod choice_fields_in_variants {
    use intake_core::checklist::Rules;

    /// The embedded rule file with the first `from` replaced by `to`, checked.
    fn rules_with(from: &str, to: &str) -> Result<Rules, String> {
        let text = Rules::embedded_text();
        assert!(text.contains(from), "the embedded file has {from:?}");
        Rules::parse(&text.replacen(from, to, 1), "test.toml").map_err(|err| err.message().to_string())
    }

    #[test]
    fn a_variant_may_compare_a_choice_field_with_its_options_and_only_a_variant() {
        let variant = "when = 'legal_rep_id_type == \"passport\"'";
        // The shipped file compares one in a variant.
        assert!(Rules::embedded_text().contains(variant));
        // An option the field does not have is refused with the options it has.
        let err = rules_with(variant, "when = 'legal_rep_id_type == \"pasport\"'").unwrap_err();
        assert!(err.contains("\"pasport\" is not an option of field legal_rep_id_type"), "{err}");
        assert!(err.contains("resident_id") && err.contains("passport"), "{err}");
        // A yes/no reading of a choice field is refused.
        let err = rules_with(variant, "when = 'legal_rep_id_type'").unwrap_err();
        assert!(err.contains("field 'legal_rep_id_type' must be compared"), "{err}");
        // A material's own condition may not read a field: which materials a case needs
        // follows from its attributes.
        let err = rules_with(
            "two_sided = true\nwhen = \"true\"",
            "two_sided = true\nwhen = 'legal_rep_id_type != \"passport\"'",
        )
        .unwrap_err();
        assert!(err.contains("'legal_rep_id_type' is a field: only a variant's condition"), "{err}");
        // A field that is not a choice stays unknown.
        let err = rules_with(variant, "when = 'legal_rep_name == \"x\"'").unwrap_err();
        assert!(err.contains("unknown attribute 'legal_rep_name'"), "{err}");
        // `in` with a list of options.
        assert!(rules_with(variant, "when = 'legal_rep_id_type in [\"passport\", \"taiwan_permit\"]'").is_ok());
    }
}
