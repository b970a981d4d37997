//! The checklist: exactly the materials this merchant needs, nothing more, nothing less.
//!
//! Which merchant needs which material is data, not code: the rule file
//! `assets/checklist/rules.toml` (embedded in the program, replaceable at run time) encodes
//! every material and group of `domain.md` with the condition, over the case attributes,
//! under which it is required. This module loads and checks that file ([`Rules`]), derives a
//! case's [`Checklist`] from its attributes, and measures a stored case against it
//! ([`CaseCheck`], module [`status`]).
//!
//! ```
//! use intake_core::case::CaseAttributes;
//! let checklist = intake_core::checklist::for_attributes(&CaseAttributes {
//!     opens_payment: true,
//!     ..CaseAttributes::default()
//! })?;
//! let storefront = checklist.item("storefront_photo").unwrap();
//! assert!(storefront.required);
//! # Ok::<(), intake_core::Error>(())
//! ```
//!
//! Every material of the rule file appears exactly once in every checklist, whatever the case:
//! those whose condition does not hold (including the materials of non-standard requests that
//! were not made) are listed with `applicable: false` and `required: false`. So a checklist
//! always has the same keys, in the same order, and a change of the case's attributes can only
//! move an item between applicable and not, never lose it or the files added to it.

pub mod expression;
pub mod fields;
pub mod folder;
mod rules;
pub mod status;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::CaseAttributes;
use crate::error::Result;

pub use fields::{ChoiceOption, FieldKind};
pub use folder::{AttestationOutcome, CaseOverview, CaseUpdate, FieldOutcome, FieldValidation, KeptFiles};
pub use rules::{RULES_FORMAT_VERSION, Rules};
pub use status::{
    CaseCheck, CaseFinding, CheckedField, CheckedFile, CheckedItem, FieldStatus, FindingAcceptance, ItemStatus,
    Severity,
};

pub use intake_domain::checklist::{Mark, Place, Provider, Stage};

/// A case's checklist: every material of the rule file, once, in the file's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Checklist {
    /// The `version` of the rule file's format.
    pub rules_version: u32,
    /// The headings, in display order.
    pub groups: Vec<ChecklistGroup>,
    /// Every material, applicable or not.
    pub items: Vec<ChecklistItem>,
    /// The data to record, applicable or not.
    pub fields: Vec<ChecklistField>,
}

impl Checklist {
    /// The item with this key.
    pub fn item(&self, key: &str) -> Option<&ChecklistItem> {
        self.items.iter().find(|item| item.key == key)
    }

    /// The keys of the items the case must provide.
    pub fn required_keys(&self) -> Vec<&str> {
        self.items.iter().filter(|item| item.required).map(|item| item.key.as_str()).collect()
    }
}

/// A heading of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct ChecklistGroup {
    pub key: String,
    pub title_zh: String,
    pub title_en: String,
    /// False for a non-standard request that was not made.
    pub applicable: bool,
}

/// One material of a case's checklist. The first eight fields are the contract of
/// `interfaces.md`; the rest extend it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistItem {
    /// Stable key (`domain.md`); `<request>.<material>` for a non-standard request's material.
    pub key: String,
    /// The step of the process.
    pub stage: Stage,
    /// The guide's name of the material; for the service agreement, the edition's title.
    pub title_zh: String,
    /// Who provides it.
    pub provided_by: Provider,
    /// The case must provide it: applicable and not optional.
    pub required: bool,
    /// Stamps and signatures each complete file set must carry.
    pub stamps: Vec<Mark>,
    /// The material this one may stand in for (`inspection_video` for
    /// `manager_with_storefront`).
    pub alternative_to: Option<String>,
    /// Fewest files that make it complete (both sides of an ID card: 2).
    pub min_files: u32,
    /// English name.
    pub title_en: String,
    /// Its condition holds for this case. Not-applicable items are listed all the same.
    pub applicable: bool,
    /// Never required, only offered (e.g. supporting evidence, the inspection video).
    pub optional: bool,
    /// The heading it is listed under.
    pub group: String,
    /// Everything the manager must attest before it is `ok`: the stamps and any other mark
    /// (for a remote visit, the manager holding their own ID).
    pub attestations: Vec<Mark>,
    /// Materials that may stand in for this one.
    pub alternatives: Vec<String>,
    /// What a good file shows, for the manager.
    pub instructions_zh: String,
    #[allow(missing_docs)]
    pub instructions_en: String,
    /// The guide's own words for this requirement.
    pub guide_zh: String,
    /// When it is required, as written in the rule file (with its group's condition).
    pub condition: String,
    /// Where it is taken: at the premises (outside the radius: an error), best at the
    /// premises (outside: a warning), or `None` (documents, scans, screenshots).
    pub place: Option<Place>,
    /// Shows an identity document for this case: exported watermarked when asked.
    pub identity_document: bool,
    /// Marks the manager may attest beyond those asked (`attestations`), none required:
    /// `both_sides` where the material is two-sided (an ID card), for a copy of both sides on
    /// one page, which then counts as two files towards `min_files`.
    pub offered_marks: Vec<Mark>,
}

/// One piece of data to record for a case (not a file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistField {
    /// Stable key; `<request>.<field>` for a non-standard request's data.
    pub key: String,
    /// The heading it is listed under.
    pub group: String,
    /// How it is validated.
    pub kind: FieldKind,
    #[allow(missing_docs)]
    pub title_zh: String,
    #[allow(missing_docs)]
    pub title_en: String,
    /// The case must record it (its condition holds).
    pub required: bool,
    /// Its condition holds for this case.
    pub applicable: bool,
    /// Personal data: shown masked.
    pub personal: bool,
    /// The values of a `choice`.
    pub options: Vec<ChoiceOption>,
    /// For `attribute`: the case attribute that holds the value.
    pub attribute: Option<String>,
    /// For `id_number`: the `choice` field that says which kind of ID it is.
    pub id_type_field: Option<String>,
    /// The guide's own words.
    pub guide_zh: String,
    /// When it is required, as written in the rule file.
    pub condition: String,
    /// For a `choice`: the option that holds until another is recorded (the legal
    /// representative's ID type: 居民身份证).
    pub default: Option<String>,
    /// Offered, never required (e.g. a per-transaction fee beside the rate).
    pub optional: bool,
}

/// The checklist of a case described by its attributes, under the embedded rule file.
pub fn for_attributes(attributes: &CaseAttributes) -> Result<Checklist> {
    Ok(Rules::embedded()?.checklist(attributes))
}
