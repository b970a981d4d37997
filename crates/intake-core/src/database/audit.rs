//! The `audit_log` table (migration 5): each case's hash-chained log, appended in the transaction
//! of the change it records.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::Database;
use super::columns::{parse_json, timestamp, to_json};
use crate::audit::{AuditAction, AuditDetails, AuditEntry, GENESIS_HASH};
use crate::error::Result;

impl Database {
    /// A case's audit chain, in sequence order, as stored (not checked: see `audit::check_chain`).
    pub fn audit_chain(&self, case_id: &str) -> Result<Vec<AuditEntry>> {
        let mut statement = self.connection.prepare(
            "SELECT case_id, seq, at, manager, action, details, prev, hash FROM audit_log WHERE case_id = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map([case_id], |row| {
            Ok(AuditEntry {
                v: crate::audit::AUDIT_FORMAT_VERSION,
                case_id: row.get(0)?,
                seq: row.get::<_, i64>(1)? as u64,
                at: row.get(2)?,
                manager: row.get(3)?,
                action: row.get(4)?,
                details: parse_json(row, "details")?,
                prev: row.get(6)?,
                hash: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The SHA-256 of every package exported although incomplete: the audit trail's
    /// `incomplete_export` entries name it (written in the export's own transaction), so no
    /// column of the outbox has to repeat it.
    pub fn incomplete_packages(&self) -> Result<std::collections::HashSet<String>> {
        let mut statement = self.connection.prepare(
            "SELECT json_extract(details, '$.package_sha256') FROM audit_log WHERE action = 'incomplete_export'",
        )?;
        let rows = statement.query_map([], |row| row.get::<_, Option<String>>(0))?;
        let mut packages = std::collections::HashSet::new();
        for row in rows {
            if let Some(sha256) = row? {
                packages.insert(sha256);
            }
        }
        Ok(packages)
    }
}

pub(super) fn audit_details(pairs: &[(&str, String)]) -> AuditDetails {
    pairs.iter().map(|(key, value)| (key.to_string(), value.clone())).collect()
}

/// Appends an entry to a case's chain, inside the transaction of the change it records.
pub(super) fn append_audit(
    connection: &Connection,
    case_id: &str,
    manager: &str,
    action: AuditAction,
    details: AuditDetails,
    now: DateTime<Utc>,
) -> Result<AuditEntry> {
    let last: Option<(i64, String)> = connection
        .query_row("SELECT seq, hash FROM audit_log WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1", [case_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq as u64 + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let entry = AuditEntry::next(case_id, seq, &timestamp(now), manager, action, details, &prev);
    connection.execute(
        "INSERT INTO audit_log (case_id, seq, at, manager, action, details, prev, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            entry.case_id,
            entry.seq as i64,
            entry.at,
            entry.manager,
            entry.action,
            to_json(&entry.details),
            entry.prev,
            entry.hash
        ],
    )?;
    Ok(entry)
}
