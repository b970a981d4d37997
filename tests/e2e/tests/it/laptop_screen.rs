//! Issue 18, item 10: the case view on a 1366×768 laptop set to 125 % scaling, as many are
//! sold. That screen is 1093×614 CSS pixels; Xvfb has no display scaling, so this test
//! **emulates** it by sizing the window's viewport to 1093×614 CSS pixels (the layout the web
//! view computes is the same; text is rendered at 1× rather than 1.25×, so the screenshot is
//! smaller than what the manager sees, not different in layout). On that viewport: nothing
//! spills sideways, the header and the rail stay in view, the rail has a line for the 未分类
//! tray that jumps to it, the keyboard reaches the first field in a handful of keys through
//! the skip links, and the drawing's labels are Chinese alone unless 显示英文对照 is on.
//! Screenshots: `tests/e2e/screenshots/laptop-125-*.png`.

use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::{
    AppSession, add_with_cli, click, corpus_file, create_case_at_site_with_cli, run_cli_json, scroll_to, wait_until,
};

/// 1366×768 at 125 %, in CSS pixels.
const VIEWPORT: (i64, i64) = (1093, 614);

/// What has the focus: its `data-testid`, else its id, else its tag.
const FOCUSED: &str = r#"
const el = document.activeElement;
if (el === null || el === document.body) return 'body';
return el.dataset.testid || (el.id ? '#' + el.id : el.tagName.toLowerCase());
"#;

async fn focused(session: &AppSession) -> String {
    session.client.execute(FOCUSED, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// Sends `key` to whatever has the focus, as a keyboard would.
async fn press(session: &AppSession, key: Key) {
    let target = session.client.active_element().await.expect("an active element");
    target.send_keys(&key.to_string()).await.unwrap_or_else(|err| panic!("a key not taken ({err})"));
}

/// Sizes the window so that its viewport is `VIEWPORT` CSS pixels (the window's frame, if the
/// display has one, is added back).
async fn emulate_125_percent(session: &AppSession) {
    let (width, height) = VIEWPORT;
    session.client.set_window_size(width as u32, height as u32).await.expect("the window can be resized");
    let inner = || async {
        let size = session.client.execute("return [window.innerWidth, window.innerHeight];", vec![]).await.unwrap();
        serde_json::from_value::<(i64, i64)>(size).unwrap()
    };
    let (inner_width, inner_height) = inner().await;
    if (inner_width, inner_height) != VIEWPORT {
        let (outer_width, outer_height) = (width + width - inner_width, height + height - inner_height);
        session.client.set_window_size(outer_width as u32, outer_height as u32).await.expect("resized again");
    }
    wait_until(
        session,
        &format!("return window.innerWidth === {width} && window.innerHeight === {height};"),
        "the viewport is 1093×614 CSS pixels",
    )
    .await;
}

/// Elements of `css` that stick out of the viewport (right or bottom edge), as descriptions.
async fn outside_viewport(session: &AppSession, css: &str) -> Vec<String> {
    let script = format!(
        "return Array.from(document.querySelectorAll(\"{css}\"))
           .filter((el) => {{ const box = el.getBoundingClientRect();
                             return box.right > window.innerWidth + 0.5 || box.bottom > window.innerHeight + 0.5; }})
           .map((el) => (el.dataset.testid || el.className) + ' ' + JSON.stringify(el.getBoundingClientRect()));"
    );
    serde_json::from_value(session.client.execute(&script, vec![]).await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_case_view_works_at_125_percent_on_a_laptop_screen_and_by_keyboard() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let case_id = create_case_at_site_with_cli(&home, "笔记本小店", "2026-12-06", ("31.2304", "121.4737"));
    // A photo with a position (so the drawing has something to draw) and one file in the tray.
    let photo = corpus_file("google-pixel-gps.jpg");
    add_with_cli(&home, &case_id, "storefront_photo", &[&photo]);
    let waiting = corpus_file("png-no-exif.png");
    run_cli_json(&["--home", home_arg, "add", "--case", &case_id, "--unsorted", waiting.to_str().unwrap()]);

    let session = AppSession::start("laptop-125", &home, work.path()).await;
    emulate_125_percent(&session).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;
    session.wait_for("[data-testid='rail']", "the overview rail").await;
    session.wait_for("[data-testid='plot-positions']", "the drawing of positions").await;
    session.save_screenshot("1-case").await;

    // Nothing spills sideways; the header's buttons and the rail's controls are all in view.
    let overflow = session
        .client
        .execute(
            "const main = document.querySelector('.app-main');
             return [document.documentElement.scrollWidth, window.innerWidth, main.scrollWidth, main.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    let [page_width, viewport_width, main_width, main_client]: [i64; 4] = serde_json::from_value(overflow).unwrap();
    assert!(page_width <= viewport_width, "the page scrolls sideways: {page_width} > {viewport_width}");
    assert!(main_width <= main_client, "the main area scrolls sideways: {main_width} > {main_client}");
    let header = outside_viewport(&session, ".app-header button").await;
    assert!(header.is_empty(), "header buttons outside the window: {header:?}");
    let rail = outside_viewport(&session, "[data-testid='rail-next'], [data-testid='rail-only-pending']").await;
    assert!(rail.is_empty(), "the rail's controls are not within the window: {rail:?}");
    // Below the case's head at first; once the cards scroll, the rail sticks to the top and
    // fits the window whole, its list scrolling inside it.
    session.client.execute("document.querySelector('.app-main').scrollTop = 600;", vec![]).await.unwrap();
    wait_until(
        &session,
        "const box = document.querySelector(\"[data-testid='rail']\").getBoundingClientRect();
         return box.top >= 0 && box.bottom <= window.innerHeight;",
        "the sticky rail fits the 614-pixel-high window",
    )
    .await;
    session.save_screenshot("1b-scrolled").await;

    // The tray's line in the rail: its count, needing work, and a click jumps to the tray.
    let tray_entry = "[data-testid='rail-entry-unsorted']";
    let entry = session.wait_for(tray_entry, "the tray's line in the rail").await;
    assert_eq!(entry.attr("data-needs-work").await.unwrap().as_deref(), Some("true"));
    let text = entry.text().await.unwrap();
    assert!(text.contains("未分类") && text.contains('1'), "the tray's line shows its count: {text:?}");
    click(&session, tray_entry, "the tray's line").await;
    wait_until(
        &session,
        "return document.activeElement === document.querySelector(\"[data-testid='unsorted-tray']\");",
        "the rail's tray line puts the focus on the tray",
    )
    .await;

    // The keyboard: from the top of the page to the first field through the skip links.
    session
        .client
        .execute("document.activeElement.blur(); document.querySelector('.app-main').scrollTop = 0;", vec![])
        .await
        .unwrap();
    let mut keys = 0;
    let mut step = async |key: Key, expected: &str| {
        press(&session, key).await;
        keys += 1;
        wait_until(
            &session,
            &format!("return (() => {{ {FOCUSED} }})() === {};", json!(expected)),
            &format!("{expected} focused"),
        )
        .await;
    };
    step(Key::Tab, "skip-to-main").await;
    // Waited for, not read once: read right after the focus was seen, it failed once on a
    // loaded machine (load 6) and passed on its own. The link is visible only under `:focus`,
    // so a link that never shows still fails here, after the wait's timeout.
    wait_until(
        &session,
        "return document.activeElement.getBoundingClientRect().width > 20;",
        "a focused skip link is visible",
    )
    .await;
    session.save_screenshot("2-skip-link").await;
    step(Key::Enter, "#main-content").await;
    step(Key::Tab, "skip-to-materials").await;
    step(Key::Tab, "skip-to-fields").await;
    step(Key::Enter, "fields").await;
    press(&session, Key::Tab).await;
    keys += 1;
    let field = session
        .client
        .execute(
            "const el = document.activeElement;
             return el.closest(\"[data-testid='fields']\") !== null && ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(field, json!(true), "after the skip links, Tab is in a field: {}", focused(&session).await);
    assert!(keys <= 6, "{keys} keys to reach the first field");
    let in_view = session
        .client
        .execute(
            "const box = document.activeElement.getBoundingClientRect();
             return box.top >= 0 && box.bottom <= window.innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(in_view, json!(true), "the focused field is in view");
    // WebKit's screenshot is the last painted frame: wait for two more.
    session
        .client
        .execute_async("requestAnimationFrame(() => requestAnimationFrame(() => arguments[0](true)));", vec![])
        .await
        .unwrap();
    session.save_screenshot("3-first-field-by-keyboard").await;

    // The drawing's labels: Chinese alone by default.
    let labels = "return document.querySelector(\"[data-testid='plot-positions']\").textContent;";
    scroll_to(&session, "[data-testid='plot-positions']").await;
    let drawn = session.client.execute(labels, vec![]).await.unwrap();
    let drawn = drawn.as_str().unwrap_or_default();
    assert!(drawn.contains('北') && drawn.contains("经营场所"), "Chinese labels: {drawn:?}");
    assert!(!drawn.contains("premises"), "no English in the drawing by default: {drawn:?}");
    session.save_screenshot("4-drawing-chinese").await;
    // With 显示英文对照, the English follows the Chinese inside the drawing too.
    click(&session, "[data-testid='nav-settings']", "settings").await;
    click(&session, "[data-testid='show-english']", "show the English").await;
    click(&session, "[data-testid='nav-cases']", "the case list").await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case again").await;
    session.wait_for("[data-testid='plot-positions'] [data-testid='english']", "English in the drawing").await;
    let drawn: Value = session.client.execute(labels, vec![]).await.unwrap();
    let drawn = drawn.as_str().unwrap_or_default();
    let (chinese, english) = (drawn.find("经营场所").unwrap(), drawn.find("premises").expect("the English label"));
    assert!(chinese < english, "Chinese first: {drawn:?}");
    session.close().await;
}
