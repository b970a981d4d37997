//! A stored case measured against its checklist: statuses, attestations, alternatives,
//! recorded fields, and changing the case without losing a file.

use std::collections::HashSet;
use std::path::PathBuf;

use intake_core::case::{CaseAttributes, Channel, MerchantType, NewCase, NonstandardRequest};
use intake_core::checklist::{CaseCheck, CaseFinding, FieldStatus, ItemStatus, Mark, Severity};
use intake_core::{DataFolder, ErrorKind};

struct Fixture {
    dir: tempfile::TempDir,
    folder: DataFolder,
    case_id: String,
    counter: usize,
}

impl Fixture {
    fn new(attributes: CaseAttributes) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
        let case = folder
            .create_case(NewCase { merchant_name: "沪上小面馆".into(), attributes, visit_date: None, site: None })
            .unwrap();
        Fixture { dir, folder, case_id: case.id, counter: 0 }
    }

    /// Adds a new, distinct file to a material and returns its evidence id.
    fn add(&mut self, material: &str) -> i64 {
        self.counter += 1;
        let path: PathBuf = self.dir.path().join(format!("file-{}.jpg", self.counter));
        // A small picture (a video for the inspection video): a file of no type its material
        // takes would be a finding, and these tests are about statuses.
        let bytes = if material == "inspection_video" {
            crate::evidence::movie(&format!("file {}", self.counter))
        } else {
            crate::evidence::small_png(self.counter)
        };
        std::fs::write(&path, bytes).unwrap();
        let outcomes = self.folder.add_files(&self.case_id, material, &[path], |_| {}).unwrap();
        assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
        outcomes[0].evidence.as_ref().unwrap().id
    }

    fn check(&self) -> CaseCheck {
        self.folder.check_case(&self.case_id).unwrap()
    }

    fn status(&self, key: &str) -> ItemStatus {
        self.check().items.iter().find(|item| item.item.key == key).unwrap().status
    }
}

fn payment() -> CaseAttributes {
    CaseAttributes { opens_payment: true, ..CaseAttributes::default() }
}

#[test]
fn an_item_goes_from_missing_to_incomplete_to_ok() {
    let mut fixture = Fixture::new(payment());
    assert_eq!(fixture.status("legal_rep_id"), ItemStatus::Missing);
    fixture.add("legal_rep_id");
    assert_eq!(fixture.status("legal_rep_id"), ItemStatus::Incomplete, "one side of two");
    fixture.add("legal_rep_id");
    assert_eq!(fixture.status("legal_rep_id"), ItemStatus::Ok);
    let item = fixture.check().items.into_iter().find(|item| item.item.key == "legal_rep_id").unwrap();
    assert_eq!(item.files.len(), 2);
    assert_eq!(item.files_short, 0);
}

#[test]
fn stamped_materials_are_ok_only_once_every_mark_is_attested() {
    let mut fixture = Fixture::new(payment());
    let form = fixture.add("site_inspection_form");
    assert_eq!(fixture.status("site_inspection_form"), ItemStatus::Incomplete);
    let outcome = fixture.folder.attest_file(&fixture.case_id, form, &[Mark::ManagerSignature]).unwrap();
    assert_eq!(outcome.not_on_this_file, vec![Mark::BranchStamp]);
    let check = fixture.check();
    let item = check.items.iter().find(|item| item.item.key == "site_inspection_form").unwrap();
    assert_eq!(item.status, ItemStatus::Incomplete);
    assert_eq!(item.missing_attestations, vec![Mark::BranchStamp]);
    assert!(item.files[0].attested_at.is_some());

    fixture.folder.attest_file(&fixture.case_id, form, &[Mark::ManagerSignature, Mark::BranchStamp]).unwrap();
    assert_eq!(fixture.status("site_inspection_form"), ItemStatus::Ok);

    // Withdrawing replaces what stood; the history keeps all three.
    fixture.folder.attest_file(&fixture.case_id, form, &[]).unwrap();
    assert_eq!(fixture.status("site_inspection_form"), ItemStatus::Incomplete);
    assert_eq!(fixture.folder.database().attestation_history(form).unwrap().len(), 3);
}

#[test]
fn a_two_page_agreement_needs_its_stamps_on_one_page_not_both() {
    let mut fixture = Fixture::new(CaseAttributes { syb_sft: true, ..payment() });
    let first = fixture.add("network_payment_agreement");
    fixture.folder.attest_file(&fixture.case_id, first, &[Mark::BothParties]).unwrap();
    assert_eq!(fixture.status("network_payment_agreement"), ItemStatus::Incomplete, "first and last page");
    fixture.add("network_payment_agreement");
    assert_eq!(fixture.status("network_payment_agreement"), ItemStatus::Ok);
}

#[test]
fn the_inspection_video_satisfies_the_manager_with_storefront() {
    let mut fixture = Fixture::new(payment());
    assert_eq!(fixture.status("manager_with_storefront"), ItemStatus::Missing);
    fixture.add("inspection_video");
    let check = fixture.check();
    let item = check.items.iter().find(|item| item.item.key == "manager_with_storefront").unwrap();
    assert_eq!(item.status, ItemStatus::Ok);
    assert_eq!(item.satisfied_by.as_deref(), Some("inspection_video"));
    assert!(item.files.is_empty());
}

#[test]
fn a_remote_visit_needs_the_manager_holding_their_own_id() {
    let mut fixture = Fixture::new(CaseAttributes { remote_visit: true, ..payment() });
    let photo = fixture.add("manager_with_storefront");
    assert_eq!(fixture.status("manager_with_storefront"), ItemStatus::Incomplete);
    fixture.folder.attest_file(&fixture.case_id, photo, &[Mark::ManagerHoldingId]).unwrap();
    assert_eq!(fixture.status("manager_with_storefront"), ItemStatus::Ok);
}

#[test]
fn error_findings_and_unchecked_files_keep_a_complete_item_present() {
    let mut fixture = Fixture::new(payment());
    let photo = fixture.add("storefront_photo");
    let record =
        fixture.folder.case_evidence(&fixture.case_id).unwrap().into_iter().find(|record| record.id == photo).unwrap();
    let finding = |severity| CaseFinding {
        material: "storefront_photo".into(),
        file: record.original_name.clone(),
        sha256: record.sha256.clone(),
        code: intake_core::evidence::FindingCode::OutsideSiteRadius,
        severity,
        message: "taken 3 km from the premises".into(),
        accepted: None,
    };
    let status_with = |findings: &[CaseFinding], unchecked: &HashSet<i64>| {
        let check = fixture.folder.check_case_with_findings(&fixture.case_id, findings, unchecked).unwrap();
        (check.items.iter().find(|item| item.item.key == "storefront_photo").unwrap().status, check)
    };
    let (status, check) = status_with(&[finding(Severity::Error)], &HashSet::new());
    assert_eq!(status, ItemStatus::Present);
    assert_eq!(check.findings.len(), 1);
    assert!(check.blocking);
    assert_eq!(status_with(&[finding(Severity::Warning)], &HashSet::new()).0, ItemStatus::Ok);
    assert_eq!(status_with(&[], &HashSet::from([photo])).0, ItemStatus::Present);
    assert_eq!(status_with(&[], &HashSet::new()).0, ItemStatus::Ok);
}

#[test]
fn a_case_with_everything_ok_does_not_block_and_one_without_does() {
    let attributes = CaseAttributes { merchant_type: MerchantType::Individual, ..CaseAttributes::default() };
    let mut fixture = Fixture::new(attributes);
    assert!(fixture.check().blocking);
    let required: Vec<String> =
        fixture.check().items.iter().filter(|item| item.item.required).map(|item| item.item.key.clone()).collect();
    assert_eq!(required, ["service_agreement", "legal_rep_id", "account_opening_proof", "risk_rating_form"]);
    for key in &required {
        fixture.add(key);
    }
    fixture.add("legal_rep_id");
    let check = fixture.check();
    assert_eq!(check.summary.counts.ok, 4);
    assert!(check.blocking, "the fields are still missing");
    assert_eq!(check.summary.counts.fields_missing, 3);
    let case_id = fixture.case_id.clone();
    fixture.folder.set_case_field(&case_id, "legal_rep_name", "张三", None).unwrap();
    fixture.folder.set_case_field(&case_id, "legal_rep_id_number", "11010519491231002X", None).unwrap();
    fixture.folder.set_case_field(&case_id, "legal_rep_mobile", "13800138000", None).unwrap();
    let check = fixture.check();
    assert!(!check.blocking, "{:?}", check.summary);
}

#[test]
fn changing_the_case_rederives_the_checklist_and_keeps_every_file() {
    let attributes = CaseAttributes { channels: vec![Channel::OnlineWebsite], ..payment() };
    let mut fixture = Fixture::new(attributes.clone());
    let icp = fixture.add("icp_filing");
    fixture.add("storefront_photo");
    assert_eq!(fixture.status("icp_filing"), ItemStatus::Ok);

    let offline = CaseAttributes { channels: vec![Channel::Offline], ..attributes.clone() };
    let update = fixture.folder.update_case_attributes(&fixture.case_id, offline).unwrap();
    assert!(update.no_longer_required.contains(&"icp_filing".to_string()));
    assert_eq!(update.files_kept.len(), 1);
    assert_eq!(update.files_kept[0].material, "icp_filing");
    let check = fixture.check();
    let item = check.items.iter().find(|item| item.item.key == "icp_filing").unwrap();
    assert_eq!(item.status, ItemStatus::NotApplicable);
    assert!(!item.item.applicable && !item.item.required);
    assert_eq!(item.files.len(), 1, "the file stays, shown under a material that no longer applies");
    assert_eq!(item.files[0].evidence_id, icp);
    assert_eq!(fixture.folder.case_evidence(&fixture.case_id).unwrap().len(), 2);
    let object = fixture.folder.vault().object_path(&item.files[0].sha256);
    assert!(object.exists(), "the vault still holds the bytes");

    // Back again: the same file counts again.
    fixture.folder.update_case_attributes(&fixture.case_id, attributes).unwrap();
    assert_eq!(fixture.status("icp_filing"), ItemStatus::Ok);

    // Requests add groups; their materials can be filled and survive the request's withdrawal.
    let with_request = CaseAttributes { nonstandard: vec![NonstandardRequest::MonthlyFee], ..payment() };
    let update = fixture.folder.update_case_attributes(&fixture.case_id, with_request).unwrap();
    assert!(update.now_required.contains(&"monthly_fee.change_approval_form".to_string()));
    fixture.add("monthly_fee.change_approval_form");
    let update = fixture.folder.update_case_attributes(&fixture.case_id, payment()).unwrap();
    let kept: Vec<&str> = update.files_kept.iter().map(|kept| kept.material.as_str()).collect();
    assert_eq!(kept, ["icp_filing", "monthly_fee.change_approval_form"]);
    assert_eq!(fixture.folder.case_evidence(&fixture.case_id).unwrap().len(), 3);
}

#[test]
fn files_under_a_key_the_rules_no_longer_have_are_listed_not_lost() {
    let mut fixture = Fixture::new(payment());
    fixture.add("interior_photo");
    let text = intake_core::checklist::Rules::embedded_text();
    let start = text.find("[[material]]\nkey = \"interior_photo\"").unwrap();
    let end = start + text[start + 1..].find("[[material]]").unwrap() + 1;
    let trimmed = format!("{}{}", &text[..start], &text[end..]);
    let rules = intake_core::checklist::Rules::parse(&trimmed, "trimmed").unwrap();
    fixture.folder.set_rules(std::sync::Arc::new(rules));
    let check = fixture.check();
    assert!(check.items.iter().all(|item| item.item.key != "interior_photo"));
    assert_eq!(check.unlisted_files.len(), 1);
    assert_eq!(check.unlisted_files[0].material_key, "interior_photo");
    // And the corrected rules refuse new files under the removed key.
    let path = fixture.dir.path().join("late.jpg");
    std::fs::write(&path, b"late").unwrap();
    let err = fixture.folder.add_files(&fixture.case_id, "interior_photo", &[path], |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn adding_under_a_key_that_is_not_in_the_rules_is_refused_with_close_keys() {
    let mut fixture = Fixture::new(payment());
    let path = fixture.dir.path().join("a.jpg");
    std::fs::write(&path, b"a").unwrap();
    let err =
        fixture.folder.add_files(&fixture.case_id, "storefront", std::slice::from_ref(&path), |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("storefront_photo"), "{}", err.message());
    assert!(fixture.folder.case_evidence(&fixture.case_id).unwrap().is_empty());
    // A material that does not apply to this case is still a material: accepted, listed as such.
    fixture.add("golive_application");
    assert_eq!(fixture.status("golive_application"), ItemStatus::NotApplicable);
}

#[test]
fn fields_are_validated_naming_the_field_and_why() {
    let mut fixture = Fixture::new(CaseAttributes {
        nonstandard: vec![NonstandardRequest::MonthlyFee, NonstandardRequest::SameEntityWhitelist],
        ..payment()
    });
    let id = fixture.case_id.clone();
    let folder = &mut fixture.folder;
    let refuse = |result: intake_core::Result<_>, words: &[&str]| {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        for word in words {
            assert!(err.message().contains(word), "'{word}' not in: {}", err.message());
        }
        assert!(!err.message().contains("1101051949123100"), "no ID number in messages: {}", err.message());
    };
    refuse(
        folder.set_case_field(&id, "legal_rep_id_number", "110105194912310021", None),
        &["legal_rep_id_number", "check character"],
    );
    refuse(
        folder.set_case_field(&id, "legal_rep_id_number", "110105194902310026", None),
        &["legal_rep_id_number", "date of birth"],
    );
    refuse(folder.set_case_field(&id, "legal_rep_mobile", "1380013800", None), &["legal_rep_mobile", "mobile"]);
    refuse(folder.set_case_field(&id, "uscc", "91350100M000100Y4Z", None), &["uscc", "character 18"]);
    refuse(folder.set_case_field(&id, "uscc", "91350100M000100Y44", None), &["uscc", "--override-reason"]);
    refuse(folder.set_case_field(&id, "monthly_fee.rate", "abc", None), &["monthly_fee.rate", "percentage"]);
    refuse(folder.set_case_field(&id, "monthly_fee.rate", "120%", None), &["monthly_fee.rate", "below 100%"]);
    refuse(folder.set_case_field(&id, "monthly_fee.estimate_period", "weekly", None), &["estimate_period", "yearly"]);
    refuse(folder.set_case_field(&id, "no_such_field", "x", None), &["no_such_field", "legal_rep_name"]);
    refuse(folder.set_case_field(&id, "fund_consolidation.parent_child_same_entity", "true", None), &["case update"]);

    let stored =
        folder.set_case_field(&id, "uscc", "91350100M000100Y44", Some("registered so, see the licence")).unwrap();
    assert_eq!(stored.overridden.len(), 1);
    assert_eq!(stored.overridden[0].code, "uscc_check_failed");
    folder.set_case_field(&id, "monthly_fee.rate", "0.38%", None).unwrap();
    folder.set_case_field(&id, "monthly_fee.estimate_period", "月", None).unwrap();
    // Full-width commas and percent signs, as Chinese input methods type them.
    assert_eq!(
        folder.set_case_field(&id, "monthly_fee.estimate_amount", "1\u{FF0C}200元", None).unwrap().display_value,
        "1200 元"
    );
    assert_eq!(folder.set_case_field(&id, "monthly_fee.rate", "0.6\u{FF05}", None).unwrap().display_value, "0.6%");
    folder.set_case_field(&id, "monthly_fee.rate", "0.38%", None).unwrap();
    folder.set_case_field(&id, "monthly_fee.estimate_amount", "1,200,000元", None).unwrap();
    // The whitelist ID number is checked as the kind of ID the type field names.
    folder.set_case_field(&id, "same_entity_whitelist.id_type", "resident_id", None).unwrap();
    refuse(folder.set_case_field(&id, "same_entity_whitelist.id_number", "110105194912310021", None), &["id_number"]);
    let stored = folder.set_case_field(&id, "same_entity_whitelist.id_number", "11010519491231002x", None).unwrap();
    assert_eq!(stored.display_value, "110105********002X");
    folder.set_case_field(&id, "same_entity_whitelist.id_type", "uscc", None).unwrap();
    folder.set_case_field(&id, "same_entity_whitelist.id_number", "91350100M000100Y43", None).unwrap();

    let check = fixture.check();
    let field = |key: &str| check.fields.iter().find(|field| field.field.key == key).unwrap();
    assert_eq!(field("uscc").status, FieldStatus::Ok);
    assert_eq!(field("uscc").override_reason.as_deref(), Some("registered so, see the licence"));
    assert_eq!(field("monthly_fee.rate").display_value.as_deref(), Some("0.38%"));
    assert_eq!(field("monthly_fee.estimate_period").display_value.as_deref(), Some("月"));
    assert_eq!(field("monthly_fee.estimate_amount").display_value.as_deref(), Some("1200000 元"));
    assert_eq!(field("monthly_fee.estimate_basis").status, FieldStatus::Missing);
    assert_eq!(field("same_entity_whitelist.id_number").status, FieldStatus::Ok);
    assert_eq!(field("legal_rep_name").status, FieldStatus::Missing);
    assert_eq!(field("fund_consolidation.parent_child_same_entity").status, FieldStatus::NotApplicable);

    // Changing the ID type re-checks the stored number against it.
    fixture.folder.set_case_field(&id, "same_entity_whitelist.id_type", "resident_id", None).unwrap();
    let check = fixture.check();
    let number = check.fields.iter().find(|field| field.field.key == "same_entity_whitelist.id_number").unwrap();
    assert_eq!(number.status, FieldStatus::Invalid);
    assert!(check.blocking);

    // Fields of a request that is withdrawn stay, shown as not applicable.
    fixture.folder.update_case_attributes(&id, payment()).unwrap();
    let check = fixture.check();
    let rate = check.fields.iter().find(|field| field.field.key == "monthly_fee.rate").unwrap();
    assert_eq!(rate.status, FieldStatus::NotApplicable);
    assert_eq!(rate.display_value.as_deref(), Some("0.38%"));
    assert!(fixture.folder.clear_case_field(&id, "monthly_fee.rate").unwrap());
    assert!(!fixture.folder.clear_case_field(&id, "monthly_fee.rate").unwrap());
}

#[test]
fn files_are_found_by_name_or_hash_prefix_and_ambiguity_is_refused() {
    let mut fixture = Fixture::new(payment());
    fixture.add("storefront_photo");
    let id = fixture.case_id.clone();
    let record = fixture.folder.case_evidence(&id).unwrap().remove(0);
    assert_eq!(fixture.folder.find_case_file(&id, "file-1.jpg", None).unwrap().id, record.id);
    assert_eq!(fixture.folder.find_case_file(&id, &record.sha256[..8], None).unwrap().id, record.id);
    assert_eq!(fixture.folder.find_case_file(&id, &record.sha256[..8].to_uppercase(), None).unwrap().id, record.id);
    assert!(fixture.folder.find_case_file(&id, &record.sha256[..4], None).is_err(), "too short a prefix");
    assert!(fixture.folder.find_case_file(&id, "nope.jpg", None).is_err());
    // The same bytes in two slots: the name alone is ambiguous; the material settles it.
    let path = fixture.dir.path().join("file-1.jpg");
    fixture.folder.add_files(&id, "interior_photo", &[path], |_| {}).unwrap();
    let err = fixture.folder.find_case_file(&id, "file-1.jpg", None).unwrap_err();
    assert!(err.message().contains("2 files"), "{}", err.message());
    assert_eq!(
        fixture.folder.find_case_file(&id, "file-1.jpg", Some("interior_photo")).unwrap().material_key,
        "interior_photo"
    );
}
