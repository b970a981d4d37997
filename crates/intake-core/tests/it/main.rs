//! Integration tests of the core: one test binary, one module per area.

mod audit_trail;
mod case_checks;
mod checklist_property;
mod checklist_rule_file;
mod checklist_rules;
mod checklist_status;
mod corrections;
mod data_folder;
mod database;
mod datum;
mod domain_fidelity;
mod encryption;
mod evidence;
mod exif_corpus;
mod front_end_support;
mod identity_numbers;
mod identity_types;
mod package;
mod sealed_outbox;
mod thresholds;
mod thumbnails;
mod upload;
mod vault;
mod verifier_limits;
mod viewing;
mod watermark;
