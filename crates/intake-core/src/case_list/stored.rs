//! The case list from the stored summaries (`database::case_summaries`): each case's check is
//! read back as it was stored when it last changed, and only the cases whose summary no longer
//! counts (changed since, or the rules, thresholds, date or program differ) are checked again,
//! and stored for the next listing ([`crate::DataFolder::stored_case_overviews`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checklist::status::CheckSummary;
use crate::checklist::{CaseCheck, CaseOverview, Rules};
use crate::database::{ComputedCaseSummary, Database};
use crate::error::Result;
use crate::evidence::Thresholds;

/// What is stored of a case's check.
#[derive(Serialize, Deserialize)]
struct StoredCheck {
    blocking: bool,
    summary: CheckSummary,
}

/// What the check reads besides the database, as one digest: a summary stored under other
/// inputs is checked again. Today's date is one (dates of birth and validity are measured
/// against it), so the first listing of a day checks every case once.
fn check_inputs(rules: &Rules, thresholds: &Thresholds) -> String {
    let today_in_china = crate::checklist::folder::today_in_china();
    let mut digest = Sha256::new();
    // The program's version and the evidence checks' version: a newer program may check
    // differently. The rules in full (their Debug form lists every group, material and field).
    for part in [
        env!("CARGO_PKG_VERSION").to_string(),
        crate::evidence::case_checks::CHECKS_VERSION.to_string(),
        format!("{rules:?}"),
        serde_json::to_string(thresholds).unwrap_or_default(),
        today_in_china.to_string(),
    ] {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part.as_bytes());
    }
    digest.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Every case in `database` with its check's counts and its state, checking again (with
/// `check`, under `thresholds`) only the cases whose stored summary no longer counts, and
/// storing what it checked.
pub(crate) fn case_overviews(
    database: &Database,
    rules: &Rules,
    thresholds: &Thresholds,
    mut check: impl FnMut(&str) -> Result<CaseCheck>,
) -> Result<Vec<CaseOverview>> {
    let inputs = check_inputs(rules, thresholds);
    database.keep_near_duplicate_distance(thresholds.near_duplicate_max_distance)?;
    // Read before any case is checked: see the module `database::case_summaries`.
    let stored: std::collections::HashMap<String, (i64, Option<StoredCheck>)> = database
        .case_summaries(&inputs)?
        .into_iter()
        .map(|row| {
            // A summary that does not parse (written by another version) is checked again.
            let check = row.summary.and_then(|json| serde_json::from_str::<StoredCheck>(&json).ok());
            (row.case_id, (row.changes, check))
        })
        .collect();
    let latest_packages = super::latest_packages(database)?;
    let mut computed = Vec::new();
    let mut overviews = Vec::new();
    for case in database.list_cases()? {
        let (changes, known) = match stored.get(&case.id) {
            Some((changes, known)) => (Some(*changes), known.as_ref().map(|c| (c.blocking, c.summary))),
            None => (None, None),
        };
        let (blocking, summary) = match known {
            Some(known) => known,
            None => {
                let check = check(&case.id)?;
                // Cannot fail (a bool and integers); an empty one would only be checked again.
                let json = serde_json::to_string(&StoredCheck { blocking: check.blocking, summary: check.summary })
                    .unwrap_or_default();
                // A case without a row (none can be after migration 11, but a row is cheap
                // to add) is stored under 0: its row is created at 0.
                computed.push(ComputedCaseSummary {
                    case_id: case.id.clone(),
                    changes_seen: changes.unwrap_or(0),
                    summary: json,
                });
                (check.blocking, check.summary)
            }
        };
        let state = super::CaseState::of(blocking, case.updated_at, latest_packages.get(&case.id));
        overviews.push(CaseOverview { case, blocking, summary, state });
    }
    database.store_case_summaries(&computed, &inputs)?;
    Ok(overviews)
}
