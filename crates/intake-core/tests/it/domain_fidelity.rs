//! Issue 17, "what the guide asks, no more and no less": the points that are not a matter of
//! which materials a combination of attributes lists (that is `checklist_property`, over all
//! of them): contradictory cases refused where cases are created and changed, the
//! unanswered `parent_child_same_entity` (stored, migrated, checked), where a photo must be
//! taken, the video that stands in only for now, the manager's own ID card watermarked, the
//! rule file's texts, the report's title, and the non-standard fee's figures.

use chrono::NaiveDate;
use intake_core::case::{CaseAttributes, NewCase, NonstandardRequest};
use intake_core::checklist::{FieldStatus, ItemStatus, Mark, Severity};
use intake_core::database::{Database, MIGRATIONS};
use intake_core::package::ExportOptions;
use intake_core::{DataFolder, ErrorKind};

use super::package::{Fixture, entries_of, photo};

fn new_case(attributes: CaseAttributes) -> NewCase {
    NewCase { merchant_name: "沪上小面馆".into(), attributes, visit_date: None, site: None }
}

// ── 2. contradictory cases ───────────────────────────────────────────────────────────────

#[test]
fn a_payment_product_without_opens_payment_is_refused_on_create_and_on_update() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let contradictions = [
        ("syb", CaseAttributes { syb: true, ..CaseAttributes::default() }),
        ("syb_sft", CaseAttributes { syb_sft: true, ..CaseAttributes::default() }),
        ("payout_or_custody", CaseAttributes { payout_or_custody: true, ..CaseAttributes::default() }),
        (
            "miniprogram_checkout",
            CaseAttributes { nonstandard: vec![NonstandardRequest::MiniprogramCheckout], ..CaseAttributes::default() },
        ),
    ];
    for (attribute, attributes) in &contradictions {
        let err = folder.create_case(new_case(attributes.clone())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ContradictoryCase, "{attribute}");
        assert_eq!(err.kind().code(), "contradictory_case");
        assert!(err.message().contains(attribute) && err.message().contains("opens_payment"), "{}", err.message());
    }
    assert!(folder.list_cases().unwrap().is_empty(), "nothing was stored");

    // The same on update, and nothing changes.
    let case = folder
        .create_case(new_case(CaseAttributes { opens_payment: true, syb: true, ..CaseAttributes::default() }))
        .unwrap();
    let dropped = CaseAttributes { opens_payment: false, ..case.attributes.clone() };
    assert_eq!(folder.update_case_attributes(&case.id, dropped).unwrap_err().kind(), ErrorKind::ContradictoryCase);
    assert_eq!(folder.case(&case.id).unwrap().attributes, case.attributes);
    // With opens_payment they are accepted.
    for (_, attributes) in contradictions {
        folder.create_case(new_case(CaseAttributes { opens_payment: true, ..attributes })).unwrap();
    }
}

// ── 4. parent_child_same_entity: yes, no, or not yet answered ────────────────────────────

fn fund_consolidation(answer: Option<bool>) -> CaseAttributes {
    CaseAttributes {
        opens_payment: true,
        nonstandard: vec![NonstandardRequest::FundConsolidation],
        parent_child_same_entity: answer,
        ..CaseAttributes::default()
    }
}

#[test]
fn an_unanswered_parent_child_question_is_a_missing_field_that_blocks_until_answered() {
    assert_eq!(CaseAttributes::default().parent_child_same_entity, None, "the default is unanswered, not no");
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder.create_case(new_case(fund_consolidation(None))).unwrap();
    assert_eq!(folder.case(&case.id).unwrap().attributes.parent_child_same_entity, None);
    let answer_of = |check: &intake_core::checklist::CaseCheck| {
        check
            .fields
            .iter()
            .find(|field| field.field.key == "fund_consolidation.parent_child_same_entity")
            .unwrap()
            .clone()
    };
    let check = folder.check_case(&case.id).unwrap();
    let field = answer_of(&check);
    assert!(field.field.required);
    assert_eq!(field.status, FieldStatus::Missing);
    assert!(check.blocking);
    assert!(check.summary.counts.fields_missing >= 1);
    // The stricter variant is listed meanwhile.
    let required: Vec<&str> =
        check.items.iter().filter(|item| item.item.required).map(|item| item.item.key.as_str()).collect();
    assert!(required.contains(&"fund_consolidation.settlement_supporting_proof"), "{required:?}");
    assert!(!required.contains(&"fund_consolidation.situation_statement"), "{required:?}");

    for (answer, shown) in [(Some(false), "否 no"), (Some(true), "是 yes")] {
        folder.update_case_attributes(&case.id, fund_consolidation(answer)).unwrap();
        assert_eq!(folder.case(&case.id).unwrap().attributes.parent_child_same_entity, answer);
        let field = answer_of(&folder.check_case(&case.id).unwrap());
        assert_eq!(field.status, FieldStatus::Ok);
        assert_eq!(field.display_value.as_deref(), Some(shown));
    }
    // Answered yes: the statement, with the merchant's stamp (需商户盖章 covers the pair).
    let checklist = folder.case_checklist(&case.id).unwrap();
    let statement = checklist.item("fund_consolidation.situation_statement").unwrap();
    assert!(statement.required);
    assert_eq!(statement.stamps.iter().map(|mark| mark.key()).collect::<Vec<_>>(), ["customer_stamp"]);
}

#[test]
fn a_case_stored_before_the_question_could_be_unanswered_reads_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    {
        // A store of the previous version: migrations 1-6, two cases answered no and yes.
        let connection = rusqlite::Connection::open(&path).unwrap();
        for script in &MIGRATIONS[..6] {
            connection.execute_batch(script).unwrap();
        }
        connection.execute_batch("PRAGMA user_version = 6").unwrap();
        for (id, same_entity) in [("20261120-AAAAAA", 0), ("20261120-BBBBBB", 1)] {
            connection
                .execute(
                    "INSERT INTO cases (id, merchant_name, merchant_type, edition, channels, opens_payment,
                        opens_account, syb, syb_sft, payout_or_custody, regulated_industry, remote_visit,
                        chain_or_franchise, nonstandard, parent_child_same_entity, created_at, updated_at)
                     VALUES (?1, '老案件', 'enterprise', 'ka', '[]', 1, 0, 0, 0, 0, 0, 0, 0,
                        '[\"fund_consolidation\"]', ?2, '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z')",
                    rusqlite::params![id, same_entity],
                )
                .unwrap();
        }
    }
    let database = Database::open(&path).unwrap();
    assert_eq!(database.case("20261120-AAAAAA").unwrap().attributes.parent_child_same_entity, Some(false));
    assert_eq!(database.case("20261120-BBBBBB").unwrap().attributes.parent_child_same_entity, Some(true));
    // A document that says `false` (a case.json of schema v3) stays "no"; one without it is unanswered.
    let old: CaseAttributes = serde_json::from_value(serde_json::json!({
        "merchant_type": "enterprise", "channels": [], "edition": "ka", "opens_payment": true,
        "opens_account": false, "syb": false, "syb_sft": false, "payout_or_custody": false,
        "regulated_industry": false, "remote_visit": false, "chain_or_franchise": false,
        "nonstandard": ["fund_consolidation"], "parent_child_same_entity": false
    }))
    .unwrap();
    assert_eq!(old.parent_child_same_entity, Some(false));
}

// ── 5. where a photo must be taken ───────────────────────────────────────────────────────

#[test]
fn the_photo_with_the_legal_representative_outside_the_radius_is_a_warning_the_storefront_an_error() {
    let mut fixture = Fixture::empty_case();
    // 1.5 km north of the premises, on the visit day.
    let far = |seed| photo(seed, 1500.0, 0.0, "2026:11:20 10:15:00");
    fixture.add_file("manager_with_legal_rep", "合照.jpg", &far(901));
    fixture.add_file("storefront_photo", "门头.jpg", &far(902));
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    let severity_of = |material: &str| {
        check
            .findings
            .iter()
            .find(|finding| {
                finding.material == material && finding.code == intake_core::evidence::FindingCode::OutsideSiteRadius
            })
            .unwrap_or_else(|| panic!("no outside_site_radius on {material}: {:?}", check.findings))
            .severity
    };
    assert_eq!(severity_of("manager_with_legal_rep"), Severity::Warning);
    assert_eq!(severity_of("storefront_photo"), Severity::Error);
    let rules = intake_core::checklist::Rules::embedded().unwrap();
    assert!(rules.is_site_photo("manager_with_legal_rep"), "still checked for EXIF and date");
}

// ── 6. the video stands in for now; 7. the manager's own ID card ─────────────────────────

/// Everything required except the manager's photo with the storefront, for which the
/// inspection video stands in.
fn complete_with_the_video_instead(fixture: &mut Fixture) {
    let checklist = fixture.folder.case_checklist(&fixture.case_id).unwrap();
    for item in checklist.items.iter().filter(|item| item.required && item.key != "manager_with_storefront") {
        let mut first = None;
        for _ in 0..item.min_files.max(1) {
            first.get_or_insert(fixture.add_generated(&item.key));
        }
        if !item.attestations.is_empty() {
            fixture.folder.attest_file(&fixture.case_id, first.unwrap(), &item.attestations).unwrap();
        }
    }
    fixture.add_file("inspection_video", "考察视频截帧.jpg", &photo(700, 10.0, 10.0, "2026:11:20 10:40:00"));
    for (key, value) in [
        ("legal_rep_name", "李四"),
        ("legal_rep_id_number", "11010519491231002X"),
        ("legal_rep_mobile", "13912345678"),
        ("uscc", "91350100M000100Y43"),
    ] {
        fixture.folder.set_case_field(&fixture.case_id, key, value, None).unwrap();
    }
}

#[test]
fn the_video_stands_in_for_now_and_the_photo_stays_owed_in_the_check_and_the_package() {
    let mut fixture = Fixture::empty_case();
    complete_with_the_video_instead(&mut fixture);
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    let photo_item = check.items.iter().find(|item| item.item.key == "manager_with_storefront").unwrap();
    assert_eq!(photo_item.satisfied_by.as_deref(), Some("inspection_video"));
    assert!(photo_item.to_follow, "the photo is still owed");
    assert_eq!(check.follow_up(), ["manager_with_storefront"]);
    assert_eq!(intake_core::case::vocabulary().to_follow.zh, "暂以视频代替");
    assert!(!check.blocking, "{:#?}", check.summary);

    let zip_path = fixture.export("video.zip", false);
    let zip = std::fs::read(&zip_path).unwrap();
    let entries = entries_of(&zip);
    let text = |name: &str| String::from_utf8(entries.iter().find(|entry| entry.0 == name).unwrap().1.clone()).unwrap();
    assert!(
        text("bag-info.txt").lines().any(|line| line == "Intake-Follow-Up: manager_with_storefront"),
        "{}",
        text("bag-info.txt")
    );
    let document: serde_json::Value = serde_json::from_str(&text("data/case.json")).unwrap();
    assert_eq!(document["package"]["follow_up"], serde_json::json!(["manager_with_storefront"]));
    let item = document["checklist"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["key"] == "manager_with_storefront")
        .unwrap()
        .clone();
    assert_eq!(item["to_follow"], true);
    let report = text("data/report.html");
    assert!(report.contains("暂以视频代替") && report.contains("仍需后补"), "the report says the photo is to follow");
    let verified = intake_core::package::verify::verify_package(&zip_path, &fixture.trusting_own_key()).unwrap();
    assert!(verified.valid, "{:#?}", verified.problems);

    // With the photo itself, nothing is to follow.
    fixture.add_file("manager_with_storefront", "合照.jpg", &photo(701, 5.0, 5.0, "2026:11:20 10:41:00"));
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(check.follow_up().is_empty());
}

#[test]
fn on_a_remote_visit_the_managers_photo_with_their_id_card_is_watermarked() {
    let mut fixture = Fixture::complete_case();
    let mut attributes = fixture.folder.case(&fixture.case_id).unwrap().attributes;
    let export_marked = |fixture: &Fixture, name: &str| {
        let out = fixture.dir.path().join(name);
        fixture
            .folder
            .export_case(
                &fixture.case_id,
                &out,
                &ExportOptions {
                    allow_incomplete: true,
                    incomplete_reason: Some("测试".into()),
                    watermark: Some(true),
                },
            )
            .unwrap();
        let zip = std::fs::read(out).unwrap();
        let entries = entries_of(&zip);
        let document: serde_json::Value =
            serde_json::from_slice(&entries.iter().find(|entry| entry.0 == "data/case.json").unwrap().1).unwrap();
        let file = document["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|file| file["material"] == "manager_with_storefront")
            .unwrap()
            .clone();
        !file["watermarked_copy"].is_null()
    };
    assert!(!export_marked(&fixture, "local.zip"), "a local visit's photo shows no ID card");
    attributes.remote_visit = true;
    fixture.folder.update_case_attributes(&fixture.case_id, attributes).unwrap();
    assert!(export_marked(&fixture, "remote.zip"), "the manager holds their own ID card in it");
}

// ── the legal representative's ID by its type ────────────────────────────────────────────

/// The legal representative's ID slot as the case's check has it.
fn id_slot(fixture: &Fixture) -> intake_core::checklist::CheckedItem {
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    check.items.into_iter().find(|item| item.item.key == "legal_rep_id").unwrap()
}

#[test]
fn the_legal_representatives_id_slot_follows_the_id_type_recorded() {
    let mut fixture = Fixture::empty_case();
    let case_id = fixture.case_id.clone();
    let slot = |fixture: &Fixture| {
        let item = id_slot(fixture);
        (item.item.title_zh.clone(), item.item.min_files, item.files_short)
    };
    fixture.add_generated("legal_rep_id");

    // Until a type is recorded, the default: a 居民身份证, two sides.
    let (title, min_files, short) = slot(&fixture);
    assert!(title.contains("身份证") && title.contains("国徽面"), "{title}");
    assert_eq!((min_files, short), (2, 1));

    // A passport has one page that counts, and no 国徽面.
    fixture.folder.set_case_field(&case_id, "legal_rep_id_type", "passport", None).unwrap();
    let (title, min_files, short) = slot(&fixture);
    assert!(title.contains("护照") && !title.contains("国徽"), "{title}");
    assert_eq!((min_files, short), (1, 0), "one page of the passport completes the slot");
    assert_eq!(fixture.folder.case_checklist(&case_id).unwrap().item("legal_rep_id").unwrap().min_files, 1);
    // The package says so too: its checklist is the case's, recorded fields included.
    let zip = std::fs::read(fixture.export("passport.zip", true)).unwrap();
    let entries = entries_of(&zip);
    let document: serde_json::Value =
        serde_json::from_slice(&entries.iter().find(|entry| entry.0 == "data/case.json").unwrap().1).unwrap();
    let packaged = document["checklist"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["key"] == "legal_rep_id")
        .unwrap_or_else(|| panic!("case.json lists the slot: {document:#}"));
    assert_eq!(packaged["min_files"], 1, "{packaged:#}");

    // A residence permit has both sides again; a travel permit a front and a back.
    fixture.folder.set_case_field(&case_id, "legal_rep_id_type", "residence_permit", None).unwrap();
    let (title, min_files, _) = slot(&fixture);
    assert!(title.contains("居住证") && title.contains("国徽面"), "{title}");
    assert_eq!(min_files, 2);
    fixture.folder.set_case_field(&case_id, "legal_rep_id_type", "hk_macao_permit", None).unwrap();
    let (title, min_files, _) = slot(&fixture);
    assert!(title.contains("正面") && title.contains("背面") && !title.contains("国徽"), "{title}");
    assert_eq!(min_files, 2);

    // Cleared, the default holds again.
    fixture.folder.clear_case_field(&case_id, "legal_rep_id_type").unwrap();
    assert_eq!(slot(&fixture).1, 2);
}

#[test]
fn a_copy_of_both_sides_of_the_id_card_on_one_page_counts_for_two_once_attested() {
    let mut fixture = Fixture::empty_case();
    let case_id = fixture.case_id.clone();
    let slot = id_slot;
    let copy = fixture.add_generated("legal_rep_id");
    let item = slot(&fixture);
    assert_eq!(item.item.offered_marks, vec![Mark::BothSides], "the ID slot offers 正反面在同一文件");
    assert_eq!((item.status, item.files_short), (ItemStatus::Incomplete, 1));

    // Attested as both sides on one page: the one file counts for two, and the mark is
    // taken without "not asked".
    let outcome = fixture.folder.attest_file(&case_id, copy, &[Mark::BothSides]).unwrap();
    assert!(outcome.not_asked.is_empty() && outcome.not_on_this_file.is_empty(), "{outcome:?}");
    let item = slot(&fixture);
    assert_eq!(item.files_short, 0);
    assert_ne!(item.status, ItemStatus::Incomplete);
    assert!(item.missing_attestations.is_empty(), "the mark is offered, never owed");

    // Withdrawn, it is one side again.
    fixture.folder.attest_file(&case_id, copy, &[]).unwrap();
    assert_eq!(slot(&fixture).files_short, 1);

    // A passport has one page: nothing to offer.
    fixture.folder.set_case_field(&case_id, "legal_rep_id_type", "passport", None).unwrap();
    assert!(slot(&fixture).item.offered_marks.is_empty());

    // Elsewhere the mark is not asked, and counts for nothing.
    let proof = fixture.add_generated("account_opening_proof");
    let outcome = fixture.folder.attest_file(&case_id, proof, &[Mark::BothSides]).unwrap();
    assert_eq!(outcome.not_asked, vec![Mark::BothSides]);
}

// ── go-live materials, owed at go-live ──────────────────────────────────────────────────

#[test]
fn go_live_materials_are_owed_at_go_live_and_do_not_hold_back_the_onboarding_package() {
    // A complete case that now also opens an account: its account materials given, its
    // go-live materials (上线申请表, 测试报告) not, as at the onboarding visit.
    let mut fixture = Fixture::complete_case();
    let mut attributes = fixture.folder.case(&fixture.case_id).unwrap().attributes;
    attributes.opens_account = true;
    fixture.folder.update_case_attributes(&fixture.case_id, attributes).unwrap();
    let checklist = fixture.folder.case_checklist(&fixture.case_id).unwrap();
    let account_items = checklist
        .items
        .iter()
        .filter(|item| item.required && item.stage == intake_core::checklist::Stage::AccountApproval);
    for item in account_items {
        let id = fixture.add_generated(&item.key);
        if !item.attestations.is_empty() {
            fixture.folder.attest_file(&fixture.case_id, id, &item.attestations).unwrap();
        }
    }
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    let golive: Vec<_> =
        check.items.iter().filter(|item| item.item.stage == intake_core::checklist::Stage::Golive).collect();
    assert_eq!(golive.len(), 2);
    for item in &golive {
        assert!(item.item.required, "{} is required for an account", item.item.key);
        assert_eq!(item.status, ItemStatus::Missing);
        assert!(item.due_at_golive && item.to_follow, "{} is owed at go-live", item.item.key);
    }
    assert!(!check.blocking, "only the go-live materials are missing: {:#?}", check.summary);
    assert_eq!(check.summary.due_at_golive, 2, "the summary counts them apart");
    assert_eq!(check.follow_up(), vec!["golive_application", "test_report"]);

    // Exported without --allow-incomplete: complete, the two listed as to follow.
    let zip_path = fixture.export("onboarding.zip", false);
    let entries = entries_of(&std::fs::read(&zip_path).unwrap());
    let text = |name: &str| String::from_utf8(entries.iter().find(|entry| entry.0 == name).unwrap().1.clone()).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text("data/case.json")).unwrap();
    assert_eq!(document["package"]["complete"], true);
    assert_eq!(document["package"]["follow_up"], serde_json::json!(["golive_application", "test_report"]));
    assert!(text("bag-info.txt").contains("Intake-Follow-Up: golive_application\n"));
    let report = text("data/report.html");
    assert!(report.contains("上线投产时提供"), "the report says when they are due");
    let verified = intake_core::package::verify::verify_package(&zip_path, &fixture.trusting_own_key()).unwrap();
    assert!(verified.valid, "{:#?}", verified.problems);

    // Given at go-live, a form is checked like any other file and no longer owed.
    fixture.add_generated("golive_application");
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    let form = check.items.iter().find(|item| item.item.key == "golive_application").unwrap();
    assert!(!form.due_at_golive && !form.to_follow);
    assert_eq!(form.status, ItemStatus::Ok);
    assert_eq!(check.follow_up(), vec!["test_report"]);

    // Other missing materials still block as before.
    let mut attributes = fixture.folder.case(&fixture.case_id).unwrap().attributes;
    attributes.chain_or_franchise = true;
    fixture.folder.update_case_attributes(&fixture.case_id, attributes).unwrap();
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    let franchise = check.items.iter().find(|item| item.item.key == "brand_franchise_agreement").unwrap();
    assert!(franchise.item.required && franchise.status == ItemStatus::Missing && !franchise.due_at_golive);
    assert!(check.blocking, "the franchise agreement is owed now");
}

// ── 8. texts ─────────────────────────────────────────────────────────────────────────────

#[test]
fn titles_and_instructions_ask_nothing_the_guide_does_not_and_quote_it_corrected() {
    let rules_text = include_str!("../../../../assets/checklist/rules.toml");
    let checklist = intake_core::checklist::Rules::embedded().unwrap().checklist(&CaseAttributes {
        opens_payment: true,
        remote_visit: true,
        nonstandard: NonstandardRequest::ALL.to_vec(),
        parent_child_same_entity: Some(true),
        ..CaseAttributes::default()
    });
    let item = |key: &str| checklist.item(key).unwrap();
    let texts = |key: &str| format!("{} {} {}", item(key).title_zh, item(key).instructions_zh, item(key).guide_zh);
    // Invented requirements: an individual has no licence to match; 商户盖章, not 公章; an
    // identity document, not 身份证原件; the video only needs the manager in it.
    assert!(!texts("account_opening_proof").contains("营业执照"), "{}", texts("account_opening_proof"));
    assert!(!texts("beneficial_owner_form").contains("公章"), "{}", texts("beneficial_owner_form"));
    assert!(texts("beneficial_owner_form").contains("商户盖章"));
    assert!(!texts("operator_holding_id").contains("原件"), "{}", texts("operator_holding_id"));
    assert!(texts("operator_holding_id").contains("身份证件"));
    assert!(!texts("inspection_video").contains("门头与经营内景"), "{}", texts("inspection_video"));
    for item in &checklist.items {
        let text = format!("{} {}", item.title_zh, item.instructions_zh);
        assert!(
            !text.contains("公章") && !text.contains("原件照片") && !text.contains("身份证原件"),
            "{}: {text}",
            item.key
        );
    }
    // The guide's misprints are corrected where its words are quoted, and the file says so.
    let all: String = checklist.items.iter().map(|item| format!("{} {} ", item.guide_zh, item.title_zh)).collect();
    assert!(!all.contains("网路") && !all.contains("确认涵"), "{all}");
    assert!(all.contains("通联支付网络支付业务合作协议") && all.contains("《结算方式确认函》"));
    assert!(rules_text.contains("网路 → 网络") && rules_text.contains("确认涵》 → 《结算方式确认函》"));
}

// ── 9. the report is a verification report ───────────────────────────────────────────────

#[test]
fn the_report_is_a_site_verification_report_with_no_place_to_sign_or_stamp() {
    let fixture = Fixture::complete_case();
    let zip = std::fs::read(fixture.export("report.zip", false)).unwrap();
    let entries = entries_of(&zip);
    let report =
        String::from_utf8(entries.iter().find(|entry| entry.0 == "data/report.html").unwrap().1.clone()).unwrap();
    let title = report.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
    assert!(title.starts_with("现场核验报告"), "{title}");
    let heading = report.split("<h1>").nth(1).unwrap().split("</h1>").next().unwrap();
    assert!(heading.starts_with("现场核验报告") && !heading.contains("考察表"), "{heading}");
    // The 考察表 appears only as the material it is (《商户现场考察表》, evidence like any other).
    assert_eq!(report.matches("现场考察表").count(), report.matches("《商户现场考察表》").count());
    for place in ["签字:", "签字:", "签名:", "盖章:", "盖章处", "签章", "(签字)", "(盖章)", "Signature:", "Stamp:"]
    {
        assert!(!report.contains(place), "the report has something like a place to sign or stamp: {place}");
    }
}

// ── 11. the non-standard fee ─────────────────────────────────────────────────────────────

#[test]
fn a_zero_rate_a_fee_per_transaction_and_an_estimate_with_its_unit_can_be_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "月结商户".into(),
            attributes: CaseAttributes {
                opens_payment: true,
                nonstandard: vec![NonstandardRequest::MonthlyFee],
                ..CaseAttributes::default()
            },
            visit_date: Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
            site: None,
        })
        .unwrap();
    let set = |folder: &mut DataFolder, key: &str, value: &str| folder.set_case_field(&case.id, key, value, None);
    assert_eq!(set(&mut folder, "monthly_fee.rate", "0").unwrap().display_value, "0%");
    assert_eq!(set(&mut folder, "monthly_fee.fee_per_transaction", "0.5").unwrap().display_value, "0.5");
    assert_eq!(set(&mut folder, "monthly_fee.estimate_amount", "3000笔").unwrap().display_value, "3000 笔");
    assert_eq!(set(&mut folder, "monthly_fee.estimate_amount", "120万元").unwrap().display_value, "120 万元");
    // Typed through an input method: full-width digits.
    assert_eq!(set(&mut folder, "monthly_fee.estimate_amount", "１２０ 万元").unwrap().display_value, "120 万元");
    assert!(set(&mut folder, "monthly_fee.estimate_amount", "1200000").unwrap_err().message().contains("unit"));
    assert!(set(&mut folder, "monthly_fee.rate", "-1").is_err());
    assert!(set(&mut folder, "monthly_fee.rate", "100").is_err());
    let check = folder.check_case(&case.id).unwrap();
    let fee = check.fields.iter().find(|field| field.field.key == "monthly_fee.fee_per_transaction").unwrap();
    assert!(fee.field.applicable && !fee.field.required, "the per-transaction fee is offered, not required");
}
