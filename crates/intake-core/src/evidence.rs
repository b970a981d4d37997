//! Evidence checks: the single-file checks of `intake-evidence` (re-exported here, so
//! `intake_core::evidence::…` keeps naming them), and the data folder's side of them: the
//! case-level checks (`intake check`, [`case_checks`]), where and when the photos were taken
//! ([`visit_plot`]) and the thumbnails cached in the vault.

pub use intake_evidence::*;

mod cached_thumbnail;
pub mod case_checks;
pub(crate) mod file_type;
pub mod visit_plot;

/// Thumbnails: made by `intake_evidence::thumbnail`, cached in the vault by the core.
pub mod thumbnail {
    pub(crate) use super::cached_thumbnail::cached_thumbnail;
    pub use intake_evidence::thumbnail::*;
}
