//! Crash safety, proven: `intake add` is killed with SIGKILL at several different moments of
//! a large multi-file import, and each time the data folder must hold only whole evidence.
//!
//! The moments are chosen by watching the import, not by guessing times: while a temp file is
//! being written (a database that recorded a file before its bytes were in place fails here),
//! right after the first object got its final name, after a few files were recorded, and at
//! fixed delays. After each kill:
//! - the database opens and passes `PRAGMA integrity_check`;
//! - every recorded file exists in the vault, has the recorded size, hashes to its name, and
//!   is one of the source files whole (no partial file is ever visible as evidence);
//! - the next open removes the leftovers (temp files, unrecorded objects);
//! - running the same import again completes it, with the files recorded before the kill
//!   reported as already present.

#![cfg(unix)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::harness::OutputOnceStarted;
use crate::harness::{Sandbox, sha256_of};

const FILES: usize = 8;
const FILE_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
enum KillMoment {
    /// A temp file in `vault/tmp` has bytes in it: a copy is under way.
    WhileCopying,
    /// The first object has its final name in `vault/objects`.
    AfterFirstRename,
    /// At least this many files are recorded in the database.
    AfterRecords(usize),
    /// A fixed time after start.
    After(Duration),
}

#[test]
fn sigkill_at_any_moment_of_a_large_add_leaves_only_whole_recorded_evidence() {
    let sandbox = Sandbox::new();
    let sources = make_sources(&sandbox);
    let source_hashes: HashMap<String, PathBuf> = sources.iter().map(|path| (sha256_of(path), path.clone())).collect();

    let moments = [
        KillMoment::WhileCopying,
        KillMoment::AfterFirstRename,
        KillMoment::AfterRecords(1),
        KillMoment::AfterRecords(3),
        KillMoment::After(Duration::from_millis(5)),
        KillMoment::After(Duration::from_millis(40)),
        KillMoment::After(Duration::from_millis(150)),
    ];
    let mut killed_while_running = 0;
    for moment in moments {
        // Each moment gets a fresh data folder, so what one kill left cannot hide another.
        let home =
            sandbox.dir.path().join(format!("home-{moment:?}").replace([' ', '(', ')', '{', '}', ':', ','], "_"));
        let id = new_case(&home);
        let mut child = spawn_add(&home, &id, &sources);
        let fired = wait_for(moment, &home, &mut child);
        child.kill().ok();
        child.wait().unwrap();
        if fired {
            killed_while_running += 1;
        }

        check_recorded_evidence_is_whole(&home, &source_hashes, moment);
        let recorded_before = recorded_hashes(&home);

        // The next open cleans up: no temp files, no unrecorded objects.
        let list = crate::harness::intake_binary();
        let status = std::process::Command::new(&list)
            .arg("--home")
            .arg(&home)
            .args(["case", "list"])
            .output_once_started()
            .unwrap();
        assert!(status.status.success(), "{moment:?}: the data folder does not open after the kill");
        assert_eq!(std::fs::read_dir(home.join("vault/tmp")).unwrap().count(), 0, "{moment:?}: temp files left");
        let objects = object_names(&home);
        assert!(objects.is_subset(&recorded_before), "{moment:?}: unrecorded objects remain after the next open");

        // Running the import again completes it.
        let rerun = std::process::Command::new(&list)
            .arg("--home")
            .arg(&home)
            .args(["add", "--case", &id, "--material", "storefront_photo", "--json"])
            .args(&sources)
            .output_once_started()
            .unwrap();
        assert!(rerun.status.success(), "{moment:?}: the re-run failed: {}", String::from_utf8_lossy(&rerun.stderr));
        let body: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
        for file in body["files"].as_array().unwrap() {
            let sha = file["evidence"]["sha256"].as_str().unwrap();
            let expected = if recorded_before.contains(sha) { "already_present" } else { "added" };
            assert_eq!(file["status"], expected, "{moment:?}: {sha}");
        }
        assert_eq!(recorded_hashes(&home).len(), FILES, "{moment:?}: not every file is recorded after the re-run");
        check_recorded_evidence_is_whole(&home, &source_hashes, moment);
    }
    assert!(
        killed_while_running >= 4,
        "only {killed_while_running} kills landed while the import was running: the test proves nothing"
    );
    for (sha, path) in &source_hashes {
        assert_eq!(&sha256_of(path), sha, "a source file was modified");
    }
}

fn make_sources(sandbox: &Sandbox) -> Vec<PathBuf> {
    // Distinct pseudo-random content per file (xorshift), so every file has its own hash and
    // nothing compresses or deduplicates.
    (0..FILES)
        .map(|index| {
            let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (index as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D);
            let mut content = Vec::with_capacity(FILE_BYTES);
            while content.len() < FILE_BYTES {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                content.extend_from_slice(&state.to_le_bytes());
            }
            sandbox.file(&format!("IMG_{index:04}.jpg"), &content)
        })
        .collect()
}

fn new_case(home: &Path) -> String {
    let output = std::process::Command::new(crate::harness::intake_binary())
        .arg("--home")
        .arg(home)
        .args(["case", "new", "--json"])
        .output_once_started()
        .unwrap();
    assert!(output.status.success());
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    body["id"].as_str().unwrap().to_string()
}

fn spawn_add(home: &Path, id: &str, sources: &[PathBuf]) -> Child {
    std::process::Command::new(crate::harness::intake_binary())
        .arg("--home")
        .arg(home)
        .args(["add", "--case", id, "--material", "storefront_photo"])
        .args(sources)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn_once_started()
        .unwrap()
}

/// Polls until the moment comes; returns false if the import finished first.
fn wait_for(moment: KillMoment, home: &Path, child: &mut Child) -> bool {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let reached = match moment {
            KillMoment::WhileCopying => std::fs::read_dir(home.join("vault/tmp"))
                .map(|entries| entries.flatten().any(|entry| entry.metadata().map(|m| m.len() > 0).unwrap_or(false)))
                .unwrap_or(false),
            KillMoment::AfterFirstRename => home.join("vault/objects").is_dir() && !object_names(home).is_empty(),
            KillMoment::AfterRecords(count) => recorded_count(home) >= count,
            KillMoment::After(delay) => start.elapsed() >= delay,
        };
        if reached {
            return true;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "{moment:?} never came");
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn open_read_only(home: &Path) -> Option<rusqlite::Connection> {
    let path = home.join("intake.sqlite3");
    if !path.exists() {
        return None;
    }
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()
}

fn recorded_count(home: &Path) -> usize {
    open_read_only(home)
        .and_then(|connection| {
            connection.query_row("SELECT count(*) FROM evidence", [], |row| row.get::<_, i64>(0)).ok()
        })
        .unwrap_or(0) as usize
}

fn recorded_hashes(home: &Path) -> HashSet<String> {
    let connection = open_read_only(home).expect("the database exists");
    let mut statement = connection.prepare("SELECT sha256 FROM evidence").unwrap();
    statement.query_map([], |row| row.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

fn object_names(home: &Path) -> HashSet<String> {
    let mut names = HashSet::new();
    let Ok(fan_outs) = std::fs::read_dir(home.join("vault/objects")) else { return names };
    for fan_out in fan_outs.flatten() {
        for entry in std::fs::read_dir(fan_out.path()).into_iter().flatten().flatten() {
            names.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names
}

fn check_recorded_evidence_is_whole(home: &Path, sources: &HashMap<String, PathBuf>, moment: KillMoment) {
    let connection = rusqlite::Connection::open(home.join("intake.sqlite3")).unwrap();
    let verdict: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(verdict, "ok", "{moment:?}: integrity check");
    let mut statement = connection.prepare("SELECT sha256, bytes FROM evidence").unwrap();
    let rows: Vec<(String, i64)> =
        statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).unwrap().map(Result::unwrap).collect();
    for (sha, bytes) in rows {
        let object = home.join("vault/objects").join(&sha[..2]).join(&sha);
        assert!(object.is_file(), "{moment:?}: recorded file {sha} is not in the vault");
        assert_eq!(std::fs::metadata(&object).unwrap().len() as i64, bytes, "{moment:?}: {sha} has the wrong size");
        assert_eq!(sha256_of(&object), sha, "{moment:?}: {sha} does not hash to its name");
        assert!(sources.contains_key(&sha), "{moment:?}: {sha} is not one of the source files");
    }
}

/// An almost black photo without EXIF: `exif_missing` in a site photo's slot (read in the
/// first phase, from its metadata) and `too_dark` (read in the second, from its pixels).
fn dark_jpeg(seed: u8) -> Vec<u8> {
    let pixels: Vec<u8> = (0..320u32 * 240 * 3).map(|index| ((index / 3 % 320 / 16) as u8 % 3) + seed % 4).collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(&pixels, 320, 240, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn pending_pixel_checks(home: &Path) -> usize {
    let connection = open_read_only(home).expect("the database exists");
    connection
        .query_row("SELECT COUNT(*) FROM evidence_facts WHERE pixels_pending = 1", [], |row| row.get::<_, i64>(0))
        .unwrap() as usize
}

/// Issue 19: an `add` that dies between its two phases (the fault seam aborts it once every
/// file is recorded with its metadata, before any pixel check) keeps every file; the database
/// says which still wait for their pixel checks, and the next command that opens the folder
/// alone finishes them, so `check` then shows the pixel findings and the thumbnails exist.
#[test]
fn an_add_killed_between_its_two_phases_keeps_its_files_and_the_next_open_finishes_their_pixel_checks() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment"]);
    let sources: Vec<PathBuf> =
        (0..3).map(|seed| sandbox.file(&format!("dark-{seed}.jpg"), &dark_jpeg(seed))).collect();
    let mut args = vec!["add".to_string(), "--case".into(), id.clone(), "--material".into(), "storefront_photo".into()];
    args.extend(sources.iter().map(|path| path.display().to_string()));
    let killed =
        sandbox.command(&args).env("INTAKE_FAULT_ABORT_BEFORE_PIXEL_CHECKS", "1").output_once_started().unwrap();
    assert!(!killed.status.success(), "the fault seam did not stop it");
    let home = sandbox.home();
    assert_eq!(recorded_hashes(&home).len(), 3, "every file recorded in the first phase");
    assert_eq!(pending_pixel_checks(&home), 3, "their pixel checks are recorded as pending");
    let thumbnails = || {
        std::fs::read_dir(home.join("vault/thumbs"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|fan_out| std::fs::read_dir(fan_out.path()).into_iter().flatten().count())
            .sum::<usize>()
    };
    assert_eq!(thumbnails(), 0, "no thumbnail before the pixel checks");

    let check = sandbox.run(["check", "--case", &id, "--json"]);
    let json = check.json();
    assert_eq!(pending_pixel_checks(&home), 0, "the next open finished them");
    assert_eq!(thumbnails(), 3);
    let storefront = json["items"].as_array().unwrap().iter().find(|item| item["key"] == "storefront_photo").unwrap();
    for file in storefront["files"].as_array().unwrap() {
        assert_eq!(file["pixel_checks_pending"], false);
        assert_eq!(file["checked"], true);
        let codes: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|finding| finding["sha256"] == file["sha256"])
            .map(|finding| finding["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"exif_missing") && codes.contains(&"too_dark"), "{codes:?}");
    }
}
