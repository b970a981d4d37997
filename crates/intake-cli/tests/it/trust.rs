//! `intake verify`'s trust anchors: a package is valid only when signed by a key the verifier
//! trusts, learnt otherwise than from the package (`--expect-key`, `--trusted-keys`, `--home`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use image::ImageEncoder;

use crate::harness::OutputOnceStarted;
use crate::harness::{Run, Sandbox, intake_binary};

fn png(seed: u8) -> Vec<u8> {
    let pixels: Vec<u8> =
        (0..64u32 * 48 * 3).map(|index| (index as u8).wrapping_mul(seed).wrapping_add(seed)).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// An installation with a branch and a manager that has exported one (incomplete) case; the
/// package's path and the case id.
pub(crate) fn installation_with_a_package(branch: &str, manager: &str, seed: u8) -> (Sandbox, PathBuf, String) {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", branch, "--manager", manager]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆"]);
    let scan = sandbox.file("风险评级表.png", &png(seed));
    let scan_arg = scan.display().to_string();
    let add = sandbox.run(["add", "--case", case_id.as_str(), "--material", "risk_rating_form", scan_arg.as_str()]);
    assert_eq!(add.status, 0, "{}", add.stderr);
    let out = sandbox.dir.path().join("case.zip");
    let out_arg = out.display().to_string();
    let export = sandbox.run([
        "export",
        "--case",
        case_id.as_str(),
        "--out",
        out_arg.as_str(),
        "--allow-incomplete",
        "--reason",
        "测试",
    ]);
    assert_eq!(export.status, 0, "{}", export.stderr);
    (sandbox, out, case_id)
}

/// `intake ARGS` with no data folder at all: head office's verifier.
pub(crate) fn run_without_home(args: &[&str]) -> Run {
    Command::new(intake_binary())
        .args(args)
        .env_remove("INTAKE_HOME")
        .env_remove("INTAKE_PASSPHRASE")
        .output_once_started()
        .unwrap()
        .into()
}

fn codes(run: &Run) -> Vec<String> {
    run.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["code"].as_str().unwrap().to_string())
        .collect()
}

fn register(folder: &Path, lines: &[&str]) -> PathBuf {
    let path = folder.join("register.txt");
    let mut file = std::fs::File::create(&path).unwrap();
    writeln!(file, "# 总部公钥登记 head office's register of branch keys").unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    path
}

#[test]
fn a_package_from_another_installation_fails_against_our_key_and_a_register_without_it() {
    let (ours, own_package, _) = installation_with_a_package("上海分公司", "张三", 3);
    let (theirs, forged, _) = installation_with_a_package("上海分公司", "张三", 4);
    let forged_arg = forged.display().to_string();
    let our_line = ours.run(["keys", "register-line", "--json"]).json();
    let their_line = theirs.run(["keys", "register-line", "--json"]).json();
    let their_fingerprint = their_line["fingerprint_sha256"].as_str().unwrap();
    assert_ne!(our_line["fingerprint_sha256"], their_line["fingerprint_sha256"]);
    let shown = ours.run(["keys", "register-line"]);
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout.trim(), our_line["line"].as_str().unwrap());
    assert_eq!(
        shown.stdout.trim(),
        format!("{}  上海分公司 / 张三", our_line["fingerprint_sha256"].as_str().unwrap()),
        "the register line is '<fingerprint>  <branch> / <manager>'"
    );
    let keys_show = ours.run(["keys", "show", "--json"]).json();
    assert_eq!(keys_show["fingerprint_sha256"], our_line["fingerprint_sha256"], "one fingerprint everywhere");

    // Our own package verifies against our data folder's key.
    let own = ours.run(["verify", own_package.display().to_string().as_str(), "--json"]);
    assert_eq!(own.status, 0, "{}", own.stdout);
    assert_eq!(own.json()["trusted_by"]["fingerprint_sha256"], our_line["fingerprint_sha256"]);

    // The other installation's package, checked against our key: signed, whole, not trusted.
    let against_ours = ours.run(["verify", forged_arg.as_str(), "--json"]);
    assert_eq!(against_ours.status, 1, "{}", against_ours.stdout);
    assert_eq!(codes(&against_ours), ["signer_untrusted"]);
    assert_eq!(against_ours.json()["valid"], false);
    assert_eq!(against_ours.json()["signature_valid"], true);
    assert!(against_ours.json()["problems"][0]["message"].as_str().unwrap().contains(their_fingerprint));

    // Against head office's register that lists only our key.
    let only_ours = register(ours.dir.path(), &[our_line["line"].as_str().unwrap()]);
    let only_ours_arg = only_ours.display().to_string();
    let run = run_without_home(&["verify", forged_arg.as_str(), "--trusted-keys", only_ours_arg.as_str(), "--json"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert_eq!(codes(&run), ["signer_untrusted"]);

    // With their line added, it is theirs, and the line is reported.
    let both = register(theirs.dir.path(), &[our_line["line"].as_str().unwrap(), their_line["line"].as_str().unwrap()]);
    let both_arg = both.display().to_string();
    let run = run_without_home(&["verify", forged_arg.as_str(), "--trusted-keys", both_arg.as_str(), "--json"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert_eq!(run.json()["trusted_by"]["register_line"], their_line["line"]);
    let text = run_without_home(&["verify", forged_arg.as_str(), "--trusted-keys", both_arg.as_str()]);
    assert!(text.stdout.contains(their_line["line"].as_str().unwrap()), "{}", text.stdout);

    // --expect-key, as read out over the phone (upper case, with colons).
    let spoken: Vec<String> = their_fingerprint
        .to_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8(pair.to_vec()).unwrap())
        .collect();
    let spoken = spoken.join(":");
    let run = run_without_home(&["verify", forged_arg.as_str(), "--expect-key", spoken.as_str(), "--json"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
}

#[test]
fn without_a_trust_anchor_nothing_verifies_but_every_check_still_runs() {
    let (_sandbox, package, case_id) = installation_with_a_package("上海分公司", "张三", 5);
    let package_arg = package.display().to_string();
    let run = run_without_home(&["verify", package_arg.as_str(), "--json"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    let report = run.json();
    assert_eq!(codes(&run), ["signer_untrusted"]);
    assert_eq!(report["signature_valid"], true);
    assert_eq!(report["case_id"], case_id.as_str());
    assert!(report["audit_entries"].as_u64().unwrap() > 0, "the audit chain was read");
    let text = run_without_home(&["verify", package_arg.as_str()]);
    assert!(text.stdout.contains("signer_untrusted") && text.stdout.contains("NOT trusted"), "{}", text.stdout);

    // A damaged package without an anchor lists its damage too.
    let mut bytes = std::fs::read(&package).unwrap();
    let at = bytes.windows(4).position(|window| window == b"IDAT").unwrap();
    bytes[at + 8] ^= 0x55;
    let damaged = package.with_file_name("damaged.zip");
    std::fs::write(&damaged, &bytes).unwrap();
    let run = run_without_home(&["verify", damaged.display().to_string().as_str(), "--json"]);
    let codes = codes(&run);
    assert!(codes.contains(&"unreadable_entry".into()) && codes.contains(&"signer_untrusted".into()), "{codes:?}");
}

#[test]
fn a_bad_anchor_is_refused_naming_it() {
    let (sandbox, package, _) = installation_with_a_package("上海分公司", "张三", 6);
    let package_arg = package.display().to_string();
    let run = run_without_home(&["verify", package_arg.as_str(), "--expect-key", "abc", "--json"]);
    assert_eq!(run.status, 2);
    assert!(run.json()["error"]["message"].as_str().unwrap().contains("--expect-key"));
    let bad = register(sandbox.dir.path(), &["not-a-fingerprint 上海分公司 / 张三"]);
    let run = run_without_home(&[
        "verify",
        package_arg.as_str(),
        "--trusted-keys",
        bad.display().to_string().as_str(),
        "--json",
    ]);
    assert_eq!(run.status, 2);
    let message = run.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("register.txt") && message.contains("line 2"), "{message}");
    let nowhere = sandbox.dir.path().join("no-such-folder");
    let run =
        run_without_home(&["--home", nowhere.display().to_string().as_str(), "verify", package_arg.as_str(), "--json"]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(!nowhere.exists(), "verify does not make a data folder");
}

#[test]
fn the_register_line_needs_the_branch_and_the_manager() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(["keys", "register-line", "--json"]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(run.json()["error"]["message"].as_str().unwrap().contains("--branch"));
}
