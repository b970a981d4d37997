//! The case list: what the manager sees on opening the app.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::harness::{AppSession, WINDOW_TITLE, click, create_case_with_cli, run_cli_json, scroll_to};

#[tokio::test]
async fn a_case_opened_with_the_cli_is_listed_in_the_window() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_with_cli(&home, "测试商户");

    let session = AppSession::start("case-list", &home, work.path()).await;
    let row =
        session.wait_for(&format!("tr[data-case-id='{case_id}']"), "the case made with the CLI should be listed").await;

    let name = row.find(Locator::Css("[data-testid='merchant-name']")).await.unwrap().text().await.unwrap();
    assert_eq!(name, "测试商户");
    let id_text = row.find(Locator::Css("td.case-table__id")).await.unwrap().text().await.unwrap();
    assert_eq!(id_text, case_id);
    let merchant_type = row.find(Locator::Css("td.case-table__merchantType")).await.unwrap().text().await.unwrap();
    assert_eq!(merchant_type, "企业", "the merchant type is shown by its Chinese label");

    assert_eq!(session.client.title().await.unwrap(), WINDOW_TITLE, "the document title");
    assert!(session.app_pid().is_some(), "the app's process can be found by its --home argument");
    let native_titles = session.x11_window_titles();
    assert!(
        native_titles.iter().any(|title| title == WINDOW_TITLE),
        "the app's X11 window should be titled {WINDOW_TITLE}; its windows are titled {native_titles:?}"
    );

    let shot = session.save_screenshot("listed").await;
    assert!(shot.ends_with(".png"), "a screenshot was saved: {shot}");
    session.close().await;
}

#[tokio::test]
async fn an_empty_data_folder_shows_the_empty_state() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");

    let session = AppSession::start("empty", &home, work.path()).await;
    let empty = session.wait_for("[data-testid='empty-state']", "an empty folder should show the empty state").await;
    let text = empty.text().await.unwrap();
    assert!(text.contains("暂无案件"), "the empty state says 暂无案件; it says {text:?}");
    assert!(session.client.find_all(Locator::Css("tr[data-case-id]")).await.unwrap().is_empty());
    session.save_screenshot("shown").await;
    session.close().await;
}

#[tokio::test]
async fn the_search_box_filters_by_merchant_name_and_by_case_id() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let noodles = create_case_with_cli(&home, "Alpha 沪上小面馆");
    let bakery = create_case_with_cli(&home, "Beta 面包房");

    let session = AppSession::start("search", &home, work.path()).await;
    session.wait_for(&format!("tr[data-case-id='{bakery}']"), "both cases should be listed").await;
    let search = session.wait_for("[data-testid='case-search']", "the search box").await;

    search.send_keys("ALPHA").await.unwrap();
    assert_eq!(
        listed_ids(&session, &[&noodles]).await,
        vec![noodles.clone()],
        "a name, in any letter case, finds its case"
    );

    search.clear().await.unwrap();
    let bakery_suffix = &bakery[bakery.len() - 6..];
    search.send_keys(bakery_suffix).await.unwrap();
    assert_eq!(listed_ids(&session, &[&bakery]).await, vec![bakery.clone()], "part of a case id finds its case");

    search.clear().await.unwrap();
    search.send_keys("no such merchant").await.unwrap();
    session.wait_for("[data-testid='no-match']", "a search that matches nothing says so").await;
    session.close().await;
}

#[tokio::test]
async fn a_data_folder_that_cannot_be_opened_shows_its_error_code() {
    let work = tempfile::tempdir().unwrap();
    // A file where the data folder should be: the core refuses it as data_folder_unwritable.
    let home = work.path().join("not-a-folder");
    std::fs::write(&home, b"a file, not a folder").unwrap();

    let session = AppSession::start("error", &home, work.path()).await;
    let banner = session
        .wait_for("[role='alert'][data-error-code='data_folder_unwritable']", "the error should be shown by its code")
        .await;
    let text = banner.text().await.unwrap();
    assert!(text.contains("数据文件夹无法创建或写入"), "the code is explained in Chinese; the banner says {text:?}");
    assert!(text.contains("not-a-folder"), "the core's message names the path; the banner says {text:?}");
    session.save_screenshot("shown").await;
    session.close().await;
}

/// The case ids listed, once they are `expected` or 5 s have passed (React re-renders after
/// each key).
async fn listed_ids(session: &AppSession, expected: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // Read in one script: the list is asked of the core again after each key, so rows found
        // one call earlier may have been replaced (a stale element) by the time they are read.
        let listed = session
            .client
            .execute(
                "return Array.from(document.querySelectorAll('tr[data-case-id]')).map((row) => row.dataset.caseId);",
                vec![],
            )
            .await
            .unwrap();
        let ids: Vec<String> = serde_json::from_value(listed).unwrap_or_default();
        if ids == expected || Instant::now() > deadline {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Issue 18, item 7: the core's states filter the list, the search finds a case by its USCC
/// and its legal representative, the order follows the visit date, and a click anywhere on a
/// row opens its case.
#[tokio::test]
async fn the_list_filters_by_state_searches_uscc_and_legal_representative_sorts_and_opens_by_row() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let noodles = create_case_with_cli(&home, "沪上小面馆");
    let bakery = create_case_with_cli(&home, "面包房");
    run_cli_json(&["--home", home_arg, "case", "update", &noodles, "--visit-date", "2026-11-20"]);
    run_cli_json(&["--home", home_arg, "case", "update", &bakery, "--visit-date", "2026-11-25"]);
    run_cli_json(&["--home", home_arg, "case", "set", &noodles, "--field", "uscc=91350100M000100Y43"]);
    run_cli_json(&["--home", home_arg, "case", "set", &bakery, "--field", "legal_rep_name=王小明"]);
    run_cli_json(&["--home", home_arg, "settings", "--branch", "上海分公司", "--manager", "张三"]);
    run_cli_json(&["--home", home_arg, "export", "--case", &noodles, "--allow-incomplete", "--reason", "测试"]);

    let session = AppSession::start("case-list-states", &home, work.path()).await;
    session.wait_for(&format!("tr[data-case-id='{bakery}']"), "both cases").await;
    let exported = session
        .wait_for(
            &format!("tr[data-case-id='{noodles}'] [data-testid='case-status'][data-status='exported']"),
            "已导出",
        )
        .await;
    // Exported with --allow-incomplete: the list says the package is incomplete.
    assert_eq!(exported.text().await.unwrap(), "已导出 · 资料不全");
    scroll_to(&session, "[data-testid='state-filter-all']").await;
    session.save_screenshot("1-states").await;

    // 已导出 only: the exported case.
    click(&session, "[data-testid='state-filter'][data-state='exported']", "the 已导出 filter").await;
    assert_eq!(listed_ids(&session, &[&noodles]).await, vec![noodles.clone()], "only the exported case");
    click(&session, "[data-testid='state-filter-all']", "全部").await;
    assert_eq!(listed_ids(&session, &[&bakery, &noodles]).await.len(), 2);

    // Sorted by visit date: the later visit first, whatever changed last.
    let order = session.wait_for("[data-testid='case-order']", "the order").await;
    order.select_by_value("visit_date").await.unwrap();
    assert_eq!(listed_ids(&session, &[&bakery, &noodles]).await, vec![bakery.clone(), noodles.clone()]);

    let search = session.wait_for("[data-testid='case-search']", "the search box").await;
    search.send_keys("m000100y43").await.unwrap();
    assert_eq!(listed_ids(&session, &[&noodles]).await, vec![noodles.clone()], "by part of the USCC");
    search.clear().await.unwrap();
    search.send_keys("王小明").await.unwrap();
    assert_eq!(listed_ids(&session, &[&bakery]).await, vec![bakery.clone()], "by the legal representative");
    scroll_to(&session, &format!("tr[data-case-id='{bakery}']")).await;
    session.save_screenshot("2-search-legal-rep").await;

    // A click on the row's file count, not on the name: the case opens.
    click(&session, &format!("tr[data-case-id='{bakery}'] td.case-table__fileCount"), "the row").await;
    session.wait_for("[data-testid='case-view']", "the case opened by its row").await;
    session.close().await;
}
