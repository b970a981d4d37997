//! `intake checklist`, `check`, `attest`, `case set`, `case update`: golden JSON compared
//! exactly, exit statuses, and the errors people will meet.
//!
//! Golden files live in `tests/it/golden/`. After an intended change of the output, rewrite
//! them with `UPDATE_GOLDEN=1 cargo test -p intake-cli` and read the diff before committing.

use std::path::PathBuf;

use crate::harness::{Sandbox, placeholder};

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/golden").join(name)
}

/// Compares `actual` with the golden file `name` byte for byte (a Windows checkout's CRLF
/// aside), or rewrites the file when `UPDATE_GOLDEN` is set.
fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{}: {err}; create it with UPDATE_GOLDEN=1", path.display()))
        .replace("\r\n", "\n");
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (want, got))| want != got)
            .map(|(index, (want, got))| format!("line {}:\n  golden: {want}\n  actual: {got}", index + 1))
            .unwrap_or_else(|| {
                format!("lengths differ: golden {} lines, actual {}", expected.lines().count(), actual.lines().count())
            });
        panic!("{name} differs from its golden file ({first_difference})");
    }
}

/// Replaces what changes from run to run (case ids, timestamps) with placeholders.
fn normalized(mut value: serde_json::Value, case_id: &str) -> serde_json::Value {
    fn walk(value: &mut serde_json::Value, case_id: &str) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if key.ends_with("_at") && inner.is_string() {
                        *inner = serde_json::Value::String("<time>".into());
                    } else {
                        walk(inner, case_id);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|inner| walk(inner, case_id)),
            serde_json::Value::String(text) if text == case_id => *text = "<case id>".into(),
            _ => {}
        }
    }
    walk(&mut value, case_id);
    value
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

fn required_keys(json: &serde_json::Value) -> Vec<String> {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["required"] == true)
        .map(|item| item["key"].as_str().unwrap().to_string())
        .collect()
}

const EVERYTHING: &[&str] = &[
    "--merchant-type",
    "public_institution",
    "--edition",
    "liansuotong",
    "--channels",
    "online_website",
    "--opens-payment",
    "--opens-account",
    "--syb",
    "--syb-sft",
    "--regulated-industry",
    "--chain-or-franchise",
    "--payout-or-custody",
    "--nonstandard",
    "fund_consolidation,monthly_fee,same_entity_whitelist,miniprogram_checkout",
    "--parent-child-same-entity",
];

#[test]
fn checklist_choice_shows_the_variant_an_option_recorded_would_give() {
    let sandbox = Sandbox::new();
    let slot = |args: &[&str]| {
        let run = sandbox.run(args);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let json = run.json();
        json["items"].as_array().unwrap().iter().find(|item| item["key"] == "legal_rep_id").unwrap().clone()
    };
    let card = slot(&["checklist", "--opens-payment", "--json"]);
    assert_eq!(
        (card["title_zh"].as_str().unwrap(), card["min_files"].as_u64()),
        ("法人身份证(肖像面+国徽面)", Some(2))
    );
    let passport = slot(&["checklist", "--opens-payment", "--choice", "legal_rep_id_type=passport", "--json"]);
    assert_eq!(
        (passport["title_zh"].as_str().unwrap(), passport["min_files"].as_u64()),
        ("法人护照(个人资料页)", Some(1))
    );
    // A value that is not an option, or a key that is not a choice field, names what there is.
    let run = sandbox.run(["checklist", "--choice", "legal_rep_id_type=pasport", "--json"]);
    assert_eq!(run.status, 2);
    assert_eq!(run.json()["error"]["code"], "invalid_input");
    assert!(
        run.json()["error"]["message"].as_str().unwrap().contains("resident_id, residence_permit"),
        "{}",
        run.stdout
    );
    let run = sandbox.run(["checklist", "--choice", "uscc=x"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("the choice fields are: legal_rep_id_type"), "{}", run.stderr);
}

#[test]
fn checklist_json_matches_the_golden_files() {
    let sandbox = Sandbox::new();
    let cases: &[(&str, &[&str])] = &[
        ("checklist-enterprise.json", &[]),
        (
            "checklist-individual-online-remote.json",
            &[
                "--merchant-type",
                "individual",
                "--edition",
                "jinxiaoman",
                "--channels",
                "online_app,offline",
                "--opens-payment",
                "--payout-or-custody",
                "--remote-visit",
            ],
        ),
        ("checklist-everything.json", EVERYTHING),
    ];
    for (golden, flags) in cases {
        let mut args = vec!["checklist", "--json"];
        args.extend_from_slice(flags);
        let run = sandbox.run(&args);
        assert_eq!(run.status, 0, "{golden}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{golden}: {}", run.stderr);
        assert_golden(golden, &run.stdout);
    }
    assert!(!sandbox.home().exists(), "checklist needs no data folder and creates none");
}

#[test]
fn checklist_text_is_bilingual_and_matches_its_golden_file() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(["checklist", "--opens-payment", "--channels", "online_website", "--remote-visit"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("经营门头照片 Storefront photo"));
    assert_golden("checklist-payment-website-remote.txt", &run.stdout);
}

#[test]
fn checklist_has_the_contract_fields_of_interfaces_md() {
    let sandbox = Sandbox::new();
    let json = sandbox.run(["checklist", "--json", "--opens-payment"]).json();
    let items = json["items"].as_array().unwrap();
    for item in items {
        for field in [
            "key",
            "stage",
            "title_zh",
            "provided_by",
            "required",
            "stamps",
            "alternative_to",
            "min_files",
            "applicable",
        ] {
            assert!(item.get(field).is_some(), "{} lacks {field}", item["key"]);
        }
    }
    let item = |key: &str| items.iter().find(|item| item["key"] == key).unwrap().clone();
    assert_eq!(item("storefront_photo")["title_zh"], "经营门头照片");
    assert_eq!(item("storefront_photo")["provided_by"], "branch");
    assert_eq!(item("storefront_photo")["stage"], "payment");
    assert_eq!(item("inspection_video")["alternative_to"], "manager_with_storefront");
    assert_eq!(item("inspection_video")["required"], false);
    assert_eq!(item("legal_rep_id")["min_files"], 2);
    assert_eq!(item("golive_application")["applicable"], false);
    assert_eq!(item("golive_application")["required"], false);
}

#[test]
fn checklist_required_keys_for_an_offline_individual_business() {
    let sandbox = Sandbox::new();
    let json = sandbox
        .run([
            "checklist",
            "--json",
            "--merchant-type",
            "individual_business",
            "--channels",
            "offline",
            "--opens-payment",
            "--syb",
        ])
        .json();
    assert_eq!(
        required_keys(&json),
        [
            "service_agreement",
            "business_license",
            "legal_rep_id",
            "account_opening_proof",
            "beneficial_owner_form",
            "risk_rating_form",
            "storefront_photo",
            "interior_photo",
            "operator_holding_id",
            "site_inspection_form",
            "manager_with_storefront",
            "gps_screenshot",
            "manager_with_legal_rep",
            "syb_registration_form",
        ]
    );
}

#[test]
fn a_broken_rule_file_is_refused_with_its_line_and_exit_2() {
    let sandbox = Sandbox::new();
    let rules = sandbox.file("rules.toml", b"version = 1\n\n[[group]]\nkey = \"g\"\ntitle_zh = \"g\"\ntitle_en = \"g\"\n\n[[material]]\nkey = \"x\"\ngroup = \"g\"\nstage = \"payment\"\nprovided_by = \"branch\"\ntitle_zh = \"x\"\ntitle_en = \"x\"\nwhen = \"opens_paymnt\"\n");
    let run = sandbox.run(["checklist", "--json", "--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("line 15") && run.stderr.contains("opens_paymnt"), "{}", run.stderr);
    assert_eq!(run.json()["error"]["code"], "invalid_rules");

    let missing = sandbox.dir.path().join("nope.toml");
    let run = sandbox.run(["checklist", "--rules", missing.to_str().unwrap()]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("nope.toml"), "{}", run.stderr);
}

#[test]
fn a_corrected_rule_file_changes_the_checklist() {
    let sandbox = Sandbox::new();
    let rules = sandbox.file("rules.toml", b"version = 1\n[[group]]\nkey = \"g\"\ntitle_zh = \"\xe7\xbb\x84\"\ntitle_en = \"G\"\n[[material]]\nkey = \"only_this\"\ngroup = \"g\"\nstage = \"payment\"\nprovided_by = \"branch\"\ntitle_zh = \"\xe5\x94\xaf\xe4\xb8\x80\"\ntitle_en = \"Only\"\nwhen = \"syb\"\n");
    let json =
        sandbox.run(["checklist", "--json", "--opens-payment", "--syb", "--rules", rules.to_str().unwrap()]).json();
    assert_eq!(required_keys(&json), ["only_this"]);
}

#[test]
fn add_takes_the_materials_of_the_rule_file_given_with_rules() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment", "--syb"]);
    let rules = sandbox.file("rules.toml", b"version = 1\n[[group]]\nkey = \"g\"\ntitle_zh = \"\xe7\xbb\x84\"\ntitle_en = \"G\"\n[[material]]\nkey = \"only_this\"\ngroup = \"g\"\nstage = \"payment\"\nprovided_by = \"branch\"\ntitle_zh = \"\xe5\x94\xaf\xe4\xb8\x80\"\ntitle_en = \"Only\"\nwhen = \"syb\"\n");
    let photo = sandbox.file("a.jpg", b"\xFF\xD8\xFFphoto");
    let add = |extra: &[&str]| {
        let mut args = vec!["add", "--case", &id, "--material", "only_this", photo.to_str().unwrap()];
        args.extend_from_slice(extra);
        sandbox.run(args)
    };
    // Not a material of the built-in rules; one of the rule file's.
    assert_eq!(add(&[]).status, 2);
    let run = add(&["--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let show = sandbox.run(["case", "show", &id, "--json"]).json();
    assert_eq!(show["evidence"][0]["material_key"], "only_this");
}

#[test]
fn add_refuses_a_key_that_is_not_a_material_and_suggests_close_ones() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment"]);
    let photo = sandbox.file("a.jpg", b"\xFF\xD8\xFFphoto");
    let run = sandbox.run(["add", "--case", &id, "--material", "storefront_foto", photo.to_str().unwrap()]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("did you mean: storefront_photo"), "{}", run.stderr);
    let show = sandbox.run(["case", "show", &id, "--json"]).json();
    assert_eq!(show["evidence"].as_array().unwrap().len(), 0);
}

#[test]
fn check_follows_files_attestations_and_fields_and_exits_1_while_blocked() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--merchant-type", "individual", "--merchant-name", "小王水果摊"]);
    let run = sandbox.run(["check", "--case", &id, "--json"]);
    assert_eq!(run.status, 1, "nothing provided yet: {}", run.stderr);
    let json = run.json();
    assert_eq!(json["blocking"], true);
    assert_eq!(json["findings"], serde_json::json!([]));

    for (material, name) in [
        ("service_agreement", "agreement.pdf"),
        ("legal_rep_id", "id-front.jpg"),
        ("legal_rep_id", "id-back.jpg"),
        ("account_opening_proof", "bank.pdf"),
        ("risk_rating_form", "risk.pdf"),
    ] {
        let file = sandbox.file(name, &placeholder(name));
        let run = sandbox.run(["add", "--case", &id, "--material", material, file.to_str().unwrap()]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    }
    let run = sandbox.run([
        "case",
        "set",
        &id,
        "--field",
        "legal_rep_name=王小明",
        "--field",
        "legal_rep_id_number=11010519491231002X",
        "--field",
        "legal_rep_mobile=+86 138 0013 8000",
        "--json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("11010519491231002X"), "personal numbers are masked in output");
    let run = sandbox.run(["check", "--case", &id, "--json"]);
    assert_eq!(run.status, 0, "everything required is there: {}", run.stdout);
    let json = run.json();
    assert_eq!(json["blocking"], false);
    assert!(!run.stdout.contains("11010519491231002X"), "personal numbers are masked in output");
    let text = sandbox.run(["check", "--case", &id]);
    assert_eq!(text.status, 0);
    assert!(text.stdout.contains("可提交 READY"), "{}", text.stdout);
}

#[test]
fn check_json_matches_its_golden_file() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[
        "--opens-payment",
        "--remote-visit",
        "--channels",
        "online_website",
        "--nonstandard",
        "monthly_fee",
        "--merchant-name",
        "沪上小面馆",
    ]);
    // Placeholder bytes: not read as documents (`--no-read`), or the ID card slot would carry
    // a `document_not_read` worded by the image decoder (read_at_add.rs tests that).
    let add = |material: &str, name: &str| {
        let file = sandbox.file(name, &placeholder(name));
        let run = sandbox.run(["add", "--case", &id, "--material", material, file.to_str().unwrap(), "--no-read"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    };
    add("legal_rep_id", "id-front.jpg");
    add("site_inspection_form", "inspection.pdf");
    add("manager_with_storefront", "manager.jpg");
    add("inspection_video", "walkthrough.mp4");
    add("icp_filing", "icp.png");
    add("monthly_fee.change_approval_form", "change.pdf");
    let attest = |file: &str, marks: &str| {
        let run = sandbox.run(["attest", "--case", &id, "--file", file, "--marks", marks]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    };
    attest("inspection.pdf", "manager_signature");
    attest("change.pdf", "customer_stamp");
    let run =
        sandbox.run(["case", "set", &id, "--field", "uscc=91350100M000100Y43", "--field", "monthly_fee.rate=0.38"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // The website goes: the ICP filing is no longer needed, and its file stays.
    let run = sandbox.run(["case", "update", &id, "--channels", "offline", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let update = run.json();
    assert_eq!(update["files_kept"], serde_json::json!([{ "material": "icp_filing", "files": 1 }]));

    let run = sandbox.run(["check", "--case", &id, "--json"]);
    assert_eq!(run.status, 1);
    let json = run.json();
    let item = |key: &str| json["items"].as_array().unwrap().iter().find(|item| item["key"] == key).unwrap().clone();
    assert_eq!(item("legal_rep_id")["status"], "incomplete");
    assert_eq!(item("site_inspection_form")["status"], "incomplete");
    assert_eq!(item("site_inspection_form")["missing_attestations"], serde_json::json!(["branch_stamp"]));
    assert_eq!(item("manager_with_storefront")["status"], "ok", "the video stands in");
    assert_eq!(item("manager_with_storefront")["satisfied_by"], "inspection_video");
    assert_eq!(item("monthly_fee.change_approval_form")["status"], "ok");
    assert_eq!(item("icp_filing")["status"], "not_applicable");
    assert_eq!(item("icp_filing")["files"].as_array().unwrap().len(), 1);
    assert_eq!(item("storefront_photo")["status"], "missing");
    assert_golden("check-case.json", &pretty(&normalized(json, &id)));
}

#[test]
fn attest_and_case_set_refuse_bad_input_naming_it() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment"]);
    let file = sandbox.file("form.pdf", b"%PDF-1.4 form");
    assert_eq!(
        sandbox.run(["add", "--case", &id, "--material", "site_inspection_form", file.to_str().unwrap()]).status,
        0
    );

    let run = sandbox.run(["attest", "--case", &id, "--file", "form.pdf", "--marks", "manager_signatur"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("'manager_signatur' is not a mark"), "{}", run.stderr);
    let run = sandbox.run(["attest", "--case", &id, "--file", "other.pdf", "--marks", "branch_stamp"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("no file 'other.pdf'"), "{}", run.stderr);
    let run = sandbox.run([
        "attest",
        "--case",
        &id,
        "--file",
        "form.pdf",
        "--marks",
        "branch_stamp,customer_stamp",
        "--json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("does not ask for customer_stamp"), "{}", run.stderr);
    assert_eq!(run.json()["attestation"]["marks"], serde_json::json!(["branch_stamp", "customer_stamp"]));

    let run = sandbox.run(["case", "set", &id, "--field", "legal_rep_id_number=110105194912310021"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("legal_rep_id_number") && run.stderr.contains("check character"), "{}", run.stderr);
    assert!(!run.stderr.contains("110105194912310021"), "no ID number in messages: {}", run.stderr);
    let run = sandbox.run(["case", "set", &id, "--field", "uscc=91350100M000100Y44"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("--override-reason"), "{}", run.stderr);
    // With --json: each refused field with its key and the error's code, beside what was recorded.
    let run = sandbox.run([
        "case",
        "set",
        &id,
        "--field",
        "uscc=91350100M000100Y44",
        "--field",
        "legal_rep_mobile=13912345678",
        "--json",
    ]);
    assert_eq!(run.status, 2);
    let json = run.json();
    assert_eq!(json["refused"][0]["field_key"], "uscc", "{json}");
    assert_eq!(json["refused"][0]["code"], "invalid_input", "{json}");
    assert!(json["refused"][0]["message"].as_str().unwrap().contains("--override-reason"), "{json}");
    assert_eq!(json["recorded"][0]["field_key"], "legal_rep_mobile", "{json}");
    let run = sandbox.run([
        "case",
        "set",
        &id,
        "--field",
        "uscc=91350100M000100Y44",
        "--override-reason",
        "营业执照上即为此代码",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = sandbox.run(["case", "set", &id, "--field", "legal_rep_mobile"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("KEY=VALUE"), "{}", run.stderr);
    let run = sandbox.run(["case", "update", &id, "--channels", "onlne_app"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("--channels") && run.stderr.contains("onlne_app"), "{}", run.stderr);
    let run = sandbox.run(["check", "--case", "20990101-NOSUCH"]);
    assert_eq!(run.status, 2);
}

#[test]
fn case_update_changes_only_the_flags_given() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment", "--merchant-type", "individual_business", "--channels", "offline"]);
    let run = sandbox.run(["case", "update", &id, "--opens-account", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let case = &run.json()["case"]["attributes"];
    assert_eq!(case["opens_payment"], true);
    assert_eq!(case["opens_account"], true);
    assert_eq!(case["merchant_type"], "individual_business");
    assert_eq!(case["channels"], serde_json::json!(["offline"]));
    let run = sandbox.run(["case", "update", &id, "--opens-payment=false", "--channels", "none", "--json"]);
    let case = &run.json()["case"]["attributes"];
    assert_eq!(case["opens_payment"], false);
    assert_eq!(case["channels"], serde_json::json!([]));
}
