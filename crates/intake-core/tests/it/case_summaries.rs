//! The case list's stored summaries (issue 19 item 3): each kind of write leaves the list as a
//! full check of every case would show it, and an unchanged case is not checked again.

use std::collections::BTreeMap;

use intake_core::DataFolder;
use intake_core::case::CaseAttributes;
use intake_core::case_list::{CaseListQuery, CaseState};
use intake_core::checklist::status::CheckSummary;

use crate::package::{Fixture, photo, scan};
use crate::viewing::new_case;

type Listed = BTreeMap<String, (bool, CheckSummary, CaseState)>;

/// What the case list shows (from the stored summaries).
fn listed(folder: &DataFolder) -> Listed {
    let listing = folder.case_list(&CaseListQuery::default()).unwrap();
    listing.cases.into_iter().map(|o| (o.case.id, (o.blocking, o.summary, o.state))).collect()
}

/// What a full check of every case gives.
fn checked(folder: &DataFolder) -> Listed {
    let overviews = folder.list_case_overviews().unwrap();
    overviews.into_iter().map(|o| (o.case.id, (o.blocking, o.summary, o.state))).collect()
}

/// Runs one write and checks that it changed what `case` shows, and that the list shows what a
/// full check shows for every case (a stale summary would still show the `before`).
fn after_write(fixture: &mut Fixture, case: &str, what: &str, write: impl FnOnce(&mut Fixture)) {
    let before = listed(&fixture.folder);
    assert_eq!(before, checked(&fixture.folder), "before {what}");
    write(fixture);
    let after = listed(&fixture.folder);
    assert_ne!(before.get(case), after.get(case), "{what} should change what the list shows of {case}");
    assert_eq!(after, checked(&fixture.folder), "after {what}: the list shows a stale summary");
}

fn add_to(fixture: &mut Fixture, case: &str, material: &str, name: &str, bytes: &[u8]) -> i64 {
    let path = fixture.dir.path().join("other-input").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let outcomes = fixture.folder.add_files(case, material, &[path], |_| {}).unwrap();
    assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
    outcomes[0].evidence.as_ref().unwrap().id
}

#[test]
fn every_kind_of_write_to_a_case_shows_in_the_list_at_once() {
    let mut fixture = Fixture::empty_case();
    let case = fixture.case_id.clone();
    let bystander = new_case(&mut fixture.folder, "隔壁茶室");

    let storefront = fixture.add_file("storefront_photo", "门头.jpg", &photo(11, 0.0, 0.0, "2026:11:20 10:00:00"));
    // Files: added, withdrawn, restored, moved to another slot.
    let mut scan_id = 0;
    after_write(&mut fixture, &case, "adding a file", |f| {
        scan_id = f.add_file("business_license", "执照.png", &scan(5))
    });
    after_write(&mut fixture, &case, "withdrawing a file", |f| {
        f.folder.withdraw_file(&f.case_id, scan_id, "拍错了").unwrap();
    });
    after_write(&mut fixture, &case, "restoring a file", |f| {
        f.folder.restore_file(&f.case_id, scan_id).unwrap();
    });
    after_write(&mut fixture, &case, "moving a file to another slot", |f| {
        // A scan among the site photos: it lacks the position and time they need.
        f.folder.move_file(&f.case_id, scan_id, "interior_photo").unwrap();
    });
    // The 未分类 tray: a file waiting blocks the case; assigned, it counts in its slot.
    let mut waiting = 0;
    after_write(&mut fixture, &case, "adding to the tray", |f| waiting = f.add_file("unsorted", "未知.png", &scan(6)));
    after_write(&mut fixture, &case, "assigning from the tray", |f| {
        let outcomes = f.folder.assign_unsorted_files(&f.case_id, &[waiting], "business_license").unwrap();
        assert!(outcomes.iter().all(|o| o.error.is_none()), "{outcomes:?}");
    });
    // Attestations.
    let checklist = fixture.folder.case_checklist(&case).unwrap();
    let attested = checklist.items.iter().find(|item| item.required && !item.attestations.is_empty()).unwrap().clone();
    let mut attested_id = 0;
    after_write(&mut fixture, &case, "adding a file that needs marks", |f| {
        attested_id = f.add_generated(&attested.key)
    });
    after_write(&mut fixture, &case, "attesting its marks", |f| {
        f.folder.attest_file(&f.case_id, attested_id, &attested.attestations).unwrap();
    });
    // Fields: set, then cleared.
    after_write(&mut fixture, &case, "setting a field", |f| {
        f.folder.set_case_field(&f.case_id, "uscc", "91350100M000100Y43", None).unwrap();
    });
    after_write(&mut fixture, &case, "clearing a field", |f| {
        f.folder.clear_case_field(&f.case_id, "uscc").unwrap();
    });
    // A finding, then its acceptance.
    let mut far = 0;
    after_write(&mut fixture, &case, "a photo outside the premises", |f| {
        far = f.add_file("interior_photo", "远处.jpg", &photo(12, 5000.0, 0.0, "2026:11:20 10:05:00"));
    });
    after_write(&mut fixture, &case, "accepting its finding", |f| {
        f.folder.accept_finding(&f.case_id, far, "outside_site_radius", "在分店拍的").unwrap();
    });
    // The case's attributes (its checklist).
    after_write(&mut fixture, &case, "changing the case's attributes", |f| {
        let attributes = CaseAttributes { opens_payment: true, opens_account: true, ..CaseAttributes::default() };
        f.folder.update_case_attributes(&f.case_id, attributes).unwrap();
    });
    // Another case's files: the same bytes (duplicate_other_case), then the same picture in
    // other bytes (near_duplicate, known only once the other file's pixel phase is done).
    after_write(&mut fixture, &case, "the same bytes in another case", |f| {
        add_to(f, &bystander, "storefront_photo", "同一张.jpg", &photo(11, 0.0, 0.0, "2026:11:20 10:00:00"));
    });
    let interior = fixture.add_file("interior_photo", "内景.jpg", &photo(21, 10.0, 0.0, "2026:11:20 10:10:00"));
    after_write(&mut fixture, &case, "a near-identical picture in another case", |f| {
        add_to(f, &bystander, "interior_photo", "几乎一样.jpg", &photo(21, 10.0, 0.0, "2026:11:20 10:11:00"));
    });
    // The installation's thresholds.
    after_write(&mut fixture, &case, "a threshold changed", |f| {
        let mut thresholds = f.folder.thresholds().unwrap();
        // The test pictures are small: with no lower bound, their `too_small` findings go.
        thresholds.min_long_side_px = 0;
        f.folder.set_thresholds(thresholds).unwrap();
    });
    // Export and the upload's outcome (the state comes from the outbox).
    after_write(&mut fixture, &case, "an export", |f| {
        f.export("case.zip", true);
    });
    let package = fixture.folder.database().outbox().unwrap().into_iter().find(|p| p.case_id == case).unwrap();
    after_write(&mut fixture, &case, "a failed upload", |f| {
        f.folder.database().fail_package_upload(&package.sha256, "network", "断网", chrono::Utc::now()).unwrap();
    });
    after_write(&mut fixture, &case, "a finished upload", |f| {
        f.folder.database().finish_package_upload(&package.sha256, "oss", "key", chrono::Utc::now()).unwrap();
    });
    after_write(&mut fixture, &case, "a change after the upload", |f| {
        f.folder.withdraw_file(&f.case_id, storefront, "重拍").unwrap();
    });
    // The rules: a version without the interior photo.
    after_write(&mut fixture, &case, "other rules", |f| {
        let text = intake_core::checklist::Rules::embedded_text();
        let start = text.find("[[material]]\nkey = \"interior_photo\"").unwrap();
        let end = start + text[start + 1..].find("[[material]]").unwrap() + 1;
        let trimmed = format!("{}{}", &text[..start], &text[end..]);
        let rules = intake_core::checklist::Rules::parse(&trimmed, "trimmed").unwrap();
        f.folder.set_rules(std::sync::Arc::new(rules));
    });
    let _ = interior;
}

#[test]
fn an_unchanged_case_is_read_from_its_stored_summary_not_checked_again() {
    let mut fixture = Fixture::empty_case();
    let case = fixture.case_id.clone();
    let other = new_case(&mut fixture.folder, "隔壁茶室");
    let first = listed(&fixture.folder);
    // Plant a summary no check would give, behind the program's back (no trigger fires on
    // this table): the list shows it for as long as nothing of the case changes.
    let database = fixture.dir.path().join("home").join("intake.sqlite3");
    let connection = rusqlite::Connection::open(&database).unwrap();
    let planted = r#"{"blocking":false,"summary":{"required":1,"ok":1,"present":0,"incomplete":0,"missing":0,
        "error_findings":0,"warning_findings":0,"fields_required":0,"fields_missing":0,"fields_invalid":0,
        "unsorted_files":0}}"#;
    assert_eq!(connection.execute("UPDATE case_summaries SET summary = ?1", [planted]).unwrap(), 2);
    let shown = listed(&fixture.folder);
    assert_eq!(shown[&case].1.required, 1, "read back, not checked again");
    assert_eq!(shown[&other].1.required, 1);
    assert_ne!(first[&case].1, shown[&case].1);
    // One write to one case: that case alone is checked again.
    fixture.folder.set_case_field(&case, "uscc", "91350100M000100Y43", None).unwrap();
    let after = listed(&fixture.folder);
    assert_eq!(after[&case], checked(&fixture.folder)[&case]);
    assert_eq!(after[&other].1.required, 1, "the other case was not checked again");
}

#[test]
fn every_table_with_a_cases_data_marks_its_summaries_stale() {
    let fixture = Fixture::empty_case();
    let database = fixture.dir.path().join("home").join("intake.sqlite3");
    let connection = rusqlite::Connection::open(&database).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Not the case's data: the audit log (written with each change, which has its own
    // trigger), the parts of an upload under way (the state is the outbox's), and the
    // summaries' own tables.
    let exempt = ["audit_log", "upload_parts", "case_summaries", "case_summary_settings"];
    for table in tables.iter().filter(|table| !exempt.contains(&table.as_str())) {
        for event in ["INSERT", "UPDATE", "DELETE"] {
            let triggers: i64 = connection
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1
                     AND name LIKE 'case_summaries_%' AND upper(sql) LIKE ?2",
                    [table.as_str(), &format!("%AFTER {event} %")],
                    |row| row.get(0),
                )
                .unwrap();
            // A case row is never deleted (every table refers to it with ON DELETE RESTRICT),
            // and a new one gets its summary row.
            if table == "cases" && event == "DELETE" {
                continue;
            }
            assert!(triggers >= 1, "table {table} has no case_summaries trigger AFTER {event}: add one (migration 11)");
        }
    }
}

#[test]
fn what_is_read_off_a_document_shows_in_the_list_at_once() {
    let mut fixture = Fixture::empty_case();
    let case = fixture.case_id.clone();
    // A credit code that is not the licence's: reading the licence makes it an error.
    fixture.folder.set_case_field(&case, "uscc", "91350100M000100Y43", None).unwrap();
    let licence = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../intake-ocr/tests/fixtures/business_license-01-clean.jpg");
    let outcomes = fixture.folder.add_files(&case, "business_license", &[licence], |_| {}).unwrap();
    assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
    after_write(&mut fixture, &case, "reading the licence", |f| {
        f.folder.read_documents(&f.case_id, intake_core::documents::WhichDocuments::Unread, |_| {}).unwrap();
    });
}
