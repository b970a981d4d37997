//! The case list's states, filter, search and order (what the app's 案件列表 shows).

use chrono::{NaiveDate, Utc};
use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, NewCase};
use intake_core::case_list::{CaseListQuery, CaseOrder, CaseState};
use intake_core::database::OutboxRecord;
use intake_core::package::ExportOptions;
use intake_core::settings::SettingsChange;

fn new_case(folder: &mut DataFolder, name: &str, visit: Option<&str>) -> String {
    folder
        .create_case(NewCase {
            merchant_name: name.into(),
            attributes: CaseAttributes::default(),
            visit_date: visit.map(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()),
            site: None,
        })
        .unwrap()
        .id
}

fn ids(folder: &DataFolder, query: &CaseListQuery) -> Vec<String> {
    folder.case_list(query).unwrap().cases.into_iter().map(|overview| overview.case.id).collect()
}

#[test]
fn cases_are_searched_by_uscc_and_legal_representative_filtered_by_state_and_sorted_by_visit_or_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    folder
        .change_settings(SettingsChange {
            branch: Some("上海分公司".into()),
            manager_name: Some("张三".into()),
            ..SettingsChange::default()
        })
        .unwrap();
    let noodles = new_case(&mut folder, "沪上小面馆", Some("2026-11-20"));
    let bakery = new_case(&mut folder, "面包房", Some("2026-11-25"));
    let tea = new_case(&mut folder, "茶室", None);
    folder.set_case_field(&tea, "uscc", "91350100M000100Y43", None).unwrap();
    folder.set_case_field(&bakery, "legal_rep_name", "王小明", None).unwrap();
    let options =
        ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..ExportOptions::default() };
    folder.export_case(&noodles, &dir.path().join("a.zip"), &options).unwrap();

    let every = CaseListQuery::default();
    let listing = folder.case_list(&every).unwrap();
    assert_eq!(listing.total, 3);
    let state_of = |id: &str| listing.cases.iter().find(|o| o.case.id == id).unwrap().state;
    assert_eq!(state_of(&noodles), CaseState::Exported, "its package waits in the outbox");
    assert_eq!(state_of(&bakery), CaseState::Draft);
    let counts: Vec<(CaseState, u32)> = listing.by_state.iter().map(|c| (c.state, c.cases)).collect();
    assert_eq!(
        counts,
        vec![
            (CaseState::Draft, 2),
            (CaseState::Ready, 0),
            (CaseState::Exported, 1),
            (CaseState::Uploaded, 0),
            (CaseState::UploadFailed, 0)
        ]
    );

    // Last change first (the tea room's field was set after the bakery's), then by visit date.
    assert_eq!(ids(&folder, &every), vec![bakery.clone(), tea.clone(), noodles.clone()]);
    let by_visit = CaseListQuery { order: CaseOrder::VisitDate, ..CaseListQuery::default() };
    assert_eq!(ids(&folder, &by_visit), vec![bakery.clone(), noodles.clone(), tea.clone()], "undated last");

    let search = |text: &str| ids(&folder, &CaseListQuery { search: text.into(), ..CaseListQuery::default() });
    assert_eq!(search("m000100y43"), vec![tea.clone()], "part of the USCC, in any letter case");
    assert_eq!(search("９１３５０１"), vec![tea.clone()], "typed full-width");
    assert_eq!(search("王小明"), vec![bakery.clone()], "the legal representative");
    assert_eq!(search("小面"), vec![noodles.clone()], "the merchant's name");
    assert_eq!(search(&noodles[noodles.len() - 6..]), vec![noodles.clone()], "the case id");
    assert!(search("没有这个").is_empty());

    let only =
        |folder: &DataFolder, state| ids(folder, &CaseListQuery { state: Some(state), ..CaseListQuery::default() });
    assert_eq!(only(&folder, CaseState::Exported), vec![noodles.clone()]);
    assert!(only(&folder, CaseState::Uploaded).is_empty());

    // Changed after its export: the package no longer stands for it, it is a draft again.
    folder.add_note(&noodles, None, "补充说明").unwrap();
    assert_eq!(only(&folder, CaseState::Exported), Vec::<String>::new());
    assert_eq!(only(&folder, CaseState::Draft).len(), 3);
}

#[test]
fn a_cases_state_follows_its_check_and_its_latest_package_while_it_stands_for_the_case() {
    let changed = Utc::now();
    let package = |state: &str, queued_after_change: bool| OutboxRecord {
        sha256: "0".repeat(64),
        case_id: "c".into(),
        path: String::new(),
        bytes: 1,
        queued_at: if queued_after_change {
            changed + chrono::Duration::seconds(1)
        } else {
            changed - chrono::Duration::seconds(1)
        },
        state: state.parse().unwrap(),
        attempts: 0,
        destination: None,
        remote_key: None,
        upload_id: None,
        part_size: None,
        error_code: None,
        error_message: None,
        next_retry_at: None,
        done_at: None,
        bytes_sent: 0,
    };
    assert_eq!(CaseState::of(true, changed, None), CaseState::Draft);
    assert_eq!(CaseState::of(false, changed, None), CaseState::Ready);
    assert_eq!(CaseState::of(false, changed, Some(&package("waiting", true))), CaseState::Exported);
    assert_eq!(CaseState::of(false, changed, Some(&package("uploading", true))), CaseState::Exported);
    assert_eq!(CaseState::of(true, changed, Some(&package("done", true))), CaseState::Uploaded);
    assert_eq!(CaseState::of(false, changed, Some(&package("failed", true))), CaseState::UploadFailed);
    assert_eq!(
        CaseState::of(false, changed, Some(&package("done", false))),
        CaseState::Ready,
        "packed before a change"
    );
    assert_eq!(CaseState::of(true, changed, Some(&package("failed", false))), CaseState::Draft);
}
