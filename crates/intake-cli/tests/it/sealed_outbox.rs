//! The sealed outbox from the command line (issue 15, item 4): `intake export` without `--out`
//! on an encrypted folder leaves no zip in clear, and `intake upload` sends the sealed package,
//! resuming after the client is killed; `--out` writes a plain copy and says it is
//! unencrypted; a package queued under `exports/` by an older version still uploads.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::harness::OutputOnceStarted;
use crate::harness::{Run, Sandbox, sha256_of};
use crate::s3_server::{ACCESS_KEY, BUCKET, Proxy, S3Server, SECRET_KEY};

const PASSPHRASE: &str = "门头照片 correct horse";
const MIB: u64 = 1 << 20;
const PART_MIB: u64 = 5;

/// `intake ARGS` on the sandbox's folder with the passphrase (and the upload credentials).
fn command(sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut command = sandbox.command(args);
    command
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    command
}

fn run(sandbox: &Sandbox, args: &[&str]) -> Run {
    let run: Run = command(sandbox, args).output_once_started().unwrap().into();
    assert_eq!(run.status, 0, "intake {args:?}: {}\n{}", run.stdout, run.stderr);
    run
}

/// An encrypted data folder with a case of about `payload_mib` MiB of files; its id.
fn encrypted_case(sandbox: &Sandbox, payload_mib: u64) -> String {
    run(sandbox, &["passphrase", "set"]);
    run(sandbox, &["settings", "--branch", "上海分公司", "--manager", "张三"]);
    let case_id =
        run(sandbox, &["case", "new", "--json", "--merchant-name", "沪上小面馆", "--opens-payment"]).json()["id"]
            .as_str()
            .unwrap()
            .to_string();
    let files: Vec<PathBuf> = (0..payload_mib.div_ceil(10))
        .map(|index| {
            sandbox.file(&format!("IMG_{index:04}.jpg"), &crate::upload::pseudo_random(index + 1, (10 * MIB) as usize))
        })
        .collect();
    let mut args = vec!["add", "--case", case_id.as_str(), "--material", "storefront_photo"];
    args.extend(files.iter().map(|file| file.to_str().unwrap()));
    run(sandbox, &args);
    case_id
}

fn export(sandbox: &Sandbox, case_id: &str, extra: &[&str]) -> Run {
    let mut args = vec!["export", "--case", case_id, "--allow-incomplete", "--reason", "其余材料明日补交"];
    args.extend_from_slice(extra);
    run(sandbox, &args)
}

/// The files under `folder` that are zips in clear (a local file header first).
fn plain_zips_under(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if std::fs::read(&path).unwrap().starts_with(b"PK\x03\x04") {
                found.push(path);
            }
        }
    }
    found
}

fn outbox(sandbox: &Sandbox) -> Vec<serde_json::Value> {
    run(sandbox, &["outbox", "--json"]).json()["packages"].as_array().unwrap().clone()
}

fn configure_upload(sandbox: &Sandbox, server: &S3Server, endpoint: &str) {
    run(
        sandbox,
        &[
            "settings",
            "--upload-endpoint",
            endpoint,
            "--upload-bucket",
            BUCKET,
            "--upload-region",
            server.kind.region(),
            "--upload-prefix",
            "branch-sh",
            "--upload-part-size-mib",
            &PART_MIB.to_string(),
            "--upload-max-retries",
            "2",
        ],
    );
}

fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn an_export_without_out_on_an_encrypted_folder_leaves_no_zip_in_clear_and_uploads_sealed_resuming() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let sandbox = Sandbox::new();
    let case_id = encrypted_case(&sandbox, 30);
    let exported = export(&sandbox, &case_id, &["--json"]).json();
    assert_eq!(exported["sealed_encrypted"], true);
    assert_eq!(exported["unencrypted_copy"], serde_json::Value::Null);
    let sha256 = exported["sha256"].as_str().unwrap().to_string();
    let bytes = exported["bytes"].as_u64().unwrap();
    assert_eq!(plain_zips_under(&sandbox.home()), Vec::<PathBuf>::new(), "a zip in clear in the data folder");
    assert!(!sandbox.home().join("exports").exists());
    let text = export(&sandbox, &case_id, &[]).stdout;
    assert!(text.contains("已加密存入待上传"), "{text}");

    // Killed mid-upload, then resumed: only the parts not recorded are sent.
    configure_upload(&sandbox, &server, &proxy.endpoint());
    proxy.rate_limit.store(4 * MIB, Ordering::SeqCst);
    // One part at a time, so the parts recorded are the first ones and their count follows from
    // the bytes recorded (with several in flight the short last part may be accepted first).
    let mut child = command(&sandbox, &["upload", "--json", "--parts-in-flight", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn_once_started()
        .unwrap();
    let reached = wait_until(Duration::from_secs(120), || {
        outbox(&sandbox)[0]["bytes_sent"].as_u64().unwrap() >= 2 * PART_MIB * MIB
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reached, "the upload never got two parts accepted");
    let recorded = outbox(&sandbox)[0]["bytes_sent"].as_u64().unwrap();
    assert!(recorded < bytes, "the upload finished before it was killed");
    proxy.rate_limit.store(0, Ordering::SeqCst);
    let resumed = run(&sandbox, &["upload", "--json"]).json();
    let outcome = &resumed["packages"][0];
    assert_eq!(outcome["state"], "done", "{resumed}");
    assert_eq!(
        outcome["parts_sent"].as_u64().unwrap(),
        bytes.div_ceil(PART_MIB * MIB) - recorded / (PART_MIB * MIB),
        "only the parts not recorded are sent again"
    );
    // What head office stores is the package, byte for byte.
    let downloaded = sandbox.dir.path().join("downloaded.zip");
    assert!(server.download(&format!("branch-sh/{case_id}/{sha256}.zip"), &downloaded));
    assert_eq!(sha256_of(&downloaded), sha256);
}

#[test]
fn export_with_out_writes_a_plain_copy_and_says_it_is_unencrypted() {
    let sandbox = Sandbox::new();
    let case_id = encrypted_case(&sandbox, 1);
    let out = sandbox.dir.path().join("给总部.zip");
    let exported = export(&sandbox, &case_id, &["--out", out.to_str().unwrap(), "--json"]).json();
    assert_eq!(exported["unencrypted_copy"], out.display().to_string().as_str());
    assert_eq!(sha256_of(&out), exported["sha256"].as_str().unwrap(), "the copy is the queued package");
    assert!(std::fs::read(exported["sealed_path"].as_str().unwrap()).unwrap().starts_with(b"MI-ENC1\n"));
    let text = export(&sandbox, &case_id, &["--out", out.to_str().unwrap()]).stdout;
    assert!(text.contains("未加密") && text.contains("NOT encrypted"), "{text}");
}

#[test]
fn a_package_queued_under_exports_by_an_older_version_still_uploads() {
    let server = S3Server::start();
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三"]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆", "--opens-payment"]);
    let photo = sandbox.file("IMG_0001.jpg", &crate::upload::pseudo_random(7, MIB as usize));
    let added = sandbox.run(["add", "--case", &case_id, "--material", "storefront_photo", photo.to_str().unwrap()]);
    assert_eq!(added.status, 0, "{}", added.stderr);
    // What an older version left: a plain zip under exports/, named in the outbox. (This
    // version writes no package inside the data folder: it is written beside it and moved in.)
    let legacy = sandbox.home().join("exports").join(format!("{case_id}.zip"));
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    let written = sandbox.dir.path().join(format!("{case_id}.zip"));
    let exported = sandbox.run([
        "export",
        "--case",
        &case_id,
        "--allow-incomplete",
        "--reason",
        "测试",
        "--out",
        written.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(exported.status, 0, "{}", exported.stderr);
    std::fs::rename(&written, &legacy).unwrap();
    let exported = exported.json();
    let sha256 = exported["sha256"].as_str().unwrap().to_string();
    std::fs::remove_file(exported["sealed_path"].as_str().unwrap()).unwrap();
    rusqlite::Connection::open(sandbox.home().join("intake.sqlite3"))
        .unwrap()
        .execute("UPDATE outbox SET path = ?1 WHERE sha256 = ?2", [legacy.display().to_string(), sha256.clone()])
        .unwrap();

    let settings = [
        "settings",
        "--upload-endpoint",
        &server.endpoint(),
        "--upload-bucket",
        BUCKET,
        "--upload-region",
        server.kind.region(),
        "--upload-prefix",
        "branch-sh",
    ];
    assert_eq!(sandbox.run(settings).status, 0);
    let uploaded: Run = sandbox
        .command(["upload", "--json"])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .output_once_started()
        .unwrap()
        .into();
    assert_eq!(uploaded.status, 0, "{}\n{}", uploaded.stdout, uploaded.stderr);
    assert_eq!(uploaded.json()["packages"][0]["state"], "done");
    let downloaded = sandbox.dir.path().join("downloaded.zip");
    assert!(server.download(&format!("branch-sh/{case_id}/{sha256}.zip"), &downloaded));
    assert_eq!(sha256_of(&downloaded), sha256);
    assert!(legacy.exists(), "the manager's plain zip is left alone");
}
