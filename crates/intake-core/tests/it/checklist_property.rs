//! Every combination of the case attributes, against an independent reading of `domain.md`
//! written here by hand without looking at the rule file's conditions: which materials are
//! required, offered or not applicable, their stamps and marks, where they are taken, which
//! show an identity document, which fields are asked for, and which cases are refused as
//! contradictory. Not a sample: the attribute space is finite (4 merchant types × 8 channel
//! sets × 5 editions × 2⁸ yes/no attributes × 16 sets of requests × 3 answers to
//! `parent_child_same_entity` = 1,966,080 cases) and the test walks all of it.
//!
//! `intake checklist` prints exactly `Rules::checklist` of the embedded rule file after
//! `CaseAttributes::check_consistent` (the CLI's own test checks that on a few cases).

use std::collections::BTreeSet;

use intake_core::ErrorKind;
use intake_core::case::{CaseAttributes, Channel, Edition, MerchantType, NonstandardRequest};
use intake_core::checklist::{Checklist, Rules};

/// Every material of `domain.md`, the non-standard ones once per request.
const ALL_KEYS: &[&str] = &[
    "service_agreement",
    "business_license",
    "legal_rep_id",
    "account_opening_proof",
    "public_institution_certificate",
    "industry_qualification",
    "beneficial_owner_form",
    "platform_screenshots",
    "icp_filing",
    "mps_filing",
    "supporting_evidence",
    "split_agreement",
    "brand_franchise_agreement",
    "risk_rating_form",
    "storefront_photo",
    "interior_photo",
    "operator_holding_id",
    "operator_with_storefront",
    "site_inspection_form",
    "manager_with_storefront",
    "gps_screenshot",
    "manager_with_legal_rep",
    "inspection_video",
    "network_payment_agreement",
    "syb_registration_form",
    "business_cooperation_letter",
    "product_approval_form",
    "fund_consolidation.change_approval_form",
    "fund_consolidation.settlement_confirmation_letter",
    "fund_consolidation.settlement_supporting_proof",
    "fund_consolidation.situation_statement",
    "monthly_fee.change_approval_form",
    "same_entity_whitelist.change_approval_form",
    "miniprogram_checkout.change_approval_form",
    "golive_application",
    "test_report",
];

/// `domain.md` "Case attributes": these are payment products or requests about them, so a
/// case with one of them and without `opens_payment` is contradictory.
fn expected_contradictory(case: &CaseAttributes) -> Option<&'static str> {
    if case.opens_payment {
        return None;
    }
    if case.syb {
        Some("syb")
    } else if case.syb_sft {
        Some("syb_sft")
    } else if case.payout_or_custody {
        Some("payout_or_custody")
    } else if !case.nonstandard.is_empty() {
        Some("nonstandard")
    } else {
        None
    }
}

/// `domain.md`, read by hand: the keys a case must provide.
fn expected_required(case: &CaseAttributes) -> BTreeSet<&'static str> {
    let mut keys = BTreeSet::new();
    let online = case.channels.iter().any(|channel| matches!(channel, Channel::OnlineWebsite | Channel::OnlineApp));
    let website = case.channels.contains(&Channel::OnlineWebsite);
    let pay = case.opens_payment;
    let merchant_type = case.merchant_type;
    let individual = merchant_type == MerchantType::Individual;

    // Always.
    keys.extend(["service_agreement", "legal_rep_id", "account_opening_proof", "risk_rating_form"]);
    // 营业证件: enterprises and individual businesses; a public institution's is its certificate.
    if matches!(merchant_type, MerchantType::Enterprise | MerchantType::IndividualBusiness) {
        keys.insert("business_license");
    }
    if merchant_type == MerchantType::PublicInstitution {
        keys.insert("public_institution_certificate");
    }
    if pay && case.regulated_industry {
        keys.insert("industry_qualification");
    }
    if pay && !individual {
        keys.insert("beneficial_owner_form");
    }
    if pay && online {
        keys.insert("platform_screenshots");
    }
    if pay && website {
        keys.extend(["icp_filing", "mps_filing"]);
    }
    if case.opens_account {
        keys.extend(["split_agreement", "product_approval_form", "golive_application", "test_report"]);
        if case.chain_or_franchise {
            keys.insert("brand_franchise_agreement");
        }
    }
    if pay {
        keys.extend([
            "storefront_photo",
            "interior_photo",
            "operator_holding_id",
            "site_inspection_form",
            "manager_with_storefront",
            "gps_screenshot",
            "manager_with_legal_rep",
        ]);
        if individual {
            keys.insert("operator_with_storefront");
        }
    }
    if case.syb_sft {
        keys.insert("network_payment_agreement");
    }
    // 收付通 is a 收银宝 product: it brings the 收银宝 materials too.
    if case.syb || case.syb_sft {
        keys.insert("syb_registration_form");
    }
    if online && case.payout_or_custody {
        keys.insert("business_cooperation_letter");
    }
    for request in &case.nonstandard {
        keys.insert(match request {
            NonstandardRequest::FundConsolidation => "fund_consolidation.change_approval_form",
            NonstandardRequest::MonthlyFee => "monthly_fee.change_approval_form",
            NonstandardRequest::SameEntityWhitelist => "same_entity_whitelist.change_approval_form",
            NonstandardRequest::MiniprogramCheckout => "miniprogram_checkout.change_approval_form",
        });
        if *request == NonstandardRequest::FundConsolidation {
            keys.insert("fund_consolidation.settlement_confirmation_letter");
            // Unanswered: the stricter variant (different entities).
            keys.insert(if case.parent_child_same_entity == Some(true) {
                "fund_consolidation.situation_statement"
            } else {
                "fund_consolidation.settlement_supporting_proof"
            });
        }
    }
    keys
}

/// Optional materials offered to the case (applicable, never required).
fn expected_optional(case: &CaseAttributes) -> BTreeSet<&'static str> {
    if case.opens_payment { ["supporting_evidence", "inspection_video"].into_iter().collect() } else { BTreeSet::new() }
}

/// `domain.md`'s "stamp" columns: the marks each material asks the manager to attest.
fn expected_marks(key: &str, case: &CaseAttributes) -> Vec<&'static str> {
    let same_entity = case.parent_child_same_entity == Some(true);
    match key {
        "beneficial_owner_form" => vec!["customer_stamp"],
        "split_agreement" | "network_payment_agreement" | "product_approval_form" => vec!["both_parties"],
        "site_inspection_form" => vec!["manager_signature", "branch_stamp"],
        "manager_with_storefront" if case.remote_visit => vec!["manager_holding_id"],
        "fund_consolidation.change_approval_form" | "same_entity_whitelist.change_approval_form" => {
            vec!["customer_stamp", "branch_stamp"]
        }
        "fund_consolidation.settlement_confirmation_letter" if same_entity => vec!["customer_stamp"],
        "fund_consolidation.settlement_confirmation_letter" => vec!["both_parties"],
        // The seed's 需商户盖章 covers the letter and the statement.
        "fund_consolidation.situation_statement" => vec!["customer_stamp"],
        "monthly_fee.change_approval_form" | "miniprogram_checkout.change_approval_form" => vec!["customer_stamp"],
        _ => vec![],
    }
}

/// `domain.md` "Where a photo must be taken".
fn expected_place(key: &str) -> Option<&'static str> {
    match key {
        "storefront_photo"
        | "interior_photo"
        | "operator_holding_id"
        | "operator_with_storefront"
        | "manager_with_storefront"
        | "inspection_video" => Some("premises"),
        "manager_with_legal_rep" => Some("premises_preferred"),
        _ => None,
    }
}

/// Materials that show an identity document: the ID card, the operator holding theirs, and on
/// a remote visit the manager holding their own.
fn expected_identity_document(key: &str, case: &CaseAttributes) -> bool {
    match key {
        "legal_rep_id" | "operator_holding_id" => true,
        "manager_with_storefront" => case.remote_visit,
        _ => false,
    }
}

/// The service agreement's title by edition (seed 5.1).
fn expected_agreement_title(edition: Edition) -> &'static str {
    match edition {
        Edition::Ka => "《基于大数据的商户服务平台系统服务协议》",
        Edition::Jinxiaoman => "《商户平台系统服务协议》",
        Edition::Liansuotong => "《通联支付“连锁通”系统服务合作协议》",
        Edition::ShangyingEdu => "《商赢教培系统服务协议》",
        Edition::ShangyingCommunity => "《商赢社区系统服务协议》",
    }
}

/// The data to record: (key, required) of every applicable field.
fn expected_fields(case: &CaseAttributes) -> BTreeSet<(&'static str, bool)> {
    let mut fields: BTreeSet<(&'static str, bool)> = [
        ("legal_rep_name", true),
        ("legal_rep_id_type", true),
        ("legal_rep_id_number", true),
        ("legal_rep_mobile", true),
    ]
    .into_iter()
    .collect();
    if case.merchant_type != MerchantType::Individual {
        fields.insert(("uscc", true));
    }
    for request in &case.nonstandard {
        match request {
            NonstandardRequest::FundConsolidation => {
                fields.insert(("fund_consolidation.parent_child_same_entity", true));
            }
            NonstandardRequest::MonthlyFee => fields.extend([
                ("monthly_fee.rate", true),
                ("monthly_fee.fee_per_transaction", false),
                ("monthly_fee.estimate_period", true),
                ("monthly_fee.estimate_basis", true),
                ("monthly_fee.estimate_amount", true),
            ]),
            NonstandardRequest::SameEntityWhitelist => fields.extend([
                ("same_entity_whitelist.id_type", true),
                ("same_entity_whitelist.id_number", true),
                ("same_entity_whitelist.reason", true),
            ]),
            NonstandardRequest::MiniprogramCheckout => {}
        }
    }
    fields
}

/// Every subset of `all`, as sorted vectors.
fn subsets<T: Copy>(all: &[T]) -> Vec<Vec<T>> {
    (0..1u32 << all.len())
        .map(|mask| {
            all.iter().enumerate().filter(|(index, _)| mask & (1 << index) != 0).map(|(_, value)| *value).collect()
        })
        .collect()
}

/// Every case of the attribute space, in a fixed order.
fn every_case(mut visit: impl FnMut(CaseAttributes)) {
    let channel_sets = subsets(Channel::ALL);
    let request_sets = subsets(NonstandardRequest::ALL);
    for merchant_type in MerchantType::ALL {
        for channels in &channel_sets {
            for edition in Edition::ALL {
                for flags in 0..1u32 << 8 {
                    for nonstandard in &request_sets {
                        for parent_child_same_entity in [None, Some(false), Some(true)] {
                            let flag = |bit: u32| flags & (1 << bit) != 0;
                            visit(CaseAttributes {
                                merchant_type: *merchant_type,
                                channels: channels.clone(),
                                edition: *edition,
                                opens_payment: flag(0),
                                opens_account: flag(1),
                                syb: flag(2),
                                syb_sft: flag(3),
                                payout_or_custody: flag(4),
                                regulated_industry: flag(5),
                                remote_visit: flag(6),
                                chain_or_franchise: flag(7),
                                nonstandard: nonstandard.clone(),
                                parent_child_same_entity,
                            });
                        }
                    }
                }
            }
        }
    }
}

/// What is wrong with `checklist` for `case`, or `None` when it agrees with the reading above.
fn disagreement(case: &CaseAttributes, checklist: &Checklist) -> Option<String> {
    let listed: Vec<&str> = checklist.items.iter().map(|item| item.key.as_str()).collect();
    if listed != ALL_KEYS {
        return Some(format!("the materials listed differ: {listed:?}"));
    }
    let required: BTreeSet<&str> =
        checklist.items.iter().filter(|item| item.required).map(|item| item.key.as_str()).collect();
    let expected = expected_required(case);
    if required != expected {
        return Some(format!("required {required:?}, expected {expected:?}"));
    }
    let optional = expected_optional(case);
    for item in &checklist.items {
        let key = item.key.as_str();
        let applicable = expected.contains(key) || optional.contains(key);
        if item.applicable != applicable {
            return Some(format!("{key}: applicable {}, expected {applicable}", item.applicable));
        }
        let marks: Vec<&str> = item.attestations.iter().map(|mark| mark.key()).collect();
        if marks != expected_marks(key, case) {
            return Some(format!("{key}: marks {marks:?}, expected {:?}", expected_marks(key, case)));
        }
        if item.place.map(|place| place.key()) != expected_place(key) {
            return Some(format!("{key}: place {:?}, expected {:?}", item.place, expected_place(key)));
        }
        if item.identity_document != expected_identity_document(key, case) {
            return Some(format!("{key}: identity_document {}", item.identity_document));
        }
    }
    let agreement = checklist.item("service_agreement").expect("listed");
    if agreement.title_zh != expected_agreement_title(case.edition) {
        return Some(format!("service agreement titled {}", agreement.title_zh));
    }
    let video = checklist.item("inspection_video").expect("listed");
    if video.alternative_to.as_deref() != Some("manager_with_storefront") {
        return Some("the video does not stand in for the manager's photo".into());
    }
    let fields: BTreeSet<(&str, bool)> = checklist
        .fields
        .iter()
        .filter(|field| field.applicable)
        .map(|field| (field.key.as_str(), field.required))
        .collect();
    let expected_fields = expected_fields(case);
    if fields != expected_fields {
        return Some(format!("fields {fields:?}, expected {expected_fields:?}"));
    }
    None
}

#[test]
fn every_combination_of_attributes_agrees_with_the_hand_reading_of_domain_md() {
    let rules = Rules::embedded().unwrap();
    let (mut checked, mut refused) = (0u32, 0u32);
    every_case(|case| {
        let consistent = case.check_consistent();
        match expected_contradictory(&case) {
            Some(attribute) => {
                let err = consistent.expect_err("a contradictory case is refused");
                assert_eq!(err.kind(), ErrorKind::ContradictoryCase, "{case:?}");
                // The message names both attributes.
                assert!(
                    err.message().contains(attribute) && err.message().contains("opens_payment"),
                    "{}",
                    err.message()
                );
                refused += 1;
            }
            None => {
                consistent.unwrap_or_else(|err| panic!("{case:?} refused: {}", err.message()));
                let checklist = rules.checklist(&case);
                if let Some(problem) = disagreement(&case, &checklist) {
                    panic!("{case:?}: {problem}");
                }
                checked += 1;
            }
        }
    });
    // The whole space, counted independently: 4 × 8 × 5 × 256 × 16 × 3.
    assert_eq!(checked + refused, 4 * 8 * 5 * 256 * 16 * 3);
    // Without opens_payment only the 4 other flags may vary and no request may be made.
    assert_eq!(checked, 4 * 8 * 5 * (128 * 16 + 16) * 3);
}
