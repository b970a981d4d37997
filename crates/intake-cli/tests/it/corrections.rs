//! `intake withdraw`, `restore`, `move`, `accept`, `note` and `case update` with the visit
//! flags, as scripts use them: JSON on stdout, exit 0, or 2 with `{error: {code, message}}`
//! for every refusal (empty reason, unknown file, ambiguous name, `unreadable`, unknown
//! material); the checklist and the findings follow; the audit chain stays whole.

use std::io::Cursor;

use exif::{Field, In, Rational, Tag, Value};
use image::{ImageEncoder, RgbImage};

use crate::harness::{Sandbox, sha256_of};

const SITE: (f64, f64) = (31.2304, 121.4737);

fn ascii(tag: Tag, text: &str) -> Field {
    Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

fn degrees(tag: Tag, value: f64) -> Field {
    let micro = (value.abs() * 1e6).round() as u32;
    let value = Value::Rational(vec![
        Rational { num: micro, denom: 1_000_000 },
        Rational { num: 0, denom: 1 },
        Rational { num: 0, denom: 1 },
    ]);
    Field { tag, ifd_num: In::PRIMARY, value }
}

/// A sharp 1600x1200 phone photo taken `north_m` north of the premises at `time`.
pub(crate) fn photo(seed: u32, north_m: f64, time: &str) -> Vec<u8> {
    let image = RgbImage::from_fn(1600, 1200, |x, y| {
        let (u, v) = (x * 8 / 1600, y * 6 / 1200);
        let block = (u * 7 + v * 13 + seed * 29) % 11;
        let level = (30 + block * 20 + ((x / 3 + y / 3) % 2) * 18).min(255) as u8;
        image::Rgb([level, level / 2 + 40, 255 - level])
    });
    let fields = [
        ascii(Tag::Make, "Apple"),
        ascii(Tag::Model, "iPhone 13"),
        ascii(Tag::DateTimeOriginal, time),
        ascii(Tag::OffsetTimeOriginal, "+08:00"),
        ascii(Tag::GPSLatitudeRef, "N"),
        degrees(Tag::GPSLatitude, SITE.0 + north_m / 111_195.0),
        ascii(Tag::GPSLongitudeRef, "E"),
        degrees(Tag::GPSLongitude, SITE.1),
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
    encoder.set_exif_metadata(tiff.into_inner()).unwrap();
    encoder.write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8).unwrap();
    out
}

pub(crate) const VISIT: [&str; 9] = [
    "--opens-payment",
    "--merchant-name",
    "沪上小面馆",
    "--visit-date",
    "2026-11-20",
    "--site-lat",
    "31.2304",
    "--site-lon",
    "121.4737",
];

fn add(sandbox: &Sandbox, case_id: &str, material: &str, path: &std::path::Path) {
    let run = sandbox.run(["add", "--case", case_id, "--material", material, path.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

fn check(sandbox: &Sandbox, case_id: &str) -> serde_json::Value {
    let run = sandbox.run(["check", "--case", case_id, "--json"]);
    assert!(run.status <= 1, "{}", run.stderr);
    run.json()
}

fn codes(check: &serde_json::Value, material: &str) -> Vec<String> {
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["material"] == material)
        .map(|finding| finding["code"].as_str().unwrap().to_string())
        .collect()
}

fn item_status(check: &serde_json::Value, material: &str) -> String {
    let item = check["items"].as_array().unwrap().iter().find(|item| item["key"] == material).unwrap();
    item["status"].as_str().unwrap().to_string()
}

/// Runs and expects a refusal: exit 2, `invalid_input`, the message containing `says`.
fn refused(sandbox: &Sandbox, args: &[&str], says: &str) {
    let mut all = args.to_vec();
    all.push("--json");
    let run = sandbox.run(&all);
    assert_eq!(run.status, 2, "{args:?} should be refused: {}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "invalid_input", "{args:?}");
    assert!(run.stderr.contains(says), "{args:?}: the message should say '{says}': {}", run.stderr);
}

fn ok(sandbox: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    let run = sandbox.run(&all);
    assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
    run.json()
}

#[test]
fn withdraw_restore_and_move_a_file_and_the_checklist_follows() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&VISIT);
    // The same photo dropped on two slots: duplicate_in_case on both.
    let shop = sandbox.file("IMG_0001.jpg", &photo(1, 10.0, "2026:11:20 10:22:33"));
    add(&sandbox, &id, "storefront_photo", &shop);
    add(&sandbox, &id, "interior_photo", &shop);
    assert!(codes(&check(&sandbox, &id), "storefront_photo").contains(&"duplicate_in_case".to_string()));

    // A name that fits two files is refused, listing both.
    refused(&sandbox, &["withdraw", "--case", &id, "--file", "IMG_0001.jpg", "--reason", "重复"], "interior_photo");
    let run = sandbox.run(["withdraw", "--case", &id, "--file", "IMG_0001.jpg", "--reason", "重复"]);
    assert!(run.stderr.contains("storefront_photo") && run.stderr.contains("interior_photo"), "{}", run.stderr);
    // An empty reason, an unknown file.
    refused(
        &sandbox,
        &["withdraw", "--case", &id, "--file", "IMG_0001.jpg", "--material", "interior_photo", "--reason", " "],
        "reason",
    );
    refused(&sandbox, &["withdraw", "--case", &id, "--file", "nothing.jpg", "--reason", "x"], "nothing.jpg");

    let withdrawn = ok(
        &sandbox,
        &["withdraw", "--case", &id, "--file", "IMG_0001.jpg", "--material", "interior_photo", "--reason", "拍重复了"],
    );
    assert_eq!(withdrawn["reason"], "拍重复了");
    assert_eq!(withdrawn["evidence"]["sha256"], sha256_of(&shop).as_str());
    let after = check(&sandbox, &id);
    assert_eq!(item_status(&after, "interior_photo"), "missing");
    assert!(!codes(&after, "storefront_photo").contains(&"duplicate_in_case".to_string()));

    // Restored by its name: the only withdrawn file of that name.
    refused(&sandbox, &["restore", "--case", &id, "--file", "nothing.jpg"], "withdrawn");
    let restored = ok(&sandbox, &["restore", "--case", &id, "--file", "IMG_0001.jpg"]);
    assert_eq!(restored["material_key"], "interior_photo");
    assert!(codes(&check(&sandbox, &id), "interior_photo").contains(&"duplicate_in_case".to_string()));

    // Moved by a prefix of its SHA-256, then: the interior slot is empty, the licence slot holds it.
    let prefix = &sha256_of(&shop)[..10];
    refused(
        &sandbox,
        &["move", "--case", &id, "--file", prefix, "--material", "interior_photo", "--to", "no_such_slot"],
        "no_such_slot",
    );
    let moved = ok(
        &sandbox,
        &["move", "--case", &id, "--file", prefix, "--material", "interior_photo", "--to", "business_license"],
    );
    assert_eq!(
        (moved["from"].as_str(), moved["evidence"]["material_key"].as_str()),
        (Some("interior_photo"), Some("business_license"))
    );
    let after = check(&sandbox, &id);
    assert_eq!(item_status(&after, "interior_photo"), "missing");
    assert_ne!(item_status(&after, "business_license"), "missing");

    let audit = sandbox.run(["audit", "--case", &id, "--json"]);
    assert_eq!(audit.status, 0, "the chain is whole after the corrections: {}", audit.stdout);
    let actions: Vec<String> = audit.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_string())
        .collect();
    for action in ["file_withdrawn", "file_restored", "file_moved"] {
        assert!(actions.contains(&action.to_string()), "{action} in {actions:?}");
    }
}

#[test]
fn accept_a_finding_with_a_reason_and_the_case_is_no_longer_blocked_by_it() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&VISIT);
    let far = sandbox.file("负一层.jpg", &photo(2, 900.0, "2026:11:20 10:22:33"));
    add(&sandbox, &id, "storefront_photo", &far);
    let broken = sandbox.file("broken.jpg", &photo(3, 0.0, "2026:11:20 10:22:33")[..400]);
    add(&sandbox, &id, "interior_photo", &broken);
    let before = check(&sandbox, &id);
    assert!(codes(&before, "storefront_photo").contains(&"outside_site_radius".to_string()));
    assert!(codes(&before, "interior_photo").contains(&"unreadable".to_string()), "{:?}", before["findings"]);

    refused(
        &sandbox,
        &["accept", "--case", &id, "--file", "负一层.jpg", "--finding", "outside_site_radius", "--reason", ""],
        "reason",
    );
    refused(
        &sandbox,
        &["accept", "--case", &id, "--file", "broken.jpg", "--finding", "unreadable", "--reason", "看过了"],
        "replace",
    );
    refused(
        &sandbox,
        &["accept", "--case", &id, "--file", "负一层.jpg", "--finding", "too_dark", "--reason", "x"],
        "outside_site_radius",
    );

    let accepted = ok(
        &sandbox,
        &[
            "accept",
            "--case",
            &id,
            "--file",
            "负一层.jpg",
            "--finding",
            "outside_site_radius",
            "--reason",
            "商场地下一层,定位漂移",
        ],
    );
    assert_eq!(accepted["code"], "outside_site_radius");
    let after = check(&sandbox, &id);
    let finding =
        after["findings"].as_array().unwrap().iter().find(|finding| finding["code"] == "outside_site_radius").unwrap();
    assert_eq!(finding["accepted"]["reason"], "商场地下一层,定位漂移");
    assert_ne!(item_status(&after, "storefront_photo"), "present", "the accepted error no longer holds the item");
    assert_eq!(
        after["summary"]["error_findings"].as_u64().unwrap() + 1,
        before["summary"]["error_findings"].as_u64().unwrap()
    );
}

#[test]
fn case_update_takes_every_attribute_of_case_new_and_the_findings_change() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&VISIT);
    // Taken the day after the date typed in.
    let shop = sandbox.file("门头.jpg", &photo(4, 10.0, "2026:11:21 10:00:00"));
    add(&sandbox, &id, "storefront_photo", &shop);
    assert!(codes(&check(&sandbox, &id), "storefront_photo").contains(&"outside_visit_window".to_string()));

    let updated = ok(&sandbox, &["case", "update", &id, "--visit-date", "2026-11-21", "--merchant-name", "沪上面馆"]);
    assert_eq!(updated["changed"], serde_json::json!(["merchant_name", "visit_date"]));
    assert_eq!(updated["case"]["merchant_name"], "沪上面馆");
    assert!(!codes(&check(&sandbox, &id), "storefront_photo").contains(&"outside_visit_window".to_string()));

    // The premises in the wrong datum, then a radius, then none at all.
    let updated =
        ok(&sandbox, &["case", "update", &id, "--site-lat", "31.26", "--site-lon", "121.4737", "--site-crs", "gcj02"]);
    assert_eq!(updated["case"]["site"]["datum"], "gcj02");
    assert!(codes(&check(&sandbox, &id), "storefront_photo").contains(&"outside_site_radius".to_string()));
    let updated = ok(&sandbox, &["case", "update", &id, "--site-radius-m", "5000"]);
    assert_eq!(updated["case"]["site"]["radius_m"], 5000.0);
    assert!(!codes(&check(&sandbox, &id), "storefront_photo").contains(&"outside_site_radius".to_string()));
    let updated = ok(&sandbox, &["case", "update", &id, "--clear-site", "--visit-date", "none", "--opens-account"]);
    assert_eq!(updated["case"]["site"], serde_json::Value::Null);
    assert_eq!(updated["case"]["visit_date"], serde_json::Value::Null);
    assert_eq!(updated["case"]["attributes"]["opens_account"], true);

    refused(&sandbox, &["case", "update", &id, "--visit-date", "2026-13-40"], "visit-date");
    refused(&sandbox, &["case", "update", &id, "--site-radius-m", "100"], "site");

    let audit = sandbox.run(["audit", "--case", &id, "--json"]);
    assert_eq!(audit.status, 0, "{}", audit.stdout);
    let entries = audit.json()["entries"].as_array().unwrap().clone();
    let last = entries.iter().rev().find(|entry| entry["action"] == "case_updated").unwrap();
    assert_eq!(last["details"]["changed"], "opens_account,visit_date,site,site_datum,site_radius_m");
}

#[test]
fn notes_on_the_case_and_on_a_file() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&VISIT);
    let shop = sandbox.file("门头.jpg", &photo(5, 10.0, "2026:11:20 10:00:00"));
    add(&sandbox, &id, "storefront_photo", &shop);
    refused(&sandbox, &["note", "--case", &id, "  "], "note");
    refused(&sandbox, &["note", "--case", &id, "--file", "nothing.jpg", "原件已核对"], "nothing.jpg");
    let on_case = ok(&sandbox, &["note", "--case", &id, "法人不在场,以视频代替"]);
    assert_eq!(on_case["evidence_id"], serde_json::Value::Null);
    let on_file = ok(&sandbox, &["note", "--case", &id, "--file", "门头.jpg", "招牌已更换"]);
    assert_eq!(on_file["file_name"], "门头.jpg");
    assert_eq!(on_file["text"], "招牌已更换");
}
