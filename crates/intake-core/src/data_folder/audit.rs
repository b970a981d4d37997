//! `intake audit`: a case's audit chain as the store holds it, checked (the format and the
//! chain check are `intake_bag::audit`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::DataFolder;
use crate::audit::{AuditAction, AuditEntry, ChainFault, check_chain, head_hash};
use crate::error::Result;
use intake_bag::codes::ChainCode;

/// What `intake audit` says of a case's chain in the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditReport {
    #[allow(missing_docs)]
    pub case_id: String,
    /// True when no fault was found.
    pub valid: bool,
    /// The chain's last hash ([`GENESIS_HASH`] when empty).
    pub head: String,
    /// Every entry, in sequence order.
    pub entries: Vec<AuditEntry>,
    /// Every fault found.
    pub faults: Vec<ChainFault>,
}

impl DataFolder {
    /// A case's audit chain, checked: each entry against its hash and its link (see
    /// [`check_chain`]), and, for a chain that starts with the case's creation, the case's
    /// records against it: every file has its `file_added` entry, every recorded field a
    /// `field_set` entry and every attestation its `attested` entry (`audit_unlogged_change` otherwise: entries deleted from the end, or
    /// rows written around the program).
    pub fn audit_case(&self, case_id: &str) -> Result<AuditReport> {
        self.case(case_id)?;
        let database = self.database();
        let entries = database.audit_chain(case_id)?;
        let mut faults = check_chain(case_id, &entries);
        let from_creation = entries.first().is_some_and(|entry| entry.action == AuditAction::CaseCreated.key());
        if from_creation {
            let logged = |action: AuditAction| entries.iter().filter(move |entry| entry.action == action.key());
            for record in database.case_evidence_including_withdrawn(case_id)? {
                // A file moved since it was added is in the slot its last move named.
                let same_bytes = |entry: &AuditEntry| entry.details.get("sha256") == Some(&record.sha256);
                let added = logged(AuditAction::FileAdded).any(&same_bytes);
                let slot = logged(AuditAction::FileAdded)
                    .chain(logged(AuditAction::FileMoved))
                    .filter(|entry| same_bytes(entry))
                    .filter(|entry| {
                        entry.details.get("material") == Some(&record.material_key)
                            || entry.details.get("to") == Some(&record.material_key)
                    })
                    .count();
                let found = added && slot > 0;
                if !found {
                    faults.push(ChainFault::new(
                        ChainCode::AuditUnloggedChange,
                        None,
                        format!("file {} ({}) has no file_added entry", &record.sha256[..12], record.material_key),
                    ));
                }
            }
            for field in database.case_fields(case_id)? {
                if !logged(AuditAction::FieldSet).any(|entry| entry.details.get("field") == Some(&field.field_key)) {
                    faults.push(ChainFault::new(
                        ChainCode::AuditUnloggedChange,
                        None,
                        format!("field {} has no field_set entry", field.field_key),
                    ));
                }
            }
            let attested = logged(AuditAction::Attested).count() as u64;
            let attestations = database.attestation_count(case_id)?;
            if attested != attestations {
                faults.push(ChainFault::new(
                    ChainCode::AuditUnloggedChange,
                    None,
                    format!("the case's files have {attestations} attestations but the log records {attested}"),
                ));
            }
        }
        Ok(AuditReport {
            case_id: case_id.to_string(),
            valid: faults.is_empty(),
            head: head_hash(&entries).to_string(),
            entries,
            faults,
        })
    }
}
