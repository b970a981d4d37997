//! `intake case new | list | show`.

use crate::harness::OutputOnceStarted;
use crate::harness::Sandbox;

#[test]
fn case_new_prints_an_id_and_show_gives_back_every_attribute() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[
        "--merchant-name",
        "沪上小面馆",
        "--merchant-type",
        "individual_business",
        "--channels",
        "offline,online_app",
        "--edition",
        "jinxiaoman",
        "--opens-payment",
        "--syb=true",
        "--remote-visit=false",
        "--nonstandard",
        "monthly_fee,fund_consolidation",
        "--parent-child-same-entity",
        "--visit-date",
        "2026-11-20",
        "--site-lat",
        "31.2304",
        "--site-lon",
        "121.4737",
        "--site-crs",
        "gcj02",
        "--site-radius-m",
        "150",
    ]);
    let shown = sandbox.run(["case", "show", &id, "--json"]);
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    let case = shown.json();
    assert_eq!(case["id"], id.as_str());
    assert_eq!(case["merchant_name"], "沪上小面馆");
    assert_eq!(case["visit_date"], "2026-11-20");
    let attributes = &case["attributes"];
    assert_eq!(attributes["merchant_type"], "individual_business");
    assert_eq!(attributes["edition"], "jinxiaoman");
    assert_eq!(attributes["channels"], serde_json::json!(["offline", "online_app"]));
    assert_eq!(attributes["nonstandard"], serde_json::json!(["fund_consolidation", "monthly_fee"]));
    assert_eq!(attributes["opens_payment"], true);
    assert_eq!(attributes["syb"], true);
    assert_eq!(attributes["remote_visit"], false);
    assert_eq!(attributes["parent_child_same_entity"], true);
    assert_eq!(case["site"], serde_json::json!({"lat": 31.2304, "lon": 121.4737, "datum": "gcj02", "radius_m": 150.0}));
    assert_eq!(case["evidence"], serde_json::json!([]));
}

#[test]
fn case_list_shows_cases_made_by_earlier_runs() {
    let sandbox = Sandbox::new();
    let first = sandbox.new_case(&["--merchant-name", "甲"]);
    let second = sandbox.new_case(&["--merchant-name", "乙"]);
    let listed = sandbox.run(["case", "list", "--json"]);
    assert_eq!(listed.status, 0);
    let ids: Vec<String> = listed.json()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&first) && ids.contains(&second));
    let text = sandbox.run(["case", "list"]);
    assert!(text.stdout.contains("甲") && text.stdout.contains(&second), "{}", text.stdout);
}

#[test]
fn the_home_folder_can_come_from_the_environment() {
    let sandbox = Sandbox::new();
    let run = std::process::Command::new(crate::harness::intake_binary())
        .args(["case", "new", "--merchant-name", "环境变量", "--json"])
        .env("INTAKE_HOME", sandbox.home())
        .output_once_started()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert!(sandbox.home().join("intake.sqlite3").is_file());
}

#[test]
fn bad_values_exit_2_with_a_one_line_reason_naming_the_value() {
    let sandbox = Sandbox::new();
    for (args, expected) in [
        (vec!["case", "new", "--merchant-type", "bank"], "bank"),
        (vec!["case", "new", "--visit-date", "2026-13-01"], "2026-13-01"),
        (vec!["case", "new", "--site-lat", "95", "--site-lon", "121"], "95"),
        (vec!["case", "new", "--site-lat", "31"], "--site-lon"),
        // A radius with no position to be around was dropped without a word.
        (vec!["case", "new", "--site-radius-m", "5"], "--site-radius-m"),
        (vec!["case", "new", "--site-lat", "31", "--site-lon", "121", "--site-radius-m", "1e12"], "1 to 100000"),
        (vec!["case", "new", "--site-lat", "31", "--site-lon", "121", "--site-radius-m", "0.0001"], "1 to 100000"),
        (vec!["case", "show", "20990101-NOSUCH"], "20990101-NOSUCH"),
    ] {
        let run = sandbox.run(&args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?} printed on stdout: {}", run.stdout);
    }
}

#[test]
fn json_errors_are_one_document_with_code_and_message() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(["case", "show", "20990101-NOSUCH", "--json"]);
    assert_eq!(run.status, 2);
    let body = run.json();
    assert_eq!(body["error"]["code"], "case_not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("20990101-NOSUCH"));
    // A value the command line itself refuses comes the same way (it printed nothing on
    // stdout, so a script read no JSON at all).
    for (args, expected) in [
        (vec!["case", "new", "--merchant-type", "bank", "--json"], "bank"),
        (vec!["case", "new", "--site-lat", "31", "--json"], "--site-lon"),
        (vec!["add", "--json"], "--case"),
    ] {
        let run = sandbox.run(&args);
        assert_eq!(run.status, 2, "{args:?}");
        let body = run.json();
        assert_eq!(body["error"]["code"], "invalid_input", "{args:?}");
        assert!(body["error"]["message"].as_str().unwrap().contains(expected), "{args:?}: {body}");
        assert!(run.stderr.contains(expected), "clap's text stays on stderr: {}", run.stderr);
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_with_exit_2() {
    let sandbox = Sandbox::new();
    sandbox.new_case(&[]);
    let database = sandbox.home().join("intake.sqlite3");
    {
        let connection = rusqlite::Connection::open(&database).unwrap();
        connection.execute_batch("PRAGMA user_version = 999").unwrap();
    }
    let run = sandbox.run(["case", "list"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("newer"), "{}", run.stderr);
}
