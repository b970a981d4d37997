//! All database access: the SQLite case store.
//!
//! Nothing else in the crate touches SQL. Encryption at rest is SQLCipher (rusqlite's bundled
//! SQLCipher): [`Database::open_encrypted`] gives the connection its raw key before anything
//! else is read; [`encrypt_database`] turns an unencrypted store into an encrypted one.
//!
//! Migrations are data ([`MIGRATIONS`]): a list of SQL scripts, applied in one transaction
//! when the database is opened; `PRAGMA user_version` counts the ones applied. A database
//! whose version is higher than the list is long (written by a newer program) is refused
//! before anything is written to it.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};

use crate::audit::{AuditAction, AuditDetails, AuditEntry, GENESIS_HASH, UNKNOWN_MANAGER};
use crate::case::{Case, CaseAttributes, CaseSummary, Datum, NewCase, Site};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::DataKey;

mod case_summaries;
pub use case_summaries::{ComputedCaseSummary, StoredCaseSummary, register_sql_functions};

/// The schema, one migration per entry, in order. Never edit an entry that has shipped:
/// append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: cases and their evidence files.
    r#"
    CREATE TABLE cases (
        id                       TEXT PRIMARY KEY,
        merchant_name            TEXT NOT NULL,
        merchant_type            TEXT NOT NULL,
        edition                  TEXT NOT NULL,
        channels                 TEXT NOT NULL,   -- JSON array of keys
        opens_payment            INTEGER NOT NULL CHECK (opens_payment IN (0, 1)),
        opens_account            INTEGER NOT NULL CHECK (opens_account IN (0, 1)),
        syb                      INTEGER NOT NULL CHECK (syb IN (0, 1)),
        syb_sft                  INTEGER NOT NULL CHECK (syb_sft IN (0, 1)),
        payout_or_custody        INTEGER NOT NULL CHECK (payout_or_custody IN (0, 1)),
        regulated_industry       INTEGER NOT NULL CHECK (regulated_industry IN (0, 1)),
        remote_visit             INTEGER NOT NULL CHECK (remote_visit IN (0, 1)),
        chain_or_franchise       INTEGER NOT NULL CHECK (chain_or_franchise IN (0, 1)),
        nonstandard              TEXT NOT NULL,   -- JSON array of keys
        parent_child_same_entity INTEGER NOT NULL CHECK (parent_child_same_entity IN (0, 1)),
        visit_date               TEXT,            -- YYYY-MM-DD
        site_lat                 REAL,
        site_lon                 REAL,
        site_datum               TEXT,
        site_radius_m            REAL,
        created_at               TEXT NOT NULL,   -- RFC 3339 UTC
        updated_at               TEXT NOT NULL,
        CHECK ((site_lat IS NULL) = (site_lon IS NULL))
    ) STRICT;

    CREATE TABLE evidence (
        id            INTEGER PRIMARY KEY,
        case_id       TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        material_key  TEXT NOT NULL,
        sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
        original_name TEXT NOT NULL,
        bytes         INTEGER NOT NULL CHECK (bytes > 0),
        media_type    TEXT NOT NULL,
        imported_at   TEXT NOT NULL,
        UNIQUE (case_id, material_key, sha256)
    ) STRICT;

    CREATE INDEX evidence_by_sha256 ON evidence(sha256);
    "#,
    // 2: what the manager attests on each file (stamps, signatures, holding their ID), kept
    // as a history: the latest row of a file is what stands. And the data the guide asks to
    // record beside the files (legal representative, USCC, non-standard figures), one value
    // per field, with the reason when a warning was overridden.
    r#"
    CREATE TABLE attestations (
        id          INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE RESTRICT,
        marks       TEXT NOT NULL,   -- JSON array of mark keys: every mark seen on the file
        recorded_at TEXT NOT NULL    -- RFC 3339 UTC
    ) STRICT;

    CREATE INDEX attestations_by_evidence ON attestations(evidence_id, id);

    CREATE TABLE case_fields (
        case_id         TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        field_key       TEXT NOT NULL,
        value           TEXT NOT NULL,
        override_reason TEXT,
        updated_at      TEXT NOT NULL,
        PRIMARY KEY (case_id, field_key)
    ) STRICT;
    "#,
    // 3: what the evidence checks read from each file's bytes (its `intake inspect` facts and
    // file-level findings, as JSON, and a 64-bit perceptual hash of images), keyed by SHA-256:
    // the facts depend only on the bytes, so a file in several slots or cases is read once.
    // `inspected_with` is the version of the checks; older rows are read again at `check`.
    r#"
    CREATE TABLE evidence_facts (
        sha256          TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        inspection      TEXT NOT NULL,   -- JSON: evidence::FileInspection
        perceptual_hash INTEGER,         -- 64 bits (as a signed integer); NULL for non-images
        inspected_with  INTEGER NOT NULL,
        inspected_at    TEXT NOT NULL    -- RFC 3339 UTC
    ) STRICT;
    "#,
    // 4: the outbox. Every exported package waits here, known by its SHA-256, until it is
    // stored at head office. An upload under way keeps its multipart UploadId and the remote
    // key and part size it was started with; each part the server accepted is a row of
    // `upload_parts` (its number, ETag and SHA-256), so a resume never asks the server which
    // parts it has (Aliyun OSS has no ListMultipartUploads).
    r#"
    CREATE TABLE outbox (
        sha256          TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        case_id         TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        path            TEXT NOT NULL,   -- the package as last exported
        bytes           INTEGER NOT NULL CHECK (bytes > 0),
        queued_at       TEXT NOT NULL,   -- RFC 3339 UTC
        state           TEXT NOT NULL CHECK (state IN ('waiting', 'uploading', 'done', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        destination     TEXT,            -- endpoint and bucket of the upload under way or done
        remote_key      TEXT,
        upload_id       TEXT,            -- multipart UploadId while under way
        part_size       INTEGER,         -- fixed for the life of an UploadId
        error_code      TEXT,
        error_message   TEXT,
        next_retry_at   TEXT,
        done_at         TEXT,
        CHECK ((upload_id IS NULL) = (part_size IS NULL)),
        CHECK ((state = 'done') = (done_at IS NOT NULL))
    ) STRICT;

    CREATE INDEX outbox_by_case ON outbox(case_id);

    CREATE TABLE upload_parts (
        package_sha256 TEXT NOT NULL REFERENCES outbox(sha256) ON DELETE CASCADE,
        upload_id      TEXT NOT NULL,
        part_number    INTEGER NOT NULL CHECK (part_number >= 1),
        bytes          INTEGER NOT NULL CHECK (bytes >= 0),
        sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
        etag           TEXT NOT NULL,   -- what the server answered (ETag, and its checksum)
        sent_at        TEXT NOT NULL,
        PRIMARY KEY (package_sha256, upload_id, part_number)
    ) STRICT;
    "#,
    // 5: the audit trail (module `audit`): one hash-chained log per case, appended in the
    // transaction of each change. The triggers make it append-only for this program and any
    // careless tool; someone who drops them can still rewrite rows, which the chain's hashes
    // then show (`intake audit`). Cases from before this migration start their chain at
    // their first change after it.
    r#"
    CREATE TABLE audit_log (
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        seq     INTEGER NOT NULL CHECK (seq >= 1),
        at      TEXT NOT NULL,   -- RFC 3339 UTC, milliseconds
        manager TEXT NOT NULL,
        action  TEXT NOT NULL,
        details TEXT NOT NULL,   -- JSON object of strings
        prev    TEXT NOT NULL CHECK (length(prev) = 64),
        hash    TEXT NOT NULL CHECK (length(hash) = 64),
        PRIMARY KEY (case_id, seq)
    ) STRICT;

    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 6: what the reading of each file measured (JSON: evidence::Measurements), so that its
    // findings are derived again when the installation's thresholds change, without reading
    // the file again. NULL (facts from before): the file is read again at `check`.
    r#"
    ALTER TABLE evidence_facts ADD COLUMN measurements TEXT;
    "#,
    // 7: parent_child_same_entity may be not yet answered (issue 17). Its column cannot lose
    // its NOT NULL, so a second column says whether it was answered; cases stored before were
    // answered as stored (a stored 0 stays "no").
    r#"
    ALTER TABLE cases ADD COLUMN parent_child_answered INTEGER NOT NULL DEFAULT 1
        CHECK (parent_child_answered IN (0, 1));
    "#,
    // 8: correcting a case (module `corrections`). A withdrawn file keeps its row (and its
    // bytes in the vault: evidence is never destroyed) with who took it back, when and why;
    // NULL `withdrawn_at` is a file that counts. An acceptance covers one finding exactly as
    // it was shown (`detail`: its message, which names the measured values), so a different
    // finding on the same file is not covered. Notes are on the case (`evidence_id` NULL) or
    // on one of its files. All three are history: rows are only added (or, for a file,
    // withdrawn and restored), and each change has its audit entry.
    r#"
    ALTER TABLE evidence ADD COLUMN withdrawn_at TEXT;
    ALTER TABLE evidence ADD COLUMN withdrawn_reason TEXT;
    ALTER TABLE evidence ADD COLUMN withdrawn_by TEXT;

    CREATE TABLE finding_acceptances (
        id           INTEGER PRIMARY KEY,
        case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        material_key TEXT NOT NULL,
        sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
        code         TEXT NOT NULL,
        detail       TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (length(reason) > 0),
        accepted_by  TEXT NOT NULL,
        accepted_at  TEXT NOT NULL
    ) STRICT;

    CREATE INDEX finding_acceptances_by_case ON finding_acceptances(case_id, id);

    CREATE TABLE notes (
        id          INTEGER PRIMARY KEY,
        case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        evidence_id INTEGER REFERENCES evidence(id) ON DELETE RESTRICT,
        text        TEXT NOT NULL CHECK (length(text) > 0),
        written_by  TEXT NOT NULL,
        written_at  TEXT NOT NULL
    ) STRICT;

    CREATE INDEX notes_by_case ON notes(case_id, id);
    "#,
    // 9: what was read off the documents (module `documents`): the fields of a licence, an ID
    // card side or a map screenshot, as JSON, keyed by the bytes and the kind of document they
    // were read as (an ID card file is read as both sides: a scan may hold both). Personal
    // data: it lives only here, in the (encrypted) store, never in a file of its own.
    // `problem` says why nothing could be read (the image could not be decoded); `read_with`
    // is the version of the readers, so that better readers read old files again.
    r#"
    CREATE TABLE document_readings (
        sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
        kind      TEXT NOT NULL,
        fields    TEXT NOT NULL,
        problem   TEXT,
        read_with INTEGER NOT NULL,
        read_at   TEXT NOT NULL,
        PRIMARY KEY (sha256, kind)
    ) STRICT;
    "#,
    // 10: the two phases of an import. A file is recorded as soon as its bytes are stored and
    // its metadata read, with facts whose pixel checks (thumbnail, perceptual hash, too_dark,
    // blurry) are still to come: `pixels_pending` = 1 until the second phase replaces them. A
    // crash between the phases leaves the flag, so the next open finishes what was left.
    r#"
    ALTER TABLE evidence_facts ADD COLUMN pixels_pending INTEGER NOT NULL DEFAULT 0
        CHECK (pixels_pending IN (0, 1));
    CREATE INDEX evidence_facts_pixels_pending ON evidence_facts (sha256) WHERE pixels_pending = 1;
    "#,
    // 11: each case's summary for the case list, kept from going stale by triggers (module
    // `case_summaries`).
    case_summaries::MIGRATION,
];

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT_MS: u32 = 10_000;

/// An open case store.
pub struct Database {
    connection: Connection,
    /// Who the audit log names for the changes made through this handle (the settings'
    /// `manager_name`, refreshed by `DataFolder` before each change).
    audit_manager: std::cell::RefCell<String>,
}

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

impl Database {
    /// Opens (creating if needed) the unencrypted store at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<Database> {
        Self::open_with(path, None)
    }

    /// Opens (creating if needed) the store at `path`, encrypted with SQLCipher under a key
    /// derived from `key`, and brings its schema up to date.
    pub fn open_encrypted(path: &Path, key: &DataKey) -> Result<Database> {
        Self::open_with(path, Some(key))
    }

    fn open_with(path: &Path, key: Option<&DataKey>) -> Result<Database> {
        refuse_newer_schema(path, key)?;
        let connection = Connection::open(crate::long_paths::for_sqlite(path)).map_err(|err| open_error(path, err))?;
        apply_key(&connection, key).map_err(|err| open_error(path, err))?;
        configure(&connection).map_err(|err| open_error(path, err))?;
        let mut database = Database { connection, audit_manager: std::cell::RefCell::new(UNKNOWN_MANAGER.to_string()) };
        database.migrate().map_err(|err| match err.kind() {
            ErrorKind::DatabaseTooNew => err,
            _ => Error::new(err.kind(), format!("{}: {}", path.display(), err.message())),
        })?;
        Ok(database)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Database> {
        let connection = Connection::open_in_memory()?;
        configure(&connection)?;
        let mut database = Database { connection, audit_manager: std::cell::RefCell::new(UNKNOWN_MANAGER.to_string()) };
        database.migrate()?;
        Ok(database)
    }

    fn migrate(&mut self) -> Result<()> {
        // IMMEDIATE takes the write lock first, so two processes opening a fresh folder at
        // once cannot both apply migration 1.
        let tx = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: usize = tx.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
        if applied > MIGRATIONS.len() {
            return Err(too_new(applied));
        }
        for (index, script) in MIGRATIONS.iter().enumerate().skip(applied) {
            tx.execute_batch(script)?;
            // PRAGMA takes no bound parameters; the number is ours, not user input.
            tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `work` in one transaction: committed if it returns `Ok`, rolled back otherwise.
    fn with_tx<T>(&mut self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Like `with_tx`, from a shared handle: an export and an upload only read the store
    /// otherwise. IMMEDIATE, so the sequence number read is still the last one at insert.
    fn with_shared_tx<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = Transaction::new_unchecked(&self.connection, rusqlite::TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Names `manager` in the audit entries of the changes made from now on through this
    /// handle ([`UNKNOWN_MANAGER`] when empty).
    pub fn set_audit_manager(&self, manager: &str) {
        let manager = manager.trim();
        *self.audit_manager.borrow_mut() = if manager.is_empty() { UNKNOWN_MANAGER } else { manager }.to_string();
    }

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

    /// How many attestations the case's files have had (each one is an `attested` entry).
    pub fn attestation_count(&self, case_id: &str) -> Result<u64> {
        let count: i64 = self.connection.query_row(
            "SELECT count(*) FROM attestations a JOIN evidence e ON e.id = a.evidence_id WHERE e.case_id = ?1",
            [case_id],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite finds nothing wrong.
    pub fn integrity_check(&self) -> Result<()> {
        let verdict: String = self.connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::DatabaseCorrupt, format!("database integrity check failed: {verdict}")))
        }
    }

    /// Stores a new case under `id`.
    pub fn insert_case(&mut self, id: &str, new_case: &NewCase, now: DateTime<Utc>) -> Result<Case> {
        let manager = self.audit_manager.borrow().clone();
        let attributes = &new_case.attributes;
        let site = new_case.site;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO cases (id, merchant_name, merchant_type, edition, channels,
                    opens_payment, opens_account, syb, syb_sft, payout_or_custody,
                    regulated_industry, remote_visit, chain_or_franchise, nonstandard,
                    parent_child_same_entity, visit_date, site_lat, site_lon, site_datum,
                    site_radius_m, created_at, updated_at, parent_child_answered)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)",
                params![
                    id,
                    new_case.merchant_name,
                    attributes.merchant_type.key(),
                    attributes.edition.key(),
                    to_json(&attributes.channels),
                    attributes.opens_payment,
                    attributes.opens_account,
                    attributes.syb,
                    attributes.syb_sft,
                    attributes.payout_or_custody,
                    attributes.regulated_industry,
                    attributes.remote_visit,
                    attributes.chain_or_franchise,
                    to_json(&attributes.nonstandard),
                    attributes.parent_child_same_entity == Some(true),
                    new_case.visit_date.map(|date| date.to_string()),
                    site.map(|site| site.lat),
                    site.map(|site| site.lon),
                    site.map(|site| site.datum.key()),
                    site.and_then(|site| site.radius_m),
                    timestamp(now),
                    attributes.parent_child_same_entity.is_some(),
                ],
            )?;
            // The merchant's name may be a person's name (个人 merchants): logged as recorded,
            // not in clear.
            let details = audit_details(&[
                ("attributes", to_json(attributes)),
                ("merchant_name", "recorded".into()),
                ("visit_date", new_case.visit_date.map_or("none".into(), |date| date.to_string())),
                ("site", if site.is_some() { "recorded" } else { "none" }.into()),
            ]);
            append_audit(tx, id, &manager, AuditAction::CaseCreated, details, now)?;
            Ok(())
        })?;
        self.case(id)
    }

    /// The case with this id.
    pub fn case(&self, id: &str) -> Result<Case> {
        self.connection
            .query_row("SELECT * FROM cases WHERE id = ?1", [id], case_from_row)
            .optional()?
            .ok_or_else(|| Error::new(ErrorKind::CaseNotFound, format!("no case with id '{id}'")))
    }

    /// Every case, most recently changed first.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>> {
        let mut statement = self.connection.prepare(
            "SELECT c.id, c.merchant_name, c.merchant_type, c.edition, c.visit_date,
                    (SELECT count(*) FROM evidence e WHERE e.case_id = c.id AND e.withdrawn_at IS NULL
                        AND e.material_key <> 'unsorted'),
                    c.created_at, c.updated_at
             FROM cases c ORDER BY c.updated_at DESC, c.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(CaseSummary {
                id: row.get(0)?,
                merchant_name: row.get(1)?,
                merchant_type: parse_key(row, 2)?,
                edition: parse_key(row, 3)?,
                visit_date: optional_date(row, 4)?,
                file_count: row.get(5)?,
                created_at: parse_timestamp(row, 6)?,
                updated_at: parse_timestamp(row, 7)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Records an evidence file. Returns `None` when the same bytes are already recorded for
    /// the same material of the same case (adding them again is a no-op).
    pub fn insert_evidence(
        &mut self,
        evidence: &NewEvidence<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<EvidenceRecord>> {
        self.insert_evidence_with_facts(evidence, None, now)
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

    /// Every distinct SHA-256 any case refers to: what the vault must keep.
    pub fn referenced_hashes(&self) -> Result<std::collections::HashSet<String>> {
        let mut statement = self.connection.prepare("SELECT DISTINCT sha256 FROM evidence")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

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

/// Attestations, recorded fields and attribute changes (migration 2).
impl Database {
    /// Replaces the attributes of a case; its files, attestations and fields are untouched.
    pub fn update_case_attributes(
        &mut self,
        id: &str,
        attributes: &CaseAttributes,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        let before = self.case(id)?.attributes;
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE cases SET merchant_type = ?2, edition = ?3, channels = ?4, opens_payment = ?5,
                    opens_account = ?6, syb = ?7, syb_sft = ?8, payout_or_custody = ?9,
                    regulated_industry = ?10, remote_visit = ?11, chain_or_franchise = ?12,
                    nonstandard = ?13, parent_child_same_entity = ?14, updated_at = ?15,
                    parent_child_answered = ?16
                 WHERE id = ?1",
                params![
                    id,
                    attributes.merchant_type.key(),
                    attributes.edition.key(),
                    to_json(&attributes.channels),
                    attributes.opens_payment,
                    attributes.opens_account,
                    attributes.syb,
                    attributes.syb_sft,
                    attributes.payout_or_custody,
                    attributes.regulated_industry,
                    attributes.remote_visit,
                    attributes.chain_or_franchise,
                    to_json(&attributes.nonstandard),
                    attributes.parent_child_same_entity == Some(true),
                    timestamp(now),
                    attributes.parent_child_same_entity.is_some(),
                ],
            )?;
            let old = serde_json::to_value(&before).expect("attributes serialise");
            let new = serde_json::to_value(attributes).expect("attributes serialise");
            let changed: Vec<&str> = match (&old, &new) {
                (serde_json::Value::Object(old), serde_json::Value::Object(new)) => new
                    .iter()
                    .filter(|(key, value)| old.get(*key) != Some(value))
                    .map(|(key, _)| key.as_str())
                    .collect(),
                _ => Vec::new(),
            };
            let details = audit_details(&[("changed", changed.join(",")), ("attributes", to_json(attributes))]);
            append_audit(tx, id, &manager, AuditAction::AttributesChanged, details, now)?;
            Ok(())
        })?;
        self.case(id)
    }

    /// Records what the manager saw on a file, replacing (not erasing) what they said before.
    pub fn insert_attestation(
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

    /// Records (or replaces) the value of a field of a case.
    pub fn set_case_field(
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
    pub fn clear_case_field(&mut self, case_id: &str, field_key: &str, now: DateTime<Utc>) -> Result<bool> {
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
}

fn attestation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AttestationRecord> {
    Ok(AttestationRecord {
        id: row.get("id")?,
        evidence_id: row.get("evidence_id")?,
        marks: parse_json(row, "marks")?,
        recorded_at: parse_timestamp(row, "recorded_at")?,
    })
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

fn audit_details(pairs: &[(&str, String)]) -> AuditDetails {
    pairs.iter().map(|(key, value)| (key.to_string(), value.clone())).collect()
}

/// Appends an entry to a case's chain, inside the transaction of the change it records.
fn append_audit(
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

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))?;
    // WAL lets the app read while the CLI writes; synchronous=FULL makes a commit durable
    // before it returns, which the vault's write order relies on.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    case_summaries::register_sql_functions(connection)?;
    Ok(())
}

/// Reads the schema version through a read-only connection, so that a database from a newer
/// program is refused without a single byte written to it (not even the WAL switch).
fn refuse_newer_schema(path: &Path, key: Option<&DataKey>) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let connection = Connection::open_with_flags(
        crate::long_paths::for_sqlite(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|err| open_error(path, err))?;
    apply_key(&connection, key).map_err(|err| open_error(path, err))?;
    let applied: i64 =
        connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|err| open_error(path, err))?;
    if applied as usize > MIGRATIONS.len() {
        return Err(Error::new(
            ErrorKind::DatabaseTooNew,
            format!("{}: {}", path.display(), too_new(applied as usize).message()),
        ));
    }
    Ok(())
}

/// Gives an encrypted store's connection its key: must be the first statement on it.
fn apply_key(connection: &Connection, key: Option<&DataKey>) -> rusqlite::Result<()> {
    let Some(key) = key else { return Ok(()) };
    // SQLCipher then locks its key material in memory and wipes every allocation it frees
    // (process-wide), so the page cache of an unlocked store does not linger after locking.
    // Measured: README "Encryption at rest".
    connection.execute_batch("PRAGMA cipher_memory_security = ON;")?;
    // The key is ours (hex), never user input; the statement is built in one wiped buffer of
    // the right size (no reallocation leaves a copy behind). rusqlite copies it into a C
    // string it does not wipe: that copy is SQLite's to free.
    let hex = key.database_key();
    let mut statement = zeroize::Zeroizing::new(String::with_capacity(hex.len() + 16));
    statement.push_str("PRAGMA key = \"");
    statement.push_str(&hex);
    statement.push_str("\";");
    connection.execute_batch(&statement)
}

/// True when the file at `path` is an SQLite database readable without a key (an unencrypted
/// store); false for an encrypted one (or anything else SQLite cannot read).
pub(crate) fn is_unencrypted(path: &Path) -> bool {
    Connection::open_with_flags(
        crate::long_paths::for_sqlite(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|connection| connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)))
    .is_ok()
}

/// Checkpoints the WAL of the unencrypted store at `plain` into it (and empties the WAL), so
/// that its file holds every row and stays the same bytes while it is only read after.
pub(crate) fn checkpoint_plain(plain: &Path) -> Result<()> {
    let connection = Connection::open(crate::long_paths::for_sqlite(plain)).map_err(|err| open_error(plain, err))?;
    connection
        .busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))
        .map_err(|err| open_error(plain, err))?;
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|err| open_error(plain, err))
}

/// Writes an encrypted copy of the unencrypted store at `plain` to `target` (which must not
/// exist) with `sqlcipher_export`, schema version included, and syncs it. `plain` is only read;
/// its WAL is checkpointed into it first so that the copy misses nothing and the WAL can go.
pub(crate) fn encrypt_database(plain: &Path, target: &Path, key: &DataKey) -> Result<()> {
    let connection = Connection::open(crate::long_paths::for_sqlite(plain)).map_err(|err| open_error(plain, err))?;
    connection
        .busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))
        .map_err(|err| open_error(plain, err))?;
    let version: i64 =
        connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|err| open_error(plain, err))?;
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|err| open_error(plain, err))?;
    let target_sqlite = crate::long_paths::for_sqlite(target);
    let target_name = target_sqlite.to_str().ok_or_else(|| {
        Error::for_file(ErrorKind::DataFolderUnwritable, target, "the data folder's path is not valid Unicode")
    })?;
    let exported = (|| {
        connection
            .execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", params![target_name, key.database_key().as_str()])?;
        connection.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // sqlcipher_export copies the schema and the rows, not the header's user_version.
        connection.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        connection.execute_batch("DETACH DATABASE encrypted;")
    })();
    exported.map_err(|err| open_error(target, err))?;
    drop(connection);
    // Opened for writing: Windows flushes a file (FlushFileBuffers) only through a handle with
    // write access, and a read-only one fails with "Access denied" (found under Wine: every
    // `passphrase set` failed on the Windows build).
    std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .and_then(|file| file.sync_all())
        .map_err(|err| Error::writing(target, &err))
}

fn too_new(applied: usize) -> Error {
    Error::new(
        ErrorKind::DatabaseTooNew,
        format!(
            "the database has schema version {applied} but this program knows only up to {}; \
             it was written by a newer Merchant Intake and is left untouched: install the newer version",
            MIGRATIONS.len()
        ),
    )
}

fn open_error(path: &Path, err: rusqlite::Error) -> Error {
    let base = Error::from(err);
    Error::new(base.kind(), format!("{}: {}", path.display(), base.message()))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("a list of keys always serialises")
}

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn conversion_error(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

fn parse_key<T: std::str::FromStr<Err = Error>>(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    text.parse().map_err(|err: Error| conversion_error(column, err.message().to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, column: &str) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    let index = row.as_ref().column_index(column)?;
    serde_json::from_str(&text).map_err(|err| conversion_error(index, err.to_string()))
}

fn parse_timestamp(row: &rusqlite::Row<'_>, column: impl rusqlite::RowIndex) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|err| conversion_error(0, format!("bad timestamp '{text}': {err}")))
}

fn optional_date(row: &rusqlite::Row<'_>, column: impl rusqlite::RowIndex) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(column)?;
    text.map(|text| {
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|err| conversion_error(0, format!("bad date '{text}': {err}")))
    })
    .transpose()
}

fn case_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let site = match (row.get::<_, Option<f64>>("site_lat")?, row.get::<_, Option<f64>>("site_lon")?) {
        (Some(lat), Some(lon)) => {
            let datum_text: Option<String> = row.get("site_datum")?;
            let datum = match datum_text {
                Some(text) => text.parse::<Datum>().map_err(|err| conversion_error(0, err.message().to_string()))?,
                None => Datum::Wgs84,
            };
            let radius_m: Option<f64> = row.get("site_radius_m")?;
            Some(Site { lat, lon, datum, radius_m })
        }
        _ => None,
    };
    let merchant_type_index = row.as_ref().column_index("merchant_type")?;
    let edition_index = row.as_ref().column_index("edition")?;
    Ok(Case {
        id: row.get("id")?,
        merchant_name: row.get("merchant_name")?,
        attributes: CaseAttributes {
            merchant_type: parse_key(row, merchant_type_index)?,
            channels: parse_json(row, "channels")?,
            edition: parse_key(row, edition_index)?,
            opens_payment: row.get("opens_payment")?,
            opens_account: row.get("opens_account")?,
            syb: row.get("syb")?,
            syb_sft: row.get("syb_sft")?,
            payout_or_custody: row.get("payout_or_custody")?,
            regulated_industry: row.get("regulated_industry")?,
            remote_visit: row.get("remote_visit")?,
            chain_or_franchise: row.get("chain_or_franchise")?,
            nonstandard: parse_json(row, "nonstandard")?,
            parent_child_same_entity: if row.get::<_, bool>("parent_child_answered")? {
                Some(row.get("parent_child_same_entity")?)
            } else {
                None
            },
        },
        visit_date: optional_date(row, "visit_date")?,
        site,
        created_at: parse_timestamp(row, "created_at")?,
        updated_at: parse_timestamp(row, "updated_at")?,
    })
}

fn evidence_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EvidenceRecord> {
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

/// The facts of each file's bytes (migration 3).
impl Database {
    /// Records an evidence file and, in the same transaction, the facts of its bytes (which
    /// replace older facts of the same bytes). Returns `None`, and records no evidence row,
    /// when the same bytes are already recorded for the same material of the same case; the
    /// facts are recorded all the same.
    pub fn insert_evidence_with_facts(
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

    /// Records (or replaces) the facts of some bytes, e.g. read lazily at `check`. One
    /// statement, so atomic without an explicit transaction; it takes `&self` so that a check
    /// can keep what it read.
    pub fn record_facts(&self, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<()> {
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
}

fn write_facts(connection: &Connection, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        "INSERT INTO evidence_facts (sha256, inspection, perceptual_hash, inspected_with, inspected_at, measurements,
            pixels_pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (sha256) DO UPDATE SET
            inspection = excluded.inspection, perceptual_hash = excluded.perceptual_hash,
            inspected_with = excluded.inspected_with, inspected_at = excluded.inspected_at,
            measurements = excluded.measurements, pixels_pending = excluded.pixels_pending",
        params![
            facts.sha256,
            facts.inspection_json,
            facts.perceptual_hash.map(|hash| hash as i64),
            facts.inspected_with,
            timestamp(now),
            facts.measurements_json,
            i64::from(facts.pixels_pending),
        ],
    )?;
    Ok(())
}

/// Writes the first phase's facts (pixels pending) unless complete facts of this version of the
/// checks are already stored for the same bytes.
fn write_pending_facts(connection: &Connection, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        "INSERT INTO evidence_facts (sha256, inspection, perceptual_hash, inspected_with, inspected_at, measurements,
            pixels_pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
         ON CONFLICT (sha256) DO UPDATE SET
            inspection = excluded.inspection, perceptual_hash = excluded.perceptual_hash,
            inspected_with = excluded.inspected_with, inspected_at = excluded.inspected_at,
            measurements = excluded.measurements, pixels_pending = 1
         WHERE evidence_facts.pixels_pending = 1 OR evidence_facts.inspected_with < excluded.inspected_with",
        params![
            facts.sha256,
            facts.inspection_json,
            facts.perceptual_hash.map(|hash| hash as i64),
            facts.inspected_with,
            timestamp(now),
            facts.measurements_json,
        ],
    )?;
    Ok(())
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

/// The files whose pixel checks are still to come (migration 10).
impl Database {
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

    /// The cases holding these bytes (withdrawn files included), each once.
    pub fn case_ids_with_sha256(&self, sha256: &str) -> Result<Vec<String>> {
        let mut statement =
            self.connection.prepare("SELECT DISTINCT case_id FROM evidence WHERE sha256 = ?1 ORDER BY case_id")?;
        let rows = statement.query_map([sha256], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Until the returned guard is dropped, this connection's commits are not synced to disk
    /// (`synchronous = NORMAL`; in WAL mode each commit stays atomic, and a power cut can lose
    /// only the last ones). For the pixel checks' facts alone: one lost at a crash leaves its
    /// file pending, and it is checked again at the next open, so the guarantee is the same
    /// while the second phase of an import saves an fsync of the log per file.
    pub fn unsynced_commits(&self) -> Result<UnsyncedCommits<'_>> {
        self.connection.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(UnsyncedCommits { connection: &self.connection })
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

    /// Records the complete facts of bytes whose pixel checks were pending. Returns false, and
    /// writes nothing, when they are no longer pending (another process finished them first, or
    /// a check read the file again meanwhile).
    pub fn record_pixel_checks(&self, facts: &EvidenceFacts, now: DateTime<Utc>) -> Result<bool> {
        let changed = self.connection.execute(
            "UPDATE evidence_facts SET inspection = ?2, perceptual_hash = ?3, inspected_with = ?4,
                inspected_at = ?5, measurements = ?6, pixels_pending = 0
             WHERE sha256 = ?1 AND pixels_pending = 1",
            params![
                facts.sha256,
                facts.inspection_json,
                facts.perceptual_hash.map(|hash| hash as i64),
                facts.inspected_with,
                timestamp(now),
                facts.measurements_json,
            ],
        )?;
        Ok(changed > 0)
    }
}

/// One package in the outbox, as recorded.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the columns of `outbox`
pub struct OutboxRecord {
    pub sha256: String,
    pub case_id: String,
    pub path: String,
    pub bytes: u64,
    pub queued_at: DateTime<Utc>,
    pub state: String,
    pub attempts: u32,
    pub destination: Option<String>,
    pub remote_key: Option<String>,
    pub upload_id: Option<String>,
    pub part_size: Option<u64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub next_retry_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// Sum of the bytes of the parts recorded for the current UploadId.
    pub bytes_sent: u64,
}

/// One part of a multipart upload the server accepted.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the columns of `upload_parts`
pub struct UploadPartRecord {
    pub part_number: u32,
    pub bytes: u64,
    pub sha256: String,
    pub etag: String,
}

const OUTBOX_COLUMNS: &str = "o.sha256, o.case_id, o.path, o.bytes, o.queued_at, o.state, o.attempts, o.destination,
    o.remote_key, o.upload_id, o.part_size, o.error_code, o.error_message, o.next_retry_at, o.done_at,
    (SELECT coalesce(sum(p.bytes), 0) FROM upload_parts p
     WHERE p.package_sha256 = o.sha256 AND p.upload_id = o.upload_id) AS bytes_sent";

/// The outbox. Each write is one statement or one transaction, so a crash between two parts
/// loses at most the part in flight. These take `&self`: an export (which only reads the
/// store otherwise) queues its package.
impl Database {
    /// Queues an exported package. The same bytes exported again keep their state (an
    /// uploaded package stays done) and only the path is updated.
    ///
    /// The export is logged in the same transaction (`exported`, with the package's SHA-256
    /// and the length of the chain it carries); the case's `updated_at` is not touched, so
    /// packing again gives the same bytes.
    pub fn enqueue_package(
        &self,
        sha256: &str,
        case_id: &str,
        path: &str,
        bytes: u64,
        chain_length: usize,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_shared_tx(|tx| queue_package(tx, &manager, sha256, case_id, path, bytes, chain_length, now))
    }

    /// Every package in the outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxRecord>> {
        let mut statement = self
            .connection
            .prepare(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox o ORDER BY o.queued_at, o.sha256"))?;
        let rows = statement.query_map([], outbox_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One package of the outbox.
    pub fn outbox_package(&self, sha256: &str) -> Result<OutboxRecord> {
        self.connection
            .query_row(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox o WHERE o.sha256 = ?1"), [sha256], outbox_from_row)
            .optional()?
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, format!("no package {sha256} in the outbox")))
    }

    /// Records a multipart upload just started: from now on a resume continues it.
    pub fn start_package_upload(
        &self,
        sha256: &str,
        destination: &str,
        remote_key: &str,
        upload_id: &str,
        part_size: u64,
    ) -> Result<()> {
        self.connection.execute(
            "UPDATE outbox SET state = 'uploading', destination = ?2, remote_key = ?3, upload_id = ?4, part_size = ?5,
                error_code = NULL, error_message = NULL, next_retry_at = NULL
             WHERE sha256 = ?1",
            params![sha256, destination, remote_key, upload_id, part_size as i64],
        )?;
        Ok(())
    }

    /// Marks a package whose recorded upload is being resumed as under way again.
    pub fn resume_package_upload(&self, sha256: &str) -> Result<()> {
        self.connection.execute(
            "UPDATE outbox SET state = 'uploading' WHERE sha256 = ?1 AND upload_id IS NOT NULL AND state <> 'done'",
            [sha256],
        )?;
        Ok(())
    }

    /// Forgets an upload id (the server no longer knows it, or the object must be sent anew);
    /// its parts go with it.
    pub fn forget_package_upload(&self, sha256: &str) -> Result<()> {
        let tx = self.connection.unchecked_transaction()?;
        tx.execute("DELETE FROM upload_parts WHERE package_sha256 = ?1", [sha256])?;
        tx.execute(
            "UPDATE outbox SET upload_id = NULL, part_size = NULL, state = CASE state WHEN 'uploading' THEN 'waiting'
                ELSE state END
             WHERE sha256 = ?1",
            [sha256],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records one part the server accepted (one statement: one transaction).
    pub fn record_upload_part(
        &self,
        package_sha256: &str,
        upload_id: &str,
        part: &UploadPartRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute(
            "INSERT OR REPLACE INTO upload_parts (package_sha256, upload_id, part_number, bytes, sha256, etag, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                package_sha256,
                upload_id,
                part.part_number,
                part.bytes as i64,
                part.sha256,
                part.etag,
                timestamp(now)
            ],
        )?;
        Ok(())
    }

    /// The parts recorded for an upload id, by part number.
    pub fn upload_parts(&self, package_sha256: &str, upload_id: &str) -> Result<Vec<UploadPartRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT part_number, bytes, sha256, etag FROM upload_parts
             WHERE package_sha256 = ?1 AND upload_id = ?2 ORDER BY part_number",
        )?;
        let rows = statement.query_map([package_sha256, upload_id], |row| {
            Ok(UploadPartRecord {
                part_number: row.get(0)?,
                bytes: row.get::<_, i64>(1)? as u64,
                sha256: row.get(2)?,
                etag: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Marks a package stored and checked at `remote_key`.
    /// Logged as `uploaded` in the same transaction (once: a package already done is not
    /// logged again).
    pub fn finish_package_upload(
        &self,
        sha256: &str,
        destination: &str,
        remote_key: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_shared_tx(|tx| {
            let (case_id, state): (String, String) =
                tx.query_row("SELECT case_id, state FROM outbox WHERE sha256 = ?1", [sha256], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?;
            tx.execute(
                "UPDATE outbox SET state = 'done', destination = ?2, remote_key = ?3, upload_id = NULL, part_size = NULL,
                    error_code = NULL, error_message = NULL, next_retry_at = NULL, done_at = ?4
                 WHERE sha256 = ?1",
                params![sha256, destination, remote_key, timestamp(now)],
            )?;
            if state != "done" {
                let details = audit_details(&[
                    ("package_sha256", sha256.into()),
                    ("destination", destination.into()),
                    ("remote_key", remote_key.into()),
                ]);
                append_audit(tx, &case_id, &manager, AuditAction::Uploaded, details, now)?;
            }
            Ok(())
        })
    }

    /// Records a failed attempt; the upload id and its parts are kept for the next one.
    pub fn fail_package_upload(
        &self,
        sha256: &str,
        error_code: &str,
        error_message: &str,
        next_retry_at: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error_code = ?2, error_message = ?3,
                next_retry_at = ?4
             WHERE sha256 = ?1 AND state <> 'done'",
            params![sha256, error_code, error_message, timestamp(next_retry_at)],
        )?;
        Ok(())
    }
}

/// The outbox row of an exported package and its `exported` entry.
#[allow(clippy::too_many_arguments)] // the columns and the entry
fn queue_package(
    tx: &Transaction<'_>,
    manager: &str,
    sha256: &str,
    case_id: &str,
    path: &str,
    bytes: u64,
    chain_length: usize,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (sha256, case_id, path, bytes, queued_at, state) VALUES (?1, ?2, ?3, ?4, ?5, 'waiting')
         ON CONFLICT (sha256) DO UPDATE SET path = excluded.path",
        params![sha256, case_id, path, bytes as i64, timestamp(now)],
    )?;
    let details = audit_details(&[
        ("package_sha256", sha256.into()),
        ("bytes", bytes.to_string()),
        ("chain_length", chain_length.to_string()),
    ]);
    append_audit(tx, case_id, manager, AuditAction::Exported, details, now)?;
    Ok(())
}

fn outbox_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRecord> {
    let optional_time = |column: &str| -> rusqlite::Result<Option<DateTime<Utc>>> {
        match row.get::<_, Option<String>>(column)? {
            None => Ok(None),
            Some(_) => parse_timestamp(row, column).map(Some),
        }
    };
    Ok(OutboxRecord {
        sha256: row.get("sha256")?,
        case_id: row.get("case_id")?,
        path: row.get("path")?,
        bytes: row.get::<_, i64>("bytes")? as u64,
        queued_at: parse_timestamp(row, "queued_at")?,
        state: row.get("state")?,
        attempts: row.get("attempts")?,
        destination: row.get("destination")?,
        remote_key: row.get("remote_key")?,
        upload_id: row.get("upload_id")?,
        part_size: row.get::<_, Option<i64>>("part_size")?.map(|size| size as u64),
        error_code: row.get("error_code")?,
        error_message: row.get("error_message")?,
        next_retry_at: optional_time("next_retry_at")?,
        done_at: optional_time("done_at")?,
        bytes_sent: row.get::<_, i64>("bytes_sent")? as u64,
    })
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

/// Correcting a case (migration 8): withdrawing, restoring and moving files, editing the case,
/// accepting findings, notes. Each change and its audit entry are one transaction.
impl Database {
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

    /// Marks a counting file withdrawn (`reason` already checked by the caller).
    pub fn withdraw_evidence(&mut self, record: &EvidenceRecord, reason: &str, now: DateTime<Utc>) -> Result<()> {
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
    pub fn restore_evidence(&mut self, record: &EvidenceRecord, now: DateTime<Utc>) -> Result<()> {
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
    pub fn move_evidence(&mut self, record: &EvidenceRecord, to: &str, now: DateTime<Utc>) -> Result<EvidenceRecord> {
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

    /// Replaces every attribute and the visit data of a case (validated by the caller).
    /// Returns the case as stored and the names of what changed; nothing is written (no
    /// audit entry either) when nothing changed.
    pub fn update_case(&mut self, id: &str, case: &NewCase, now: DateTime<Utc>) -> Result<(Case, Vec<String>)> {
        let before = self.case(id)?;
        let mut changed: Vec<String> = Vec::new();
        if before.merchant_name != case.merchant_name {
            changed.push("merchant_name".into());
        }
        let old = serde_json::to_value(&before.attributes).expect("attributes serialise");
        let new = serde_json::to_value(&case.attributes).expect("attributes serialise");
        if let (serde_json::Value::Object(old), serde_json::Value::Object(new)) = (&old, &new) {
            changed.extend(new.iter().filter(|(key, value)| old.get(*key) != Some(value)).map(|(key, _)| key.clone()));
        }
        if before.visit_date != case.visit_date {
            changed.push("visit_date".into());
        }
        let (old_site, new_site) = (before.site, case.site);
        if old_site.map(|site| (site.lat, site.lon)) != new_site.map(|site| (site.lat, site.lon)) {
            changed.push("site".into());
        }
        if old_site.map(|site| site.datum) != new_site.map(|site| site.datum) {
            changed.push("site_datum".into());
        }
        if old_site.and_then(|site| site.radius_m) != new_site.and_then(|site| site.radius_m) {
            changed.push("site_radius_m".into());
        }
        if changed.is_empty() {
            return Ok((before, changed));
        }
        let manager = self.audit_manager.borrow().clone();
        let attributes = &case.attributes;
        let site = case.site;
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE cases SET merchant_name = ?2, merchant_type = ?3, edition = ?4, channels = ?5,
                    opens_payment = ?6, opens_account = ?7, syb = ?8, syb_sft = ?9, payout_or_custody = ?10,
                    regulated_industry = ?11, remote_visit = ?12, chain_or_franchise = ?13, nonstandard = ?14,
                    parent_child_same_entity = ?15, visit_date = ?16, site_lat = ?17, site_lon = ?18,
                    site_datum = ?19, site_radius_m = ?20, updated_at = ?21, parent_child_answered = ?22
                 WHERE id = ?1",
                params![
                    id,
                    case.merchant_name,
                    attributes.merchant_type.key(),
                    attributes.edition.key(),
                    to_json(&attributes.channels),
                    attributes.opens_payment,
                    attributes.opens_account,
                    attributes.syb,
                    attributes.syb_sft,
                    attributes.payout_or_custody,
                    attributes.regulated_industry,
                    attributes.remote_visit,
                    attributes.chain_or_franchise,
                    to_json(&attributes.nonstandard),
                    // Not yet answered is stored as "no" with parent_child_answered = 0 (migration 7).
                    attributes.parent_child_same_entity == Some(true),
                    case.visit_date.map(|date| date.to_string()),
                    site.map(|site| site.lat),
                    site.map(|site| site.lon),
                    site.map(|site| site.datum.key()),
                    site.and_then(|site| site.radius_m),
                    timestamp(now),
                    attributes.parent_child_same_entity.is_some(),
                ],
            )?;
            // As at creation: the merchant's name and the premises' position are personal or
            // close to it, logged as recorded, not in clear.
            let details = audit_details(&[
                ("changed", changed.join(",")),
                ("attributes", to_json(attributes)),
                ("merchant_name", "recorded".into()),
                ("visit_date", case.visit_date.map_or("none".into(), |date| date.to_string())),
                ("site", if site.is_some() { "recorded" } else { "none" }.into()),
            ]);
            append_audit(tx, id, &manager, AuditAction::CaseUpdated, details, now)?;
            Ok(())
        })?;
        Ok((self.case(id)?, changed))
    }

    /// Records the acceptance of one finding of a file (checked by the caller: the finding
    /// stands and may be accepted; the reason is given).
    #[allow(clippy::too_many_arguments)] // the finding's identity and the acceptance
    pub fn insert_finding_acceptance(
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

    /// Adds a note to a case, or to one of its files (`evidence`).
    pub fn insert_note(
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

    /// [`Database::enqueue_package`] for a package exported although incomplete: the
    /// `incomplete_export` entry (the manager's `reason`, how many `open_items`) goes in the
    /// same transaction, just before `exported`. Both are about a package, so no package
    /// carries them (its `bag-info.txt` and `case.json` carry the reason).
    #[allow(clippy::too_many_arguments)] // enqueue_package's, and the reason
    pub fn enqueue_incomplete_package(
        &self,
        sha256: &str,
        case_id: &str,
        path: &str,
        bytes: u64,
        chain_length: usize,
        reason: &str,
        open_items: usize,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let manager = self.audit_manager.borrow().clone();
        self.with_shared_tx(|tx| {
            let details = audit_details(&[
                ("package_sha256", sha256.into()),
                ("reason", reason.into()),
                ("open_items", open_items.to_string()),
            ]);
            append_audit(tx, case_id, &manager, AuditAction::IncompleteExport, details, now)?;
            queue_package(tx, &manager, sha256, case_id, path, bytes, chain_length, now)
        })
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

/// Document readings (migration 9).
impl Database {
    /// Records (or replaces) the readings of some bytes, all in one transaction, so that an ID
    /// card's two sides are never half replaced. Takes `&self` like [`Database::record_facts`]:
    /// readings are derived from the bytes, not a change to a case (no audit entry).
    pub fn record_document_readings(&self, readings: &[StoredDocumentReading]) -> Result<()> {
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

/// What the case list and the outbox read across cases (module `case_list`, the outbox view).
impl Database {
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
