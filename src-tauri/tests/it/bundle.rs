//! The packaging configuration that `scripts/build-deb.sh` relies on, checked in seconds so a
//! broken bundle config shows in every test run, not only in the half-hour release build.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn app_crate() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_of(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn the_bundle_config_makes_a_deb_of_the_app_binary_with_its_icons() {
    let config = json_of(&app_crate().join("tauri.conf.json"));
    let bundle = &config["bundle"];
    assert_eq!(bundle["active"], true, "{bundle}");
    let targets: Vec<&str> = bundle["targets"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(targets.contains(&"deb"), "{targets:?}");
    // Its bundler downloads its tools, which this offline build cannot do.
    assert!(!targets.contains(&"appimage"), "{targets:?}");

    // The .deb's /usr/bin name and the .desktop file's Exec line come from mainBinaryName:
    // it must be the binary cargo builds.
    let binary = config["mainBinaryName"].as_str().unwrap();
    let manifest = std::fs::read_to_string(app_crate().join("Cargo.toml")).unwrap();
    assert!(manifest.contains(&format!("[[bin]]\nname = \"{binary}\"")), "no [[bin]] named {binary} in Cargo.toml");
    assert!(!config["productName"].as_str().unwrap().trim().is_empty());
    let identifier = config["identifier"].as_str().unwrap();
    assert!(identifier.split('.').count() >= 3, "{identifier}");
    for field in ["category", "shortDescription"] {
        assert!(bundle[field].as_str().is_some_and(|text| !text.is_empty()), "bundle.{field} is empty");
    }

    // Every icon is there, the .deb takes the PNGs (hicolor sizes), Windows the .ico.
    let icons: Vec<&str> = bundle["icon"].as_array().unwrap().iter().map(|icon| icon.as_str().unwrap()).collect();
    for icon in &icons {
        let path = app_crate().join(icon);
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("icon {}: {err}", path.display()));
        if icon.ends_with(".png") {
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
        }
    }
    assert!(icons.iter().any(|icon| icon.ends_with(".png")) && icons.iter().any(|icon| icon.ends_with(".ico")));
}

#[test]
fn the_deb_build_uses_the_pinned_tauri_cli_of_the_front_end() {
    let root = app_crate().join("..");
    let package = json_of(&root.join("ui/package.json"));
    let cli = package["devDependencies"]["@tauri-apps/cli"].as_str().expect("@tauri-apps/cli is a devDependency");
    // Exact, so a fresh `npm ci` builds with the CLI this was tested with; 2.x like the crate.
    assert!(cli.starts_with("2.") && cli.chars().all(|c| c.is_ascii_digit() || c == '.'), "{cli}");
    let lock = json_of(&root.join("ui/package-lock.json"));
    assert_eq!(lock["packages"]["node_modules/@tauri-apps/cli"]["version"], cli, "the lockfile disagrees");
    let script = std::fs::read_to_string(root.join("scripts/build-deb.sh")).unwrap();
    assert!(
        script.contains(r#"ui/node_modules/.bin/tauri build "${tauri_profile[@]}" --bundles deb"#),
        "build-deb.sh changed its command"
    );
}

#[test]
fn the_deb_carries_every_ocr_model_where_the_app_looks_for_it() {
    let config = json_of(&app_crate().join("tauri.conf.json"));
    let files = config["bundle"]["linux"]["deb"]["files"].as_object().expect("bundle.linux.deb.files");
    // The models scripts/fetch-ocr-models.sh pins, by the names intake-ocr loads.
    for model in [intake_ocr::DETECTION_MODEL, intake_ocr::RECOGNITION_MODEL, intake_ocr::DIRECTION_MODEL] {
        // /usr/bin/merchant-intake → ../lib/merchant-intake/ocr-models (default_models_folder).
        let installed = format!("/usr/lib/merchant-intake/ocr-models/{model}");
        let source = files.get(&installed).and_then(Value::as_str).unwrap_or_else(|| panic!("no {installed}"));
        assert_eq!(source, format!("../assets/ocr/models/{model}"));
    }
}
