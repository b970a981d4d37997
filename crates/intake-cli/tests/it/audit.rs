//! `intake audit --case ID`: the case's chain, checked; exit 1 once a row was altered by hand.

use image::ImageEncoder;

use crate::harness::Sandbox;

fn png() -> Vec<u8> {
    let pixels: Vec<u8> = (0..64u32 * 48 * 3).map(|index| (index % 251) as u8).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8).unwrap();
    out
}

#[test]
fn audit_prints_the_chain_and_exits_1_when_a_row_was_altered_by_hand() {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三"]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆", "--opens-payment"]);
    let scan = sandbox.file("营业执照.png", &png());
    let scan = scan.display().to_string();
    let added = sandbox.run(["add", "--case", case_id.as_str(), "--material", "business_license", scan.as_str()]);
    assert_eq!(added.status, 0, "{}", added.stderr);

    let intact = sandbox.run(["audit", "--case", case_id.as_str(), "--json"]);
    assert_eq!(intact.status, 0, "{}{}", intact.stdout, intact.stderr);
    let report = intact.json();
    assert_eq!(report["valid"], true);
    let entries = report["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["case_created", "file_added"]);
    assert_eq!(entries[1]["manager"], "张三");
    assert_eq!(entries[1]["prev"], entries[0]["hash"]);
    assert!(!intact.stdout.contains("沪上小面馆"), "the merchant's name is in the log");

    // An export is logged (after the package is written, with its SHA-256); --watermark and
    // --no-watermark decide whether the ID card goes in as a marked copy.
    let card = sandbox.file("身份证 正面.png", &png());
    let card = card.display().to_string();
    let added = sandbox.run(["add", "--case", case_id.as_str(), "--material", "legal_rep_id", card.as_str()]);
    assert_eq!(added.status, 0, "{}", added.stderr);
    let out = sandbox.dir.path().join("case.zip").display().to_string();
    let export = |flag: &str| {
        let run = sandbox.run([
            "export",
            "--case",
            case_id.as_str(),
            "--out",
            out.as_str(),
            "--allow-incomplete",
            "--reason",
            "测试",
            flag,
            "--json",
        ]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        run.json()
    };
    assert_eq!(export("--watermark")["watermarked_files"], 1);
    let summary = export("--no-watermark");
    assert_eq!(summary["watermarked_files"], 0);
    let report = sandbox.run(["audit", "--case", case_id.as_str(), "--json"]).json();
    let last = report["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "exported");
    assert_eq!(last["details"]["package_sha256"], summary["sha256"]);

    // Someone edits the database around the program: drops the append-only triggers and
    // rewrites who made the change.
    let connection = rusqlite::Connection::open(sandbox.home().join("intake.sqlite3")).unwrap();
    connection.execute_batch("DROP TRIGGER audit_log_no_update;").unwrap();
    connection.execute("UPDATE audit_log SET manager = '李四' WHERE case_id = ?1 AND seq = 2", [&case_id]).unwrap();
    drop(connection);

    let broken = sandbox.run(["audit", "--case", case_id.as_str(), "--json"]);
    assert_eq!(broken.status, 1, "{}", broken.stdout);
    let report = broken.json();
    assert_eq!(report["valid"], false);
    assert_eq!(report["faults"][0]["code"], "audit_hash_mismatch");
    assert_eq!(report["faults"][0]["seq"], 2);
    assert!(broken.stderr.contains("audit_hash_mismatch"), "{}", broken.stderr);
    let text = sandbox.run(["audit", "--case", case_id.as_str()]);
    assert_eq!(text.status, 1);
    assert!(text.stdout.contains("审计链已损坏 Chain BROKEN"), "{}", text.stdout);

    let missing = sandbox.run(["audit", "--case", "20990101-NOCASE"]);
    assert_eq!(missing.status, 2, "{}", missing.stderr);
}
