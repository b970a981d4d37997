//! The checklist's closed sets, which a package's `case.json` carries and the vocabulary lists:
//! stages, providers, marks, item statuses, finding severities. The checklist engine itself
//! (rules, conditions, statuses from the store's records) is `intake_core::checklist`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::keyed_enum;

keyed_enum! {
    /// The step of the onboarding process a material belongs to (`domain.md`).
    Stage {
        Onboarding => ("onboarding", "客户入网", "Onboarding"),
        Payment => ("payment", "开通支付产品", "Payment products"),
        AccountApproval => ("account_approval", "开通账户产品-审批", "Account products: approval"),
        Nonstandard => ("nonstandard", "支付产品非标申请", "Non-standard payment requests"),
        Golive => ("golive", "上线投产", "Go-live"),
    }
}

keyed_enum! {
    /// Who provides a material.
    Provider {
        Customer => ("customer", "客户提供", "Customer"),
        Branch => ("branch", "分公司提供", "Branch"),
    }
}

keyed_enum! {
    /// What the manager attests to having seen on a file: stamps, signatures, for a remote
    /// visit the manager holding their own ID card, and on a copy of an ID card both of its
    /// sides (a file that counts for two where the material is `two_sided`).
    Mark {
        CustomerStamp => ("customer_stamp", "商户盖章", "Customer's stamp"),
        BranchStamp => ("branch_stamp", "分公司盖章", "Branch's stamp"),
        BothParties => ("both_parties", "双方盖章", "Both parties' stamps"),
        ManagerSignature => ("manager_signature", "客户经理签字", "Account manager's signature"),
        ManagerHoldingId => ("manager_holding_id", "客户经理手持本人身份证", "Account manager holding their own ID card"),
        BothSides => ("both_sides", "正反面在同一文件", "Both sides in this one file"),
    }
}

keyed_enum! {
    /// Where a material is taken (`place` in the rule file, `domain.md` "Where a photo must be
    /// taken"). Materials without one (documents, forms, scans, screenshots) have no place.
    Place {
        Premises => ("premises", "须在经营场所拍摄", "Taken at the premises"),
        PremisesPreferred => ("premises_preferred", "最好在经营场所拍摄", "Best taken at the premises"),
    }
}

/// How serious a finding is.
///
/// Exported to TypeScript as `FindingSeverity`: the evidence checks export their own
/// `Severity`, and two types must not write the same bindings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "FindingSeverity")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Shown; the manager decides.
    Warning,
}

/// The status of a checklist item (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemStatus {
    /// No file.
    Missing,
    /// Too few files, or a mark not attested.
    Incomplete,
    /// Complete, but an error finding stands or a file is not checked yet.
    Present,
    /// Complete, attested, checked, no error finding.
    Ok,
    /// The item's condition does not hold for this case.
    NotApplicable,
}

impl ItemStatus {
    /// Every status, worst first.
    pub const ALL: [ItemStatus; 5] =
        [ItemStatus::Missing, ItemStatus::Incomplete, ItemStatus::Present, ItemStatus::Ok, ItemStatus::NotApplicable];

    /// The label in English.
    pub fn label_en(self) -> &'static str {
        match self {
            ItemStatus::Missing => "Missing",
            ItemStatus::Incomplete => "Incomplete",
            ItemStatus::Present => "To resolve",
            ItemStatus::Ok => "OK",
            ItemStatus::NotApplicable => "Not applicable",
        }
    }

    /// The label in Simplified Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemStatus::Missing => "缺失",
            ItemStatus::Incomplete => "不完整",
            ItemStatus::Present => "待处理",
            ItemStatus::Ok => "合格",
            ItemStatus::NotApplicable => "不适用",
        }
    }

    /// The stable key.
    pub fn key(self) -> &'static str {
        match self {
            ItemStatus::Missing => "missing",
            ItemStatus::Incomplete => "incomplete",
            ItemStatus::Present => "present",
            ItemStatus::Ok => "ok",
            ItemStatus::NotApplicable => "not_applicable",
        }
    }

    /// Rank among the statuses of an applicable item: higher is better.
    #[doc(hidden)] // the checklist's own ordering, not part of the vocabulary
    pub fn rank(self) -> u8 {
        match self {
            ItemStatus::NotApplicable | ItemStatus::Missing => 0,
            ItemStatus::Incomplete => 1,
            ItemStatus::Present => 2,
            ItemStatus::Ok => 3,
        }
    }
}
