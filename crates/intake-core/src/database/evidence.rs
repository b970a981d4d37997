//! The `evidence` table (migrations 1 and 8): the files of each case, and those withdrawn.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{parse_timestamp, timestamp};
use super::facts::{EvidenceFacts, write_facts, write_pending_facts};
use crate::audit::AuditAction;
use crate::error::{Error, ErrorKind, Result};

/// One evidence file as recorded in the store.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct EvidenceRecord {
    pub id: i64,
    pub case_id: String,
    pub material_key: String,
    pub sha256: String,
    pub original_name: String,
    pub bytes: u64,
    pub media_type: String,
    #[ts(type = "string")]
    pub imported_at: DateTime<Utc>,
}

/// What to record for a file just stored in the vault.
#[derive(Debug, Clone)]
#[allow(missing_docs)] // the columns of EvidenceRecord
pub struct NewEvidence<'a> {
    pub case_id: &'a str,
    pub material_key: &'a str,
    pub sha256: &'a str,
    pub original_name: &'a str,
    pub bytes: u64,
    pub media_type: &'a str,
}

/// A file taken back from its case (migration 8): kept in the vault and in the store, listed
/// in packages without its bytes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct WithdrawnFile {
    /// The file as it was recorded (its material is the slot it was withdrawn from).
    pub evidence: EvidenceRecord,
    /// Why the manager took it back.
    pub reason: String,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub withdrawn_at: DateTime<Utc>,
    /// The manager named in the audit entry.
    pub withdrawn_by: String,
}

impl Database {
    /// Records an evidence file. Returns `None` when the same bytes are already recorded for
    /// the same material of the same case (adding them again is a no-op).
    pub fn insert_evidence(
        &mut self,
        evidence: &NewEvidence<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<EvidenceRecord>> {
        self.insert_evidence_with_facts(evidence, None, now)
    }

    /// Records an evidence file and, in the same transaction, the facts of its bytes (which
    /// replace older facts of the same bytes). Returns `None`, and records no evidence row,
    /// when the same bytes are already recorded for the same material of the same case; the
    /// facts are recorded all the same.
    pub(crate) fn insert_evidence_with_facts(
        &mut self,
        evidence: &NewEvidence<'_>,
        facts: Option<&EvidenceFacts>,
        now: DateTime<Utc>,
    ) -> Result<Option<EvidenceRecord>> {
        let manager = self.audit_manager.borrow().clone();
        let inserted_id = self.with_tx(|tx| {
            if let Some(facts) = facts {
                if facts.pixels_pending {
                    // Metadata only: complete facts of the same bytes (another slot or case,
                    // read by this version of the checks) are kept rather than replaced.
                    write_pending_facts(tx, facts, now)?;
                } else {
                    write_facts(tx, facts, now)?;
                }
            }
            let changed = tx.execute(
                "INSERT INTO evidence (case_id, material_key, sha256, original_name, bytes,
                    media_type, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (case_id, material_key, sha256) DO NOTHING",
                params![
                    evidence.case_id,
                    evidence.material_key,
                    evidence.sha256,
                    evidence.original_name,
                    evidence.bytes as i64,
                    evidence.media_type,
                    timestamp(now),
                ],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            let id = tx.last_insert_rowid();
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![evidence.case_id, timestamp(now)])?;
            let details = audit_details(&[
                ("material", evidence.material_key.into()),
                ("sha256", evidence.sha256.into()),
                ("name", evidence.original_name.into()),
                ("bytes", evidence.bytes.to_string()),
                ("media_type", evidence.media_type.into()),
            ]);
            append_audit(tx, evidence.case_id, &manager, AuditAction::FileAdded, details, now)?;
            Ok(Some(id))
        })?;
        inserted_id.map(|id| self.evidence(id)).transpose()
    }

    fn evidence(&self, id: i64) -> Result<EvidenceRecord> {
        Ok(self.connection.query_row("SELECT * FROM evidence WHERE id = ?1", [id], evidence_from_row)?)
    }

    /// The evidence files of a case that count (not withdrawn, not waiting in the 未分类 tray,
    /// whose material key is `tray::UNSORTED_MATERIAL`), in import order.
    pub fn case_evidence(&self, case_id: &str) -> Result<Vec<EvidenceRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT * FROM evidence WHERE case_id = ?1 AND withdrawn_at IS NULL AND material_key <> 'unsorted'
             ORDER BY id",
        )?;
        let rows = statement.query_map([case_id], evidence_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The files of a case waiting in its 未分类 tray (not withdrawn), in import order: in the
    /// case's store and vault, audited, but in no slot, so no check and no package sees them.
    pub fn unsorted_evidence(&self, case_id: &str) -> Result<Vec<EvidenceRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT * FROM evidence WHERE case_id = ?1 AND withdrawn_at IS NULL AND material_key = 'unsorted'
             ORDER BY id",
        )?;
        let rows = statement.query_map([case_id], evidence_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every evidence file of a case, withdrawn ones included, in import order.
    pub fn case_evidence_including_withdrawn(&self, case_id: &str) -> Result<Vec<EvidenceRecord>> {
        let mut statement = self.connection.prepare("SELECT * FROM evidence WHERE case_id = ?1 ORDER BY id")?;
        let rows = statement.query_map([case_id], evidence_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The withdrawn files of a case, in import order.
    pub fn withdrawn_evidence(&self, case_id: &str) -> Result<Vec<WithdrawnFile>> {
        let mut statement = self
            .connection
            .prepare("SELECT * FROM evidence WHERE case_id = ?1 AND withdrawn_at IS NOT NULL ORDER BY id")?;
        let rows = statement.query_map([case_id], |row| {
            Ok(WithdrawnFile {
                evidence: evidence_from_row(row)?,
                reason: row.get::<_, Option<String>>("withdrawn_reason")?.unwrap_or_default(),
                withdrawn_at: parse_timestamp(row, "withdrawn_at")?,
                withdrawn_by: row.get::<_, Option<String>>("withdrawn_by")?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every evidence file, of any case, with these bytes (withdrawn ones and those waiting in
    /// a 未分类 tray left out: they are no duplicate of anything).
    pub fn evidence_with_sha256(&self, sha256: &str) -> Result<Vec<EvidenceRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT * FROM evidence WHERE sha256 = ?1 AND withdrawn_at IS NULL AND material_key <> 'unsorted'
             ORDER BY id",
        )?;
        let rows = statement.query_map([sha256], evidence_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The cases holding these bytes (withdrawn files included), each once.
    pub fn case_ids_with_sha256(&self, sha256: &str) -> Result<Vec<String>> {
        let mut statement =
            self.connection.prepare("SELECT DISTINCT case_id FROM evidence WHERE sha256 = ?1 ORDER BY case_id")?;
        let rows = statement.query_map([sha256], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every distinct SHA-256 any case refers to: what the vault must keep.
    pub fn referenced_hashes(&self) -> Result<std::collections::HashSet<String>> {
        let mut statement = self.connection.prepare("SELECT DISTINCT sha256 FROM evidence")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a counting file withdrawn (`reason` already checked by the caller).
    pub(crate) fn withdraw_evidence(
        &mut self,
        record: &EvidenceRecord,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            let changed = tx.execute(
                "UPDATE evidence SET withdrawn_at = ?2, withdrawn_reason = ?3, withdrawn_by = ?4
                 WHERE id = ?1 AND withdrawn_at IS NULL",
                params![record.id, timestamp(now), reason, manager],
            )?;
            if changed == 0 {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("file {} is already withdrawn", record.original_name),
                ));
            }
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![record.case_id, timestamp(now)])?;
            let details = audit_details(&[
                ("material", record.material_key.clone()),
                ("sha256", record.sha256.clone()),
                ("name", record.original_name.clone()),
                ("reason", reason.to_string()),
            ]);
            append_audit(tx, &record.case_id, &manager, AuditAction::FileWithdrawn, details, now)?;
            Ok(())
        })
    }

    /// Makes a withdrawn file count again.
    pub(crate) fn restore_evidence(&mut self, record: &EvidenceRecord, now: DateTime<Utc>) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            let changed = tx.execute(
                "UPDATE evidence SET withdrawn_at = NULL, withdrawn_reason = NULL, withdrawn_by = NULL
                 WHERE id = ?1 AND withdrawn_at IS NOT NULL",
                [record.id],
            )?;
            if changed == 0 {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("file {} is not withdrawn", record.original_name),
                ));
            }
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![record.case_id, timestamp(now)])?;
            let details = audit_details(&[
                ("material", record.material_key.clone()),
                ("sha256", record.sha256.clone()),
                ("name", record.original_name.clone()),
            ]);
            append_audit(tx, &record.case_id, &manager, AuditAction::FileRestored, details, now)?;
            Ok(())
        })
    }

    /// Puts a file in another material slot of its case. Refused when the same bytes are
    /// already recorded there (withdrawn or not).
    pub(crate) fn move_evidence(
        &mut self,
        record: &EvidenceRecord,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<EvidenceRecord> {
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            let taken: i64 = tx.query_row(
                "SELECT count(*) FROM evidence WHERE case_id = ?1 AND material_key = ?2 AND sha256 = ?3",
                params![record.case_id, to, record.sha256],
                |row| row.get(0),
            )?;
            if taken > 0 {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "{to} of case {} already holds the same file ({}); it was not moved",
                        record.case_id, record.original_name
                    ),
                ));
            }
            tx.execute("UPDATE evidence SET material_key = ?2 WHERE id = ?1", params![record.id, to])?;
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![record.case_id, timestamp(now)])?;
            let details = audit_details(&[
                ("sha256", record.sha256.clone()),
                ("name", record.original_name.clone()),
                ("from", record.material_key.clone()),
                ("to", to.to_string()),
            ]);
            append_audit(tx, &record.case_id, &manager, AuditAction::FileMoved, details, now)?;
            Ok(())
        })?;
        self.evidence(record.id)
    }
}

pub(super) fn evidence_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EvidenceRecord> {
    Ok(EvidenceRecord {
        id: row.get("id")?,
        case_id: row.get("case_id")?,
        material_key: row.get("material_key")?,
        sha256: row.get("sha256")?,
        original_name: row.get("original_name")?,
        bytes: row.get::<_, i64>("bytes")? as u64,
        media_type: row.get("media_type")?,
        imported_at: parse_timestamp(row, "imported_at")?,
    })
}
