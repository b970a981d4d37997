//! The `document_readings` table (migration 9): what was read off the documents.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Database;
use super::columns::{parse_timestamp, timestamp};
use crate::error::Result;

/// One document reading as stored (migration 9; module `documents`).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the columns of document_readings
pub struct StoredDocumentReading {
    pub sha256: String,
    pub kind: String,
    /// `{"uscc": {"value": …, "confidence": …}, …}`. Personal data: never log it.
    pub fields_json: String,
    pub problem: Option<String>,
    pub read_with: i64,
    pub read_at: DateTime<Utc>,
}

impl Database {
    /// Records (or replaces) the readings of some bytes, all in one transaction, so that an ID
    /// card's two sides are never half replaced. Takes `&self` like [`Database::record_facts`]:
    /// readings are derived from the bytes, not a change to a case (no audit entry).
    pub(crate) fn record_document_readings(&self, readings: &[StoredDocumentReading]) -> Result<()> {
        self.with_shared_tx(|tx| {
            for reading in readings {
                tx.execute(
                    "INSERT INTO document_readings (sha256, kind, fields, problem, read_with, read_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (sha256, kind) DO UPDATE SET
                        fields = excluded.fields, problem = excluded.problem,
                        read_with = excluded.read_with, read_at = excluded.read_at",
                    params![
                        reading.sha256,
                        reading.kind,
                        reading.fields_json,
                        reading.problem,
                        reading.read_with,
                        timestamp(reading.read_at),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// The readings of these bytes, by kind.
    pub fn document_readings(&self, sha256: &str) -> Result<Vec<StoredDocumentReading>> {
        let mut statement = self.connection.prepare(
            "SELECT sha256, kind, fields, problem, read_with, read_at FROM document_readings
             WHERE sha256 = ?1 ORDER BY kind",
        )?;
        let rows = statement.query_map([sha256], |row| {
            Ok(StoredDocumentReading {
                sha256: row.get(0)?,
                kind: row.get(1)?,
                fields_json: row.get(2)?,
                problem: row.get(3)?,
                read_with: row.get(4)?,
                read_at: parse_timestamp(row, 5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
