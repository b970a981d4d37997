//! Each case's summary as the case list shows it (blocking or not, the check's counts), stored
//! so that the list reads 1,000 cases without checking each one again (issue 19 item 3).
//!
//! Never stale, by construction rather than by care: every row of `case_summaries` carries a
//! counter, `changes`, that triggers bump in the transaction of every write that can change a
//! case's check — to the case itself, its files, attestations, fields, acceptances, notes,
//! the facts and readings of its bytes, and the files of *other* cases that share its bytes or
//! come within the near-duplicate distance of its pictures (`duplicate_other_case`,
//! `near_duplicate`). A write path added later needs nothing: the trigger is on the table. A
//! stored summary counts only while its `summary_of_changes` equals `changes` and its `inputs`
//! (rules, thresholds, today's date, program version: what the check reads outside the
//! database) are the caller's; otherwise that case alone is checked again (module
//! `case_list::stored`). The counter is read before the check and the summary written only
//! where it is unchanged, so a write by another process during the check leaves the row
//! invalid instead of storing a summary computed from data older than that write.
//!
//! A new table with a case's data needs its triggers here (a test lists the tables).

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::Database;
use crate::error::Result;

/// Migration 11: the stored summaries and the triggers that mark them stale.
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE case_summaries (
        case_id            TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
        changes            INTEGER NOT NULL DEFAULT 0,   -- bumped by every write to the case's data
        summary            TEXT,                         -- JSON: blocking and the check's counts
        summary_of_changes INTEGER,                      -- `changes` when `summary` was computed
        inputs             TEXT                          -- what the check read besides the database
    ) STRICT;

    INSERT INTO case_summaries (case_id) SELECT id FROM cases;

    -- The near-duplicate distance in force (the installation's threshold, kept here by the case
    -- list), so that the triggers know which cases a new picture can make near-duplicates of.
    -- 64 until the list first writes it: every picture counts as near, which is only slower.
    CREATE TABLE case_summary_settings (
        id                          INTEGER PRIMARY KEY CHECK (id = 1),
        near_duplicate_max_distance INTEGER NOT NULL
    ) STRICT;
    INSERT INTO case_summary_settings VALUES (1, 64);

    CREATE TRIGGER case_summaries_new_case AFTER INSERT ON cases
    BEGIN INSERT OR IGNORE INTO case_summaries (case_id) VALUES (NEW.id); END;

    CREATE TRIGGER case_summaries_cases AFTER UPDATE ON cases
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id IN (NEW.id, OLD.id); END;

    -- Which bytes' pictures are near-duplicates of which (within the distance in force; every
    -- picture is near itself). A picture is compared with every other, so the triggers below
    -- look for near pictures only when there is a hash to compare: not at the first phase of an
    -- import (pixels pending, no hash yet), and not when a rewrite of the facts keeps the hash.
    -- The index keeps that comparison off the facts' rows (their inspection JSON): it reads
    -- only the hashes.
    CREATE INDEX evidence_facts_by_perceptual_hash ON evidence_facts (perceptual_hash, sha256)
        WHERE perceptual_hash IS NOT NULL;
    CREATE VIEW near_pictures AS
        SELECT picture.sha256, near.sha256 AS near_sha256
        FROM evidence_facts picture CROSS JOIN evidence_facts near
        WHERE picture.perceptual_hash IS NOT NULL AND near.perceptual_hash IS NOT NULL
          AND intake_hash_distance(picture.perceptual_hash, near.perceptual_hash)
              <= (SELECT near_duplicate_max_distance FROM case_summary_settings);

    -- A file added, withdrawn, restored or moved to another slot: its case, every case holding
    -- the same bytes, every case with a picture near its picture.
    CREATE TRIGGER case_summaries_evidence_insert AFTER INSERT ON evidence
    BEGIN
        UPDATE case_summaries SET changes = changes + 1 WHERE case_id = NEW.case_id
            OR case_id IN (SELECT case_id FROM evidence WHERE sha256 = NEW.sha256 OR sha256 IN
                           (SELECT near_sha256 FROM near_pictures WHERE sha256 = NEW.sha256));
    END;

    CREATE TRIGGER case_summaries_evidence_update AFTER UPDATE ON evidence
    BEGIN
        UPDATE case_summaries SET changes = changes + 1 WHERE case_id IN (NEW.case_id, OLD.case_id)
            OR case_id IN (SELECT case_id FROM evidence WHERE sha256 IN (NEW.sha256, OLD.sha256) OR sha256 IN
                           (SELECT near_sha256 FROM near_pictures WHERE sha256 IN (NEW.sha256, OLD.sha256)));
    END;

    CREATE TRIGGER case_summaries_evidence_delete AFTER DELETE ON evidence
    BEGIN
        UPDATE case_summaries SET changes = changes + 1 WHERE case_id = OLD.case_id
            OR case_id IN (SELECT case_id FROM evidence WHERE sha256 = OLD.sha256 OR sha256 IN
                           (SELECT near_sha256 FROM near_pictures WHERE sha256 = OLD.sha256));
    END;

    -- What was read off some bytes (facts, pixel checks, perceptual hash): every case holding
    -- them, and, when the hash is new or changed, every case with a picture near the new hash
    -- (the row is there to compare from) or the old one (gone: compared by its value).
    CREATE TRIGGER case_summaries_facts_insert AFTER INSERT ON evidence_facts
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE sha256 = NEW.sha256 OR sha256 IN
                          (SELECT near_sha256 FROM near_pictures WHERE sha256 = NEW.sha256));
    END;

    CREATE TRIGGER case_summaries_facts_update AFTER UPDATE ON evidence_facts
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE sha256 IN (NEW.sha256, OLD.sha256))
           OR (NEW.perceptual_hash IS NOT OLD.perceptual_hash AND (
                case_id IN (SELECT case_id FROM evidence WHERE sha256 IN
                            (SELECT near_sha256 FROM near_pictures WHERE sha256 = NEW.sha256))
             OR (OLD.perceptual_hash IS NOT NULL AND case_id IN (
                 SELECT case_id FROM evidence WHERE sha256 IN
                     (SELECT sha256 FROM evidence_facts WHERE perceptual_hash IS NOT NULL
                      AND intake_hash_distance(perceptual_hash, OLD.perceptual_hash)
                          <= (SELECT near_duplicate_max_distance FROM case_summary_settings))))));
    END;

    CREATE TRIGGER case_summaries_facts_delete AFTER DELETE ON evidence_facts
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE sha256 = OLD.sha256)
           OR (OLD.perceptual_hash IS NOT NULL AND case_id IN (
                SELECT case_id FROM evidence WHERE sha256 IN
                    (SELECT sha256 FROM evidence_facts WHERE perceptual_hash IS NOT NULL
                     AND intake_hash_distance(perceptual_hash, OLD.perceptual_hash)
                         <= (SELECT near_duplicate_max_distance FROM case_summary_settings))));
    END;

    CREATE TRIGGER case_summaries_readings_insert AFTER INSERT ON document_readings
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE sha256 = NEW.sha256);
    END;
    CREATE TRIGGER case_summaries_readings_update AFTER UPDATE ON document_readings
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE sha256 IN (NEW.sha256, OLD.sha256));
    END;
    CREATE TRIGGER case_summaries_readings_delete AFTER DELETE ON document_readings
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE sha256 = OLD.sha256);
    END;

    CREATE TRIGGER case_summaries_attestations_insert AFTER INSERT ON attestations
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE id = NEW.evidence_id);
    END;
    CREATE TRIGGER case_summaries_attestations_update AFTER UPDATE ON attestations
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE id IN (NEW.evidence_id, OLD.evidence_id));
    END;
    CREATE TRIGGER case_summaries_attestations_delete AFTER DELETE ON attestations
    BEGIN
        UPDATE case_summaries SET changes = changes + 1
        WHERE case_id IN (SELECT case_id FROM evidence WHERE id = OLD.evidence_id);
    END;

    CREATE TRIGGER case_summaries_fields_insert AFTER INSERT ON case_fields
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = NEW.case_id; END;
    CREATE TRIGGER case_summaries_fields_update AFTER UPDATE ON case_fields
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id IN (NEW.case_id, OLD.case_id); END;
    CREATE TRIGGER case_summaries_fields_delete AFTER DELETE ON case_fields
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = OLD.case_id; END;

    CREATE TRIGGER case_summaries_acceptances_insert AFTER INSERT ON finding_acceptances
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = NEW.case_id; END;
    CREATE TRIGGER case_summaries_acceptances_update AFTER UPDATE ON finding_acceptances
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id IN (NEW.case_id, OLD.case_id); END;
    CREATE TRIGGER case_summaries_acceptances_delete AFTER DELETE ON finding_acceptances
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = OLD.case_id; END;

    -- Notes do not count in the check today; marked all the same, so a check that reads them
    -- one day cannot be served an old summary.
    CREATE TRIGGER case_summaries_notes_insert AFTER INSERT ON notes
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = NEW.case_id; END;
    CREATE TRIGGER case_summaries_notes_update AFTER UPDATE ON notes
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id IN (NEW.case_id, OLD.case_id); END;
    CREATE TRIGGER case_summaries_notes_delete AFTER DELETE ON notes
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = OLD.case_id; END;

    -- The list's state (exported, uploaded, failed) is derived from the outbox at each listing,
    -- not stored; the outbox is marked too, so a summary that one day holds more is safe.
    CREATE TRIGGER case_summaries_outbox_insert AFTER INSERT ON outbox
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = NEW.case_id; END;
    CREATE TRIGGER case_summaries_outbox_update AFTER UPDATE OF state, case_id, queued_at ON outbox
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id IN (NEW.case_id, OLD.case_id); END;
    CREATE TRIGGER case_summaries_outbox_delete AFTER DELETE ON outbox
    BEGIN UPDATE case_summaries SET changes = changes + 1 WHERE case_id = OLD.case_id; END;
"#;

/// Registers the SQL functions the triggers call. Every connection of this crate has them
/// (`configure`); another program or a test writing to the store through its own connection
/// must call this first, or SQLite refuses its write ("no such function"), which is the safe
/// way round: no write can go past the triggers and leave a summary stale.
pub fn register_sql_functions(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        "intake_hash_distance",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            // Perceptual hashes are 64 bits stored as signed integers (migration 3). A picture
            // without one (not decoded, or not a picture) is near nothing: NULL, as SQL's own
            // operators answer for a missing value.
            let a: Option<i64> = context.get(0)?;
            let b: Option<i64> = context.get(1)?;
            Ok(a.zip(b).map(|(a, b)| i64::from((a ^ b).count_ones())))
        },
    )
}

/// One case's row: its stored summary, if any, and whether it still counts.
#[derive(Debug, Clone)]
pub struct StoredCaseSummary {
    /// The case.
    pub case_id: String,
    /// The counter as read: a summary computed now is stored under it.
    pub changes: i64,
    /// The stored summary (JSON), when it was computed at `changes` and under these inputs.
    pub summary: Option<String>,
}

/// A summary just computed, to store.
#[derive(Debug, Clone)]
pub struct ComputedCaseSummary {
    /// The case.
    pub case_id: String,
    /// The counter read before the check was made.
    pub changes_seen: i64,
    /// The summary (JSON).
    pub summary: String,
}

impl Database {
    /// Every case's row, each with its summary only where it still counts under `inputs`.
    pub fn case_summaries(&self, inputs: &str) -> Result<Vec<StoredCaseSummary>> {
        let mut statement = self.connection.prepare(
            "SELECT case_id, changes,
                    CASE WHEN summary_of_changes = changes AND inputs = ?1 THEN summary END
             FROM case_summaries",
        )?;
        let rows = statement.query_map([inputs], |row| {
            Ok(StoredCaseSummary { case_id: row.get(0)?, changes: row.get(1)?, summary: row.get(2)? })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Stores summaries just computed under `inputs`, each only where its counter has not moved
    /// since it was read (a write since then leaves the row to be checked again). One
    /// transaction, not synced: a summary lost at a crash is computed again, nothing more.
    pub fn store_case_summaries(&self, computed: &[ComputedCaseSummary], inputs: &str) -> Result<()> {
        if computed.is_empty() {
            return Ok(());
        }
        let _unsynced = self.unsynced_commits()?;
        let tx = self.connection.unchecked_transaction()?;
        {
            let mut missing = tx.prepare("INSERT OR IGNORE INTO case_summaries (case_id) VALUES (?1)")?;
            let mut store = tx.prepare(
                "UPDATE case_summaries SET summary = ?1, summary_of_changes = changes, inputs = ?2
                 WHERE case_id = ?3 AND changes = ?4",
            )?;
            for one in computed {
                missing.execute([&one.case_id])?;
                store.execute(rusqlite::params![one.summary, inputs, one.case_id, one.changes_seen])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Keeps the near-duplicate distance the triggers use equal to the installation's: called by
    /// the list before it reads the summaries, and by the import and its pixel phase before
    /// they write (until then the migration's 64 makes every picture near every other, which is
    /// never wrong but makes each photo's hash mark every case with a picture). A change of
    /// distance marks every summary stale, in the same transaction: writes made under one
    /// distance did not mark the cases a picture is near under another, so no summary computed
    /// before the change may count after it (nor be stored after it, by a listing under way).
    pub fn keep_near_duplicate_distance(&self, distance: u32) -> Result<()> {
        let stored: i64 = self.connection.query_row(
            "SELECT near_duplicate_max_distance FROM case_summary_settings WHERE id = 1",
            [],
            |row| row.get(0),
        )?;
        if stored != i64::from(distance) {
            let tx = self.connection.unchecked_transaction()?;
            tx.execute(
                "UPDATE case_summary_settings SET near_duplicate_max_distance = ?1 WHERE id = 1",
                [i64::from(distance)],
            )?;
            tx.execute("UPDATE case_summaries SET changes = changes + 1", [])?;
            tx.commit()?;
        }
        Ok(())
    }
}
