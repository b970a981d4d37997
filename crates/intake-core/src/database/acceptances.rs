//! The `finding_acceptances` table (migration 8): the manager's acceptance of one finding.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{parse_timestamp, timestamp};
use crate::audit::AuditAction;
use crate::error::Result;

/// The manager's acceptance of one finding (migration 8): the latest for the same finding
/// stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct FindingAcceptanceRecord {
    pub id: i64,
    pub case_id: String,
    pub material: String,
    pub sha256: String,
    pub code: String,
    /// The finding's message when it was accepted: a finding with other values is another one.
    pub detail: String,
    pub reason: String,
    pub accepted_by: String,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub accepted_at: DateTime<Utc>,
}

impl Database {
    /// Records the acceptance of one finding of a file (checked by the caller: the finding
    /// stands and may be accepted; the reason is given).
    #[allow(clippy::too_many_arguments)] // the finding's identity and the acceptance
    pub(crate) fn insert_finding_acceptance(
        &mut self,
        case_id: &str,
        material: &str,
        sha256: &str,
        code: &str,
        detail: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<FindingAcceptanceRecord> {
        let manager = self.audit_manager.borrow().clone();
        let id = self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO finding_acceptances (case_id, material_key, sha256, code, detail, reason, accepted_by, accepted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![case_id, material, sha256, code, detail, reason, manager, timestamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![case_id, timestamp(now)])?;
            let details = audit_details(&[
                ("material", material.into()),
                ("sha256", sha256.into()),
                ("code", code.into()),
                ("detail", detail.into()),
                ("reason", reason.into()),
            ]);
            append_audit(tx, case_id, &manager, AuditAction::FindingAccepted, details, now)?;
            Ok(id)
        })?;
        Ok(self.connection.query_row("SELECT * FROM finding_acceptances WHERE id = ?1", [id], acceptance_from_row)?)
    }

    /// Every acceptance recorded for a case, oldest first.
    pub fn finding_acceptances(&self, case_id: &str) -> Result<Vec<FindingAcceptanceRecord>> {
        let mut statement =
            self.connection.prepare("SELECT * FROM finding_acceptances WHERE case_id = ?1 ORDER BY id")?;
        let rows = statement.query_map([case_id], acceptance_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn acceptance_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FindingAcceptanceRecord> {
    Ok(FindingAcceptanceRecord {
        id: row.get("id")?,
        case_id: row.get("case_id")?,
        material: row.get("material_key")?,
        sha256: row.get("sha256")?,
        code: row.get("code")?,
        detail: row.get("detail")?,
        reason: row.get("reason")?,
        accepted_by: row.get("accepted_by")?,
        accepted_at: parse_timestamp(row, "accepted_at")?,
    })
}
