//! `intake settings`, `intake keys show`, `intake export` and `intake verify` as scripts use
//! them: JSON on stdout, exit 0 / 1 (blocking problems) / 2 (bad input).

use image::ImageEncoder;

use crate::harness::Sandbox;

/// A small PNG, different for every seed (a scan or a screenshot).
fn png(seed: u8) -> Vec<u8> {
    let pixels: Vec<u8> =
        (0..64u32 * 48 * 3).map(|index| (index as u8).wrapping_mul(seed).wrapping_add(seed)).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8).unwrap();
    out
}

#[test]
fn settings_are_shown_and_changed() {
    let sandbox = Sandbox::new();
    let shown = sandbox.run(["settings", "--json"]);
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    assert_eq!(shown.json()["branch"], "");
    let changed = sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三", "--json"]);
    assert_eq!(changed.status, 0, "{}", changed.stderr);
    assert_eq!(changed.json()["branch"], "上海分公司");
    let again = sandbox.run(["settings"]);
    assert!(again.stdout.contains("上海分公司") && again.stdout.contains("张三"), "{}", again.stdout);
    let bad = sandbox.run(["settings", "--manager", "a\u{7}b"]);
    assert_eq!(bad.status, 2, "{}", bad.stderr);
}

#[test]
fn keys_show_prints_the_public_key_and_its_fingerprint() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(["keys", "show", "--json"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let info = first.json();
    assert_eq!(info["created"], true);
    assert_eq!(info["algorithm"], "SM2");
    assert_eq!(info["distinguishing_id"], "1234567812345678");
    let fingerprint = info["fingerprint_sha256"].as_str().unwrap().to_string();
    assert!(fingerprint.len() == 64 && fingerprint.bytes().all(|byte| byte.is_ascii_hexdigit()));
    assert!(info["public_key_pem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    let second = sandbox.run(["keys", "show"]);
    assert!(second.stdout.contains(&fingerprint) && !second.stdout.contains("A new key pair"), "{}", second.stdout);
    assert!(!second.stdout.contains("PRIVATE KEY"), "the private key is never printed");
}

#[test]
fn export_refuses_an_incomplete_case_then_packs_it_when_allowed() {
    let sandbox = Sandbox::new();
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆", "--opens-payment"]);
    let scan = sandbox.file("营业执照 扫描.png", &png(3));
    let added = sandbox.run(
        ["add", "--case", case_id.as_str(), "--material", "business_license"]
            .into_iter()
            .map(String::from)
            .chain([scan.display().to_string()]),
    );
    assert_eq!(added.status, 0, "{}", added.stderr);
    let out = sandbox.dir.path().join("case.zip");
    let out_arg = out.display().to_string();
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "--case", case_id.as_str(), "--out", out_arg.as_str(), "--json"];
        args.extend_from_slice(extra);
        sandbox.run(&args)
    };

    // Who submits it must be known first: bad input, exit 2.
    let unnamed = export(&[]);
    assert_eq!(unnamed.status, 2, "{}", unnamed.stderr);
    assert_eq!(unnamed.json()["error"]["code"], "invalid_input");
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三"]).status, 0);

    // Incomplete: a blocking problem, exit 1, nothing written.
    let refused = export(&[]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert_eq!(refused.json()["error"]["code"], "case_incomplete");
    assert!(refused.stderr.contains("storefront_photo"), "{}", refused.stderr);
    assert!(!out.exists());

    // Allowed only with a reason: without one (or an empty one), bad input, nothing written.
    for reasonless in [&["--allow-incomplete"][..], &["--allow-incomplete", "--reason", "  "][..]] {
        let refused = export(reasonless);
        assert_eq!(refused.status, 2, "{}", refused.stderr);
        assert_eq!(refused.json()["error"]["code"], "invalid_input");
        assert!(refused.stderr.contains("--reason"), "{}", refused.stderr);
        assert!(!out.exists());
    }

    let allowed = export(&["--allow-incomplete", "--reason", "门头照片明天补拍"]);
    assert_eq!(allowed.status, 0, "{}", allowed.stderr);
    let summary = allowed.json();
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["allow_incomplete"], true);
    assert_eq!(summary["incomplete_export_reason"], "门头照片明天补拍");
    assert_eq!(summary["payload_files"], 3, "the scan, case.json and the report");
    let first = std::fs::read(&out).unwrap();
    assert_eq!(export(&["--allow-incomplete", "--reason", "门头照片明天补拍"]).status, 0);
    assert!(first == std::fs::read(&out).unwrap(), "exporting twice gives the same bytes");

    let verified = sandbox.run(["verify", out_arg.as_str(), "--json"]);
    assert_eq!(verified.status, 0, "{}", verified.stdout);
    let report = verified.json();
    assert_eq!(report["valid"], true);
    assert_eq!(report["signature_valid"], true);
    assert_eq!(report["case_id"], case_id.as_str());
    assert_eq!(report["allow_incomplete"], true);
}

#[test]
fn verify_lists_problems_and_exits_1_for_a_damaged_package_and_2_for_a_missing_one() {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三"]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆"]);
    let scan = sandbox.file("风险评级表.png", &png(9));
    let scan_arg = scan.display().to_string();
    assert_eq!(
        sandbox.run(["add", "--case", case_id.as_str(), "--material", "risk_rating_form", scan_arg.as_str()]).status,
        0
    );
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

    // Damage the stored PNG in the middle of the file.
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.windows(4).position(|window| window == b"IDAT").expect("the PNG is stored, not deflated");
    bytes[at + 8] ^= 0x55;
    let damaged = sandbox.dir.path().join("damaged.zip");
    std::fs::write(&damaged, &bytes).unwrap();
    let run = sandbox.run(["verify", damaged.display().to_string().as_str(), "--json"]);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["valid"], false);
    let codes: Vec<&str> =
        report["problems"].as_array().unwrap().iter().map(|problem| problem["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"unreadable_entry"), "{codes:?}");
    let text = sandbox.run(["verify", damaged.display().to_string().as_str()]);
    assert_eq!(text.status, 1);
    assert!(text.stdout.contains("FAILED") && text.stdout.contains("风险评级表.png"), "{}", text.stdout);

    let not_zip = sandbox.file("notes.zip", b"just text");
    let run = sandbox.run(["verify", not_zip.display().to_string().as_str(), "--json"]);
    assert_eq!(run.status, 1);
    assert_eq!(run.json()["problems"][0]["code"], "not_a_zip");

    let missing = sandbox.run(["verify", "/nonexistent/package.zip", "--json"]);
    assert_eq!(missing.status, 2);
    assert_eq!(missing.json()["error"]["code"], "file_missing");
}

/// Runs `intake ARGS` on a pseudo-terminal (util-linux `script`), as a person at a terminal
/// does, and returns everything it drew there.
#[cfg(target_os = "linux")]
fn on_a_terminal(sandbox: &Sandbox, args: &[&str]) -> String {
    let quote = |word: &str| format!("'{}'", word.replace('\'', r"'\''"));
    let home = sandbox.home().display().to_string();
    let binary = crate::harness::intake_binary().display().to_string();
    let line: Vec<String> =
        [binary.as_str(), "--home", home.as_str()].iter().chain(args).map(|word| quote(word)).collect();
    let output = std::process::Command::new("script")
        .args(["-qec", &line.join(" "), "/dev/null"])
        .env_remove("INTAKE_HOME")
        .env_remove("INTAKE_PASSPHRASE")
        .output()
        .expect("util-linux `script` runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn export_draws_a_bar_of_files_written_on_a_terminal_and_none_with_json() {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(["settings", "--branch", "上海分公司", "--manager", "张三"]).status, 0);
    let case_id = sandbox.new_case(&["--merchant-name", "沪上小面馆"]);
    let scan = sandbox.file("风险评级表.png", &png(5));
    let scan_arg = scan.display().to_string();
    assert_eq!(
        sandbox.run(["add", "--case", case_id.as_str(), "--material", "risk_rating_form", scan_arg.as_str()]).status,
        0
    );
    let out = sandbox.dir.path().join("case.zip").display().to_string();
    let export =
        ["export", "--case", case_id.as_str(), "--out", out.as_str(), "--allow-incomplete", "--reason", "测试"];

    let drawn = on_a_terminal(&sandbox, &export);
    // The scan, case.json, the report and the 7 tag files.
    assert!(drawn.contains("已写入") && drawn.contains("/10 个文件 files written"), "{drawn}");
    assert!(drawn.contains("已存入待上传") && drawn.contains("已另存副本(未加密)"), "{drawn}");

    let json = on_a_terminal(&sandbox, &[&["--json"][..], &export[..]].concat());
    assert!(!json.contains("已写入"), "a bar with --json: {json}");
    // A pipe (what scripts see) gets no bar either.
    let piped = sandbox.run(export);
    assert!(!piped.stderr.contains("已写入"), "{}", piped.stderr);
}
