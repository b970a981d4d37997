//! `intake add --unsorted`, `intake tray`, `intake assign` as a script uses them: a phone
//! folder into the 未分类 tray, the suggestions, an assignment with the slot's findings, a file
//! withdrawn from the tray, and the export refused (exit 1, `unsorted_files_remain`) until the
//! tray is empty, even when asked to go ahead incomplete.

use crate::corrections::{VISIT, photo};
use crate::harness::Sandbox;

#[test]
fn a_folder_goes_into_the_tray_and_out_again_through_assign_and_withdraw() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&VISIT);
    sandbox.file("DCIM/IMG_0001.jpg", &photo(1, 900.0, "2026:11:20 10:22:33"));
    sandbox.file("DCIM/Camera/IMG_0002.jpg", &photo(2, 10.0, "2026:11:20 10:25:00"));
    let folder = sandbox.home().parent().unwrap().join("input").join("DCIM");

    let run = sandbox.run(["add", "--case", &id, "--unsorted", folder.to_str().unwrap(), "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let added = run.json();
    assert_eq!(added["material"], "unsorted");
    assert_eq!(added["files"].as_array().unwrap().len(), 2, "the folder and its subfolder");
    // --material and --unsorted are one or the other.
    let run = sandbox.run(["add", "--case", &id, "--unsorted", "--material", "storefront_photo", "x.jpg"]);
    assert_eq!(run.status, 2);

    let run = sandbox.run(["tray", "--case", &id, "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let tray = run.json();
    let suggested: Vec<(&str, &str)> = tray["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| (file["evidence"]["original_name"].as_str().unwrap(), file["suggested_material"].as_str().unwrap()))
        .collect();
    assert_eq!(suggested, [("IMG_0002.jpg", "storefront_photo"), ("IMG_0001.jpg", "interior_photo")]);

    // Not exported while the tray holds files, not even as incomplete.
    let out = sandbox.home().parent().unwrap().join("p.zip");
    let run = sandbox.run([
        "export",
        "--case",
        &id,
        "--out",
        out.to_str().unwrap(),
        "--allow-incomplete",
        "--reason",
        "测试",
        "--json",
    ]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "unsorted_files_remain");

    // Assigned: the finding of the slot at once.
    let run = sandbox.run(["assign", "--case", &id, "--to", "storefront_photo", "IMG_0001.jpg", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let assigned = run.json();
    let codes: Vec<&str> = assigned["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"outside_site_radius"), "{codes:?}");
    // A name not in the tray any more.
    let run = sandbox.run(["assign", "--case", &id, "--to", "interior_photo", "IMG_0001.jpg", "--json"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("未分类"), "{}", run.stderr);

    let run = sandbox.run([
        "withdraw",
        "--case",
        &id,
        "--material",
        "unsorted",
        "--file",
        "IMG_0002.jpg",
        "--reason",
        "与本案无关",
        "--json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = sandbox.run(["check", "--case", &id, "--json"]);
    assert_eq!(run.json()["summary"]["unsorted_files"], 0);
    let run = sandbox.run(["audit", "--case", &id, "--json"]);
    assert_eq!(run.status, 0, "the audit chain is whole: {}", run.stdout);
}

/// A camera folder with a named pipe and a dangling link in it: each is named as not added,
/// where they were skipped without a word; the photo beside them goes in.
#[cfg(unix)]
#[test]
fn what_a_folder_holds_that_is_not_a_file_is_named_not_skipped() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[]);
    let folder = sandbox.dir.path().join("DCIM");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("IMG_0001.jpg"), crate::harness::placeholder("IMG_0001.jpg")).unwrap();
    std::os::unix::fs::symlink(folder.join("gone.jpg"), folder.join("link.jpg")).unwrap();
    let made = std::process::Command::new("mkfifo").arg(folder.join("pipe.jpg")).status().unwrap();
    assert!(made.success());
    let run = sandbox.run(["add", "--case", &id, "--unsorted", folder.to_str().unwrap(), "--json"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("link.jpg") && run.stderr.contains("no such file"), "{}", run.stderr);
    assert!(run.stderr.contains("pipe.jpg") && run.stderr.contains("not a regular file"), "{}", run.stderr);
    let files = run.json()["files"].as_array().unwrap().clone();
    let added: Vec<&str> = files
        .iter()
        .filter(|file| file["status"] == "added")
        .map(|file| file["evidence"]["original_name"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["IMG_0001.jpg"]);
}
