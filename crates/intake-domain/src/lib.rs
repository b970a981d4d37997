//! What every layer of Merchant Intake shares: the case model ([`case`]), the checklist's
//! closed sets ([`checklist`]), the one error type ([`error`]) and the hex spelling of digests
//! ([`digest`]).
//!
//! The bottom of the crate graph: it depends on no other crate of the workspace and does no
//! I/O of its own (no database, no files, no network). `intake-evidence`, `intake-bag` and
//! `intake-core` build on it.
#![deny(missing_docs)]

pub mod case;
pub mod checklist;
pub mod digest;
pub mod error;

pub use error::{Error, ErrorKind, ErrorReport, Result};
