//! A measurement, not a test (ignored by default; `bench/app-import.sh` runs it): 200 photos
//! imported through the window while the page is asked, again and again, to read an element
//! (the web view's main thread) and to call a command through the shell (the IPC path and the
//! app's main thread). Prints the latencies and the import's duration; asserts only that the
//! import finished, never a time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{AppSession, click, create_case_with_cli};

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

fn summary(name: &str, mut millis: Vec<f64>) -> String {
    millis.sort_by(f64::total_cmp);
    format!(
        "{name}: {} samples, median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        millis.len(),
        percentile(&millis, 0.5),
        percentile(&millis, 0.95),
        millis.last().copied().unwrap_or(f64::NAN)
    )
}

#[tokio::test]
#[ignore = "a measurement: run by bench/app-import.sh"]
async fn import_200_photos_while_the_window_is_used() {
    let dir =
        PathBuf::from(std::env::var("INTAKE_BENCH_PHOTOS").expect("INTAKE_BENCH_PHOTOS names a folder of photos"));
    let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("jpg")))
        .collect();
    photos.sort();
    assert!(!photos.is_empty(), "no .jpg in {}", dir.display());

    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_with_cli(&home, "响应测试");
    let answer_file = work.path().join("dialog-answer.txt");
    let lines: Vec<String> = photos.iter().map(|path| path.display().to_string()).collect();
    std::fs::write(&answer_file, lines.join("\n")).unwrap();
    let env = [("INTAKE_TEST_DIALOG_ANSWER".to_string(), answer_file.display().to_string())];
    let session = AppSession::start_with_env("responsiveness", &home, work.path(), &env).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] button"), "the case").await;
    let slot = "[data-testid='slot-storefront_photo']";
    click(&session, &format!("{slot} [data-testid='add-files']"), "the slot").await;

    let started = Instant::now();
    let (mut dom, mut ipc) = (Vec::new(), Vec::new());
    loop {
        let asked = Instant::now();
        let done = session
            .client
            .execute(
                &format!("return document.querySelector(\"{slot} [data-testid='import-result']\") !== null"),
                vec![],
            )
            .await
            .unwrap();
        dom.push(asked.elapsed().as_secs_f64() * 1000.0);
        if done == json!(true) {
            break;
        }
        let asked = Instant::now();
        session
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke('list_cases', {}).then(() => done(true), () => done(false));",
                vec![],
            )
            .await
            .unwrap();
        ipc.push(asked.elapsed().as_secs_f64() * 1000.0);
        assert!(started.elapsed() < Duration::from_secs(1800), "the import did not finish in 30 minutes");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "imported {} photos through the window in {took:.1} s ({:.1} photos/s)",
        photos.len(),
        photos.len() as f64 / took
    );
    println!("{}", summary("reading an element (web view thread)", dom));
    println!("{}", summary("list_cases through the shell (IPC, app thread)", ipc));
    session.save_screenshot("imported").await;
    session.close().await;
}
