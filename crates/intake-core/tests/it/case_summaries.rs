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
    assert_eq!(shown[&case].1.counts.required, 1, "read back, not checked again");
    assert_eq!(shown[&other].1.counts.required, 1);
    assert_ne!(first[&case].1, shown[&case].1);
    // One write to one case: that case alone is checked again.
    fixture.folder.set_case_field(&case, "uscc", "91350100M000100Y43", None).unwrap();
    let after = listed(&fixture.folder);
    assert_eq!(after[&case], checked(&fixture.folder)[&case]);
    assert_eq!(after[&other].1.counts.required, 1, "the other case was not checked again");

    // Another near-duplicate distance in force (an import under other thresholds sets it), then
    // the installation's again: writes meanwhile marked only the cases near under that other
    // distance, so no summary from before may count.
    fixture.folder.database().keep_near_duplicate_distance(3).unwrap();
    let after_distance = listed(&fixture.folder);
    assert_eq!(after_distance, checked(&fixture.folder), "a change of distance forgets every stored summary");
    assert_ne!(after_distance[&other].1.counts.required, 1);
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

/// A benchmark, not a test (`bench/case-summaries.sh` runs it): what the triggers add to one
/// photo's import in a folder that already holds many pictures, beside the same writes with no
/// trigger. Each photo is the import's three writes: the first phase's facts (no hash yet) and
/// record, then the pixel phase's facts with the perceptual hash, which the triggers compare with
/// every stored picture. The stored facts carry 2 KB of JSON each, about what a real photo's
/// inspection and measurements take (1.6-1.7 KB on the corpus's phone photos).
#[test]
#[ignore = "a benchmark: bench/case-summaries.sh"]
fn bench_the_triggers_cost_per_photo() {
    let cases: usize = std::env::var("BENCH_CASES").map_or(300, |value| value.parse().expect("BENCH_CASES"));
    let per_case = 30;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.sqlite3");
    drop(intake_core::database::Database::open(&path).unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    intake_core::database::register_sql_functions(&connection).unwrap();
    connection.pragma_update(None, "synchronous", "OFF").unwrap();
    let triggers: Vec<(String, String)> = connection
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'case_summaries%'")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let set_triggers = |on: bool| {
        for (name, sql) in &triggers {
            let statement = if on { sql.clone() } else { format!("DROP TRIGGER {name}") };
            connection.execute_batch(&statement).unwrap();
        }
    };
    // xorshift: hashes spread like real ones, so few pictures are near each other.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut hash = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as i64
    };
    let facts_json = "x".repeat(2_000);
    let add_case = |id: &str| {
        connection
            .execute(
                "INSERT INTO cases (id, merchant_name, merchant_type, edition, channels, opens_payment, opens_account,
                   syb, syb_sft, payout_or_custody, regulated_industry, remote_visit, chain_or_franchise, nonstandard,
                   parent_child_same_entity, created_at, updated_at)
                 VALUES (?1, '商户', 'individual', 'standard', '[]', 0, 0, 0, 0, 0, 0, 0, 0, '[]', 0, 'x', 'x')",
                [id],
            )
            .unwrap();
    };
    let add_file = |case: &str, sha: &str, hash: Option<i64>| {
        connection
            .execute(
                "INSERT INTO evidence_facts (sha256, inspection, perceptual_hash, inspected_with, inspected_at,
                   pixels_pending) VALUES (?1, ?2, ?3, 1, 'x', ?4)",
                rusqlite::params![sha, facts_json, hash, hash.is_none()],
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO evidence (case_id, material_key, sha256, original_name, bytes, media_type, imported_at)
                 VALUES (?1, 'interior_photo', ?2, 'a.jpg', 1, 'image/jpeg', 'x')",
                [case, sha],
            )
            .unwrap();
    };

    set_triggers(false);
    connection.execute_batch("BEGIN").unwrap();
    for case in 0..cases {
        add_case(&format!("case{case:05}"));
        for file in 0..per_case {
            add_file(&format!("case{case:05}"), &format!("{case:032}{file:032}"), Some(hash()));
        }
    }
    connection.execute_batch("COMMIT").unwrap();
    connection.execute_batch("INSERT OR IGNORE INTO case_summaries (case_id) SELECT id FROM cases").unwrap();
    // The distance the import sets before it writes (the installation's threshold, default here).
    connection
        .execute(
            "UPDATE case_summary_settings SET near_duplicate_max_distance = ?1",
            [intake_core::evidence::findings::DEFAULT_NEAR_DUPLICATE_MAX_DISTANCE],
        )
        .unwrap();
    let mut next_photo = 0;
    for round in 1..=3 {
        for with_triggers in [false, true] {
            if with_triggers {
                set_triggers(true);
            }
            let started = std::time::Instant::now();
            for _ in 0..100 {
                next_photo += 1;
                let sha = format!("{:f>32}{next_photo:032}", "");
                connection.execute_batch("BEGIN").unwrap();
                add_file("case00000", &sha, None);
                connection.execute_batch("COMMIT").unwrap();
                connection
                    .execute(
                        "UPDATE evidence_facts SET perceptual_hash = ?1, pixels_pending = 0 WHERE sha256 = ?2",
                        rusqlite::params![hash(), sha],
                    )
                    .unwrap();
            }
            let per_photo = started.elapsed().as_secs_f64() * 1_000.0 / 100.0;
            let label = if with_triggers { "with the triggers" } else { "no trigger (reference)" };
            println!("round {round}, {} pictures stored, {label}: {per_photo:.2} ms per photo", cases * per_case);
            if with_triggers {
                set_triggers(false);
            }
        }
    }
}
