//! A measurement, not a test (ignored by default; `bench/app.sh` runs it on a data folder it
//! seeded): the case list of 1,000 cases, time to shown; the memory of the app and its WebKit
//! processes with a 300-photo case open and scrolled through; the frames while scrolling.
//! Prints `FIGURE name value` lines for the script; asserts only that the screens came, never
//! a time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{AppSession, PASSPHRASE, click, retype};

/// Resident memory (kB) of `pid` and every process below it (the WebKit web and network
/// processes are the app's children), Linux `/proc`; and their proportional set size (kB),
/// which counts a page shared by several of them (WebKit's libraries, mapped in all three)
/// once in all, where the sum of their RSS counts it in each.
fn rss_of_tree(pid: u32) -> (u64, Vec<String>, u64) {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().filter_map(|entry| entry.ok()) {
        let Some(child) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
        let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
        if let Some(ppid) = ppid {
            parents.push((child, ppid));
        }
    }
    let mut tree = vec![pid];
    let mut index = 0;
    while index < tree.len() {
        let parent = tree[index];
        tree.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(child, _)| *child));
        index += 1;
    }
    let mut total = 0;
    let mut each = Vec::new();
    let mut proportional = 0;
    for process in tree {
        let rollup = std::fs::read_to_string(format!("/proc/{process}/smaps_rollup")).unwrap_or_default();
        proportional += rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        let status = std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
        let name = status.lines().find_map(|line| line.strip_prefix("Name:")).unwrap_or("?").trim().to_string();
        let rss: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        // Anonymous (heaps: DOM, JS, decoded images), file-backed (libraries) and shared
        // (the painted tiles handed to the app's process) parts: where the memory goes.
        let part = |key: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(key))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
                / 1024
        };
        total += rss;
        each.push(format!(
            "{name} {} MB (anon {}, file {}, shmem {})",
            rss / 1024,
            part("RssAnon:"),
            part("RssFile:"),
            part("RssShmem:")
        ));
    }
    (total, each, proportional)
}

fn figure(name: &str, value: impl std::fmt::Display) {
    println!("FIGURE {name} {value}");
}

/// Milliseconds from a click on 案件列表 (from another screen, so the list mounts afresh and asks
/// the core) until `rows` rows (its first screenful: the list renders the rest as it is
/// scrolled) are in the page and two frames have been painted after.
/// Answers `[total, list mounted, rows in the page]`, each in ms from the click: where the time
/// goes (leaving the screen before, the core and IPC with React's render, the frames).
const LIST_SHOWN: &str = r#"
    const [rows, done] = [arguments[0], arguments[arguments.length - 1]];
    // When the list's section is in the page (mounted, asking the core), and when its rows are.
    let mounted = -1;
    let answered = -1;
    const fetchBefore = window.fetch;
    window.fetch = (resource, ...rest) => {
      const promise = fetchBefore(resource, ...rest);
      if (String(resource).includes('case_list')) promise.then(() => { answered = performance.now() - started; }, () => {});
      return promise;
    };
    const watch = new MutationObserver(() => {
      if (mounted < 0 && document.querySelector('section.case-list') !== null) mounted = performance.now() - started;
    });
    watch.observe(document.body, { childList: true, subtree: true });
    const started = performance.now();
    document.querySelector("[data-testid='nav-cases']").click();
    const check = () => {
      if (document.querySelectorAll('tr[data-case-id]').length >= rows) {
        const inPage = performance.now() - started;
        watch.disconnect();
        window.fetch = fetchBefore;
        requestAnimationFrame(() => requestAnimationFrame(() => done([performance.now() - started, mounted, inPage, answered])));
      } else {
        setTimeout(check, 1);
      }
    };
    check();
"#;

/// Milliseconds of one `case_list` command through IPC (the core's part and the transfer).
const LIST_COMMAND: &str = r#"
    const done = arguments[arguments.length - 1];
    const started = performance.now();
    window.__TAURI_INTERNALS__
      .invoke('case_list', { query: { search: '', state: null, order: 'last_change' } })
      .then((listing) => done([performance.now() - started, listing.cases.length]), (e) => done([-1, String(e)]));
"#;

/// Scrolls the page's scrolling element from top to bottom, 240 px a frame (a fast flick),
/// and gives the intervals between frames (ms).
const SCROLL_THROUGH: &str = r#"
    const done = arguments[arguments.length - 1];
    const last = [...document.querySelectorAll("[data-testid='file']")].pop();
    let scroller = last;
    while (scroller && scroller !== document.body && !(scroller.scrollHeight > scroller.clientHeight + 10 &&
           ['auto', 'scroll'].includes(getComputedStyle(scroller).overflowY))) {
      scroller = scroller.parentElement;
    }
    if (!scroller || scroller === document.body) scroller = document.scrollingElement;
    scroller.scrollTop = 0;
    const frames = [];
    let previous = performance.now();
    const step = (now) => {
      frames.push(now - previous);
      previous = now;
      const before = scroller.scrollTop;
      scroller.scrollTop = before + 240;
      if (scroller.scrollTop === before) {
        done(frames.slice(1));
      } else {
        requestAnimationFrame(step);
      }
    };
    requestAnimationFrame(step);
"#;

/// What the page holds: its elements, the file cards rendered and the elements of one card,
/// the thumbnails shown, and the size of the case's check as the window receives it (JSON),
/// which the case view keeps in its state.
const PAGE_FACTS: &str = r#"
    const done = arguments[arguments.length - 1];
    const cards = [...document.querySelectorAll("[data-testid='file']")];
    const perCard = cards.length === 0 ? 0 : cards.reduce((sum, card) => sum + card.getElementsByTagName('*').length + 1, 0) / cards.length;
    const facts = {
      elements: document.getElementsByTagName('*').length,
      file_cards: cards.length,
      elements_per_card: Math.round(perCard),
      thumbnails_shown: document.querySelectorAll("[data-testid='thumbnail-image']").length,
    };
    const caseId = document.querySelector("[data-testid='case-view']")?.dataset.caseId;
    if (caseId === undefined) { done(facts); return; }
    window.__TAURI_INTERNALS__.invoke('check_case', { case_id: caseId }).then((check) => {
      facts.check_case_kb = Math.round(JSON.stringify(check, (_, v) => typeof v === 'bigint' ? String(v) : v).length / 1024);
      facts.findings = check.findings.length;
      done(facts);
    }, (e) => { facts.check_case_error = String(e); done(facts); });
"#;

async fn page_facts(session: &AppSession, name: &str) {
    let facts = run(session, PAGE_FACTS, vec![]).await;
    figure(name, facts);
}

fn stats(name: &str, mut millis: Vec<f64>) {
    millis.sort_by(f64::total_cmp);
    let at = |fraction: f64| millis[((millis.len() - 1) as f64 * fraction).round() as usize];
    if millis.is_empty() {
        figure(name, "none");
        return;
    }
    figure(
        name,
        format!("n={} min={:.0} median={:.0} p95={:.0} max={:.0}", millis.len(), at(0.0), at(0.5), at(0.95), at(1.0)),
    );
}

async fn run(session: &AppSession, script: &str, args: Vec<Value>) -> Value {
    session.client.execute_async(script, args).await.unwrap_or_else(|err| panic!("the script failed: {err}"))
}

async fn count(session: &AppSession, css: &str) -> u64 {
    let script = format!("return document.querySelectorAll(\"{css}\").length");
    session.client.execute(&script, vec![]).await.unwrap().as_u64().unwrap()
}

#[tokio::test]
#[ignore = "a measurement: run by bench/app.sh"]
async fn case_list_and_a_300_photo_case_in_the_window() {
    let home = PathBuf::from(std::env::var("INTAKE_BENCH_HOME").expect("INTAKE_BENCH_HOME: the seeded data folder"));
    let big = std::env::var("INTAKE_BENCH_BIG_CASE").expect("INTAKE_BENCH_BIG_CASE: the case with the photos");
    let cases: u64 = std::env::var("INTAKE_BENCH_CASES").expect("INTAKE_BENCH_CASES").parse().unwrap();
    let work = tempfile::tempdir().unwrap();
    let session = AppSession::start_as_is("app-figures", Path::new(&home), work.path(), &[]).await;
    // A slow machine scrolls 300 cards for longer than WebDriver's 30 s default.
    let minutes = Some(Duration::from_secs(600));
    session.client.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(minutes, None, None)).await.unwrap();
    let first_rows = cases.min(60);

    // Unlocked: the first list after the start, every case checked unless its summary is stored.
    session.unlock_with(PASSPHRASE).await;
    let unlocked = Instant::now();
    loop {
        if count(&session, "tr[data-case-id]").await >= first_rows {
            break;
        }
        assert!(unlocked.elapsed() < Duration::from_secs(600), "the list of {cases} cases never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    figure("first_list_after_unlock_ms", format!("{:.0}", unlocked.elapsed().as_secs_f64() * 1000.0));

    let mut shown = Vec::new();
    let mut answered = Vec::new();
    let mut in_page = Vec::new();
    let mut fetched = Vec::new();
    let mut command = Vec::new();
    for _ in 0..5 {
        // Away to the outbox, then back: the list mounts and asks the core again.
        click(&session, "[data-testid='nav-outbox']", "the outbox").await;
        session.wait_until_gone("[data-testid='case-table']", "the case list, after leaving it").await;
        let times = run(&session, LIST_SHOWN, vec![json!(first_rows)]).await;
        shown.push(times[0].as_f64().unwrap());
        answered.push(times[1].as_f64().unwrap());
        in_page.push(times[2].as_f64().unwrap());
        fetched.push(times[3].as_f64().unwrap());
        let answer = run(&session, LIST_COMMAND, vec![]).await;
        assert_eq!(answer[1], json!(cases), "case_list answered {answer}");
        command.push(answer[0].as_f64().unwrap());
    }
    stats("case_list_shown_ms", shown);
    stats("case_list_mounted_ms", answered);
    stats("case_list_rows_in_page_ms", in_page);
    stats("case_list_fetched_ms", fetched);
    stats("case_list_command_ms", command);

    // The 300-photo case: opened, memory, scrolled through (thumbnails load as they come into
    // view), memory again.
    let pid = session.app_pid().expect("the app's process");
    let (before, _, _) = rss_of_tree(pid);
    figure("rss_with_list_mb", before / 1024);
    page_facts(&session, "page_with_list").await;
    // A case without files open: the case view's own share, before any photo.
    click(&session, &format!("tr[data-case-id]:not([data-case-id='{big}']) button"), "a case without files").await;
    session.wait_for("[data-testid='case-view']", "the case without files").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (empty_rss, each, _) = rss_of_tree(pid);
    figure("rss_empty_case_open_mb", empty_rss / 1024);
    figure("rss_empty_case_open_processes", each.join(", "));
    click(&session, "[data-testid='back']", "back to the list").await;
    session.wait_for("tr[data-case-id]", "the list again").await;
    // Found by its id (the list renders its first rows; the oldest case is at the end).
    retype(&session, "[data-testid='case-search']", &big).await;
    session.wait_for(&format!("tr[data-case-id='{big}'] button"), "the 300-photo case, searched").await;
    if std::env::var("INTAKE_BENCH_NO_THUMBNAILS").is_ok_and(|set| !set.is_empty()) {
        // An experiment (BENCH_NO_THUMBNAILS=1 bench/app.sh): the thumbnails are asked for and
        // received as always, but never shown (their object URLs point at nothing), to tell the
        // decoded pictures' share of the memory from the rest.
        session.client.execute("URL.createObjectURL = () => 'data:,';", vec![]).await.unwrap();
    }
    let opened = Instant::now();
    click(&session, &format!("tr[data-case-id='{big}'] button"), "the 300-photo case").await;
    session.wait_for("[data-testid='file']", "the case's files").await;
    figure("big_case_shown_ms", format!("{:.0}", opened.elapsed().as_secs_f64() * 1000.0));
    // The photos' slot may start below the first screen: brought into view, as a manager would.
    let opened = Instant::now();
    session
        .client
        .execute("document.querySelector(\"[data-testid='file']\").scrollIntoView({block: 'start'})", vec![])
        .await
        .unwrap();
    // Every file keeps its card (its <li>) even where only those near the view are rendered.
    let photos = count(&session, "[data-testid='file']").await;
    figure("big_case_files", photos);
    // The thumbnails in view load; those below do not until they come near.
    let waiting = Instant::now();
    while count(&session, "[data-testid='thumbnail-image']").await == 0 && waiting.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    figure("first_thumbnail_ms", format!("{:.0}", opened.elapsed().as_secs_f64() * 1000.0));
    tokio::time::sleep(Duration::from_secs(3)).await;
    figure("thumbnails_loaded_before_scrolling", count(&session, "[data-testid='thumbnail-image']").await);
    let (opened_rss, each, opened_pss) = rss_of_tree(pid);
    figure("rss_big_case_open_mb", opened_rss / 1024);
    figure("pss_big_case_open_mb", opened_pss / 1024);
    figure("rss_big_case_open_processes", each.join(", "));
    page_facts(&session, "page_big_case_open").await;
    let frames: Vec<f64> = run(&session, SCROLL_THROUGH, vec![])
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|frame| frame.as_f64().unwrap())
        .collect();
    stats("scroll_frame_interval_ms", frames);
    // Scrolled to the end: the thumbnails near the end are loaded, those far above let go.
    tokio::time::sleep(Duration::from_secs(3)).await;
    figure("thumbnails_loaded_after_scrolling", count(&session, "[data-testid='thumbnail-image']").await);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (scrolled_rss, each, scrolled_pss) = rss_of_tree(pid);
    figure("rss_big_case_scrolled_mb", scrolled_rss / 1024);
    figure("pss_big_case_scrolled_mb", scrolled_pss / 1024);
    figure("rss_big_case_scrolled_processes", each.join(", "));
    page_facts(&session, "page_big_case_scrolled").await;
    // Back at the first photos, the window left alone for a while: what stays is held, not
    // garbage waiting for the collector.
    session
        .client
        .execute("document.querySelector(\"[data-testid='file']\").scrollIntoView({block: 'start'})", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(15)).await;
    let (settled_rss, each, settled_pss) = rss_of_tree(pid);
    figure("rss_big_case_back_mb", settled_rss / 1024);
    figure("pss_big_case_back_mb", settled_pss / 1024);
    figure("rss_big_case_back_processes", each.join(", "));
    page_facts(&session, "page_big_case_back").await;
    session.close().await;
}
