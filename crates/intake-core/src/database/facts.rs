//! The `evidence_facts` table (migrations 3, 6 and 10): what the checks read from each file's
//! bytes, and the files whose pixel checks are still to come.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::Database;
use super::columns::timestamp;
use super::evidence::evidence_from_row;
use crate::database::EvidenceRecord;
use crate::error::Result;

/// What the evidence checks read from a file's bytes (migration 3).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the columns of `evidence_facts`
pub struct EvidenceFacts {
    pub sha256: String,
    /// JSON of the file's inspection (`evidence::FileInspection`).
    pub inspection_json: String,
    /// 64-bit perceptual hash; `None` for files that are not decodable images.
    pub perceptual_hash: Option<u64>,
    /// The version of the checks that wrote it.
    pub inspected_with: i64,
    /// JSON of what the reading measured (`evidence::Measurements`); `None` in facts written
    /// before migration 6.
    pub measurements_json: Option<String>,
    /// The first phase of an import wrote them: metadata only, the pixel checks still to come
    /// (migration 10).
    pub pixels_pending: bool,
}

/// A file's bytes whose pixel checks are still to come (migration 10), with a name and size to
/// read them under (those of its first evidence record).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // field names say it
pub struct PendingPixelChecks {
    pub sha256: String,
    pub original_name: String,
    pub bytes: u64,
}

/// Evidence files with their perceptual hashes, for `near_duplicate` (migration 3).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // field names say it
pub struct HashedEvidence {
    pub evidence: EvidenceRecord,
    pub perceptual_hash: u64,
}

/// Commits synced again (`synchronous = FULL`) when dropped ([`Database::unsynced_commits`]).
pub struct UnsyncedCommits<'a> {
    connection: &'a Connection,
}

impl Drop for UnsyncedCommits<'_> {
    fn drop(&mut self) {
        // Cannot fail on an open connection; if it did, the next open sets FULL again.
        let _ = self.connection.pragma_update(None, "synchronous", "FULL");
    }
}

impl Database {
    /// Records (or replaces) the facts of some bytes, e.g. read lazily at `check`. One
    /// statement, so atomic without an explicit transaction; it takes `&self` so that a check
    /// can keep what it read.
    pub(crate) fn record_facts(&self, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<()> {
        write_facts(&self.connection, facts, now)
    }

    /// The recorded facts of these bytes, if any.
    pub fn evidence_facts(&self, sha256: &str) -> Result<Option<EvidenceFacts>> {
        Ok(self
            .connection
            .query_row(
                "SELECT sha256, inspection, perceptual_hash, inspected_with, measurements, pixels_pending
                 FROM evidence_facts WHERE sha256 = ?1",
                [sha256],
                |row| {
                    Ok(EvidenceFacts {
                        sha256: row.get(0)?,
                        inspection_json: row.get(1)?,
                        perceptual_hash: row.get::<_, Option<i64>>(2)?.map(|hash| hash as u64),
                        inspected_with: row.get(3)?,
                        measurements_json: row.get(4)?,
                        pixels_pending: row.get::<_, i64>(5)? == 1,
                    })
                },
            )
            .optional()?)
    }

    /// Every evidence file, of any case, whose bytes have a perceptual hash.
    pub fn hashed_evidence(&self) -> Result<Vec<HashedEvidence>> {
        let mut statement = self.connection.prepare(
            "SELECT e.*, f.perceptual_hash AS perceptual_hash FROM evidence e
             JOIN evidence_facts f ON f.sha256 = e.sha256
             WHERE f.perceptual_hash IS NOT NULL AND e.withdrawn_at IS NULL AND e.material_key <> 'unsorted'
             ORDER BY e.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(HashedEvidence {
                evidence: evidence_from_row(row)?,
                perceptual_hash: row.get::<_, i64>("perceptual_hash")? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The bytes whose pixel checks are pending, of one case (`Some`) or of the whole folder, in
    /// import order of their first record, each once.
    pub fn pending_pixel_checks(&self, case_id: Option<&str>) -> Result<Vec<PendingPixelChecks>> {
        let mut statement = self.connection.prepare(
            "SELECT e.sha256, e.original_name, e.bytes FROM evidence e
             JOIN evidence_facts f ON f.sha256 = e.sha256
             WHERE f.pixels_pending = 1 AND (?1 IS NULL OR e.case_id = ?1)
               AND e.id = (SELECT MIN(first.id) FROM evidence first WHERE first.sha256 = e.sha256
                           AND (?1 IS NULL OR first.case_id = ?1))
             ORDER BY e.id",
        )?;
        let rows = statement.query_map([case_id], |row| {
            Ok(PendingPixelChecks {
                sha256: row.get(0)?,
                original_name: row.get(1)?,
                bytes: row.get::<_, i64>(2)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The evidence ids of a case whose bytes' pixel checks are pending.
    pub fn pixel_checks_pending_in_case(&self, case_id: &str) -> Result<std::collections::HashSet<i64>> {
        let mut statement = self.connection.prepare(
            "SELECT e.id FROM evidence e JOIN evidence_facts f ON f.sha256 = e.sha256
             WHERE e.case_id = ?1 AND f.pixels_pending = 1",
        )?;
        let rows = statement.query_map([case_id], |row| row.get::<_, i64>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Until the returned guard is dropped, this connection's commits are not synced to disk
    /// (`synchronous = NORMAL`; in WAL mode each commit stays atomic, and a power cut can lose
    /// only the last ones). For the pixel checks' facts alone: one lost at a crash leaves its
    /// file pending, and it is checked again at the next open, so the guarantee is the same
    /// while the second phase of an import saves an fsync of the log per file.
    pub(crate) fn unsynced_commits(&self) -> Result<UnsyncedCommits<'_>> {
        self.connection.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(UnsyncedCommits { connection: &self.connection })
    }

    /// Records the complete facts of bytes whose pixel checks were pending. Returns false, and
    /// writes nothing, when they are no longer pending (another process finished them first, or
    /// a check read the file again meanwhile).
    pub(crate) fn record_pixel_checks(&self, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<bool> {
        let changed = execute_facts(
            &self.connection,
            "UPDATE evidence_facts SET inspection = ?2, perceptual_hash = ?3, inspected_with = ?4,
                inspected_at = ?5, measurements = ?6, pixels_pending = ?7
             WHERE sha256 = ?1 AND pixels_pending = 1",
            facts,
            false,
            now,
        )?;
        Ok(changed > 0)
    }
}

/// Records (or replaces) the facts of some bytes.
pub(super) fn write_facts(connection: &Connection, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<()> {
    execute_facts(connection, UPSERT_FACTS, facts, facts.pixels_pending, now)?;
    Ok(())
}

/// Writes the first phase's facts (pixels pending) unless complete facts of this version of the
/// checks are already stored for the same bytes.
pub(super) fn write_pending_facts(connection: &Connection, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<()> {
    let sql = format!(
        "{UPSERT_FACTS}
         WHERE evidence_facts.pixels_pending = 1 OR evidence_facts.inspected_with < excluded.inspected_with"
    );
    execute_facts(connection, &sql, facts, true, now)?;
    Ok(())
}

/// Records the facts of some bytes, replacing those stored (the columns as [`execute_facts`]
/// binds them).
const UPSERT_FACTS: &str =
    "INSERT INTO evidence_facts (sha256, inspection, perceptual_hash, inspected_with, inspected_at, measurements,
        pixels_pending)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (sha256) DO UPDATE SET
        inspection = excluded.inspection, perceptual_hash = excluded.perceptual_hash,
        inspected_with = excluded.inspected_with, inspected_at = excluded.inspected_at,
        measurements = excluded.measurements, pixels_pending = excluded.pixels_pending";

/// Runs one of the three writes of facts (replace, first phase, pixel checks), which differ only
/// in when they write. `sql` binds the columns as ?1 `sha256`, ?2 `inspection`, ?3
/// `perceptual_hash`, ?4 `inspected_with`, ?5 `inspected_at`, ?6 `measurements` and ?7
/// `pixels_pending`. Returns how many rows it wrote.
fn execute_facts(
    connection: &Connection,
    sql: &str,
    facts: &EvidenceFacts,
    pixels_pending: bool,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(connection.execute(
        sql,
        params![
            facts.sha256,
            facts.inspection_json,
            facts.perceptual_hash.map(|hash| hash as i64),
            facts.inspected_with,
            timestamp(now),
            facts.measurements_json,
            i64::from(pixels_pending),
        ],
    )?)
}
