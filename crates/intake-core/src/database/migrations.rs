//! The schema as data: the list of migrations `Database::open` applies in order.

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
    super::case_summaries::MIGRATION,
];
