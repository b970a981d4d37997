//! The headless core of Merchant Intake.
//!
//! Everything the account manager's tools do, without any user interface: the case model
//! ([`case`]), the case store ([`database`]) and the evidence vault ([`vault`]), brought
//! together as a [`DataFolder`]. The `intake` CLI and the desktop shell are thin layers over
//! this crate; it never depends on tauri.
//!
//! ```no_run
//! use intake_core::{DataFolder, case::{CaseAttributes, NewCase}};
//! # fn main() -> intake_core::Result<()> {
//! let mut folder = DataFolder::open(std::path::Path::new("/tmp/intake-demo"))?;
//! let case = folder.create_case(NewCase {
//!     merchant_name: "沪上小面馆".into(),
//!     attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
//!     visit_date: None,
//!     site: None,
//! })?;
//! folder.add_files(&case.id, "storefront_photo", &["IMG_0001.jpg".into()], |_| {})?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

// The layers below the core, under the paths the front-ends and the tests have always used:
// `intake-domain` (case model, checklist terms, error), `intake-evidence` (single-file checks)
// and `intake-bag` (the package format and `verify`).
pub use intake_domain::{case, error};
// The name rule is what `verify` checks a package's entries by, so it is intake-bag's.
pub use intake_bag::file_names;
use intake_evidence::in_order;

/// The audit trail: its format and check are `intake_bag::audit`; the data folder's side
/// (`DataFolder::audit_case`) is in `data_folder/audit.rs`.
pub mod audit {
    pub use crate::data_folder::AuditReport;
    pub use intake_bag::audit::*;
}
pub mod case_list;
pub mod checklist;
pub mod corrections;
pub mod data_folder;
pub mod database;
pub mod documents;
mod durable;
pub mod encrypted_file;
pub mod encryption;
pub mod evidence;
pub mod identity;
pub mod keys;
pub mod long_paths;
mod owner_only;
pub mod package;
pub mod passphrase_strength;
pub mod planted;
pub mod sealed_outbox;
pub mod settings;
pub mod signing;
pub mod tray;
pub mod upload;
pub mod user_text;
pub mod vault;
pub mod viewing;
pub mod watermark;

pub use data_folder::{DataFolder, FileOutcome, FileStatus, ImportProgress};
pub use error::{Error, ErrorKind, ErrorReport, Result};
