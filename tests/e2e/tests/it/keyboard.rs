//! The whole wizard and the case view with the keyboard only (issue #6 item 7): Tab to move,
//! Enter and Space to act, typed keys for text, every key sent to the focused element over
//! WebDriver, never a click. On each screen every enabled control must be reachable by Tab,
//! and every control must have an accessible name.

use std::collections::BTreeSet;

use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::{AppSession, run_cli_json};

/// What has the focus: its `data-testid`, else its tag and accessible text.
const FOCUSED: &str = r#"
const el = document.activeElement;
if (el === null || el === document.body) return '';
return el.dataset.testid || (el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') || el.textContent || el.id).trim().slice(0, 40));
"#;

/// Every enabled, shown control on the page: its place among all controls, and a description.
const CONTROLS: &str = r#"
const all = Array.from(document.querySelectorAll('button, input, select, textarea, a[href]'));
return all.map((el, index) => [index, el.dataset.testid || (el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') || el.textContent || el.id).trim().slice(0, 40))])
  .filter(([index]) => !all[index].disabled && all[index].offsetParent !== null)
  // A radio group is one Tab stop (its checked radio; arrow keys move within it).
  .filter(([index]) => {
    const el = all[index];
    if (el.type !== 'radio' || el.checked) return true;
    return !all.some((other) => other.type === 'radio' && other.name === el.name && other.checked);
  });
"#;

/// The place of the focused element among all controls (as CONTROLS counts them), or -1.
const FOCUSED_INDEX: &str = r#"
return Array.from(document.querySelectorAll('button, input, select, textarea, a[href]')).indexOf(document.activeElement);
"#;

/// Controls without an accessible name.
const UNLABELLED: &str = r#"
const problems = [];
for (const el of document.querySelectorAll('button, input, select, textarea, a[href]')) {
  const labelledBy = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  const fromLabels = el.labels ? Array.from(el.labels).map((label) => label.textContent).join(' ') : '';
  const name = [el.getAttribute('aria-label'), labelledBy, fromLabels,
    el.tagName === 'BUTTON' || el.tagName === 'A' ? el.textContent : '', el.getAttribute('title')]
    .filter(Boolean).join(' ').trim();
  if (name === '') problems.push(el.outerHTML.slice(0, 160));
}
return problems;
"#;

async fn focused(session: &AppSession) -> String {
    match session.client.execute(FOCUSED, vec![]).await.expect("the focus script runs") {
        Value::String(name) => name,
        other => panic!("unexpected focus answer {other}"),
    }
}

/// Sends keys to whatever has the focus (the page itself when nothing does).
async fn keys(session: &AppSession, text: &str) {
    let target = session.client.active_element().await.expect("an active element");
    target.send_keys(text).await.unwrap_or_else(|err| panic!("keys {text:?} not taken ({err})"));
}

/// Presses Tab until `testid` has the focus; fails after a full round of the page.
async fn tab_to(session: &AppSession, testid: &str) {
    for _ in 0..200 {
        if focused(session).await == testid {
            return;
        }
        keys(session, &Key::Tab.to_string()).await;
    }
    let shot = session.save_screenshot("failure").await;
    panic!("Tab never reached {testid}. Screenshot: {shot}");
}

/// Tabs through the whole page once and fails if an enabled, visible control was never
/// focused, or a control has no accessible name.
async fn assert_keyboard_reaches_everything(session: &AppSession, screen: &str) {
    let unlabelled = session.client.execute(UNLABELLED, vec![]).await.unwrap();
    assert_eq!(unlabelled, json!([]), "controls without an accessible name on the {screen} screen");
    let controls: Vec<(i64, String)> =
        serde_json::from_value(session.client.execute(CONTROLS, vec![]).await.unwrap()).unwrap();
    let mut reached = BTreeSet::new();
    // Two rounds at most: the focus may start anywhere, and Tab wraps at the end.
    for _ in 0..(controls.len() * 2 + 10) {
        keys(session, &Key::Tab.to_string()).await;
        let index = session.client.execute(FOCUSED_INDEX, vec![]).await.unwrap().as_i64().unwrap_or(-1);
        reached.insert(index);
        if controls.iter().all(|(index, _)| reached.contains(index)) {
            break;
        }
    }
    let missed: Vec<&String> =
        controls.iter().filter(|(index, _)| !reached.contains(index)).map(|(_, name)| name).collect();
    assert!(missed.is_empty(), "on the {screen} screen, Tab never reaches {missed:?} of {} controls", controls.len());
}

#[tokio::test]
async fn a_case_is_made_and_opened_with_the_keyboard_only() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    // A package names its branch and manager (the settings screen is walked at the end).
    run_cli_json(&["--home", home.to_str().unwrap(), "settings", "--branch", "上海分公司", "--manager", "张三"]);
    let session = AppSession::start("keyboard", &home, work.path()).await;
    session.wait_for("[data-testid='empty-state']", "the empty case list").await;
    assert_keyboard_reaches_everything(&session, "case list").await;

    // 新建案件 by Tab and Enter.
    tab_to(&session, "nav-new-case").await;
    keys(&session, &Key::Enter.to_string()).await;
    session.wait_for("[data-testid='wizard-step-merchant']", "the wizard's first step").await;
    assert_keyboard_reaches_everything(&session, "wizard: merchant").await;
    tab_to(&session, "wizard-merchant-name").await;
    keys(&session, "键盘小店").await;
    tab_to(&session, "wizard-visit-date").await;
    // Erase the suggested date (today) and type another.
    keys(&session, &Key::End.to_string()).await;
    keys(&session, &Key::Backspace.to_string().repeat(10)).await;
    keys(&session, "2026-11-20").await;
    tab_to(&session, "wizard-next").await;
    keys(&session, &Key::Enter.to_string()).await;
    session.wait_for("[data-testid='wizard-step-business']", "the business step").await;
    assert_keyboard_reaches_everything(&session, "wizard: business").await;
    tab_to(&session, "wizard-flag-opens_account").await;
    keys(&session, &Key::Space.to_string()).await;
    let checked = session
        .client
        .execute("return document.querySelector(\"[data-testid='wizard-flag-opens_account']\").checked", vec![])
        .await
        .unwrap();
    assert_eq!(checked, json!(true), "Space ticks a checkbox");
    tab_to(&session, "wizard-next").await;
    keys(&session, &Key::Enter.to_string()).await;
    session.wait_for("[data-testid='wizard-step-premises']", "the premises step").await;
    assert_keyboard_reaches_everything(&session, "wizard: premises").await;
    tab_to(&session, "wizard-lat").await;
    keys(&session, "31.2304").await;
    tab_to(&session, "wizard-lon").await;
    keys(&session, "121.4737").await;
    session.save_screenshot("1-wizard-by-keyboard").await;
    tab_to(&session, "wizard-create").await;
    keys(&session, &Key::Enter.to_string()).await;

    // The case view: every slot's buttons, the fields, export, the drawings' table.
    let title = session.wait_for("[data-testid='case-title']", "the new case").await;
    assert_eq!(title.text().await.unwrap(), "键盘小店");
    let view = session.wait_for("[data-testid='case-view']", "the case view").await;
    assert!(view.text().await.unwrap().contains("2026-11-20"), "the visit date typed by keys");
    assert_keyboard_reaches_everything(&session, "case view").await;
    // The rail's 提交前检查 takes the focus to the export panel at the end of the page; an
    // incomplete package is a second step whose confirmation comes next in the Tab order.
    tab_to(&session, "rail-submit-check").await;
    keys(&session, &Key::Enter.to_string()).await;
    tab_to(&session, "export-incomplete-step").await;
    keys(&session, &Key::Enter.to_string()).await;
    tab_to(&session, "incomplete-reason").await;
    keys(&session, "其余材料明日补交").await;
    tab_to(&session, "export-incomplete-confirm").await;
    keys(&session, &Key::Enter.to_string()).await;
    session.wait_for("[data-testid='export-queued']", "exported by the keyboard").await;
    session.save_screenshot("2-case-by-keyboard").await;

    // 发件箱 and 设置 too.
    tab_to(&session, "nav-outbox").await;
    keys(&session, &Key::Enter.to_string()).await;
    session.wait_for("[data-testid='outbox-entry']", "the exported package in the outbox").await;
    assert_keyboard_reaches_everything(&session, "outbox").await;
    tab_to(&session, "nav-settings").await;
    keys(&session, &Key::Enter.to_string()).await;
    session.wait_for("[data-testid='upload-settings']", "the settings").await;
    assert_keyboard_reaches_everything(&session, "settings").await;
    session.close().await;
}
