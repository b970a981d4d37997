//! For random cases, the checklist against an independent reading of `domain.md`, written
//! here by hand without looking at the rule file's conditions: the required keys agree, every
//! material appears exactly once, and the rest are marked not applicable.

use std::collections::BTreeSet;

use intake_core::case::{CaseAttributes, Channel, Edition, MerchantType, NonstandardRequest};
use intake_core::checklist;
use proptest::prelude::*;

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

/// `domain.md`, read by hand: the keys a case must provide.
fn expected_required(case: &CaseAttributes) -> BTreeSet<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut add = |key: &str| keys.push(key.to_string());
    let online = case.channels.iter().any(|channel| matches!(channel, Channel::OnlineWebsite | Channel::OnlineApp));
    let website = case.channels.contains(&Channel::OnlineWebsite);
    let pay = case.opens_payment;
    let individual = case.merchant_type == MerchantType::Individual;

    add("service_agreement");
    add("legal_rep_id");
    add("account_opening_proof");
    add("risk_rating_form");
    if !individual {
        add("business_license");
    }
    if case.merchant_type == MerchantType::PublicInstitution {
        add("public_institution_certificate");
    }
    if pay && case.regulated_industry {
        add("industry_qualification");
    }
    if pay && !individual {
        add("beneficial_owner_form");
    }
    if pay && online {
        add("platform_screenshots");
    }
    if pay && website {
        add("icp_filing");
        add("mps_filing");
    }
    if case.opens_account {
        add("split_agreement");
        add("product_approval_form");
        add("golive_application");
        add("test_report");
        if case.chain_or_franchise {
            add("brand_franchise_agreement");
        }
    }
    if pay {
        for key in [
            "storefront_photo",
            "interior_photo",
            "operator_holding_id",
            "site_inspection_form",
            "manager_with_storefront",
            "gps_screenshot",
            "manager_with_legal_rep",
        ] {
            add(key);
        }
        if individual {
            add("operator_with_storefront");
        }
    }
    if case.syb_sft {
        add("network_payment_agreement");
    }
    if case.syb {
        add("syb_registration_form");
    }
    if online && case.payout_or_custody {
        add("business_cooperation_letter");
    }
    for request in &case.nonstandard {
        add(&format!("{}.change_approval_form", request.key()));
        if *request == NonstandardRequest::FundConsolidation {
            add("fund_consolidation.settlement_confirmation_letter");
            add(if case.parent_child_same_entity {
                "fund_consolidation.situation_statement"
            } else {
                "fund_consolidation.settlement_supporting_proof"
            });
        }
    }
    keys.into_iter().collect()
}

/// Optional materials offered to the case (applicable, never required).
fn expected_optional(case: &CaseAttributes) -> BTreeSet<String> {
    if case.opens_payment {
        ["supporting_evidence", "inspection_video"].iter().map(|key| key.to_string()).collect()
    } else {
        BTreeSet::new()
    }
}

fn subset<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = Vec<T>> {
    proptest::collection::vec(any::<bool>(), all.len())
        .prop_map(move |picks| all.iter().zip(picks).filter(|(_, pick)| *pick).map(|(value, _)| *value).collect())
}

fn any_case() -> impl Strategy<Value = CaseAttributes> {
    (
        proptest::sample::select(MerchantType::ALL),
        subset(Channel::ALL),
        proptest::sample::select(Edition::ALL),
        proptest::collection::vec(any::<bool>(), 10),
        subset(NonstandardRequest::ALL),
    )
        .prop_map(|(merchant_type, channels, edition, flags, nonstandard)| {
            CaseAttributes {
                merchant_type,
                channels,
                edition,
                opens_payment: flags[0],
                opens_account: flags[1],
                syb: flags[2],
                syb_sft: flags[3],
                payout_or_custody: flags[4],
                regulated_industry: flags[5],
                remote_visit: flags[6],
                chain_or_franchise: flags[7],
                nonstandard,
                parent_child_same_entity: flags[8],
            }
            .normalized()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_checklist_agrees_with_the_hand_reading_of_domain_md(case in any_case()) {
        let checklist = checklist::for_attributes(&case).unwrap();

        // Every material exactly once, nothing else.
        let listed: Vec<&str> = checklist.items.iter().map(|item| item.key.as_str()).collect();
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        prop_assert_eq!(unique.len(), listed.len(), "a key is listed twice");
        prop_assert_eq!(unique, ALL_KEYS.iter().copied().collect::<BTreeSet<_>>());

        let required: BTreeSet<String> =
            checklist.items.iter().filter(|item| item.required).map(|item| item.key.clone()).collect();
        prop_assert_eq!(&required, &expected_required(&case));

        let applicable: BTreeSet<String> =
            checklist.items.iter().filter(|item| item.applicable).map(|item| item.key.clone()).collect();
        let expected_applicable: BTreeSet<String> =
            expected_required(&case).union(&expected_optional(&case)).cloned().collect();
        prop_assert_eq!(&applicable, &expected_applicable);

        for item in &checklist.items {
            // Not applicable is never required; required is applicable and not optional.
            prop_assert_eq!(item.required, item.applicable && !item.optional, "{}", item.key);
            prop_assert_eq!(item.stage.key() == "nonstandard", item.key.contains('.'), "{}", item.key);
        }

        let video = checklist.item("inspection_video").unwrap();
        prop_assert_eq!(video.alternative_to.as_deref(), Some("manager_with_storefront"));
        prop_assert!(!video.required);
        prop_assert_eq!(checklist.item("legal_rep_id").unwrap().min_files, 2);
        prop_assert_eq!(checklist.item("network_payment_agreement").unwrap().min_files, 2);
        let remote_mark = checklist
            .item("manager_with_storefront")
            .unwrap()
            .attestations
            .iter()
            .any(|mark| mark.key() == "manager_holding_id");
        prop_assert_eq!(remote_mark, case.remote_visit);
    }
}
