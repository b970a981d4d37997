//! The case list as the app shows it: where each case stands (草稿, 可提交, 已导出, 已上传,
//! 上传失败), filtered by that state, searched and sorted. Decided here, so that the window
//! only shows it and the CLI could list the same. The folder's methods: `data_folder::case_list`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checklist::CaseOverview;
use crate::database::{Database, OutboxRecord, OutboxState};
use crate::error::Result;
use crate::identity::to_half_width;

pub(crate) mod stored;

/// Where a case stands, for the list's badge and its filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseState {
    /// 草稿: something still blocks submission, and no package stands for the case as it is.
    Draft,
    /// 可提交: nothing blocks; not exported since its last change.
    Ready,
    /// 已导出: its package as it is now waits in the outbox (or is being sent).
    Exported,
    /// 已上传: its package as it is now is stored and checked.
    Uploaded,
    /// 上传失败: the last attempt to send its package as it is now failed.
    UploadFailed,
}

impl CaseState {
    /// Every state, in the list's filter order.
    pub const ALL: [CaseState; 5] =
        [CaseState::Draft, CaseState::Ready, CaseState::Exported, CaseState::Uploaded, CaseState::UploadFailed];

    /// The state of a case from its check and its latest package. A package counts only when
    /// the case has not changed since it was packed (an export never touches `updated_at`): a
    /// case changed after its export needs a new package, so it is a draft or ready again.
    pub fn of(blocking: bool, updated_at: DateTime<Utc>, latest_package: Option<&OutboxRecord>) -> CaseState {
        match latest_package {
            Some(package) if package.queued_at >= updated_at => match package.state {
                OutboxState::Done => CaseState::Uploaded,
                OutboxState::Failed => CaseState::UploadFailed,
                OutboxState::Waiting | OutboxState::Uploading => CaseState::Exported,
            },
            _ if blocking => CaseState::Draft,
            _ => CaseState::Ready,
        }
    }
}

/// The order of the case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseOrder {
    /// Most recently changed first.
    #[default]
    LastChange,
    /// Latest visit date first; cases without one last, each group most recently changed first.
    VisitDate,
}

/// What the case list asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseListQuery {
    /// Matched, ignoring letter case and full-width forms, against the merchant's name, the
    /// case id, the USCC and the legal representative's name. Empty: every case.
    #[serde(default)]
    pub search: String,
    /// Only cases in this state; none: every state.
    #[serde(default)]
    pub state: Option<CaseState>,
    #[serde(default)]
    #[allow(missing_docs)]
    pub order: CaseOrder,
}

/// How many cases are in one state (before the filter and the search), for the filter's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct CaseStateCount {
    pub state: CaseState,
    pub cases: u32,
}

/// The case list as asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseListing {
    /// The cases that match, in the order asked for.
    pub cases: Vec<CaseOverview>,
    /// How many cases the data folder holds in all.
    pub total: u32,
    /// How many cases are in each state, every state listed.
    pub by_state: Vec<CaseStateCount>,
}

/// The fields a search also looks at (besides the name and the id).
const SEARCHED_FIELDS: [&str; 2] = ["uscc", "legal_rep_name"];

/// Text as a search compares it: full-width forms as ASCII (what an input method types),
/// lower case, without surrounding spaces.
fn searchable(text: &str) -> String {
    to_half_width(text).to_lowercase().trim().to_string()
}

/// The listing of `overviews` (every case, with its check's counts and state) that `query`
/// asks for: the matching cases in its order, with the counts by state of them all.
pub(crate) fn case_listing(
    database: &Database,
    overviews: Vec<CaseOverview>,
    query: &CaseListQuery,
) -> Result<CaseListing> {
    let mut by_state: HashMap<CaseState, u32> = HashMap::new();
    for overview in &overviews {
        *by_state.entry(overview.state).or_default() += 1;
    }
    let total = u32::try_from(overviews.len()).unwrap_or(u32::MAX);
    let needle = searchable(&query.search);
    let mut searched_text: HashMap<String, Vec<String>> = HashMap::new();
    if !needle.is_empty() {
        for (case_id, _key, value) in database.field_values(&SEARCHED_FIELDS)? {
            searched_text.entry(case_id).or_default().push(searchable(&value));
        }
    }
    let matches = |overview: &CaseOverview| {
        let summary = &overview.case;
        needle.is_empty()
            || searchable(&summary.merchant_name).contains(&needle)
            || searchable(&summary.id).contains(&needle)
            || searched_text.get(&summary.id).is_some_and(|values| values.iter().any(|v| v.contains(&needle)))
    };
    let mut cases: Vec<CaseOverview> = overviews
        .into_iter()
        .filter(|overview| query.state.is_none_or(|state| overview.state == state))
        .filter(|overview| matches(overview))
        .collect();
    sort_cases(&mut cases, query.order);
    Ok(CaseListing {
        cases,
        total,
        by_state: CaseState::ALL
            .iter()
            .map(|&state| CaseStateCount { state, cases: by_state.get(&state).copied().unwrap_or(0) })
            .collect(),
    })
}

/// The latest package of each case in the outbox (by the time it was queued).
pub(crate) fn latest_packages(database: &Database) -> Result<HashMap<String, OutboxRecord>> {
    let mut latest: HashMap<String, OutboxRecord> = HashMap::new();
    // Oldest first: a later one replaces an earlier one.
    for record in database.outbox()? {
        latest.insert(record.case_id.clone(), record);
    }
    Ok(latest)
}

/// Sorts the list; ties (and cases without a visit date) by last change, then id, so the order
/// is the same at every call.
pub fn sort_cases(cases: &mut [CaseOverview], order: CaseOrder) {
    cases.sort_by(|a, b| {
        let by_change = b.case.updated_at.cmp(&a.case.updated_at).then_with(|| a.case.id.cmp(&b.case.id));
        match order {
            CaseOrder::LastChange => by_change,
            // Some(date) sorts after None; latest first, then the undated ones.
            CaseOrder::VisitDate => match (a.case.visit_date, b.case.visit_date) {
                (Some(x), Some(y)) => y.cmp(&x).then(by_change),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => by_change,
            },
        }
    });
}
