//! The submission package of Merchant Intake, as head office reads it: a BagIt bag in a
//! canonical zip, its entry names ([`layout`]), `case.json` and its schemas ([`document`]),
//! the audit chain it carries ([`audit`]), its SM2/SM3 signature ([`signing`]), and the
//! check of all of it ([`verify`]) with whose keys to trust ([`trust`]) and which earlier
//! package's chain to continue ([`continuity`]); [`file_names`] is the rule every entry's name
//! keeps; [`zip_format`] is the zip as written and read strictly.
//!
//! Pure over a reader: no database, no network, no async runtime, nothing written. The
//! data folder's export (which writes packages) is `intake_core::package`; this crate is what
//! the small `intake-verify` binary needs, and builds without SQLCipher, tokio or an S3 client
//! (a test holds that).
#![deny(missing_docs)]

pub mod audit;
pub mod codes;
pub mod continuity;
pub mod document;
pub mod file_names;
pub mod layout;
pub mod signing;
pub mod trust;
pub mod verify;
pub mod verify_text;
// Its items were private to the core's package module until the split; the struct and enum
// docs say what they are, the field names the zip specification's.
#[allow(missing_docs)]
pub mod zip_format;

use intake_domain::{case, checklist, error};
use intake_evidence as evidence;
