//! What a package's audit chain says beyond its own integrity: that the files it logs are the
//! files it carries, and (`intake verify NEW.zip --previous OLD.zip`) that a later package of a
//! case continues the chain of an earlier one.
//!
//! Whoever can write a laptop's database can rewrite a case's chain and hash it again: the
//! chain of one package proves nothing about what happened before it. Head office keeps the
//! packages it received; a later package of the same case must carry the earlier one's chain
//! unchanged as its beginning (same hashes up to the earlier one's length). Since each entry
//! links to the hash of the one before it, comparing the entries one by one finds where two
//! chains part. Kept apart from the checks of a single package so that it moves with the
//! verifier.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::{AuditAction, AuditEntry};
use crate::codes::VerifyCode;

/// A problem found by these checks: a stable code and one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuityProblem {
    /// `chain_other_case`, `chain_forked`, `chain_not_extended`, `previous_invalid`;
    /// `file_not_logged`, `logged_file_missing`.
    pub code: VerifyCode,
    /// One sentence.
    pub message: String,
}

fn problem(code: VerifyCode, message: impl Into<String>) -> ContinuityProblem {
    ContinuityProblem { code, message: message.into() }
}

/// What the report says of the previous package (`--previous`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviousPackage {
    /// The file given.
    pub path: String,
    /// Its case id.
    pub case_id: Option<String>,
    /// Entries of its audit chain.
    #[ts(type = "number")]
    pub audit_entries: u64,
    /// Whether it verified on its own (under the same trusted keys).
    pub valid: bool,
}

/// Actions that put a file into the case, and those that take it out again. `file_withdrawn`
/// and `file_restored` are the correction actions of issue 16; an action this build does not
/// know is reported by the chain check (`audit_bad_entry`) anyway.
const ADDING: [&str; 2] = ["file_added", "file_restored"];
const REMOVING: [&str; 2] = ["file_removed", "file_withdrawn"];

/// The log's file entries against the files `case.json` describes (each `(sha256, path)`,
/// the original's hash for a watermarked copy; `case.json` is checked against the payload
/// elsewhere). Every file in the package must have been logged as added, and every file logged
/// as added and not removed must be in the package. A chain that does not begin with
/// `case_created` (a case older than the audit trail) may hold files added before it started:
/// only the second half is checked then.
pub fn check_logged_files(chain: &[AuditEntry], described: &[(&str, &str)]) -> Vec<ContinuityProblem> {
    let mut logged: BTreeMap<&str, i64> = BTreeMap::new();
    for entry in chain {
        let Some(sha256) = entry.details.get("sha256") else { continue };
        if ADDING.contains(&entry.action.as_str()) {
            *logged.entry(sha256.as_str()).or_default() += 1;
        } else if REMOVING.contains(&entry.action.as_str()) {
            *logged.entry(sha256.as_str()).or_default() -= 1;
        }
    }
    let mut carried: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
    for (sha256, path) in described {
        carried.entry(sha256).or_insert((0, path)).0 += 1;
    }
    let complete_chain = chain.first().is_some_and(|entry| entry.action == AuditAction::CaseCreated.key());
    let mut problems = Vec::new();
    for (sha256, (count, path)) in &carried {
        let logged_count = logged.get(sha256).copied().unwrap_or(0);
        if complete_chain && *count > logged_count {
            problems.push(problem(
                VerifyCode::FileNotLogged,
                format!("'{path}' (SHA-256 {sha256}) is in the package, but the audit log never logged it as added"),
            ));
        }
    }
    for (sha256, count) in &logged {
        let carried_count = carried.get(sha256).map_or(0, |(count, _)| *count);
        if *count > carried_count {
            problems.push(problem(
                VerifyCode::LoggedFileMissing,
                format!("the audit log added the file with SHA-256 {sha256} and never removed it, but the package does not carry it"),
            ));
        }
    }
    problems
}

/// Whether `new` (a package's chain) continues `previous` (an earlier package's chain of the
/// same case): same case, and `previous` a prefix of `new`, entry by entry.
pub fn check_continues(
    new_case_id: Option<&str>,
    new: &[AuditEntry],
    previous_case_id: Option<&str>,
    previous: &[AuditEntry],
) -> Vec<ContinuityProblem> {
    if new_case_id != previous_case_id {
        return vec![problem(
            VerifyCode::ChainOtherCase,
            format!(
                "the previous package is of case {}, this one of case {}",
                previous_case_id.unwrap_or("(unknown)"),
                new_case_id.unwrap_or("(unknown)")
            ),
        )];
    }
    let common = new.len().min(previous.len());
    if let Some(index) = (0..common).find(|index| new[*index].hash != previous[*index].hash) {
        let seq = index + 1;
        let what = if new[index].prev == previous[index].prev {
            "was rewritten or replaced (same link, other content)"
        } else {
            "follows other history"
        };
        return vec![problem(
            VerifyCode::ChainForked,
            format!(
                "the audit chain parts from the previous package's at entry {seq}: that entry {what}; \
                 the earlier history was changed after the previous package was made"
            ),
        )];
    }
    if new.len() < previous.len() {
        return vec![problem(
            VerifyCode::ChainNotExtended,
            format!(
                "the audit chain has {} entries, fewer than the previous package's {} (of which it is the beginning): \
                 this package is older than the 'previous' one, or the history was cut back",
                new.len(),
                previous.len()
            ),
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditDetails, GENESIS_HASH};

    fn chain(actions: &[(&str, Option<&str>)]) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for (index, (action, sha256)) in actions.iter().enumerate() {
            let mut details = AuditDetails::new();
            if let Some(sha256) = sha256 {
                details.insert("sha256".into(), sha256.to_string());
            }
            let prev = entries.last().map_or(GENESIS_HASH.to_string(), |entry| entry.hash.clone());
            let action = AuditAction::from_key(action).unwrap();
            entries.push(AuditEntry::next(
                "C",
                index as u64 + 1,
                "2026-12-06T00:00:00.000Z",
                "张三",
                action,
                details,
                &prev,
            ));
        }
        entries
    }

    #[test]
    fn logged_files_must_be_the_files_carried() {
        let log = chain(&[("case_created", None), ("file_added", Some("aa")), ("file_added", Some("bb"))]);
        assert!(check_logged_files(&log, &[("aa", "data/a"), ("bb", "data/b")]).is_empty());
        let codes = |problems: Vec<ContinuityProblem>| problems.iter().map(|problem| problem.code).collect::<Vec<_>>();
        assert_eq!(codes(check_logged_files(&log, &[("aa", "data/a")])), [crate::codes::VerifyCode::LoggedFileMissing]);
        assert_eq!(
            codes(check_logged_files(&log, &[("aa", "data/a"), ("bb", "data/b"), ("cc", "data/c")])),
            [crate::codes::VerifyCode::FileNotLogged]
        );
        let removed = chain(&[("case_created", None), ("file_added", Some("aa")), ("file_removed", Some("aa"))]);
        assert!(check_logged_files(&removed, &[]).is_empty());
        // A chain begun after the case (older than the audit trail) may miss earlier files.
        let late = chain(&[("field_set", None), ("file_added", Some("bb"))]);
        assert!(check_logged_files(&late, &[("aa", "data/a"), ("bb", "data/b")]).is_empty());
    }

    #[test]
    fn a_later_chain_must_begin_with_the_earlier_one() {
        let earlier = chain(&[("case_created", None), ("file_added", Some("aa"))]);
        let later = chain(&[("case_created", None), ("file_added", Some("aa")), ("file_added", Some("bb"))]);
        assert!(check_continues(Some("C"), &later, Some("C"), &earlier).is_empty());
        assert!(
            check_continues(Some("C"), &earlier, Some("C"), &earlier).is_empty(),
            "the same chain continues itself"
        );
        assert_eq!(
            check_continues(Some("C"), &earlier, Some("C"), &later)[0].code,
            crate::codes::VerifyCode::ChainNotExtended
        );
        assert_eq!(
            check_continues(Some("D"), &later, Some("C"), &earlier)[0].code,
            crate::codes::VerifyCode::ChainOtherCase
        );
        let forked = chain(&[("case_created", None), ("file_added", Some("cc")), ("file_added", Some("bb"))]);
        let found = check_continues(Some("C"), &forked, Some("C"), &earlier);
        assert_eq!(found[0].code, crate::codes::VerifyCode::ChainForked);
        assert!(found[0].message.contains("entry 2"), "{}", found[0].message);
    }
}
