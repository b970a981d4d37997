//! The audit trail: every change logged in its own transaction, hash-chained per case, without
//! personal data in clear; carried by the package and checked by `verify`, which catches each
//! way of tampering with it even when the attacker rehashes the manifests and re-signs.

use std::process::Command;

use intake_core::audit::{self, AuditAction};
use intake_core::package::layout;
use intake_core::package::verify;

use super::package::{Fixture, codes, entries_of, rehash_manifests, repack, run, unzipped, venv_tool, zip_time_of};

fn actions(fixture: &Fixture) -> Vec<String> {
    fixture.folder.database().audit_chain(&fixture.case_id).unwrap().into_iter().map(|entry| entry.action).collect()
}

#[test]
fn every_change_is_logged_in_order_with_the_manager_and_no_personal_values() {
    let fixture = Fixture::complete_case();
    let chain = fixture.folder.database().audit_chain(&fixture.case_id).unwrap();
    assert!(audit::check_chain(&fixture.case_id, &chain).is_empty());
    assert_eq!(chain[0].action, "case_created");
    let files = fixture.folder.case_evidence(&fixture.case_id).unwrap();
    let count = |action: AuditAction| chain.iter().filter(|entry| entry.action == action.key()).count();
    assert_eq!(count(AuditAction::FileAdded), files.len());
    assert!(count(AuditAction::Attested) > 0);
    assert_eq!(count(AuditAction::FieldSet), 4);
    for (index, entry) in chain.iter().enumerate() {
        assert_eq!(entry.seq, index as u64 + 1);
        assert_eq!(entry.manager, "张三");
        assert!(entry.at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(&entry.at).is_ok(), "{}", entry.at);
    }
    // The values recorded (ID number, names, phone) and the merchant's name are not in the log.
    let log = String::from_utf8(audit::to_jsonl(&chain)).unwrap();
    for secret in ["11010519491231002X", "李四", "13912345678", "91350100M000100Y43", "沪上小面馆"] {
        assert!(!log.contains(secret), "the audit log holds '{secret}' in clear");
    }
    let report = fixture.folder.audit_case(&fixture.case_id).unwrap();
    assert!(report.valid, "{:?}", report.faults);

    // Clearing a field and changing an attribute are logged too; the case's other changes
    // go on from the same chain.
    let mut fixture = fixture;
    assert!(fixture.folder.clear_case_field(&fixture.case_id, "legal_rep_mobile").unwrap());
    let mut attributes = fixture.folder.case(&fixture.case_id).unwrap().attributes;
    attributes.syb = true;
    fixture.folder.update_case_attributes(&fixture.case_id, attributes).unwrap();
    let tail: Vec<String> = actions(&fixture).into_iter().rev().take(2).collect();
    assert_eq!(tail, ["attributes_changed", "field_cleared"]);
    let last = fixture.folder.database().audit_chain(&fixture.case_id).unwrap().pop().unwrap();
    assert_eq!(last.details["changed"], "syb");
}

#[test]
fn a_change_whose_entry_cannot_be_written_is_not_stored() {
    let mut fixture = Fixture::empty_case();
    // The entry of the next change cannot be inserted (a trigger refuses it, as a full disk
    // or a broken chain would): the change must not be stored without it.
    let connection = rusqlite::Connection::open(fixture.folder.root().join("intake.sqlite3")).unwrap();
    connection
        .execute_batch("CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END;")
        .unwrap();
    let err = fixture.folder.set_case_field(&fixture.case_id, "legal_rep_name", "李四", None).unwrap_err();
    assert!(err.message().contains("refused"), "{}", err.message());
    assert!(fixture.folder.case_fields(&fixture.case_id).unwrap().is_empty(), "the field was stored without its entry");
}

#[test]
fn the_log_is_append_only_and_a_row_altered_by_hand_is_reported() {
    let fixture = Fixture::complete_case();
    let connection = rusqlite::Connection::open(fixture.folder.root().join("intake.sqlite3")).unwrap();
    let refused = connection.execute("UPDATE audit_log SET manager = 'x' WHERE seq = 2", []);
    assert!(refused.is_err(), "the trigger should refuse an update");
    assert!(connection.execute("DELETE FROM audit_log WHERE seq = 2", []).is_err());

    // Around the triggers: the hash of the row no longer matches.
    connection.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    connection
        .execute(
            "UPDATE audit_log SET details = json_set(details, '$.name', 'other.jpg') WHERE case_id = ?1 AND seq = 3",
            [&fixture.case_id],
        )
        .unwrap();
    let report = fixture.folder.audit_case(&fixture.case_id).unwrap();
    assert!(!report.valid);
    assert_eq!(report.faults.iter().map(|fault| fault.code.as_str()).collect::<Vec<_>>(), ["audit_hash_mismatch"]);
    assert_eq!(report.faults[0].seq, Some(3));

    // Deleting the last entries leaves a whole chain, but the case's records outnumber it.
    let entries = report.entries.len() as i64;
    connection
        .execute(
            "DELETE FROM audit_log WHERE case_id = ?1 AND seq >= ?2",
            rusqlite::params![fixture.case_id, entries - 3],
        )
        .unwrap();
    let report = fixture.folder.audit_case(&fixture.case_id).unwrap();
    assert!(
        report.faults.iter().any(|fault| fault.code == intake_core::package::codes::ChainCode::AuditUnloggedChange),
        "{:?}",
        report.faults
    );
}

/// The package with its audit log (and, if given, bag-info.txt) replaced, manifests rehashed
/// and the tag manifest signed again with the installation's key: only the chain's own checks
/// can tell.
fn tampered(
    fixture: &Fixture,
    zip: &[u8],
    change_log: impl Fn(&mut Vec<String>),
    change_bag_info: impl Fn(&mut String),
) -> Vec<String> {
    let mut entries = entries_of(zip);
    let log = entries.iter_mut().find(|entry| entry.0 == layout::AUDIT_LOG).unwrap();
    let mut lines: Vec<String> = String::from_utf8(log.1.clone()).unwrap().lines().map(String::from).collect();
    change_log(&mut lines);
    log.1 = lines.iter().map(|line| format!("{line}\n")).collect::<String>().into_bytes();
    let info = entries.iter_mut().find(|entry| entry.0 == layout::BAG_INFO_TXT).unwrap();
    let mut text = String::from_utf8(info.1.clone()).unwrap();
    change_bag_info(&mut text);
    info.1 = text.into_bytes();
    rehash_manifests(&mut entries);
    let key = fixture.folder.installation_key().unwrap();
    let tag_manifest = entries.iter().find(|entry| entry.0 == layout::TAG_MANIFEST).unwrap().1.clone();
    entries.iter_mut().find(|entry| entry.0 == layout::SIGNATURE).unwrap().1 = key.sign(&tag_manifest);
    let path = fixture.dir.path().join("tampered.zip");
    std::fs::write(&path, repack(&entries, zip_time_of(zip))).unwrap();
    let report = verify::verify_package(&path, &fixture.trusting_own_key()).unwrap();
    codes(&report).into_iter().map(String::from).collect()
}

#[test]
fn verify_catches_every_way_of_tampering_with_the_chain() {
    let fixture = Fixture::complete_case();
    let path = fixture.export("case.zip", false);
    let report = verify::verify_package(&path, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:?}", report.problems);
    let length = report.audit_entries.unwrap() as usize;
    assert!(length > 5);
    let zip = std::fs::read(&path).unwrap();

    // The control: rewritten and re-signed but unchanged, it passes (so each failure below
    // is the chain's own check).
    assert_eq!(tampered(&fixture, &zip, |_| {}, |_| {}), Vec::<String>::new());

    let altered = tampered(&fixture, &zip, |lines| lines[2] = lines[2].replace("张三", "王五"), |_| {});
    assert_eq!(altered, ["audit_hash_mismatch"]);

    let removed = tampered(&fixture, &zip, |lines| drop(lines.remove(2)), |_| {});
    assert!(removed.contains(&"audit_sequence".into()) && removed.contains(&"audit_link".into()), "{removed:?}");
    assert!(removed.contains(&"audit_length_mismatch".into()), "{removed:?}");

    let swapped = tampered(&fixture, &zip, |lines| lines.swap(2, 3), |_| {});
    assert!(swapped.contains(&"audit_sequence".into()) && swapped.contains(&"audit_link".into()), "{swapped:?}");

    // Cut at the end, the chain is still whole: only the signed head and length tell.
    let truncated = tampered(&fixture, &zip, |lines| drop(lines.pop()), |_| {});
    assert_eq!(truncated, ["audit_length_mismatch", "audit_head_mismatch"]);

    let head = |text: &mut String| {
        let start = text.find("Intake-Audit-Head: ").unwrap() + "Intake-Audit-Head: ".len();
        text.replace_range(start..start + 64, &"ab".repeat(32));
    };
    assert_eq!(tampered(&fixture, &zip, |_| {}, head), ["audit_head_mismatch"]);

    let other_case =
        tampered(&fixture, &zip, |lines| lines[0] = lines[0].replace(&fixture.case_id, "20990101-XXXXXX"), |_| {});
    assert!(other_case.contains(&"audit_case_mismatch".into()), "{other_case:?}");
}

#[test]
fn the_package_carries_the_chain_up_to_the_last_change_and_its_export_entry_follows() {
    let mut fixture = Fixture::complete_case();
    let before = fixture.folder.database().audit_chain(&fixture.case_id).unwrap();
    let first = fixture.export("first.zip", false);
    let after = fixture.folder.database().audit_chain(&fixture.case_id).unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let export = after.last().unwrap();
    assert_eq!(export.action, "exported");
    assert_eq!(export.details["package_sha256"], super::package::sha256_hex(&std::fs::read(&first).unwrap()));
    assert_eq!(export.details["chain_length"], before.len().to_string());

    let carried = |path: &std::path::Path| {
        let entries = entries_of(&std::fs::read(path).unwrap());
        let log = &entries.iter().find(|entry| entry.0 == layout::AUDIT_LOG).unwrap().1;
        audit::parse_jsonl(log).0
    };
    assert_eq!(carried(&first), before);

    // A change after the export: the next package carries it and the first export's entry.
    fixture.folder.set_case_field(&fixture.case_id, "legal_rep_mobile", "13812345678", None).unwrap();
    let second = fixture.export("second.zip", false);
    let chain = carried(&second);
    assert_eq!(chain.len(), before.len() + 2);
    assert_eq!(chain[before.len()].action, "exported");
    assert!(verify::verify_package(&second, &fixture.trusting_own_key()).unwrap().valid);
}

/// Head office re-implements the hash from ARCHITECTURE.md; this is that re-implementation,
/// in Python, run over a real package.
#[test]
fn python_recomputes_every_hash_of_the_chain_from_the_documented_form() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let folder = unzipped(&fixture, &zip);
    let script = r#"
import hashlib, json, sys
prev = "0" * 64
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
for number, line in enumerate(lines, 1):
    entry = json.loads(line)
    claimed = entry.pop("hash")
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == claimed, f"entry {number}: hash"
    assert entry["prev"] == prev and entry["seq"] == number, f"entry {number}: link"
    prev = claimed
info = dict(line.split(": ", 1) for line in open(sys.argv[2], encoding="utf-8").read().splitlines())
assert info["Intake-Audit-Head"] == prev and int(info["Intake-Audit-Length"]) == len(lines)
print(len(lines), "entries")
"#;
    let (ok, text) = run(Command::new(venv_tool("python"))
        .arg("-c")
        .arg(script)
        .arg(folder.join(layout::AUDIT_LOG))
        .arg(folder.join(layout::BAG_INFO_TXT)));
    assert!(ok, "{text}");
}

/// The package with its chain rewritten by `change` and then hashed and linked again from
/// the first entry, `Intake-Audit-Head` set to the new head, the manifests rehashed and the
/// tag manifest signed again: what someone who can write the laptop's database (and use its
/// key) could make. Alone, it verifies.
fn rewritten_history(
    fixture: &Fixture,
    zip: &[u8],
    name: &str,
    change: impl Fn(&mut Vec<audit::AuditEntry>),
) -> std::path::PathBuf {
    let mut entries = entries_of(zip);
    let log = entries.iter_mut().find(|entry| entry.0 == layout::AUDIT_LOG).unwrap();
    let (mut chain, faults) = audit::parse_jsonl(&log.1);
    assert!(faults.is_empty());
    change(&mut chain);
    let mut prev = audit::GENESIS_HASH.to_string();
    for entry in &mut chain {
        entry.prev = prev.clone();
        entry.hash = entry.computed_hash();
        prev = entry.hash.clone();
    }
    log.1 = audit::to_jsonl(&chain);
    let info = entries.iter_mut().find(|entry| entry.0 == layout::BAG_INFO_TXT).unwrap();
    let text = String::from_utf8(info.1.clone()).unwrap();
    let start = text.find("Intake-Audit-Head: ").unwrap() + "Intake-Audit-Head: ".len();
    let mut text = text;
    text.replace_range(start..start + 64, &prev);
    let length_at = text.find("Intake-Audit-Length: ").unwrap() + "Intake-Audit-Length: ".len();
    let length_end = length_at + text[length_at..].find('\n').unwrap();
    text.replace_range(length_at..length_end, &chain.len().to_string());
    info.1 = text.into_bytes();
    rehash_manifests(&mut entries);
    let key = fixture.folder.installation_key().unwrap();
    let tag_manifest = entries.iter().find(|entry| entry.0 == layout::TAG_MANIFEST).unwrap().1.clone();
    entries.iter_mut().find(|entry| entry.0 == layout::SIGNATURE).unwrap().1 = key.sign(&tag_manifest);
    let path = fixture.dir.path().join(name);
    std::fs::write(&path, repack(&entries, zip_time_of(zip))).unwrap();
    path
}

#[test]
fn a_later_package_must_continue_the_chain_of_the_earlier_one() {
    let mut fixture = Fixture::complete_case();
    let first = fixture.export("first.zip", false);
    fixture.folder.set_case_field(&fixture.case_id, "legal_rep_mobile", "13812345678", None).unwrap();
    let second = fixture.export("second.zip", false);
    let after = |previous: &std::path::Path| verify::VerifyOptions {
        previous: Some(previous.to_path_buf()),
        ..fixture.trusting_own_key()
    };

    let report = verify::verify_package(&second, &after(&first)).unwrap();
    assert!(report.valid, "{:?}", report.problems);
    let previous = report.previous.unwrap();
    assert!(previous.valid && previous.audit_entries > 0);

    // The wrong way round: the "new" one is the older.
    let reversed = verify::verify_package(&first, &after(&second)).unwrap();
    assert!(!reversed.valid);
    assert_eq!(codes(&reversed), ["chain_not_extended"]);

    // An entry of the history rewritten (who made the change), the chain re-hashed from there
    // and re-signed: whole on its own, but not the history head office already holds.
    let zip = std::fs::read(&second).unwrap();
    let rewritten = rewritten_history(&fixture, &zip, "rewritten.zip", |chain| chain[1].manager = "王五".into());
    assert!(verify::verify_package(&rewritten, &fixture.trusting_own_key()).unwrap().valid, "alone it passes");
    let report = verify::verify_package(&rewritten, &after(&first)).unwrap();
    assert_eq!(codes(&report), ["chain_forked"]);
    assert!(report.problems[0].message.contains("entry 2"), "{}", report.problems[0].message);

    // A fork: after the common history, another change than the one head office received
    // (as from a second copy of the data folder).
    let forked = rewritten_history(&fixture, &zip, "forked.zip", |chain| {
        let last = chain.last_mut().unwrap();
        assert_eq!(last.action, "field_set");
        last.details.insert("field".into(), "legal_rep_name".into());
    });
    let forked_report = verify::verify_package(&forked, &after(&second)).unwrap();
    assert_eq!(codes(&forked_report), ["chain_forked"]);
    // The history cut back to before the last change.
    let cut = rewritten_history(&fixture, &zip, "cut.zip", |chain| drop(chain.pop()));
    assert_eq!(codes(&verify::verify_package(&cut, &after(&second)).unwrap()), ["chain_not_extended"]);

    // Another case's package is not a previous package of this one.
    let mut other = Fixture::complete_case();
    other.folder.set_case_field(&other.case_id, "legal_rep_mobile", "13812345678", None).unwrap();
    let other_zip = other.export("other.zip", false);
    let report = verify::verify_package(
        &second,
        &verify::VerifyOptions { previous: Some(other_zip), ..fixture.trusting_own_key() },
    )
    .unwrap();
    assert!(codes(&report).contains(&"chain_other_case"), "{:?}", report.problems);
}

#[test]
fn every_file_in_the_package_was_logged_and_every_logged_file_is_there() {
    let fixture = Fixture::complete_case();
    let zip = std::fs::read(fixture.export("case.zip", false)).unwrap();
    // A file_added entry dropped from the history (re-hashed, re-signed): the package carries
    // a file nobody logged.
    let unlogged = rewritten_history(&fixture, &zip, "unlogged.zip", |chain| {
        let index = chain.iter().position(|entry| entry.action == "file_added").unwrap();
        chain.remove(index);
        for (position, entry) in chain.iter_mut().enumerate() {
            entry.seq = position as u64 + 1;
        }
    });
    let report = verify::verify_package(&unlogged, &fixture.trusting_own_key()).unwrap();
    assert!(codes(&report).contains(&"file_not_logged"), "{:?}", report.problems);

    // A file_added entry for bytes the package does not carry.
    let missing = rewritten_history(&fixture, &zip, "missing.zip", |chain| {
        let mut extra = chain.iter().find(|entry| entry.action == "file_added").unwrap().clone();
        extra.details.insert("sha256".into(), "ab".repeat(32));
        extra.seq = chain.len() as u64 + 1;
        chain.push(extra);
    });
    let report = verify::verify_package(&missing, &fixture.trusting_own_key()).unwrap();
    assert!(codes(&report).contains(&"logged_file_missing"), "{:?}", report.problems);
}
