//! Encryption at rest through the CLI, as a manager and a script use it:
//! - nothing personal or secret is left in clear in an encrypted data folder after a whole
//!   visit (case, fields, photos, check, export elsewhere): no merchant data, no upload secret
//!   or manager name from the settings, no byte of the SM2 private key (made while the folder
//!   was unencrypted and sealed by `passphrase set`); the same visit in an unencrypted folder
//!   leaves it all in clear, which proves the search finds what it looks for;
//! - `passphrase set` killed halfway (the fault hook aborts the process after some files, as
//!   a power cut would) leaves a folder that refuses to open until `passphrase set` runs again,
//!   which finishes it with every file whole;
//! - the passphrase comes from INTAKE_PASSPHRASE, else a terminal; with neither, exit 2.

use std::path::{Path, PathBuf};

use image::ImageEncoder;

use crate::harness::OutputOnceStarted;
use crate::harness::{Run, Sandbox, sha256_of};

const PASSPHRASE: &str = "门头照片 correct horse";
const MAGIC: &[u8] = b"MI-ENC1\n";

const MERCHANT_NAME: &str = "沪上小面馆测试店";
const LEGAL_REP_NAME: &str = "欧阳李四光";
const ID_NUMBER: &str = "11010519491231002X";
const MOBILE: &str = "13912345678";
/// Inside the photo's JPEG comment: a byte pattern no encrypted file holds by chance.
const PHOTO_PATTERN: &str = "KNOWN-PATTERN-5a1f0c9e-门头";
const MANAGER: &str = "欧阳测试经理";
const ACCESS_KEY_ID: &str = "AKIDKNOWNPATTERN7c21";
const UPLOAD_SECRET: &str = "secret-KNOWN-PATTERN-0b5e9d4a71";

fn run_with_passphrase(sandbox: &Sandbox, passphrase: &str, args: &[&str]) -> Run {
    sandbox.command(args).env("INTAKE_PASSPHRASE", passphrase).output_once_started().unwrap().into()
}

/// A JPEG (with its JFIF header) carrying [`PHOTO_PATTERN`] in a comment segment.
fn jpeg_with_pattern(seed: u8) -> Vec<u8> {
    let pixels: Vec<u8> =
        (0..320u32 * 240 * 3).map(|index| ((index / 3 % 320) as u8 ^ (index / 960) as u8).wrapping_add(seed)).collect();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(&pixels, 320, 240, image::ExtendedColorType::Rgb8)
        .unwrap();
    let comment = PHOTO_PATTERN.as_bytes();
    let mut with_comment = vec![0xFF, 0xD8, 0xFF, 0xFE];
    with_comment.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    with_comment.extend_from_slice(comment);
    with_comment.extend_from_slice(&jpeg[2..]);
    with_comment
}

fn png(seed: u8) -> Vec<u8> {
    let pixels: Vec<u8> =
        (0..64u32 * 48 * 3).map(|index| (index as u8).wrapping_mul(seed).wrapping_add(seed)).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8).unwrap();
    out
}

fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { pending.push(path) } else { files.push(path) }
        }
    }
    files
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// A JPEG's start anywhere: its start marker, a first segment marker, and a segment length
/// that lands on the next marker. (The three start bytes alone turn up in random data about
/// once in 16 MiB; with the rest, about once in 20 GB.)
fn holds_a_jpeg(bytes: &[u8]) -> bool {
    (0..bytes.len().saturating_sub(6)).any(|at| {
        bytes[at..at + 3] == [0xFF, 0xD8, 0xFF] && bytes[at + 3] >= 0xC0 && bytes[at + 3] != 0xFF && {
            let length = usize::from(u16::from_be_bytes([bytes[at + 4], bytes[at + 5]]));
            length >= 2 && bytes.get(at + 4 + length) == Some(&0xFF)
        }
    })
}

/// The SM2 private key of a folder, as the searches look for it: each line of its PEM body
/// and its 32-byte scalar (raw, and in hex).
struct PrivateKey {
    pem_lines: Vec<String>,
    scalar: Vec<u8>,
}

impl PrivateKey {
    /// Reads the key from an unencrypted folder's `keys/sm2-private-key.pem`.
    fn read_plain(home: &Path) -> PrivateKey {
        let pem = std::fs::read_to_string(home.join("keys/sm2-private-key.pem")).unwrap();
        let pem_lines: Vec<String> =
            pem.lines().filter(|line| !line.starts_with("-----") && !line.is_empty()).map(str::to_string).collect();
        let der = base64_decode(&pem_lines.concat());
        // PKCS#8 wraps SEC1's ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING (32) scalar, … }.
        let at = der.windows(5).position(|window| window == [0x02, 0x01, 0x01, 0x04, 0x20]).expect("a SEC1 key inside");
        let scalar = der[at + 5..at + 37].to_vec();
        assert_eq!(scalar.len(), 32);
        PrivateKey { pem_lines, scalar }
    }

    fn needles(&self) -> Vec<(String, Vec<u8>)> {
        let mut needles: Vec<(String, Vec<u8>)> = self
            .pem_lines
            .iter()
            .enumerate()
            .map(|(index, line)| (format!("private key PEM body line {}", index + 1), line.as_bytes().to_vec()))
            .collect();
        let hex: String = self.scalar.iter().map(|byte| format!("{byte:02x}")).collect();
        needles.push(("private key scalar (raw)".into(), self.scalar.clone()));
        needles.push(("private key scalar (hex)".into(), hex.clone().into_bytes()));
        needles.push(("private key scalar (HEX)".into(), hex.to_uppercase().into_bytes()));
        needles
    }
}

/// Standard base64 (the PEM body), by hand: a test needs no crate for 20 lines.
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in text.bytes().filter(|byte| *byte != b'=') {
        let value = ALPHABET.iter().position(|letter| *letter == byte).expect("base64") as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Every personal value, secret or picture found in clear under `folder`, as "file: what".
/// `extra` adds needles (a private key's bytes).
fn found_in_clear(folder: &Path, extra: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for (what, value) in [
        ("merchant name", MERCHANT_NAME),
        ("legal representative", LEGAL_REP_NAME),
        ("ID number", ID_NUMBER),
        ("mobile", MOBILE),
        ("photo pattern", PHOTO_PATTERN),
        ("manager", MANAGER),
        ("upload access key id", ACCESS_KEY_ID),
        ("upload secret", UPLOAD_SECRET),
    ] {
        needles.push((format!("{what} (UTF-8)"), value.as_bytes().to_vec()));
        needles.push((format!("{what} (UTF-16)"), utf16le(value)));
        needles.push((
            format!("{what} (hex)"),
            value.bytes().map(|byte| format!("{byte:02x}")).collect::<String>().into_bytes(),
        ));
    }
    needles.push(("PNG signature".into(), b"\x89PNG\r\n\x1a\n".to_vec()));
    needles.push(("PEM private key armour".into(), b"PRIVATE KEY-----".to_vec()));
    needles.extend(extra.iter().cloned());
    let mut found = Vec::new();
    for path in files_under(folder) {
        let bytes = std::fs::read(&path).unwrap();
        for (what, needle) in &needles {
            if contains(&bytes, needle) {
                found.push(format!("{}: {what}", path.display()));
            }
        }
        if holds_a_jpeg(&bytes) {
            found.push(format!("{}: a JPEG", path.display()));
        }
    }
    found
}

/// A whole visit: settings (with an upload secret), the signing key, case, personal fields, a
/// photo and a scan, check, export outside the data folder. The folder is made unencrypted (no
/// passphrase given, as an older folder) and its key pair made in clear; with `encrypt`, it is
/// then encrypted in place before the case is created. Returns the folder's private key.
fn visit(sandbox: &Sandbox, encrypt: bool) -> PrivateKey {
    let passphrase = std::cell::Cell::new(None::<&str>);
    let run = |args: &[&str]| {
        let run = match passphrase.get() {
            Some(passphrase) => run_with_passphrase(sandbox, passphrase, args),
            None => sandbox.run(args),
        };
        assert!(run.status == 0 || args[0] == "check", "{args:?}: {}", run.stderr);
        run
    };
    run(&["settings", "--branch", "上海分公司", "--manager", MANAGER, "--upload-access-key-id", ACCESS_KEY_ID]);
    let mut child = sandbox
        .command(["settings", "--upload-secret-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn_once_started()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(format!("{UPLOAD_SECRET}\n").as_bytes()).unwrap();
    let secret: Run = child.wait_with_output().unwrap().into();
    assert_eq!(secret.status, 0, "{}", secret.stderr);
    let fingerprint = run(&["keys", "show", "--json"]).json()["fingerprint_sha256"].as_str().unwrap().to_string();
    let private_key = PrivateKey::read_plain(&sandbox.home());
    if encrypt {
        passphrase.set(Some(PASSPHRASE));
        run(&["passphrase", "set"]);
    }
    let case_id = run(&["case", "new", "--json", "--merchant-name", MERCHANT_NAME, "--opens-payment"]).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let name_field = format!("legal_rep_name={LEGAL_REP_NAME}");
    let id_field = format!("legal_rep_id_number={ID_NUMBER}");
    let mobile_field = format!("legal_rep_mobile={MOBILE}");
    run(&["case", "set", &case_id, "--field", &name_field, "--field", &id_field, "--field", &mobile_field]);
    let photo = sandbox.file(&format!("{LEGAL_REP_NAME} 门头.jpg"), &jpeg_with_pattern(1));
    let scan = sandbox.file(&format!("{ID_NUMBER}.png"), &png(7));
    run(&["add", "--case", &case_id, "--material", "storefront_photo", photo.to_str().unwrap()]);
    run(&["add", "--case", &case_id, "--material", "legal_rep_id", scan.to_str().unwrap()]);
    let check = run(&["check", "--case", &case_id, "--json"]);
    assert!(check.json()["items"].is_array() || check.json().is_object(), "{}", check.stdout);
    let out = sandbox.dir.path().join("outside").join("package.zip");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    run(&["export", "--case", &case_id, "--out", out.to_str().unwrap(), "--allow-incomplete", "--reason", "测试"]);
    assert!(
        contains(&std::fs::read(&out).unwrap(), PHOTO_PATTERN.as_bytes()),
        "the package holds the photo as imported"
    );
    // The same key signs after encryption (sealed, not replaced): head office knows it by this.
    let expect_key = format!("--expect-key={fingerprint}");
    let verify = run(&["verify", out.to_str().unwrap(), expect_key.as_str()]);
    assert_eq!(verify.status, 0, "signed with the key made before: {}{}", verify.stdout, verify.stderr);
    // And the settings came through: the manager is in the package, the secret still set.
    let settings = run(&["settings", "--json"]).json();
    assert_eq!(settings["manager_name"], MANAGER, "{settings}");
    assert_eq!(settings["upload"]["secret_access_key_set"], true, "{settings}");
    private_key
}

#[test]
fn an_encrypted_data_folder_holds_nothing_personal_in_clear() {
    let sandbox = Sandbox::new();
    let private_key = visit(&sandbox, true);
    let found = found_in_clear(&sandbox.home(), &private_key.needles());
    assert!(found.is_empty(), "personal data or secrets in clear in the data folder:\n{}", found.join("\n"));
    assert!(!sandbox.home().join("keys/sm2-private-key.pem").exists(), "the plain key file is gone");
    let sealed = std::fs::read(sandbox.home().join("keys/sm2-private-key.enc")).unwrap();
    assert!(sealed.starts_with(MAGIC), "the private key is sealed");
    assert!(std::fs::read(sandbox.home().join("settings.json")).unwrap().starts_with(MAGIC), "settings are sealed");
}

#[test]
fn the_same_visit_without_encryption_leaves_it_all_in_clear() {
    // The control of the test above: the search finds each kind of value it looks for.
    let sandbox = Sandbox::new();
    let private_key = visit(&sandbox, false);
    let found = found_in_clear(&sandbox.home(), &private_key.needles()).join("\n");
    for what in [
        "merchant name (UTF-8)",
        "ID number (UTF-8)",
        "mobile (UTF-8)",
        "photo pattern (UTF-8)",
        "PNG signature",
        "a JPEG",
        "manager (UTF-8)",
        "upload access key id (UTF-8)",
        "upload secret (UTF-8)",
        "PEM private key armour",
        "private key PEM body line 1",
        "private key PEM body line 2",
    ] {
        assert!(found.contains(what), "{what} not found in an unencrypted folder:\n{found}");
    }
}

fn vault_files(home: &Path) -> Vec<PathBuf> {
    files_under(&home.join("vault")).into_iter().filter(|path| !path.starts_with(home.join("vault/tmp"))).collect()
}

fn encrypted_count(home: &Path) -> usize {
    vault_files(home).iter().filter(|path| std::fs::read(path).unwrap().starts_with(MAGIC)).count()
}

#[test]
fn passphrase_set_killed_halfway_is_finished_by_running_it_again() {
    let sandbox = Sandbox::new();
    let case_id = sandbox.new_case(&["--merchant-name", MERCHANT_NAME, "--opens-payment"]);
    let sources: Vec<PathBuf> = (1..=6).map(|seed| sandbox.file(&format!("扫描件 {seed}.png"), &png(seed))).collect();
    let mut args =
        vec!["add".to_string(), "--case".into(), case_id.clone(), "--material".into(), "business_license".into()];
    args.extend(sources.iter().map(|path| path.display().to_string()));
    let added = sandbox.run(&args);
    assert_eq!(added.status, 0, "{}", added.stderr);
    let home = sandbox.home();
    let total = vault_files(&home).len();
    assert_eq!(total, 12, "six objects and six thumbnails");

    let killed: Run = sandbox
        .command(["passphrase", "set"])
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .env("INTAKE_FAULT_ABORT_AFTER_ENCRYPTING", "5")
        .output_once_started()
        .unwrap()
        .into();
    assert_ne!(killed.status, 0, "the fault hook did not stop it: {}", killed.stderr);
    assert_eq!(encrypted_count(&home), 5, "half encrypted: five files done, the rest plain");

    // Half encrypted: refused with its own code, saying how to finish.
    let status = sandbox.run(["passphrase", "status", "--json"]);
    assert_eq!(status.json()["state"], "unfinished");
    let list = run_with_passphrase(&sandbox, PASSPHRASE, &["case", "list", "--json"]);
    assert_eq!(list.status, 2);
    assert_eq!(list.json()["error"]["code"], "encryption_unfinished");
    assert!(list.stderr.contains("passphrase set"), "{}", list.stderr);
    let wrong = run_with_passphrase(&sandbox, "another passphrase", &["passphrase", "set", "--json"]);
    assert_eq!(wrong.status, 2);
    assert_eq!(wrong.json()["error"]["code"], "wrong_passphrase");
    assert_eq!(encrypted_count(&home), 5, "a wrong passphrase changed files");

    let finished = run_with_passphrase(&sandbox, PASSPHRASE, &["passphrase", "set", "--json"]);
    assert_eq!(finished.status, 0, "{}", finished.stderr);
    assert_eq!(finished.json()["resumed"], true);
    assert_eq!(finished.json()["files_encrypted"], total - 5);
    assert_eq!(encrypted_count(&home), total, "every vault file is encrypted");
    assert_eq!(sandbox.run(["passphrase", "status", "--json"]).json()["state"], "encrypted");

    // Every file whole: recorded under the SHA-256 of its source, readable and exportable.
    let shown = run_with_passphrase(&sandbox, PASSPHRASE, &["case", "show", &case_id, "--json"]);
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    let mut recorded: Vec<String> = shown.json()["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["sha256"].as_str().unwrap().to_string())
        .collect();
    let mut expected: Vec<String> = sources.iter().map(|path| sha256_of(path)).collect();
    recorded.sort();
    expected.sort();
    assert_eq!(recorded, expected);
    let out = sandbox.dir.path().join("package.zip");
    let settings =
        run_with_passphrase(&sandbox, PASSPHRASE, &["settings", "--branch", "上海分公司", "--manager", "张三"]);
    assert_eq!(settings.status, 0, "{}", settings.stderr);
    let export = run_with_passphrase(
        &sandbox,
        PASSPHRASE,
        &["export", "--case", &case_id, "--out", out.to_str().unwrap(), "--allow-incomplete", "--reason", "测试"],
    );
    assert_eq!(export.status, 0, "every object read back whole: {}", export.stderr);
    // Trusting the (encrypted) data folder's own key: read after unlocking it.
    let verify = run_with_passphrase(&sandbox, PASSPHRASE, &["verify", out.to_str().unwrap()]);
    assert_eq!(verify.status, 0, "{}{}", verify.stdout, verify.stderr);
}

#[test]
fn the_passphrase_comes_from_the_variable_or_a_terminal_else_exit_2() {
    let sandbox = Sandbox::new();
    sandbox.new_case(&["--merchant-name", MERCHANT_NAME]);
    // Unencrypted: works, with a one-line warning on stderr; stdout stays one JSON document.
    let plain = sandbox.run(["case", "list", "--json"]);
    assert_eq!(plain.status, 0);
    assert!(plain.json()["cases"].is_array());
    assert!(plain.stderr.contains("not encrypted") && plain.stderr.lines().count() == 1, "{}", plain.stderr);

    let short = run_with_passphrase(&sandbox, "short", &["passphrase", "set"]);
    assert_eq!(short.status, 2, "a too short passphrase is refused: {}", short.stderr);
    // Issue 15: long enough but easy to guess is refused too, with zxcvbn's reason.
    for weak in ["12345678", "password", "13812345678", "zhangwei19900101"] {
        let refused = run_with_passphrase(&sandbox, weak, &["passphrase", "set", "--json"]);
        assert_eq!(refused.status, 2, "{weak}");
        assert_eq!(refused.json()["error"]["code"], "weak_passphrase", "{weak}");
        assert!(refused.stderr.contains("too easy to guess"), "{weak}: {}", refused.stderr);
    }
    assert_eq!(sandbox.run(["passphrase", "status", "--json"]).json()["state"], "unencrypted", "nothing was encrypted");
    // A new folder made under INTAKE_PASSPHRASE is held to the same bar.
    let fresh = Sandbox::new();
    let refused = run_with_passphrase(&fresh, "password1", &["case", "list", "--json"]);
    assert_eq!(refused.json()["error"]["code"], "weak_passphrase", "{}", refused.stderr);
    let set = run_with_passphrase(&sandbox, PASSPHRASE, &["passphrase", "set"]);
    assert_eq!(set.status, 0, "{}", set.stderr);

    // No variable, no terminal (the test's stdin is not one): exit 2, saying what to do.
    let none = sandbox.run(["case", "list", "--json"]);
    assert_eq!(none.status, 2, "{}", none.stderr);
    assert_eq!(none.json()["error"]["code"], "passphrase_required");
    assert!(none.stderr.contains("INTAKE_PASSPHRASE"), "{}", none.stderr);

    let wrong = run_with_passphrase(&sandbox, "门头照片 correct horsf", &["case", "list", "--json"]);
    assert_eq!(wrong.status, 2);
    assert_eq!(wrong.json()["error"]["code"], "wrong_passphrase");

    let right = run_with_passphrase(&sandbox, PASSPHRASE, &["case", "list", "--json"]);
    assert_eq!(right.status, 0, "{}", right.stderr);
    assert_eq!(right.json()["cases"].as_array().unwrap().len(), 1);
    assert!(right.stderr.is_empty(), "no warning once encrypted: {}", right.stderr);

    // Change: the old one from INTAKE_PASSPHRASE, the new one from INTAKE_NEW_PASSPHRASE.
    let new = "经营内景照片 battery staple";
    let changed: Run = sandbox
        .command(["passphrase", "change"])
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .env("INTAKE_NEW_PASSPHRASE", new)
        .output_once_started()
        .unwrap()
        .into();
    assert_eq!(changed.status, 0, "{}", changed.stderr);
    assert_eq!(run_with_passphrase(&sandbox, PASSPHRASE, &["case", "list"]).status, 2);
    assert_eq!(run_with_passphrase(&sandbox, new, &["case", "list"]).status, 0);
}

#[test]
fn a_new_data_folder_is_created_encrypted_when_a_passphrase_is_given() {
    let sandbox = Sandbox::new();
    let created =
        run_with_passphrase(&sandbox, PASSPHRASE, &["case", "new", "--json", "--merchant-name", MERCHANT_NAME]);
    assert_eq!(created.status, 0, "{}", created.stderr);
    assert!(created.stderr.is_empty(), "no unencrypted warning: {}", created.stderr);
    let status = sandbox.run(["passphrase", "status", "--json"]);
    assert_eq!(status.json()["state"], "encrypted", "{}", status.stdout);
    // It now opens only with the passphrase, and the merchant's name is nowhere in clear.
    assert_eq!(sandbox.run(["case", "list", "--json"]).json()["error"]["code"], "passphrase_required");
    let listed = run_with_passphrase(&sandbox, PASSPHRASE, &["case", "list", "--json"]);
    assert_eq!(listed.json()["cases"].as_array().unwrap().len(), 1, "{}", listed.stdout);
    assert_eq!(found_in_clear(&sandbox.home(), &[]), Vec::<String>::new());
}

/// The evil maid of issue 15: a plain settings file (another bucket, no idle lock) and a plain
/// signing key planted into an encrypted folder. Neither `passphrase set` (what the lock
/// screen used to offer for an "unfinished" folder) nor opening it seals them: refused,
/// named, left as they are.
#[test]
fn files_planted_in_clear_are_refused_by_name_and_never_sealed() {
    let sandbox = Sandbox::new();
    let created =
        run_with_passphrase(&sandbox, PASSPHRASE, &["settings", "--branch", "上海分公司", "--manager", MANAGER]);
    assert_eq!(created.status, 0, "{}", created.stderr);
    let home = sandbox.home();
    let planted_settings = br#"{"branch":"x","manager_name":"x","idle_lock_seconds":0,"upload":{"endpoint":"https://evil.example","bucket":"loot"}}"#;
    let sealed_settings = std::fs::read(home.join("settings.json")).unwrap();
    std::fs::write(home.join("settings.json"), planted_settings).unwrap();
    for args in [&["passphrase", "set", "--json"][..], &["case", "list", "--json"][..]] {
        let refused = run_with_passphrase(&sandbox, PASSPHRASE, args);
        assert_eq!(refused.status, 2, "{args:?}: {}", refused.stdout);
        assert_eq!(refused.json()["error"]["code"], "planted_plaintext", "{args:?}");
        assert!(refused.stderr.contains("settings.json"), "{}", refused.stderr);
    }
    assert_eq!(sandbox.run(["passphrase", "status", "--json"]).json()["state"], "encrypted");
    assert_eq!(std::fs::read(home.join("settings.json")).unwrap(), planted_settings, "sealed as the folder's own");
    std::fs::write(home.join("settings.json"), &sealed_settings).unwrap();

    let other = Sandbox::new();
    assert_eq!(other.run(["keys", "show"]).status, 0);
    let attacker_pem = std::fs::read(other.home().join("keys/sm2-private-key.pem")).unwrap();
    std::fs::write(home.join("keys/sm2-private-key.pem"), &attacker_pem).unwrap();
    let refused = run_with_passphrase(&sandbox, PASSPHRASE, &["passphrase", "set", "--json"]);
    assert_eq!(refused.json()["error"]["code"], "planted_plaintext");
    assert!(refused.stderr.contains("sm2-private-key.pem"), "{}", refused.stderr);
    assert_eq!(std::fs::read(home.join("keys/sm2-private-key.pem")).unwrap(), attacker_pem);
    std::fs::remove_file(home.join("keys/sm2-private-key.pem")).unwrap();
    let list = run_with_passphrase(&sandbox, PASSPHRASE, &["settings", "--json"]);
    assert_eq!(list.status, 0, "{}", list.stderr);
    assert_eq!(list.json()["manager_name"], MANAGER, "its own settings again");
}

/// A first encryption killed halfway, then resumed: it seals only what it recorded at its
/// start. A settings file swapped meanwhile, or a vault file added in clear, is refused by
/// name; put back, the same run finishes.
#[test]
fn a_resumed_encryption_refuses_files_planted_meanwhile() {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", MANAGER]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", MERCHANT_NAME, "--opens-payment"]);
    let sources: Vec<PathBuf> = (1..=3).map(|seed| sandbox.file(&format!("扫描件 {seed}.png"), &png(seed))).collect();
    let mut args =
        vec!["add".to_string(), "--case".into(), case_id.clone(), "--material".into(), "business_license".into()];
    args.extend(sources.iter().map(|path| path.display().to_string()));
    assert_eq!(sandbox.run(&args).status, 0);
    let home = sandbox.home();
    let killed: Run = sandbox
        .command(["passphrase", "set"])
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .env("INTAKE_FAULT_ABORT_AFTER_ENCRYPTING", "2")
        .output_once_started()
        .unwrap()
        .into();
    assert_ne!(killed.status, 0, "the fault hook did not stop it: {}", killed.stderr);
    assert_eq!(sandbox.run(["passphrase", "status", "--json"]).json()["state"], "unfinished");

    let original_settings = std::fs::read(home.join("settings.json")).unwrap();
    let planted_settings = br#"{"branch":"x","manager_name":"x","upload":{"endpoint":"https://evil.example"}}"#;
    std::fs::write(home.join("settings.json"), planted_settings).unwrap();
    let refused = run_with_passphrase(&sandbox, PASSPHRASE, &["passphrase", "set", "--json"]);
    assert_eq!(refused.json()["error"]["code"], "planted_plaintext", "{}", refused.stderr);
    assert!(refused.stderr.contains("settings.json"), "{}", refused.stderr);
    assert_eq!(std::fs::read(home.join("settings.json")).unwrap(), planted_settings);
    std::fs::write(home.join("settings.json"), &original_settings).unwrap();

    let planted_object = home.join("vault/objects/ff").join("f".repeat(64));
    std::fs::create_dir_all(planted_object.parent().unwrap()).unwrap();
    std::fs::write(&planted_object, b"planted in clear").unwrap();
    let refused = run_with_passphrase(&sandbox, PASSPHRASE, &["passphrase", "set", "--json"]);
    assert_eq!(refused.json()["error"]["code"], "planted_plaintext", "{}", refused.stderr);
    assert!(refused.stderr.contains(&"f".repeat(64)), "{}", refused.stderr);
    assert_eq!(std::fs::read(&planted_object).unwrap(), b"planted in clear");
    std::fs::remove_file(&planted_object).unwrap();

    let finished = run_with_passphrase(&sandbox, PASSPHRASE, &["passphrase", "set", "--json"]);
    assert_eq!(finished.status, 0, "{}", finished.stderr);
    assert_eq!(run_with_passphrase(&sandbox, PASSPHRASE, &["settings", "--json"]).json()["manager_name"], MANAGER);
}
