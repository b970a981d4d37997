//! The `attestations` table (migration 2): what the manager attested on each file, as a history.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{parse_json, parse_timestamp, timestamp, to_json};
use crate::audit::AuditAction;
use crate::error::Result;

/// What the manager attested on one file, at one time. The latest one of a file stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct AttestationRecord {
    pub id: i64,
    pub evidence_id: i64,
    /// Every mark seen on the file; empty when the manager withdrew an earlier attestation.
    pub marks: Vec<crate::checklist::Mark>,
    #[ts(type = "string")]
    pub recorded_at: DateTime<Utc>,
}

impl Database {
    /// Records what the manager saw on a file, replacing (not erasing) what they said before.
    pub(crate) fn insert_attestation(
        &mut self,
        evidence_id: i64,
        marks: &[crate::checklist::Mark],
        now: DateTime<Utc>,
    ) -> Result<AttestationRecord> {
        let manager = self.audit_manager.borrow().clone();
        let id = self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO attestations (evidence_id, marks, recorded_at) VALUES (?1, ?2, ?3)",
                params![evidence_id, to_json(&marks), timestamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "UPDATE cases SET updated_at = ?2 WHERE id = (SELECT case_id FROM evidence WHERE id = ?1)",
                params![evidence_id, timestamp(now)],
            )?;
            let (case_id, material, sha256): (String, String, String) = tx.query_row(
                "SELECT case_id, material_key, sha256 FROM evidence WHERE id = ?1",
                [evidence_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let marks: Vec<&str> = marks.iter().map(|mark| mark.key()).collect();
            let details = audit_details(&[("material", material), ("sha256", sha256), ("marks", marks.join(","))]);
            append_audit(tx, &case_id, &manager, AuditAction::Attested, details, now)?;
            Ok(id)
        })?;
        Ok(self.connection.query_row("SELECT * FROM attestations WHERE id = ?1", [id], attestation_from_row)?)
    }

    /// The attestation that stands for each file of a case (the latest of each).
    pub fn latest_attestations(&self, case_id: &str) -> Result<Vec<AttestationRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT a.* FROM attestations a JOIN evidence e ON e.id = a.evidence_id
             WHERE e.case_id = ?1
               AND a.id = (SELECT max(b.id) FROM attestations b WHERE b.evidence_id = a.evidence_id)
             ORDER BY a.evidence_id",
        )?;
        let rows = statement.query_map([case_id], attestation_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every attestation of a file, oldest first.
    pub fn attestation_history(&self, evidence_id: i64) -> Result<Vec<AttestationRecord>> {
        let mut statement = self.connection.prepare("SELECT * FROM attestations WHERE evidence_id = ?1 ORDER BY id")?;
        let rows = statement.query_map([evidence_id], attestation_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many attestations the case's files have had (each one is an `attested` entry).
    pub fn attestation_count(&self, case_id: &str) -> Result<u64> {
        let count: i64 = self.connection.query_row(
            "SELECT count(*) FROM attestations a JOIN evidence e ON e.id = a.evidence_id WHERE e.case_id = ?1",
            [case_id],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }
}

fn attestation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AttestationRecord> {
    Ok(AttestationRecord {
        id: row.get("id")?,
        evidence_id: row.get("evidence_id")?,
        marks: parse_json(row, "marks")?,
        recorded_at: parse_timestamp(row, "recorded_at")?,
    })
}
