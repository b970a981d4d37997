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

pub mod audit;
pub mod case;
pub mod checklist;
pub mod corrections;
pub mod data_folder;
pub mod database;
mod durable;
pub mod encrypted_file;
pub mod encryption;
pub mod error;
pub mod evidence;
pub mod file_names;
pub mod identity;
mod in_order;
pub mod keys;
pub mod package;
pub mod passphrase_strength;
pub mod planted;
pub mod settings;
pub mod signing;
pub mod upload;
pub mod vault;
pub mod viewing;
pub mod watermark;

pub use data_folder::{DataFolder, FileOutcome, FileStatus, ImportProgress};
pub use error::{Error, ErrorKind, ErrorReport, Result};
