//! The `case_fields` table (migration 2): the data the guide asks to record beside the files.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{parse_timestamp, timestamp};
use crate::audit::AuditAction;
use crate::error::Result;

/// One recorded field of a case (the data the guide asks for beside the files).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct CaseFieldRecord {
    pub case_id: String,
    pub field_key: String,
    /// The validated, normalised value. May be personal data: never log it.
    pub value: String,
    /// Why the manager accepted the value despite a warning.
    pub override_reason: Option<String>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

impl Database {
    /// Records (or replaces) the value of a field of a case.
    pub(crate) fn set_case_field(
        &mut self,
        case_id: &str,
        field_key: &str,
        value: &str,
        override_reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CaseFieldRecord> {
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO case_fields (case_id, field_key, value, override_reason, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (case_id, field_key) DO UPDATE SET
                    value = excluded.value, override_reason = excluded.override_reason,
                    updated_at = excluded.updated_at",
                params![case_id, field_key, value, override_reason, timestamp(now)],
            )?;
            tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![case_id, timestamp(now)])?;
            // Field values are personal data (ID numbers, names, phones): the log says that
            // the value changed, never what it is.
            let details = audit_details(&[
                ("field", field_key.into()),
                ("value", "changed".into()),
                ("override_reason", if override_reason.is_some() { "given" } else { "none" }.into()),
            ]);
            append_audit(tx, case_id, &manager, AuditAction::FieldSet, details, now)?;
            Ok(())
        })?;
        Ok(self.connection.query_row(
            "SELECT * FROM case_fields WHERE case_id = ?1 AND field_key = ?2",
            [case_id, field_key],
            case_field_from_row,
        )?)
    }

    /// Removes the value of a field; true when there was one.
    pub(crate) fn clear_case_field(&mut self, case_id: &str, field_key: &str, now: DateTime<Utc>) -> Result<bool> {
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            let removed =
                tx.execute("DELETE FROM case_fields WHERE case_id = ?1 AND field_key = ?2", [case_id, field_key])?;
            if removed > 0 {
                tx.execute("UPDATE cases SET updated_at = ?2 WHERE id = ?1", params![case_id, timestamp(now)])?;
                let details = audit_details(&[("field", field_key.into())]);
                append_audit(tx, case_id, &manager, AuditAction::FieldCleared, details, now)?;
            }
            Ok(removed > 0)
        })
    }

    /// The recorded fields of a case, by key.
    pub fn case_fields(&self, case_id: &str) -> Result<Vec<CaseFieldRecord>> {
        let mut statement =
            self.connection.prepare("SELECT * FROM case_fields WHERE case_id = ?1 ORDER BY field_key")?;
        let rows = statement.query_map([case_id], case_field_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The values of the given fields of every case, as `(case id, field key, value)`. The
    /// values may be personal data (USCC, the legal representative's name): for matching a
    /// search here, never for logging.
    pub fn field_values(&self, keys: &[&str]) -> Result<Vec<(String, String, String)>> {
        let mut statement =
            self.connection.prepare("SELECT case_id, field_key, value FROM case_fields WHERE field_key = ?1")?;
        let mut values = Vec::new();
        for key in keys {
            let rows = statement.query_map([key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            for row in rows {
                values.push(row?);
            }
        }
        Ok(values)
    }
}

fn case_field_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CaseFieldRecord> {
    Ok(CaseFieldRecord {
        case_id: row.get("case_id")?,
        field_key: row.get("field_key")?,
        value: row.get("value")?,
        override_reason: row.get("override_reason")?,
        updated_at: parse_timestamp(row, "updated_at")?,
    })
}
