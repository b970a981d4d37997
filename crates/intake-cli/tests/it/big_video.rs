//! A site video larger than the 200 MiB the checks read into memory (`add` accepts up to 2 GiB)
//! is inspected from disk: its metadata is read by seeking, so it is checked like a small one
//! instead of being `unreadable` and blocking its checklist item.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::harness::Sandbox;

/// 210 MiB: over the checks' 200 MiB in-memory limit.
const PADDING: u64 = 210 * 1024 * 1024;

fn corpus_file(name: &str) -> PathBuf {
    let folder = std::env::var_os("INTAKE_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-real"));
    folder.join("files").join(name)
}

/// The corpus movie with a `free` box of [`PADDING`] bytes inserted after its `ftyp` box (so
/// the metadata lies beyond it, as in a long recording whose `moov` comes last). The padding
/// is a hole in a sparse file: nothing is written for it.
fn padded_copy(sandbox: &Sandbox, name: &str) -> PathBuf {
    let source = std::fs::read(corpus_file(name)).expect("the corpus lives in ../shared/corpus/exif-real");
    let ftyp = u32::from_be_bytes(source[0..4].try_into().unwrap()) as usize;
    assert_eq!(&source[4..8], b"ftyp");
    let path = sandbox.dir.path().join("input").join(format!("big-{name}"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&source[..ftyp]).unwrap();
    file.write_all(&(PADDING as u32).to_be_bytes()).unwrap();
    file.write_all(b"free").unwrap();
    file.seek(SeekFrom::Start(ftyp as u64 + PADDING)).unwrap();
    file.write_all(&source[ftyp..]).unwrap();
    path
}

fn inspection(sandbox: &Sandbox, path: &Path) -> serde_json::Value {
    let run = sandbox.run(["inspect", "--json", path.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run.json()["files"][0].clone()
}

#[test]
fn a_video_over_200_mib_is_inspected_added_and_checked_like_a_small_one() {
    let sandbox = Sandbox::new();
    for name in ["mp4-gps-west.mp4", "apple-iphone-6-gps.mov"] {
        let big = padded_copy(&sandbox, name);
        let small = inspection(&sandbox, &corpus_file(name));
        let large = inspection(&sandbox, &big);
        assert!(large["bytes"].as_u64().unwrap() > PADDING);
        assert_eq!(large["error"], serde_json::Value::Null, "{name}: {large}");
        for field in ["media_type", "width", "height", "exif"] {
            assert_eq!(large[field], small[field], "{name}: {field}");
        }
        assert!(large["exif"]["gps"]["lat"].is_number(), "{name}: the test needs a video with a position");
        assert_eq!(large["sha256"].as_str().unwrap().len(), 64);
    }

    let big = padded_copy(&sandbox, "mp4-gps-west.mp4");
    let id = sandbox.new_case(&["--opens-payment"]);
    let run = sandbox.run(["add", "--json", "--case", &id, "--material", "inspection_video", big.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let check = sandbox.run(["check", "--case", &id, "--json"]).json();
    let findings: Vec<&str> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["material"] == "inspection_video")
        .map(|finding| finding["code"].as_str().unwrap())
        .collect();
    assert!(!findings.contains(&"unreadable"), "{findings:?}");
    let item = check["items"].as_array().unwrap().iter().find(|item| item["key"] == "inspection_video").unwrap();
    assert_eq!(item["status"], "ok", "{item}");
}
