//! Correcting a case (`corrections`): withdrawing, restoring and moving files, editing the
//! case, accepting findings, notes, the reason of an incomplete export; each one audited, and
//! what each one does to the checklist, the findings and the package.

use chrono::NaiveDate;
use intake_core::ErrorKind;
use intake_core::audit::AuditAction;
use intake_core::case::{Datum, NewCase, Site};
use intake_core::checklist::{CaseCheck, ItemStatus};
use intake_core::corrections::FileScope;
use intake_core::package::verify;
use intake_core::package::{ExportOptions, layout};

use crate::package::{Fixture, SITE_LAT, SITE_LON, entries_of, photo, rehash_manifests, repack, scan, zip_time_of};

fn status(check: &CaseCheck, material: &str) -> ItemStatus {
    check.items.iter().find(|item| item.item.key == material).unwrap().status
}

fn codes_on(check: &CaseCheck, material: &str) -> Vec<String> {
    check
        .findings
        .iter()
        .filter(|finding| finding.material == material)
        .map(|finding| finding.code.to_string())
        .collect()
}

/// The actions of the case's audit chain, after checking that it is whole.
fn audited(fixture: &Fixture) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let report = fixture.folder.audit_case(&fixture.case_id).unwrap();
    assert!(report.valid, "the audit chain is whole: {:#?}", report.faults);
    report.entries.into_iter().map(|entry| (entry.action, entry.details)).collect()
}

fn last_entry(fixture: &Fixture, action: AuditAction) -> std::collections::BTreeMap<String, String> {
    audited(fixture)
        .into_iter()
        .rev()
        .find(|(found, _)| found == action.key())
        .unwrap_or_else(|| panic!("no {} entry", action.key()))
        .1
}

fn read_entry(zip: &[u8], name: &str) -> Option<Vec<u8>> {
    entries_of(zip).into_iter().find(|entry| entry.0 == name).map(|entry| entry.1)
}

/// A storefront photo taken this far north of the premises.
fn far_photo(fixture: &mut Fixture, north_m: f64, name: &str) -> i64 {
    fixture.add_file("storefront_photo", name, &photo(4242, north_m, 0.0, "2026:11:20 11:00:00"))
}

#[test]
fn a_withdrawn_file_stops_counting_but_stays_in_the_vault_and_can_be_restored() {
    let mut fixture = Fixture::empty_case();
    let bytes = scan(7);
    let licence = fixture.add_file("business_license", "营业执照.png", &bytes);
    // The same bytes under a second material: duplicate_in_case on both copies.
    let copy = fixture.add_file("risk_rating_form", "营业执照.png", &bytes);
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(codes_on(&check, "business_license").contains(&"duplicate_in_case".to_string()));

    // A reason is required.
    for empty in ["", "   "] {
        let err = fixture.folder.withdraw_file(&fixture.case_id, copy, empty).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("reason"), "{}", err.message());
    }

    let withdrawn = fixture.folder.withdraw_file(&fixture.case_id, copy, " 放错了材料,应为风险评级表原件 ").unwrap();
    assert_eq!(withdrawn.reason, "放错了材料,应为风险评级表原件");
    assert_eq!(withdrawn.withdrawn_by, "张三");
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert_eq!(status(&check, "risk_rating_form"), ItemStatus::Missing, "a withdrawn file does not count");
    assert!(
        !codes_on(&check, "business_license").contains(&"duplicate_in_case".to_string()),
        "nor is it a duplicate of anything: {:?}",
        check.findings
    );
    assert_eq!(fixture.folder.withdrawn_files(&fixture.case_id).unwrap().len(), 1);
    assert!(fixture.folder.vault().open_object(&withdrawn.evidence.sha256).is_ok(), "its bytes stay in the vault");
    assert_eq!(fixture.folder.list_cases().unwrap()[0].file_count, 1);

    // Withdrawn twice, or adding the same bytes to that slot again, is refused with a way out.
    assert_eq!(
        fixture.folder.withdraw_file(&fixture.case_id, copy, "again").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let again = fixture.dir.path().join("again.png");
    std::fs::write(&again, &bytes).unwrap();
    let outcomes = fixture.folder.add_files(&fixture.case_id, "risk_rating_form", &[again], |_| {}).unwrap();
    let error = outcomes[0].error.as_ref().expect("refused");
    assert!(error.message.contains("restore"), "{}", error.message);

    let details = last_entry(&fixture, AuditAction::FileWithdrawn);
    assert_eq!(details["reason"], "放错了材料,应为风险评级表原件");
    assert_eq!(details["material"], "risk_rating_form");

    // Found by name only among the withdrawn files; restored, it counts again.
    let found = fixture.folder.find_file(&fixture.case_id, "营业执照.png", None, FileScope::Withdrawn).unwrap();
    assert_eq!(found.id, copy);
    assert_eq!(fixture.folder.restore_file(&fixture.case_id, licence).unwrap_err().kind(), ErrorKind::InvalidInput);
    fixture.folder.restore_file(&fixture.case_id, copy).unwrap();
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert_ne!(status(&check, "risk_rating_form"), ItemStatus::Missing);
    assert!(codes_on(&check, "risk_rating_form").contains(&"duplicate_in_case".to_string()));
    assert_eq!(last_entry(&fixture, AuditAction::FileRestored)["sha256"], withdrawn.evidence.sha256);
}

#[test]
fn a_name_that_fits_several_files_is_refused_listing_them() {
    let mut fixture = Fixture::empty_case();
    fixture.add_file("business_license", "IMG_0001.png", &scan(1));
    fixture.add_file("risk_rating_form", "IMG_0001.png", &scan(2));
    let err = fixture.folder.find_file(&fixture.case_id, "IMG_0001.png", None, FileScope::Counting).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.message().contains("business_license") && err.message().contains("risk_rating_form"),
        "{}",
        err.message()
    );
    assert!(
        fixture
            .folder
            .find_file(&fixture.case_id, "IMG_0001.png", Some("risk_rating_form"), FileScope::Counting)
            .is_ok()
    );
    let unknown = fixture.folder.find_file(&fixture.case_id, "nothing.png", None, FileScope::Any).unwrap_err();
    assert!(unknown.message().contains("nothing.png"), "{}", unknown.message());
}

#[test]
fn a_moved_file_takes_the_findings_of_its_new_slot_and_the_checklist_follows() {
    let mut fixture = Fixture::empty_case();
    // A site photo far away, dropped on the storefront slot: outside_site_radius.
    let id = far_photo(&mut fixture, 1500.0, "营业执照 翻拍.jpg");
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(codes_on(&check, "storefront_photo").contains(&"outside_site_radius".to_string()));

    for (to, says) in [("no_such_material", "not a material"), ("storefront_photo", "already under")] {
        let err = fixture.folder.move_file(&fixture.case_id, id, to).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains(says), "{}", err.message());
    }

    let moved = fixture.folder.move_file(&fixture.case_id, id, "business_license").unwrap();
    assert_eq!((moved.from.as_str(), moved.evidence.material_key.as_str()), ("storefront_photo", "business_license"));
    assert!(
        !moved.findings.iter().any(|finding| finding.code == intake_core::evidence::FindingCode::OutsideSiteRadius),
        "a scan slot is no site photo: {:?}",
        moved.findings
    );
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert_eq!(status(&check, "storefront_photo"), ItemStatus::Missing);
    assert_ne!(status(&check, "business_license"), ItemStatus::Missing);
    let details = last_entry(&fixture, AuditAction::FileMoved);
    assert_eq!((details["from"].as_str(), details["to"].as_str()), ("storefront_photo", "business_license"));
}

#[test]
fn an_accepted_finding_stops_blocking_until_a_different_finding_takes_its_place() {
    let mut fixture = Fixture::complete_case();
    let id = far_photo(&mut fixture, 600.0, "商场负一层 门头.jpg");
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(check.blocking);
    assert_eq!(status(&check, "storefront_photo"), ItemStatus::Present);

    let err = fixture.folder.accept_finding(&fixture.case_id, id, "outside_site_radius", " ").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = fixture.folder.accept_finding(&fixture.case_id, id, "too_dark", "看得清").unwrap_err();
    assert!(err.message().contains("outside_site_radius"), "names the findings it has: {}", err.message());

    let accepted =
        fixture.folder.accept_finding(&fixture.case_id, id, "outside_site_radius", "商场地下一层,定位漂移").unwrap();
    assert_eq!(accepted.accepted_by, "张三");
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(!check.blocking, "accepted, it blocks nothing: {:#?}", check.summary);
    assert_eq!(status(&check, "storefront_photo"), ItemStatus::Ok);
    let finding = check
        .findings
        .iter()
        .find(|finding| finding.code == intake_core::evidence::FindingCode::OutsideSiteRadius)
        .expect("still shown");
    assert_eq!(finding.accepted.as_ref().unwrap().reason, "商场地下一层,定位漂移");
    assert_eq!(last_entry(&fixture, AuditAction::FindingAccepted)["code"], "outside_site_radius");

    // A smaller radius makes it a different finding (other figures): not covered.
    let case = fixture.folder.case(&fixture.case_id).unwrap();
    let mut change = NewCase {
        merchant_name: case.merchant_name,
        attributes: case.attributes,
        visit_date: case.visit_date,
        site: case.site,
    };
    change.site.as_mut().unwrap().radius_m = Some(100.0);
    fixture.folder.update_case(&fixture.case_id, change).unwrap();
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(check.blocking, "the new finding is not the one accepted");
    assert!(
        check.findings.iter().any(|finding| finding.code == intake_core::evidence::FindingCode::OutsideSiteRadius
            && finding.accepted.is_none())
    );

    // Moved to another slot and back, an acceptance for the old slot does not follow it.
    fixture.folder.accept_finding(&fixture.case_id, id, "outside_site_radius", "商场地下一层").unwrap();
    assert!(!fixture.folder.check_case(&fixture.case_id).unwrap().blocking);
    fixture.folder.move_file(&fixture.case_id, id, "interior_photo").unwrap();
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(check.findings.iter().any(|finding| finding.material == "interior_photo" && finding.accepted.is_none()));
}

#[test]
fn unreadable_cannot_be_accepted() {
    let mut fixture = Fixture::empty_case();
    let mut broken = photo(5, 0.0, 0.0, "2026:11:20 10:00:00");
    broken.truncate(300);
    let id = fixture.add_file("storefront_photo", "broken.jpg", &broken);
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(codes_on(&check, "storefront_photo").contains(&"unreadable".to_string()), "{:?}", check.findings);
    let err = fixture.folder.accept_finding(&fixture.case_id, id, "unreadable", "我看过了").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("replace"), "{}", err.message());
}

#[test]
fn editing_the_visit_date_and_the_premises_derives_the_findings_again() {
    let mut fixture = Fixture::empty_case();
    fixture.add_file("storefront_photo", "门头.jpg", &photo(11, 10.0, 0.0, "2026:11:21 10:00:00"));
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(codes_on(&check, "storefront_photo").contains(&"outside_visit_window".to_string()));

    let case = fixture.folder.case(&fixture.case_id).unwrap();
    let mut change = NewCase {
        merchant_name: case.merchant_name.clone(),
        attributes: case.attributes.clone(),
        visit_date: Some(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()),
        site: case.site,
    };
    let update = fixture.folder.update_case(&fixture.case_id, change.clone()).unwrap();
    assert_eq!(update.changed, ["visit_date"]);
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(!codes_on(&check, "storefront_photo").contains(&"outside_visit_window".to_string()));
    let details = last_entry(&fixture, AuditAction::CaseUpdated);
    assert_eq!((details["changed"].as_str(), details["visit_date"].as_str()), ("visit_date", "2026-11-21"));

    // The premises typed in the wrong datum: every photo far off; corrected, near again.
    change.site = Some(Site { lat: SITE_LAT + 0.05, lon: SITE_LON, datum: Datum::Gcj02, radius_m: Some(200.0) });
    change.merchant_name = "沪上小面馆(南京路店)".into();
    change.attributes.opens_account = true;
    let update = fixture.folder.update_case(&fixture.case_id, change.clone()).unwrap();
    assert_eq!(update.changed, ["merchant_name", "opens_account", "site", "site_datum"]);
    assert!(
        codes_on(&fixture.folder.check_case(&fixture.case_id).unwrap(), "storefront_photo")
            .contains(&"outside_site_radius".to_string())
    );
    change.site = Some(Site { lat: SITE_LAT, lon: SITE_LON, datum: Datum::Wgs84, radius_m: Some(200.0) });
    fixture.folder.update_case(&fixture.case_id, change.clone()).unwrap();
    assert!(
        !codes_on(&fixture.folder.check_case(&fixture.case_id).unwrap(), "storefront_photo")
            .contains(&"outside_site_radius".to_string())
    );

    // Nothing changed: nothing written. Bad values: refused.
    let entries = audited(&fixture).len();
    assert!(fixture.folder.update_case(&fixture.case_id, change.clone()).unwrap().changed.is_empty());
    assert_eq!(audited(&fixture).len(), entries);
    change.site.as_mut().unwrap().lat = 123.0;
    assert_eq!(fixture.folder.update_case(&fixture.case_id, change).unwrap_err().kind(), ErrorKind::InvalidInput);
    let file = fixture.folder.case_evidence(&fixture.case_id).unwrap();
    assert_eq!(file.len(), 1, "every file is kept");
}

#[test]
fn notes_go_on_the_case_and_on_files_and_may_not_be_empty() {
    let mut fixture = Fixture::empty_case();
    let id = fixture.add_file("business_license", "营业执照.png", &scan(3));
    assert_eq!(fixture.folder.add_note(&fixture.case_id, None, "  ").unwrap_err().kind(), ErrorKind::InvalidInput);
    fixture.folder.add_note(&fixture.case_id, None, "法人不在场,以视频代替").unwrap();
    let note = fixture.folder.add_note(&fixture.case_id, Some(id), "原件已核对").unwrap();
    assert_eq!(note.file_name.as_deref(), Some("营业执照.png"));
    let notes = fixture.folder.case_notes(&fixture.case_id).unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].evidence_id, None);
    assert_eq!(last_entry(&fixture, AuditAction::NoteAdded)["text"], "原件已核对");
}

#[test]
fn the_package_lists_withdrawn_files_without_their_bytes_with_acceptances_notes_and_the_reason() {
    let mut fixture = Fixture::complete_case();
    let wrong = fixture.add_file("interior_photo", "别家店.jpg", &photo(77, 20.0, 0.0, "2026:11:20 10:30:00"));
    let far = far_photo(&mut fixture, 700.0, "负一层.jpg");
    let wrong_sha = fixture.folder.withdraw_file(&fixture.case_id, wrong, "拍错商户").unwrap().evidence.sha256;
    fixture.folder.accept_finding(&fixture.case_id, far, "outside_site_radius", "商场地下一层,定位漂移").unwrap();
    fixture.folder.add_note(&fixture.case_id, None, "法人不在场,以视频代替").unwrap();

    let zip_path = fixture.export("corrected.zip", false);
    let report = verify::verify_package(&zip_path, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    let zip = std::fs::read(&zip_path).unwrap();
    let manifest = String::from_utf8(read_entry(&zip, layout::MANIFEST).unwrap()).unwrap();
    assert!(!manifest.contains(&wrong_sha), "the withdrawn file's bytes are not in the package");
    assert!(!entries_of(&zip).iter().any(|entry| entry.0.contains("别家店")));

    let document: serde_json::Value = serde_json::from_slice(&read_entry(&zip, layout::CASE_JSON).unwrap()).unwrap();
    assert_eq!(document["schema"], "urn:x-merchant-intake:schema:case:v5");
    let withdrawn = &document["withdrawn_files"][0];
    assert_eq!(
        (
            withdrawn["sha256"].as_str(),
            withdrawn["material"].as_str(),
            withdrawn["original_name"].as_str(),
            withdrawn["reason"].as_str()
        ),
        (Some(wrong_sha.as_str()), Some("interior_photo"), Some("别家店.jpg"), Some("拍错商户"))
    );
    assert_eq!(document["notes"][0]["text"], "法人不在场,以视频代替");
    let accepted = document["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|file| file["findings"].as_array().unwrap().iter())
        .find(|finding| finding["code"] == "outside_site_radius")
        .unwrap();
    assert_eq!(accepted["accepted"]["reason"], "商场地下一层,定位漂移");
    assert_eq!(accepted["accepted"]["accepted_by"], "张三");
    assert_eq!(document["package"]["complete"], true);
    assert_eq!(document["package"]["incomplete_export_reason"], serde_json::Value::Null);

    let audit_log = String::from_utf8(read_entry(&zip, layout::AUDIT_LOG).unwrap()).unwrap();
    assert!(
        audit_log.contains("\"file_withdrawn\"") && audit_log.contains(&wrong_sha) && audit_log.contains("拍错商户")
    );
    let html = String::from_utf8(read_entry(&zip, layout::REPORT_HTML).unwrap()).unwrap();
    for shown in ["已撤回的文件", "别家店.jpg", "拍错商户", "已接受", "商场地下一层,定位漂移", "法人不在场,以视频代替"]
    {
        assert!(html.contains(shown), "the report shows {shown}");
    }
}

#[test]
fn an_incomplete_export_needs_a_reason_which_the_package_and_the_log_keep() {
    let mut fixture = Fixture::empty_case();
    fixture.add_generated("storefront_photo");
    let out = fixture.dir.path().join("incomplete.zip");
    for reason in [None, Some("   ".to_string())] {
        let options = ExportOptions { allow_incomplete: true, incomplete_reason: reason, ..ExportOptions::default() };
        let err = fixture.folder.export_case(&fixture.case_id, &out, &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(!out.exists());
    }
    let options = ExportOptions {
        allow_incomplete: true,
        incomplete_reason: Some("商户急需开通,\n其余材料明日补交".into()),
        ..ExportOptions::default()
    };
    let summary = fixture.folder.export_case(&fixture.case_id, &out, &options).unwrap();
    assert_eq!(summary.incomplete_export_reason.as_deref(), Some("商户急需开通,\n其余材料明日补交"));
    let report = verify::verify_package(&out, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    let zip = std::fs::read(&out).unwrap();
    let bag_info = String::from_utf8(read_entry(&zip, layout::BAG_INFO_TXT).unwrap()).unwrap();
    assert!(bag_info.contains("Intake-Incomplete-Reason: 商户急需开通, 其余材料明日补交\n"), "{bag_info}");
    let document: serde_json::Value = serde_json::from_slice(&read_entry(&zip, layout::CASE_JSON).unwrap()).unwrap();
    assert_eq!(document["package"]["incomplete_export_reason"], "商户急需开通,\n其余材料明日补交");
    let html = String::from_utf8(read_entry(&zip, layout::REPORT_HTML).unwrap()).unwrap();
    assert!(html.contains("其余材料明日补交"));
    let details = last_entry(&fixture, AuditAction::IncompleteExport);
    assert_eq!(details["package_sha256"], summary.sha256);
    assert!(details["reason"].contains("明日补交"));

    // A reason that disagrees with case.json is caught.
    let mut entries = entries_of(&zip);
    let index = entries.iter().position(|entry| entry.0 == layout::BAG_INFO_TXT).unwrap();
    entries[index].1 = bag_info.replace("明日补交", "下周补交").into_bytes();
    rehash_manifests(&mut entries);
    let tag_manifest = entries.iter().find(|entry| entry.0 == layout::TAG_MANIFEST).unwrap().1.clone();
    let signature = fixture.folder.installation_key().unwrap().sign(&tag_manifest);
    let signature_index = entries.iter().position(|entry| entry.0 == layout::SIGNATURE).unwrap();
    entries[signature_index].1 = signature;
    let damaged = fixture.dir.path().join("damaged.zip");
    std::fs::write(&damaged, repack(&entries, zip_time_of(&zip))).unwrap();
    let report = verify::verify_package(&damaged, &fixture.trusting_own_key()).unwrap();
    assert!(
        report.problems.iter().any(|problem| problem.code == intake_core::package::codes::VerifyCode::CaseJsonMismatch),
        "{:#?}",
        report.problems
    );
}

/// Rewrites a fresh package's case.json as an older version wrote it (members removed, the
/// schema id changed), rehashes and signs it again with the same key.
fn as_older_version(fixture: &Fixture, zip: &[u8], version: u32) -> Vec<u8> {
    let mut entries = entries_of(zip);
    let index = entries.iter().position(|entry| entry.0 == layout::CASE_JSON).unwrap();
    let mut document: serde_json::Value = serde_json::from_slice(&entries[index].1).unwrap();
    let object = document.as_object_mut().unwrap();
    if version == 2 {
        object.remove("thresholds");
    } else if let Some(thresholds) = object.get_mut("thresholds").and_then(|value| value.as_object_mut()) {
        // Version 5's threshold.
        thresholds.remove("site_photo_spread_hours");
    }
    object.insert("schema".into(), format!("urn:x-merchant-intake:schema:case:v{version}").into());
    if version <= 3 {
        // Version 4's members: the corrections (issue 16), what is to follow and an unanswered
        // 资金归集 (issue 17).
        object.remove("withdrawn_files");
        object.remove("notes");
        document["package"].as_object_mut().unwrap().remove("incomplete_export_reason");
        document["package"].as_object_mut().unwrap().remove("follow_up");
        for item in document["checklist"]["items"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("to_follow");
        }
        if document["case"]["attributes"]["parent_child_same_entity"].is_null() {
            document["case"]["attributes"]["parent_child_same_entity"] = false.into();
        }
        for file in document["files"].as_array_mut().unwrap() {
            for finding in file["findings"].as_array_mut().unwrap() {
                finding.as_object_mut().unwrap().remove("accepted");
            }
        }
    }
    entries[index].1 = serde_json::to_vec_pretty(&document).unwrap();
    // The payload's size changed with case.json: bag-info.txt says the new one.
    let (bytes, files) = entries
        .iter()
        .filter(|entry| entry.0.starts_with("data/"))
        .fold((0usize, 0usize), |(bytes, files), entry| (bytes + entry.1.len(), files + 1));
    let info_index = entries.iter().position(|entry| entry.0 == layout::BAG_INFO_TXT).unwrap();
    let info = String::from_utf8(entries[info_index].1.clone()).unwrap();
    let info: String = info
        .lines()
        .map(|line| {
            if line.starts_with("Payload-Oxum:") {
                format!("Payload-Oxum: {bytes}.{files}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    entries[info_index].1 = info.into_bytes();
    rehash_manifests(&mut entries);
    let tag_manifest = entries.iter().find(|entry| entry.0 == layout::TAG_MANIFEST).unwrap().1.clone();
    let signature_index = entries.iter().position(|entry| entry.0 == layout::SIGNATURE).unwrap();
    entries[signature_index].1 = fixture.folder.installation_key().unwrap().sign(&tag_manifest);
    repack(&entries, zip_time_of(zip))
}

#[test]
fn packages_of_schema_versions_2_3_and_4_still_verify_and_are_held_to_their_own_schema() {
    let fixture = Fixture::complete_case();
    let zip = std::fs::read(fixture.export("current.zip", false)).unwrap();
    for version in [2, 3, 4] {
        let older = fixture.dir.path().join(format!("v{version}.zip"));
        std::fs::write(&older, as_older_version(&fixture, &zip, version)).unwrap();
        let report = verify::verify_package(&older, &fixture.trusting_own_key()).unwrap();
        assert!(report.valid, "a v{version} package verifies: {:#?}", report.problems);
    }
    // A v3 document carrying a v4 member is not v3.
    let mut entries = entries_of(&as_older_version(&fixture, &zip, 3));
    let index = entries.iter().position(|entry| entry.0 == layout::CASE_JSON).unwrap();
    let mut document: serde_json::Value = serde_json::from_slice(&entries[index].1).unwrap();
    document["notes"] = serde_json::json!([]);
    entries[index].1 = serde_json::to_vec_pretty(&document).unwrap();
    rehash_manifests(&mut entries);
    let bad = fixture.dir.path().join("bad-v3.zip");
    std::fs::write(&bad, repack(&entries, zip_time_of(&zip))).unwrap();
    let report = verify::verify_package(&bad, &fixture.trusting_own_key()).unwrap();
    assert!(
        report.problems.iter().any(|problem| problem.code == intake_core::package::codes::VerifyCode::CaseJsonSchema),
        "{:#?}",
        report.problems
    );
}
