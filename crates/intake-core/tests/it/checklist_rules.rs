//! One table per rule of the guide (seed section 5), each headed by the guide's own words:
//! which cases must provide the material and which must not. Read against the embedded rule
//! file, so a wrong condition in `assets/checklist/rules.toml` fails here.

use intake_core::case::{CaseAttributes, Channel, Edition, MerchantType, NonstandardRequest};
use intake_core::checklist::{self, Checklist, Mark};

fn base() -> CaseAttributes {
    CaseAttributes::default()
}

fn payment() -> CaseAttributes {
    CaseAttributes { opens_payment: true, ..base() }
}

fn checklist_of(case: &CaseAttributes) -> Checklist {
    checklist::for_attributes(case).expect("the embedded rules load")
}

/// Checks one rule: for each row, whether `key` is required for that case.
fn assert_rule(key: &str, guide: &str, rows: &[(&str, CaseAttributes, bool)]) {
    for (label, case, expected) in rows {
        let checklist = checklist_of(case);
        let item = checklist.item(key).unwrap_or_else(|| panic!("{key} is not in the checklist"));
        assert_eq!(
            item.required, *expected,
            "{key} ({guide}): for {label} expected required = {expected}, got {}",
            item.required
        );
        assert_eq!(checklist.items.iter().filter(|other| other.key == key).count(), 1, "{key} listed once");
    }
}

#[test]
fn service_agreement_always_with_the_editions_own_title() {
    // 5.1: "KA客户版签订《基于大数据的商户服务平台系统服务协议》" and the table of 行业版产品.
    let titles = [
        (Edition::Ka, "《基于大数据的商户服务平台系统服务协议》"),
        (Edition::Jinxiaoman, "《商户平台系统服务协议》"),
        (Edition::Liansuotong, "《通联支付“连锁通”系统服务合作协议》"),
        (Edition::ShangyingEdu, "《商赢教培系统服务协议》"),
        (Edition::ShangyingCommunity, "《商赢社区系统服务协议》"),
    ];
    for (edition, title) in titles {
        for case in [CaseAttributes { edition, ..base() }, CaseAttributes { edition, ..payment() }] {
            let checklist = checklist_of(&case);
            let item = checklist.item("service_agreement").unwrap();
            assert!(item.required, "{edition}: the agreement is always signed");
            assert_eq!(item.title_zh, title, "{edition}");
        }
    }
}

#[test]
fn business_license_except_for_individuals() {
    assert_rule(
        "business_license",
        "客户入网 · 公司材料 · 营业证件照片 (个人无营业执照: interpretation)",
        &[
            ("企业", base(), true),
            ("个体工商户", CaseAttributes { merchant_type: MerchantType::IndividualBusiness, ..base() }, true),
            ("事业单位", CaseAttributes { merchant_type: MerchantType::PublicInstitution, ..base() }, false),
            ("个人(小微)", CaseAttributes { merchant_type: MerchantType::Individual, ..payment() }, false),
        ],
    );
}

#[test]
fn legal_rep_id_always_both_sides() {
    // "法人证件肖像面+法人证件国徽面"
    assert_rule(
        "legal_rep_id",
        "法人证件肖像面+法人证件国徽面",
        &[("企业", base(), true), ("个人", CaseAttributes { merchant_type: MerchantType::Individual, ..base() }, true)],
    );
    assert_eq!(checklist_of(&base()).item("legal_rep_id").unwrap().min_files, 2);
}

#[test]
fn account_opening_proof_always() {
    assert_rule(
        "account_opening_proof",
        "客户入网 · 开户证明材料",
        &[("企业", base(), true), ("开通支付", payment(), true)],
    );
}

#[test]
fn public_institution_certificate_only_for_public_institutions() {
    assert_rule(
        "public_institution_certificate",
        "商户类型为事业单位时需要",
        &[
            ("事业单位", CaseAttributes { merchant_type: MerchantType::PublicInstitution, ..base() }, true),
            ("企业", payment(), false),
            ("个体工商户", CaseAttributes { merchant_type: MerchantType::IndividualBusiness, ..base() }, false),
        ],
    );
}

#[test]
fn industry_qualification_when_paying_in_a_regulated_industry() {
    assert_rule(
        "industry_qualification",
        "开通支付产品 · 根据行业情况提供",
        &[
            ("开通支付, 需行业资质", CaseAttributes { regulated_industry: true, ..payment() }, true),
            ("开通支付, 无需资质", payment(), false),
            ("不开通支付, 需行业资质", CaseAttributes { regulated_industry: true, ..base() }, false),
        ],
    );
}

#[test]
fn beneficial_owner_form_when_paying_and_not_a_natural_person() {
    assert_rule(
        "beneficial_owner_form",
        "开通支付产品 · 《非自然人客户受益所有人信息登记表》 · 商户盖章",
        &[
            ("企业开通支付", payment(), true),
            (
                "个体工商户开通支付",
                CaseAttributes { merchant_type: MerchantType::IndividualBusiness, ..payment() },
                true,
            ),
            ("个人开通支付", CaseAttributes { merchant_type: MerchantType::Individual, ..payment() }, false),
            ("企业不开通支付", base(), false),
        ],
    );
    assert_eq!(checklist_of(&payment()).item("beneficial_owner_form").unwrap().stamps, vec![Mark::CustomerStamp]);
}

#[test]
fn platform_screenshots_when_paying_online() {
    assert_rule(
        "platform_screenshots",
        "开通支付产品需要-线上场景 · 线上场景必填",
        &[
            ("网站", CaseAttributes { channels: vec![Channel::OnlineWebsite], ..payment() }, true),
            ("APP", CaseAttributes { channels: vec![Channel::OnlineApp], ..payment() }, true),
            ("线下", CaseAttributes { channels: vec![Channel::Offline], ..payment() }, false),
            ("网站但不开通支付", CaseAttributes { channels: vec![Channel::OnlineWebsite], ..base() }, false),
        ],
    );
}

#[test]
fn icp_and_mps_filings_when_paying_through_a_website() {
    for key in ["icp_filing", "mps_filing"] {
        assert_rule(
            key,
            "线上网站场景必填",
            &[
                ("网站", CaseAttributes { channels: vec![Channel::OnlineWebsite], ..payment() }, true),
                (
                    "网站+线下",
                    CaseAttributes { channels: vec![Channel::Offline, Channel::OnlineWebsite], ..payment() },
                    true,
                ),
                ("APP", CaseAttributes { channels: vec![Channel::OnlineApp], ..payment() }, false),
                ("网站但不开通支付", CaseAttributes { channels: vec![Channel::OnlineWebsite], ..base() }, false),
            ],
        );
    }
}

#[test]
fn supporting_evidence_is_never_required_but_offered_with_payment() {
    assert_rule(
        "supporting_evidence",
        "其他辅助证明材料 (营业场所租赁合同等)",
        &[("开通支付", payment(), false), ("不开通支付", base(), false)],
    );
    assert!(checklist_of(&payment()).item("supporting_evidence").unwrap().applicable);
}

#[test]
fn split_agreement_when_opening_accounts_stamped_by_both() {
    assert_rule(
        "split_agreement",
        "开通账户产品-审批 · 相关分账协议 · 双方盖章",
        &[("开通账户", CaseAttributes { opens_account: true, ..base() }, true), ("只开通支付", payment(), false)],
    );
    let case = CaseAttributes { opens_account: true, ..base() };
    assert_eq!(checklist_of(&case).item("split_agreement").unwrap().stamps, vec![Mark::BothParties]);
}

#[test]
fn brand_franchise_agreement_when_splitting_on_a_franchise() {
    assert_rule(
        "brand_franchise_agreement",
        "相关分账协议 · 品牌授权协议或加盟协议",
        &[
            ("开通账户, 品牌/加盟", CaseAttributes { opens_account: true, chain_or_franchise: true, ..base() }, true),
            ("开通账户, 非加盟", CaseAttributes { opens_account: true, ..base() }, false),
            ("加盟但不开通账户", CaseAttributes { chain_or_franchise: true, ..payment() }, false),
        ],
    );
}

#[test]
fn risk_rating_form_always() {
    assert_rule(
        "risk_rating_form",
        "客户入网 · 《网络支付业务商户风险评级表》",
        &[
            ("企业", base(), true),
            ("个人开通支付", CaseAttributes { merchant_type: MerchantType::Individual, ..payment() }, true),
        ],
    );
}

#[test]
fn premises_photos_when_paying() {
    for key in ["storefront_photo", "interior_photo", "operator_holding_id", "gps_screenshot", "manager_with_legal_rep"]
    {
        assert_rule(
            key,
            "开通支付产品 · 经营场所信息 / 商户考察材料",
            &[("开通支付", payment(), true), ("不开通支付", base(), false)],
        );
    }
}

#[test]
fn operator_with_storefront_for_individuals_paying() {
    assert_rule(
        "operator_with_storefront",
        "经营者与店铺门头合照 · 商户类型-个人必填",
        &[
            ("个人开通支付", CaseAttributes { merchant_type: MerchantType::Individual, ..payment() }, true),
            (
                "个体工商户开通支付",
                CaseAttributes { merchant_type: MerchantType::IndividualBusiness, ..payment() },
                false,
            ),
            ("企业开通支付", payment(), false),
        ],
    );
}

#[test]
fn site_inspection_form_signed_by_the_manager_stamped_by_the_branch() {
    assert_rule(
        "site_inspection_form",
        "《商户现场考察表》 · 客户经理签字确认,分公司盖章",
        &[("开通支付", payment(), true), ("不开通支付", base(), false)],
    );
    let stamps = checklist_of(&payment()).item("site_inspection_form").unwrap().stamps.clone();
    assert_eq!(stamps, vec![Mark::ManagerSignature, Mark::BranchStamp]);
}

#[test]
fn manager_with_storefront_holding_own_id_when_remote() {
    assert_rule(
        "manager_with_storefront",
        "客户经理与门头合照(异地需客户经理手持身份证)",
        &[
            ("开通支付", payment(), true),
            ("异地开通支付", CaseAttributes { remote_visit: true, ..payment() }, true),
            ("不开通支付", base(), false),
        ],
    );
    let local = checklist_of(&payment());
    let remote = checklist_of(&CaseAttributes { remote_visit: true, ..payment() });
    let local_item = local.item("manager_with_storefront").unwrap();
    let remote_item = remote.item("manager_with_storefront").unwrap();
    assert!(local_item.attestations.is_empty());
    assert_eq!(remote_item.attestations, vec![Mark::ManagerHoldingId]);
    assert!(remote_item.instructions_zh.contains("手持本人身份证"));
    assert!(!local_item.instructions_zh.contains("手持本人身份证"));
    assert_eq!(local_item.alternatives, vec!["inspection_video".to_string()]);
}

#[test]
fn inspection_video_stands_in_for_the_manager_with_storefront() {
    assert_rule(
        "inspection_video",
        "现场考察视频材料 · 暂时无法提供客户经理与门头合照时,则必需",
        &[("开通支付", payment(), false), ("不开通支付", base(), false)],
    );
    let checklist = checklist_of(&payment());
    let video = checklist.item("inspection_video").unwrap();
    assert!(video.applicable && video.optional);
    assert_eq!(video.alternative_to.as_deref(), Some("manager_with_storefront"));
}

#[test]
fn network_payment_agreement_first_and_last_page_for_shouyinbao_shoufutong() {
    assert_rule(
        "network_payment_agreement",
        "双方盖章,涉及收银宝收付通产品开,则必需(合作协议首页、合作协议尾页)",
        &[
            ("收银宝收付通", CaseAttributes { syb_sft: true, ..base() }, true),
            ("只开收银宝", CaseAttributes { syb: true, ..payment() }, false),
        ],
    );
    let item =
        checklist_of(&CaseAttributes { syb_sft: true, ..base() }).item("network_payment_agreement").unwrap().clone();
    assert_eq!(item.min_files, 2);
    assert_eq!(item.stamps, vec![Mark::BothParties]);
}

#[test]
fn syb_registration_form_when_opening_shouyinbao() {
    assert_rule(
        "syb_registration_form",
        "收银宝系统“注册登记表” · 开通收银宝服务时填",
        &[
            ("收银宝", CaseAttributes { syb: true, ..base() }, true),
            ("收付通(收银宝产品)", CaseAttributes { syb_sft: true, ..payment() }, true),
        ],
    );
}

#[test]
fn business_cooperation_letter_online_with_payout_or_custody() {
    assert_rule(
        "business_cooperation_letter",
        "线上场景-代付、收托抵用,则必需",
        &[
            (
                "APP+代付",
                CaseAttributes { channels: vec![Channel::OnlineApp], payout_or_custody: true, ..base() },
                true,
            ),
            (
                "网站+代付",
                CaseAttributes { channels: vec![Channel::OnlineWebsite], payout_or_custody: true, ..payment() },
                true,
            ),
            (
                "线下+代付",
                CaseAttributes { channels: vec![Channel::Offline], payout_or_custody: true, ..payment() },
                false,
            ),
            ("APP, 无代付", CaseAttributes { channels: vec![Channel::OnlineApp], ..payment() }, false),
        ],
    );
}

#[test]
fn product_approval_form_when_opening_accounts() {
    assert_rule(
        "product_approval_form",
        "《云商通产品合作审批表》 · 需双方盖章",
        &[("开通账户", CaseAttributes { opens_account: true, ..base() }, true), ("只开通支付", payment(), false)],
    );
}

#[test]
fn fund_consolidation_materials_follow_whether_parent_and_child_are_one_entity() {
    let request = |same: bool| CaseAttributes {
        nonstandard: vec![NonstandardRequest::FundConsolidation],
        parent_child_same_entity: Some(same),
        ..payment()
    };
    assert_rule(
        "fund_consolidation.change_approval_form",
        "资金归集所需材料 · 《业务变更审批单》 · 商户盖章,分公司盖章",
        &[("资金归集", request(false), true), ("无非标申请", payment(), false)],
    );
    assert_rule(
        "fund_consolidation.settlement_confirmation_letter",
        "《结算方式确认涵》",
        &[("非同主体", request(false), true), ("同主体", request(true), true), ("无非标申请", payment(), false)],
    );
    assert_rule(
        "fund_consolidation.settlement_supporting_proof",
        "《结算方式确认涵》+其他补充证明 · 双方盖章,父子商户非同主体需提供",
        &[("非同主体", request(false), true), ("同主体", request(true), false)],
    );
    assert_rule(
        "fund_consolidation.situation_statement",
        "《结算方式确认涵》+情况说明 · 需商户盖章,父子商户同主体时需要",
        &[("同主体", request(true), true), ("非同主体", request(false), false)],
    );
    let stamps = |same: bool| {
        checklist_of(&request(same)).item("fund_consolidation.settlement_confirmation_letter").unwrap().stamps.clone()
    };
    assert_eq!(stamps(false), vec![Mark::BothParties]);
    assert_eq!(stamps(true), vec![Mark::CustomerStamp]);
    let form = checklist_of(&request(false)).item("fund_consolidation.change_approval_form").unwrap().stamps.clone();
    assert_eq!(form, vec![Mark::CustomerStamp, Mark::BranchStamp]);
}

#[test]
fn each_other_request_brings_its_own_change_approval_form() {
    let cases = [
        (NonstandardRequest::MonthlyFee, "手续费月结 · 商户盖章", vec![Mark::CustomerStamp]),
        (
            NonstandardRequest::SameEntityWhitelist,
            "同主体白名单申请 · 商户盖章,分公司盖章",
            vec![Mark::CustomerStamp, Mark::BranchStamp],
        ),
        (NonstandardRequest::MiniprogramCheckout, "小程序收银台 · 商户盖章", vec![Mark::CustomerStamp]),
    ];
    for (request, guide, stamps) in cases {
        let key = format!("{}.change_approval_form", request.key());
        let with = CaseAttributes { nonstandard: vec![request], ..base() };
        assert_rule(&key, guide, &[("申请", with.clone(), true), ("未申请", payment(), false)]);
        assert_eq!(checklist_of(&with).item(&key).unwrap().stamps, stamps, "{key}");
    }
}

#[test]
fn golive_materials_when_opening_accounts() {
    for key in ["golive_application", "test_report"] {
        assert_rule(
            key,
            "上线投产材料 · 开通账户产品-上线材料",
            &[("开通账户", CaseAttributes { opens_account: true, ..base() }, true), ("只开通支付", payment(), false)],
        );
    }
}

#[test]
fn every_material_of_the_guide_is_reachable_by_some_case() {
    let everything = CaseAttributes {
        merchant_type: MerchantType::PublicInstitution,
        channels: vec![Channel::OnlineWebsite],
        opens_payment: true,
        opens_account: true,
        syb: true,
        syb_sft: true,
        payout_or_custody: true,
        regulated_industry: true,
        chain_or_franchise: true,
        nonstandard: NonstandardRequest::ALL.to_vec(),
        ..base()
    };
    let individual = CaseAttributes {
        merchant_type: MerchantType::Individual,
        parent_child_same_entity: Some(true),
        ..everything.clone()
    };
    let mut reached = std::collections::BTreeSet::new();
    // A public institution's 营业证件 is its certificate: the licence needs another type.
    let enterprise = CaseAttributes { merchant_type: MerchantType::Enterprise, ..everything.clone() };
    for case in [&everything, &individual, &enterprise] {
        for item in checklist_of(case).items.iter().filter(|item| item.applicable) {
            reached.insert(item.key.clone());
        }
    }
    let all: std::collections::BTreeSet<String> =
        checklist_of(&base()).items.iter().map(|item| item.key.clone()).collect();
    assert_eq!(reached, all);
    assert_eq!(all.len(), 36, "domain.md has 36 materials, counting the non-standard ones per request");
}
