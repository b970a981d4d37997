//! `intake upload` and `intake outbox` against a real S3-compatible server (s3s-fs, or Garage
//! with `INTAKE_TEST_S3_SERVER=garage`): round trips compared byte for byte with a download by
//! an independent client (curl's SigV4), and the faults of issue #7: the server killed
//! mid-upload, the client SIGKILLed mid-upload, wrong credentials, a missing bucket, an
//! unreachable endpoint, a byte damaged on the way.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::harness::{Run, Sandbox, sha256_of};
use crate::s3_server::{ACCESS_KEY, BUCKET, Proxy, S3Server, SECRET_KEY, ServerKind, free_port};

const MIB: u64 = 1 << 20;
const PART_MIB: u64 = 5;

/// A data folder with one exported package of about `payload_mib` MiB of incompressible files.
struct Packaged {
    sandbox: Sandbox,
    case_id: String,
    package: PathBuf,
    sha256: String,
    bytes: u64,
}

/// Incompressible bytes, different for every seed (the upload and sealed-outbox tests' payloads).
pub(crate) fn pseudo_random(seed: u64, bytes: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut content = Vec::with_capacity(bytes + 8);
    while content.len() < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        content.extend_from_slice(&state.to_le_bytes());
    }
    content.truncate(bytes);
    content
}

fn packaged(payload_mib: u64) -> Packaged {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三"]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆", "--opens-payment"]);
    // Pieces of at most 25 MiB, each its own file.
    let mut remaining = payload_mib.max(1) * MIB;
    let mut files = Vec::new();
    while remaining > 0 {
        let size = remaining.min(25 * MIB);
        files.push(
            sandbox.file(&format!("IMG_{:04}.jpg", files.len()), &pseudo_random(files.len() as u64 + 1, size as usize)),
        );
        remaining -= size;
    }
    let mut args =
        vec!["add".to_string(), "--case".into(), case_id.clone(), "--material".into(), "storefront_photo".into()];
    args.extend(files.iter().map(|file| file.display().to_string()));
    let added = sandbox.run(&args);
    assert_eq!(added.status, 0, "{}", added.stderr);
    let package = sandbox.dir.path().join("package.zip");
    let export = sandbox.run([
        "export",
        "--case",
        case_id.as_str(),
        "--out",
        package.to_str().unwrap(),
        "--allow-incomplete",
        "--reason",
        "测试",
        "--json",
    ]);
    assert_eq!(export.status, 0, "{}", export.stderr);
    let summary = export.json();
    let sha256 = sha256_of(&package);
    assert_eq!(summary["sha256"], sha256.as_str(), "the export names its package's SHA-256");
    let bytes = std::fs::metadata(&package).unwrap().len();
    Packaged { sandbox, case_id, package, sha256, bytes }
}

/// Writes the upload settings (retries kept low so that faults show quickly).
fn configure(sandbox: &Sandbox, server: &S3Server, endpoint: &str, max_retries: u32) {
    let path = sandbox.home().join("settings.json");
    let mut settings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    settings["upload"] = serde_json::json!({
        "endpoint": endpoint,
        "bucket": BUCKET,
        "region": server.kind.region(),
        "prefix": "branch-sh",
        "part_size_mib": PART_MIB,
        "max_retries": max_retries,
    });
    std::fs::write(&path, serde_json::to_string_pretty(&settings).unwrap()).unwrap();
}

/// Sets `upload.parts_in_flight` through `intake settings`, as a person would.
fn set_parts_in_flight(sandbox: &Sandbox, parts_in_flight: u32) {
    let run = sandbox.run(["settings", "--upload-parts-in-flight", &parts_in_flight.to_string(), "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.json()["upload"]["parts_in_flight"], parts_in_flight, "{}", run.stdout);
}

fn upload_command(sandbox: &Sandbox, extra: &[&str]) -> std::process::Command {
    let mut command = sandbox.command(["upload", "--json"].iter().chain(extra));
    command.env("AWS_ACCESS_KEY_ID", ACCESS_KEY).env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    command
}

fn upload(sandbox: &Sandbox) -> Run {
    upload_command(sandbox, &[]).output().unwrap().into()
}

/// `intake upload --now`: failed packages too, before their next retry time.
fn upload_now(sandbox: &Sandbox) -> Run {
    upload_command(sandbox, &["--now"]).output().unwrap().into()
}

fn outbox(sandbox: &Sandbox) -> Vec<serde_json::Value> {
    let run = sandbox.run(["outbox", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run.json()["packages"].as_array().unwrap().clone()
}

fn remote_key(packaged: &Packaged) -> String {
    format!("branch-sh/{}/{}.zip", packaged.case_id, packaged.sha256)
}

/// The stored object, downloaded by curl, has the package's bytes.
fn assert_stored_whole(server: &S3Server, packaged: &Packaged) {
    let copy = packaged.sandbox.dir.path().join("downloaded.zip");
    assert!(server.download(&remote_key(packaged), &copy), "the object {} cannot be downloaded", remote_key(packaged));
    assert_eq!(sha256_of(&copy), packaged.sha256, "the stored object differs from the package");
    std::fs::remove_file(copy).unwrap();
}

fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Spawns `intake upload` and waits until the outbox shows at least `parts` parts accepted.
fn upload_until_parts_recorded(packaged: &Packaged, parts: u64) -> Child {
    let mut child = upload_command(&packaged.sandbox, &[]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let reached = wait_until(Duration::from_secs(120), || {
        outbox(&packaged.sandbox)[0]["bytes_sent"].as_u64().unwrap() >= parts * PART_MIB * MIB
    });
    if !reached {
        let _ = child.kill();
        panic!("the upload never got {parts} parts accepted");
    }
    assert!(child.try_wait().unwrap().is_none(), "the upload finished before it could be interrupted");
    child
}

#[test]
fn an_export_waits_in_the_outbox_is_uploaded_once_and_a_second_upload_is_recognised_as_done() {
    let server = S3Server::start();
    let packaged = packaged(1);
    let waiting = outbox(&packaged.sandbox);
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["state"], "waiting");
    assert_eq!(waiting[0]["sha256"], packaged.sha256.as_str());
    assert_eq!(waiting[0]["bytes"], packaged.bytes);
    assert_eq!(waiting[0]["case_id"], packaged.case_id.as_str());

    // A second installation (or a lost database) holding the same package, not yet sent.
    let twin = Sandbox::new();
    copy_tree(&packaged.sandbox.home(), &twin.home());
    copy_tree(&packaged.sandbox.home(), &twin_home_before_upload(&packaged));
    configure(&twin, &server, &server.endpoint(), 2);

    configure(&packaged.sandbox, &server, &server.endpoint(), 2);
    let run = upload(&packaged.sandbox);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    let outcome = &report["packages"][0];
    assert_eq!(outcome["state"], "done");
    assert_eq!(outcome["already_stored"], false);
    assert_eq!(outcome["remote_key"], remote_key(&packaged).as_str());
    assert_eq!(outcome["bytes_sent"], packaged.bytes);
    assert_stored_whole(&server, &packaged);

    let done = outbox(&packaged.sandbox);
    assert_eq!(done[0]["state"], "done");
    assert_eq!(done[0]["remote_key"], remote_key(&packaged).as_str());
    assert!(done[0]["done_at"].is_string());
    assert!(done[0]["error"].is_null());

    // Nothing is left to send from here.
    let again = upload(&packaged.sandbox);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert_eq!(again.json()["packages"].as_array().unwrap().len(), 0);

    // The upload is in the case's audit trail once, after the export, with the package's hash.
    let audit = packaged.sandbox.run(["audit", "--case", packaged.case_id.as_str(), "--json"]);
    assert_eq!(audit.status, 0, "{}", audit.stderr);
    let entries = audit.json()["entries"].as_array().unwrap().clone();
    let uploads: Vec<&serde_json::Value> = entries.iter().filter(|entry| entry["action"] == "uploaded").collect();
    assert_eq!(uploads.len(), 1, "{entries:?}");
    assert_eq!(uploads[0]["details"]["package_sha256"], packaged.sha256.as_str());
    assert_eq!(entries.last().unwrap()["action"], "uploaded");

    // The twin finds the package already stored whole: done, no part sent.
    let twin_run = upload(&twin);
    assert_eq!(twin_run.status, 0, "{}\n{}", twin_run.stdout, twin_run.stderr);
    let twin_outcome = &twin_run.json()["packages"][0];
    assert_eq!(twin_outcome["already_stored"], true, "{twin_outcome}");
    assert_eq!(twin_outcome["parts_sent"], 0);
    assert_eq!(outbox(&twin)[0]["state"], "done");

    // An object of the right size and metadata but other bytes is not the package: a third
    // copy sends it anew instead of calling it done (the read-back hashes the bytes). Only
    // s3s-fs keeps an object as one file a test can damage.
    if let Some(object) = server.object_file(&remote_key(&packaged)) {
        let mut bytes = std::fs::read(&object).unwrap();
        bytes[1000] ^= 0x01;
        std::fs::write(&object, bytes).unwrap();
        let third = Sandbox::new();
        copy_tree(&twin_home_before_upload(&packaged), &third.home());
        configure(&third, &server, &server.endpoint(), 2);
        let run = upload(&third);
        assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
        let outcome = &run.json()["packages"][0];
        assert_eq!(outcome["already_stored"], false, "a damaged object was taken for the package: {outcome}");
        assert_eq!(outcome["parts_sent"], packaged.bytes.div_ceil(PART_MIB * MIB));
        assert_stored_whole(&server, &packaged);
    }
}

/// A copy of the data folder as it was before any upload (the package waiting).
fn twin_home_before_upload(packaged: &Packaged) -> PathBuf {
    packaged.sandbox.dir.path().join("home-before-upload")
}

#[test]
fn a_client_killed_mid_upload_resumes_and_sends_at_most_the_parts_in_flight_again() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(30);
    let parts = packaged.bytes.div_ceil(PART_MIB * MIB);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 2);
    let in_flight = 3;
    set_parts_in_flight(&packaged.sandbox, in_flight);

    // Slow enough to be caught between parts: about 1.5 s a part on each connection.
    proxy.rate_limit.store(4 * MIB, Ordering::SeqCst);
    let mut child = upload_until_parts_recorded(&packaged, 2);
    child.kill().unwrap();
    child.wait().unwrap();
    let interrupted = outbox(&packaged.sandbox);
    assert_eq!(interrupted[0]["state"], "uploading");
    let recorded = interrupted[0]["bytes_sent"].as_u64().unwrap();
    assert!(recorded >= 2 * PART_MIB * MIB && recorded < packaged.bytes);
    assert_eq!(proxy.most_open(), u64::from(in_flight), "the parts were not sent {in_flight} at once");

    proxy.rate_limit.store(0, Ordering::SeqCst);
    let resumed = upload(&packaged.sandbox);
    assert_eq!(resumed.status, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let outcome = &resumed.json()["packages"][0];
    assert_eq!(outcome["state"], "done");
    // Parts are recorded in the order the server answers, not always 1, 2, 3: count them.
    let recorded_parts = recorded / (PART_MIB * MIB);
    assert_eq!(outcome["parts_sent"].as_u64().unwrap(), parts - recorded_parts, "only the parts not recorded are sent");
    assert_stored_whole(&server, &packaged);

    // Every byte the client sent, both runs: the package once, at most the parts that were
    // in flight again, and the requests' headers.
    let overhead = 256 * 1024;
    let sent = proxy.sent_up();
    assert!(
        sent <= packaged.bytes + u64::from(in_flight) * PART_MIB * MIB + overhead,
        "{sent} bytes sent for a {} byte package: more than the {in_flight} parts in flight were sent twice",
        packaged.bytes
    );
    eprintln!("client kill: {sent} bytes sent for a {} byte package ({parts} parts)", packaged.bytes);
}

#[test]
fn a_part_the_server_has_stored_but_not_yet_answered_is_not_recorded_and_is_sent_again_after_a_crash() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(30);
    let parts = packaged.bytes.div_ceil(PART_MIB * MIB);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 2);
    let in_flight = 2;
    set_parts_in_flight(&packaged.sandbox, in_flight);

    proxy.rate_limit.store(4 * MIB, Ordering::SeqCst);
    let mut child = upload_until_parts_recorded(&packaged, 1);
    // From now on the server's answers wait in the proxy: the parts in flight reach the server
    // whole, and no new part starts (all are waiting for their answer).
    proxy.hold_answers.store(true, Ordering::SeqCst);
    let mut last = proxy.sent_up();
    assert!(
        wait_until(Duration::from_secs(60), || {
            std::thread::sleep(Duration::from_millis(1500));
            let now = proxy.sent_up();
            std::mem::replace(&mut last, now) == now
        }),
        "the client kept sending while no answer came"
    );
    let recorded = outbox(&packaged.sandbox)[0]["bytes_sent"].as_u64().unwrap();
    // At least one whole part beyond the recorded ones went up, unanswered: it must not count.
    assert!(
        proxy.sent_up() >= recorded + PART_MIB * MIB,
        "{} bytes sent, {recorded} recorded: a part was recorded before the server answered",
        proxy.sent_up()
    );
    assert!(recorded < packaged.bytes);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(outbox(&packaged.sandbox)[0]["bytes_sent"].as_u64().unwrap(), recorded);

    proxy.hold_answers.store(false, Ordering::SeqCst);
    proxy.rate_limit.store(0, Ordering::SeqCst);
    let resumed = upload(&packaged.sandbox);
    assert_eq!(resumed.status, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let outcome = &resumed.json()["packages"][0];
    assert_eq!(outcome["state"], "done");
    assert_eq!(outcome["parts_sent"].as_u64().unwrap(), parts - recorded / (PART_MIB * MIB));
    assert_stored_whole(&server, &packaged);
}

#[test]
fn one_part_in_flight_uses_one_connection() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(12);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 2);
    set_parts_in_flight(&packaged.sandbox, 1);
    let run = upload(&packaged.sandbox);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["packages"][0]["parts_sent"], packaged.bytes.div_ceil(PART_MIB * MIB));
    assert_eq!(proxy.most_open(), 1, "one part in flight, yet requests overlapped");
    assert_stored_whole(&server, &packaged);
}

#[test]
fn the_server_killed_mid_upload_and_restarted_the_upload_resumes_from_the_recorded_parts() {
    let mut server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(30);
    let parts = packaged.bytes.div_ceil(PART_MIB * MIB);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 1);

    proxy.rate_limit.store(4 * MIB, Ordering::SeqCst);
    let mut child = upload_until_parts_recorded(&packaged, 2);
    server.kill();
    let status = wait_for_exit(&mut child, Duration::from_secs(120));
    assert_eq!(status, Some(1), "the upload fails while the server is down");
    let failed = outbox(&packaged.sandbox);
    assert_eq!(failed[0]["state"], "failed", "{}", failed[0]);
    assert!(failed[0]["error"]["message"].as_str().unwrap().contains(&proxy.endpoint()), "{}", failed[0]);
    assert!(failed[0]["next_retry_at"].is_string());
    let recorded = failed[0]["bytes_sent"].as_u64().unwrap();
    assert!(recorded >= 2 * PART_MIB * MIB, "the parts accepted before the crash stay recorded");

    server.restart();
    proxy.rate_limit.store(0, Ordering::SeqCst);
    // Not due yet (the first retry waits 15 to 30 s): a plain `upload` leaves it alone and
    // says when it will try, sending nothing.
    let sent_before = proxy.sent_up();
    let early = upload(&packaged.sandbox);
    assert_eq!(early.status, 1, "{}\n{}", early.stdout, early.stderr);
    let skipped = &early.json()["packages"][0];
    assert_eq!(skipped["not_before"], failed[0]["next_retry_at"], "{skipped}");
    assert_eq!(skipped["parts_sent"], 0);
    assert!(early.stderr.contains("--now"), "{}", early.stderr);
    assert_eq!(proxy.sent_up(), sent_before, "a package not due was sent");
    assert_eq!(outbox(&packaged.sandbox)[0]["attempts"], 1, "a skipped package does not count an attempt");

    let resumed = upload_now(&packaged.sandbox);
    assert_eq!(resumed.status, 0, "{}\n{}\n{}", resumed.stdout, resumed.stderr, server.log());
    let outcome = &resumed.json()["packages"][0];
    assert!(outcome["parts_sent"].as_u64().unwrap() <= parts - recorded / (PART_MIB * MIB));
    assert_eq!(outbox(&packaged.sandbox)[0]["state"], "done");
    assert_stored_whole(&server, &packaged);
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<i32> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn wrong_credentials_a_missing_bucket_or_no_server_are_named_and_the_package_stays_queued() {
    let server = S3Server::start();
    let packaged = packaged(1);
    let sandbox = &packaged.sandbox;
    configure(sandbox, &server, &server.endpoint(), 1);

    let wrong_secret = "0000000000000000000000000000000000000000000000000000000000000000";
    let refused: Run =
        upload_command(sandbox, &["--now"]).env("AWS_SECRET_ACCESS_KEY", wrong_secret).output().unwrap().into();
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    let report = refused.json();
    assert_eq!(report["packages"][0]["error"]["code"], "upload_refused", "{report}");
    assert!(
        refused.stderr.contains(ACCESS_KEY) && refused.stderr.contains("AWS_SECRET_ACCESS_KEY"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stdout.contains(wrong_secret) && !refused.stderr.contains(wrong_secret),
        "the secret is never printed"
    );

    let no_bucket = upload_command(sandbox, &["--now", "--bucket", "no-such-bucket"]).output().unwrap();
    let no_bucket: Run = no_bucket.into();
    assert_eq!(no_bucket.status, 1, "{}", no_bucket.stderr);
    assert_eq!(no_bucket.json()["packages"][0]["error"]["code"], "upload_bucket_missing", "{}", no_bucket.stdout);
    assert!(no_bucket.stderr.contains("no-such-bucket"), "{}", no_bucket.stderr);

    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let unreachable: Run = upload_command(sandbox, &["--now", "--endpoint", &nowhere]).output().unwrap().into();
    assert_eq!(unreachable.status, 1, "{}", unreachable.stderr);
    assert_eq!(unreachable.json()["packages"][0]["error"]["code"], "upload_unreachable", "{}", unreachable.stdout);
    assert!(unreachable.stderr.contains(&nowhere), "{}", unreachable.stderr);

    let queued = outbox(sandbox);
    assert_eq!(queued[0]["state"], "failed");
    assert_eq!(queued[0]["attempts"], 3);
    assert_eq!(queued[0]["error"]["code"], "upload_unreachable");
    assert!(queued[0]["next_retry_at"].is_string());

    // The settings file may hold the secret; `intake settings` never shows it.
    let path = sandbox.home().join("settings.json");
    let mut settings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    settings["upload"]["access_key_id"] = ACCESS_KEY.into();
    settings["upload"]["secret_access_key"] = SECRET_KEY.into();
    std::fs::write(&path, serde_json::to_string(&settings).unwrap()).unwrap();
    let shown = sandbox.run(["settings", "--json"]);
    assert!(!shown.stdout.contains(SECRET_KEY), "{}", shown.stdout);
    assert_eq!(shown.json()["upload"]["secret_access_key_set"], true);

    // With the settings' credentials (no environment), the same package goes through.
    let fixed: Run = sandbox
        .command(["upload", "--json", "--now"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap()
        .into();
    assert_eq!(fixed.status, 0, "{}\n{}", fixed.stdout, fixed.stderr);
    assert_eq!(outbox(sandbox)[0]["state"], "done");
    assert_stored_whole(&server, &packaged);
}

#[test]
fn a_byte_damaged_on_the_way_is_never_called_done_and_the_next_upload_repairs_it() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(8);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 0);

    // Well past the first requests' headers: inside the first part's body.
    proxy.corrupt_at.store(1_000_000, Ordering::SeqCst);
    let damaged = upload(&packaged.sandbox);
    assert_eq!(damaged.status, 1, "{}\n{}", damaged.stdout, damaged.stderr);
    assert_eq!(proxy.corrupt_at.load(Ordering::SeqCst), 0, "the byte was flipped");
    let state = outbox(&packaged.sandbox);
    assert_eq!(state[0]["state"], "failed", "{}", state[0]);
    assert!(state[0]["done_at"].is_null());
    eprintln!("damaged part: {}", state[0]["error"]);

    let repaired = upload_now(&packaged.sandbox);
    assert_eq!(repaired.status, 0, "{}\n{}", repaired.stdout, repaired.stderr);
    assert_eq!(outbox(&packaged.sandbox)[0]["state"], "done");
    assert_stored_whole(&server, &packaged);
}

/// Flips one byte in the middle of a file, in place (same size).
fn flip_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn the_stored_object_is_confirmed_by_its_multipart_etag_without_being_downloaded() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(30);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 2);
    let run = upload(&packaged.sandbox);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["packages"][0]["state"], "done");
    assert_stored_whole(&server, &packaged);
    let down = proxy.sent_down.load(Ordering::SeqCst);
    eprintln!("{down} bytes came back for a {} byte package", packaged.bytes);
    // Both servers give the S3 multipart ETag (MD5 of the parts' MD5s; s3s-fs computes it at
    // completion from the parts it stored, Garage from each part's MD5 kept on arrival), which
    // the part ETags they answered confirm: the answers alone come back, not the object.
    assert!(down < MIB, "{down} bytes came back: the object was read back although its ETag confirmed it");
}

#[test]
fn a_part_the_server_stores_wrongly_is_caught_and_the_package_is_never_called_done() {
    let server = S3Server::start();
    if server.kind != ServerKind::S3sFs {
        eprintln!("skipped: only s3s-fs keeps a part as one file a test can damage");
        return;
    }
    let proxy = Proxy::start(server.port);
    let packaged = packaged(30);
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 0);
    set_parts_in_flight(&packaged.sandbox, 1);
    // Slow, so that the first part is stored and answered well before the upload completes.
    proxy.rate_limit.store(8 * MIB, Ordering::SeqCst);
    let mut child = upload_until_parts_recorded(&packaged, 1);
    // The server answered for part 1 (its MD5 as ETag) and then its copy on disk went bad.
    let stored = server.stored_part_files(1);
    assert_eq!(stored.len(), 1, "{stored:?}");
    flip_byte(&stored[0]);
    proxy.rate_limit.store(0, Ordering::SeqCst);
    assert_eq!(wait_for_exit(&mut child, Duration::from_secs(120)), Some(1), "the damaged object was accepted");
    let state = outbox(&packaged.sandbox);
    assert_eq!(state[0]["state"], "failed", "{}", state[0]);
    assert_eq!(state[0]["error"]["code"], "upload_mismatch", "{}", state[0]);
    assert!(state[0]["done_at"].is_null());

    let repaired = upload_now(&packaged.sandbox);
    assert_eq!(repaired.status, 0, "{}\n{}", repaired.stdout, repaired.stderr);
    assert_eq!(outbox(&packaged.sandbox)[0]["state"], "done");
    assert_stored_whole(&server, &packaged);
}

#[test]
fn a_queued_package_altered_after_export_is_refused_as_changed_and_never_completed() {
    let server = S3Server::start();
    let packaged = packaged(12);
    configure(&packaged.sandbox, &server, &server.endpoint(), 0);
    let queued = packaged.sandbox.home().join("vault").join("outbox").join(format!("{}.zip", packaged.sha256));
    assert!(queued.is_file(), "no queued package at {}", queued.display());
    flip_byte(&queued);
    let run = upload(&packaged.sandbox);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    let state = outbox(&packaged.sandbox);
    assert_eq!(state[0]["state"], "failed", "{}", state[0]);
    assert_eq!(state[0]["error"]["code"], "package_changed", "{}", state[0]);
    let copy = packaged.sandbox.dir.path().join("downloaded.zip");
    assert!(
        !server.download(&remote_key(&packaged), &copy),
        "parts of a changed package were completed into an object"
    );
}

#[test]
fn a_part_that_needs_more_than_30_seconds_on_a_slow_line_still_goes_up() {
    let server = S3Server::start();
    let proxy = Proxy::start(server.port);
    let packaged = packaged(5);
    // No retry: a request cut by a timeout fails the upload.
    configure(&packaged.sandbox, &server, &proxy.endpoint(), 0);
    set_parts_in_flight(&packaged.sandbox, 1);
    // 5 MiB at 150 KiB/s: about 34 s for the first part, past object_store's default 30 s.
    proxy.rate_limit.store(150 * 1024, Ordering::SeqCst);
    let started = Instant::now();
    let run = upload(&packaged.sandbox);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(started.elapsed() > Duration::from_secs(31), "the line was not slow: {:?}", started.elapsed());
    assert_eq!(outbox(&packaged.sandbox)[0]["state"], "done");
    assert_stored_whole(&server, &packaged);
}

#[test]
fn a_100_mib_package_round_trip_downloads_with_the_same_sha256() {
    let server = S3Server::start();
    let packaged = packaged(100);
    assert!(packaged.bytes >= 100 * MIB, "{} bytes", packaged.bytes);
    configure(&packaged.sandbox, &server, &server.endpoint(), 2);
    let run = upload(&packaged.sandbox);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["packages"][0]["parts_sent"], packaged.bytes.div_ceil(PART_MIB * MIB));
    assert_stored_whole(&server, &packaged);
    let _ = &packaged.package;
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn intake_settings_sets_the_upload_fields_one_by_one_and_takes_the_secret_only_from_stdin() {
    let sandbox = Sandbox::new();
    let set = sandbox.run([
        "settings",
        "--upload-endpoint",
        "https://oss-cn-shanghai.aliyuncs.com",
        "--upload-bucket",
        "packages",
        "--upload-part-size-mib",
        "16",
        "--upload-access-key-id",
        ACCESS_KEY,
        "--json",
    ]);
    assert_eq!(set.status, 0, "{}", set.stderr);
    let shown = set.json();
    assert_eq!(shown["upload"]["endpoint"], "https://oss-cn-shanghai.aliyuncs.com");
    assert_eq!(shown["upload"]["part_size_mib"], 16);
    assert_eq!(shown["upload"]["secret_access_key_set"], false);

    let mut child = sandbox
        .command(["settings", "--upload-secret-stdin", "--upload-bucket", "", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(format!("{SECRET_KEY}\n").as_bytes()).unwrap();
    let secret: Run = child.wait_with_output().unwrap().into();
    assert_eq!(secret.status, 0, "{}", secret.stderr);
    assert!(!secret.stdout.contains(SECRET_KEY), "the secret is never printed");
    let shown = secret.json();
    assert_eq!(shown["upload"]["secret_access_key_set"], true);
    assert!(shown["upload"]["bucket"].is_null(), "an empty value clears: {shown}");
    assert_eq!(shown["upload"]["access_key_id"], ACCESS_KEY, "what was not named is kept");
    let file = std::fs::read_to_string(sandbox.home().join("settings.json")).unwrap();
    assert!(file.contains(SECRET_KEY), "the upload reads it from the settings file");

    let bad = sandbox.run(["settings", "--upload-part-size-mib", "4"]);
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("part size"), "{}", bad.stderr);
}
