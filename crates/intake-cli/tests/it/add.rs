//! `intake add`: storing, idempotence, and bad input that loses nothing.

use crate::harness::{Sandbox, sha256_of};

#[test]
fn add_stores_each_file_in_the_vault_under_its_sha256() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment"]);
    let a = sandbox.file("a.jpg", b"\xFF\xD8\xFF\xE0 first storefront photo");
    let b = sandbox.file("b.jpg", b"\xFF\xD8\xFF\xE0 second storefront photo");
    let run = sandbox.run([
        "add",
        "--case",
        &id,
        "--material",
        "storefront_photo",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let body = run.json();
    let files = body["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for (file, path) in files.iter().zip([&a, &b]) {
        let sha = sha256_of(path);
        assert_eq!(file["status"], "added");
        assert_eq!(file["evidence"]["sha256"], sha.as_str());
        assert_eq!(file["evidence"]["material_key"], "storefront_photo");
        let stored = sandbox.home().join("vault/objects").join(&sha[..2]).join(&sha);
        assert_eq!(std::fs::read(stored).unwrap(), std::fs::read(path).unwrap());
    }
    let shown = sandbox.run(["case", "show", &id, "--json"]).json();
    assert_eq!(shown["evidence"].as_array().unwrap().len(), 2);
}

#[test]
fn adding_the_same_bytes_to_the_same_material_again_says_so_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[]);
    let a = sandbox.file("a.jpg", b"same bytes");
    let args = ["add", "--case", &id, "--material", "interior_photo", a.to_str().unwrap()];
    assert_eq!(sandbox.run(args).status, 0);
    let again = sandbox.run(args);
    assert_eq!(again.status, 0);
    assert!(again.stdout.contains("already present"), "{}", again.stdout);
    let json = sandbox.run(args.iter().chain(&["--json"])).json();
    assert_eq!(json["files"][0]["status"], "already_present");
    assert_eq!(sandbox.run(["case", "show", &id, "--json"]).json()["evidence"].as_array().unwrap().len(), 1);
}

#[test]
fn each_bad_file_gets_one_line_naming_it_and_the_good_ones_are_stored() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[]);
    let good = sandbox.file("good.jpg", b"good");
    let empty = sandbox.file("empty.jpg", b"");
    let missing = sandbox.dir.path().join("input/missing.jpg");
    let folder = sandbox.dir.path().join("input");
    let run = sandbox.run([
        "add",
        "--case",
        &id,
        "--material",
        "storefront_photo",
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
        folder.to_str().unwrap(),
        empty.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status, 2, "bad input exits 2");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "one line per bad file: {}", run.stderr);
    assert!(lines[0].contains("missing.jpg") && lines[0].contains("no such file"));
    assert!(lines[1].contains("input") && lines[1].contains("folder"));
    assert!(lines[2].contains("empty.jpg") && lines[2].contains("empty"));
    let files = run.json()["files"].as_array().unwrap().clone();
    let statuses: Vec<&str> = files.iter().map(|file| file["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["failed", "added", "failed", "failed"]);
    assert_eq!(files[0]["error"]["code"], "file_missing");
    assert_eq!(files[2]["error"]["code"], "not_a_file");
    assert_eq!(files[3]["error"]["code"], "file_empty");
}

#[test]
fn add_tells_at_once_what_the_checks_found_on_the_files_it_added() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment"]);
    // A text file named like a photo, and a JPEG whose second half was never copied.
    let text = sandbox.file("门头.jpg", b"not a photo at all");
    let photo = crate::harness::placeholder("whole.jpg");
    let cut = sandbox.file("cut.jpg", &[&photo[..photo.len() / 2], &[0xFF, 0xD9][..]].concat());
    let args = ["add", "--case", &id, "--material", "storefront_photo", text.to_str().unwrap(), cut.to_str().unwrap()];
    let run = sandbox.run(args);
    assert_eq!(run.status, 0, "the files are added: {}", run.stderr);
    for name in ["门头.jpg", "cut.jpg"] {
        let after = run.stdout.split(name).nth(1).unwrap_or_else(|| panic!("{name} listed: {}", run.stdout));
        let next_line = after.lines().nth(1).unwrap_or_default();
        assert!(next_line.contains("✗ unreadable"), "{name}: the finding right under it: {}", run.stdout);
    }
    assert!(run.stdout.contains("2 个有错误须处理 with errors to resolve"), "{}", run.stdout);

    let again = sandbox.run(args.iter().copied().chain(["--json"]));
    let findings = again.json()["findings"].as_array().unwrap().clone();
    let codes: Vec<(&str, &str)> =
        findings.iter().map(|finding| (finding["file"].as_str().unwrap(), finding["code"].as_str().unwrap())).collect();
    assert!(codes.contains(&("门头.jpg", "unreadable")) && codes.contains(&("cut.jpg", "unreadable")), "{codes:?}");
}

#[test]
fn a_file_name_with_a_newline_or_a_direction_override_stays_on_its_one_line() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[]);
    let missing = sandbox.dir.path().join("nl\nmissing.jpg");
    let spoofed = sandbox.dir.path().join("x\u{202E}gpj.exe");
    let run = sandbox.run([
        "add",
        "--case",
        &id,
        "--material",
        "storefront_photo",
        missing.to_str().unwrap(),
        spoofed.to_str().unwrap(),
    ]);
    assert_eq!(run.status, 2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one line per file: {:?}", run.stderr);
    assert!(lines[0].contains("nl_missing.jpg"), "{}", lines[0]);
    assert!(lines[1].contains("x_gpj.exe") && !lines[1].contains('\u{202E}'), "{}", lines[1]);
}

#[cfg(unix)]
#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it() {
    // A sparse file: 2 GiB + 1 byte on paper, nothing on disk.
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[]);
    let huge = sandbox.dir.path().join("input/huge.mov");
    std::fs::create_dir_all(huge.parent().unwrap()).unwrap();
    std::fs::File::create(&huge).unwrap().set_len(2 * 1024 * 1024 * 1024 + 1).unwrap();
    let run = sandbox.run(["add", "--case", &id, "--material", "inspection_video", huge.to_str().unwrap()]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("huge.mov") && run.stderr.contains("limit"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(sandbox.home().join("vault/tmp")).unwrap().count(), 0);
}

#[test]
fn adding_to_a_case_that_does_not_exist_exits_2() {
    let sandbox = Sandbox::new();
    let a = sandbox.file("a.jpg", b"x");
    let run = sandbox.run(["add", "--case", "20990101-NOSUCH", "--material", "storefront_photo", a.to_str().unwrap()]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("20990101-NOSUCH"));
}

/// Permission tests need a user that permissions apply to: as root (CI), the runs drop to
/// the unprivileged `nobody` account.
#[cfg(unix)]
mod permissions {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    use std::path::Path;

    use crate::harness::{Run, Sandbox};

    const NOBODY: u32 = 65534;

    /// True when this process ignores file permissions (root, or CAP_DAC_OVERRIDE).
    fn permissions_are_bypassed(dir: &Path) -> bool {
        let probe = dir.join("permission-probe");
        std::fs::write(&probe, b"x").unwrap();
        std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
        let readable = std::fs::File::open(&probe).is_ok();
        std::fs::remove_file(&probe).unwrap();
        readable
    }

    fn chmod_tree(path: &Path, dir_mode: u32, file_mode: u32) {
        let mode = if path.is_dir() { dir_mode } else { file_mode };
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                chmod_tree(&entry.unwrap().path(), dir_mode, file_mode);
            }
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn run_unprivileged(sandbox: &Sandbox, privileged: bool, args: &[&str]) -> Run {
        let mut command = sandbox.command(args);
        if privileged {
            command.uid(NOBODY).gid(NOBODY);
        }
        command.output().unwrap().into()
    }

    #[test]
    fn an_unreadable_file_is_named_and_the_others_are_stored() {
        let sandbox = Sandbox::new();
        let privileged = permissions_are_bypassed(sandbox.dir.path());
        std::fs::set_permissions(sandbox.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let good = sandbox.file("good.jpg", b"good");
        let secret = sandbox.file("secret.jpg", b"secret");
        chmod_tree(&sandbox.dir.path().join("input"), 0o755, 0o644);
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();

        let made = run_unprivileged(&sandbox, privileged, &["case", "new", "--json"]);
        assert_eq!(made.status, 0, "{}", made.stderr);
        let id = made.json()["id"].as_str().unwrap().to_string();
        let run = run_unprivileged(
            &sandbox,
            privileged,
            &[
                "add",
                "--case",
                &id,
                "--material",
                "storefront_photo",
                secret.to_str().unwrap(),
                good.to_str().unwrap(),
                "--json",
            ],
        );
        assert_eq!(run.status, 2, "{}", run.stderr);
        assert!(run.stderr.contains("secret.jpg") && run.stderr.contains("cannot be read"), "{}", run.stderr);
        let files = run.json()["files"].as_array().unwrap().clone();
        assert_eq!(files[0]["error"]["code"], "file_unreadable");
        assert_eq!(files[1]["status"], "added");
    }

    #[test]
    fn a_read_only_data_folder_is_reported_and_what_it_holds_is_intact() {
        let sandbox = Sandbox::new();
        let privileged = permissions_are_bypassed(sandbox.dir.path());
        std::fs::set_permissions(sandbox.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let id = sandbox.new_case(&["--merchant-name", "只读"]);
        let photo = sandbox.file("a.jpg", b"photo");
        assert_eq!(
            sandbox.run(["add", "--case", &id, "--material", "storefront_photo", photo.to_str().unwrap()]).status,
            0
        );
        let other = sandbox.file("b.jpg", b"another photo");
        chmod_tree(&sandbox.dir.path().join("input"), 0o755, 0o644);
        chmod_tree(&sandbox.home(), 0o555, 0o444);

        let run = run_unprivileged(
            &sandbox,
            privileged,
            &["add", "--case", &id, "--material", "storefront_photo", other.to_str().unwrap()],
        );
        chmod_tree(&sandbox.home(), 0o755, 0o644);
        assert_eq!(run.status, 2, "stdout: {} stderr: {}", run.stdout, run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(sandbox.home().to_str().unwrap()), "{}", run.stderr);
        assert!(run.stderr.contains("cannot be"), "{}", run.stderr);

        let shown = sandbox.run(["case", "show", &id, "--json"]);
        assert_eq!(shown.status, 0, "{}", shown.stderr);
        assert_eq!(shown.json()["evidence"].as_array().unwrap().len(), 1);
    }
}
