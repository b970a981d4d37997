//! The `notes` table (migration 8): notes on a case or on one of its files.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{parse_timestamp, timestamp};
use super::evidence::EvidenceRecord;
use crate::audit::AuditAction;
use crate::error::Result;

/// A note on a case or on one of its files (migration 8).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NoteRecord {
    #[allow(missing_docs)]
    pub id: i64,
    #[allow(missing_docs)]
    pub case_id: String,
    /// The file it is about; `None` for a note on the case.
    pub evidence_id: Option<i64>,
    /// That file's SHA-256, material and original name (as now recorded).
    pub sha256: Option<String>,
    #[allow(missing_docs)]
    pub material: Option<String>,
    #[allow(missing_docs)]
    pub file_name: Option<String>,
    #[allow(missing_docs)]
    pub text: String,
    /// The manager named in the audit entry.
    pub written_by: String,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub written_at: DateTime<Utc>,
}

impl Database {
    /// Adds a note to a case, or to one of its files (`evidence`).
    pub(crate) fn insert_note(
        &mut self,
        case_id: &str,
        evidence: Option<&EvidenceRecord>,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<NoteRecord> {
        let manager = self.audit_manager.borrow().clone();
        let id = self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO notes (case_id, evidence_id, text, written_by, written_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![case_id, evidence.map(|record| record.id), text, manager, timestamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![case_id, timestamp(now)])?;
            let mut details = audit_details(&[("text", text.into())]);
            match evidence {
                Some(record) => {
                    details.insert("sha256".into(), record.sha256.clone());
                    details.insert("material".into(), record.material_key.clone());
                }
                None => {
                    details.insert("on".into(), "case".into());
                }
            }
            append_audit(tx, case_id, &manager, AuditAction::NoteAdded, details, now)?;
            Ok(id)
        })?;
        Ok(self.case_notes(case_id)?.into_iter().find(|note| note.id == id).expect("the note just inserted"))
    }

    /// The notes of a case and of its files, oldest first.
    pub fn case_notes(&self, case_id: &str) -> Result<Vec<NoteRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT n.id, n.case_id, n.evidence_id, e.sha256, e.material_key, e.original_name, n.text, n.written_by,
                    n.written_at
             FROM notes n LEFT JOIN evidence e ON e.id = n.evidence_id
             WHERE n.case_id = ?1 ORDER BY n.id",
        )?;
        let rows = statement.query_map([case_id], |row| {
            Ok(NoteRecord {
                id: row.get(0)?,
                case_id: row.get(1)?,
                evidence_id: row.get(2)?,
                sha256: row.get(3)?,
                material: row.get(4)?,
                file_name: row.get(5)?,
                text: row.get(6)?,
                written_by: row.get(7)?,
                written_at: parse_timestamp(row, 8)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
