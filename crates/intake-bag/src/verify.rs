//! `intake verify`: checks a package and lists every problem it finds.
//!
//! In order, without extracting anything to disk:
//! 1. Zip safety, from the structure alone: at most [`MAX_ENTRIES`] entries; names that are
//!    relative, UTF-8, without `..`, `.`, empty parts, backslashes, drive letters or control
//!    characters, and unique (also ignoring case); regular files only (no links, devices or
//!    folders); no encryption; stored or deflated only; declared sizes within
//!    [`MAX_ENTRY_BYTES`] each and [`MAX_TOTAL_BYTES`] in all; every deflated entry at most
//!    [`MAX_COMPRESSION_RATIO`] times its compressed size (beyond [`RATIO_FREE_BYTES`]); entries laid end to end
//!    (no gaps, no overlaps: the zip-bomb trick of entries sharing data), local headers equal
//!    to the central directory, nothing after the end record; and the canonical values the
//!    packer writes in every field that has no other check (attributes, versions, comments).
//! 2. Content: every entry is read once, inflating no more than its declared size; its
//!    length, CRC-32 and SHA-256 are taken on the way. Only the profile's tag files and
//!    `case.json` are kept in memory ([`MAX_TAG_FILE_BYTES`] each, [`MAX_KEPT_BYTES`] in all),
//!    so memory stays bounded whatever the package holds.
//! 3. BagIt (RFC 8493) and the profile: `bagit.txt`; `bag-info.txt` with the profile's
//!    fields and a `Payload-Oxum` that matches; every payload file in `manifest-sha256.txt`
//!    and every manifest line a payload file with that hash; every tag file but the
//!    signature in `tagmanifest-sha256.txt`, with its hash.
//! 4. `data/case.json` against the JSON Schema (`assets/schemas/case.v2.schema.json`), and
//!    against the rest of the package (case id, files, hashes, sizes, key, flags; for a
//!    watermarked identity document, the copy's hash and size).
//! 5. The SM2 signature over `tagmanifest-sha256.txt` with the package's public key, and that
//!    key among the verifier's trusted keys ([`super::trust`]): without one that vouches for
//!    it, `signer_untrusted` names its fingerprint and the package is not valid.
//! 6. The audit chain (`audit-log.jsonl`): every entry's hash, sequence and link, the case id,
//!    and its head hash and length against `Intake-Audit-Head` / `Intake-Audit-Length`.
//!
//! Since the tag manifest covers `manifest-sha256.txt`, `bag-info.txt` and the public key,
//! and the manifest covers every payload file, the signature covers all content; the
//! structural checks cover the zip's own bytes. One change is not detectable by any
//! reader: the unused padding bits after the end of a deflate stream, which carry nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::continuity::{self, PreviousPackage};
use super::document::{self, CaseDocument};
use super::layout;
use super::trust::{self, TrustedKey};
use super::zip_format::{self, NotAZip, RawEntry, ReadLimits};
use crate::audit::AuditEntry;
use crate::codes::VerifyCode;
use crate::error::{Error, Result};
use crate::signing;

/// The most entries a package may have.
pub const MAX_ENTRIES: u64 = 100_000;
/// The largest entry, uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 8 << 30;
/// The most all entries may hold together, uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 64 << 30;
/// The highest ratio of uncompressed to compressed size of a deflated entry (any entry that
/// inflates beyond [`RATIO_FREE_BYTES`]).
pub const MAX_COMPRESSION_RATIO: u64 = 200;
/// What any deflated entry may inflate to whatever its ratio (a small text of one repeated
/// character has a high ratio and costs nothing).
pub const RATIO_FREE_BYTES: u64 = 64 << 10;
/// Tag files and `case.json` are read into memory: at most this large.
pub const MAX_TAG_FILE_BYTES: u64 = 64 << 20;
/// What all the entries kept in memory (the profile's tag files and `case.json`, nothing
/// else) may hold together: the verifier's memory does not grow with what a package holds.
pub const MAX_KEPT_BYTES: u64 = 160 << 20;
const MAX_CENTRAL_DIRECTORY_BYTES: u64 = 64 << 20;
const READ_BUFFER_BYTES: usize = 1 << 20;

/// What to check beyond the package itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyOptions {
    /// The keys a valid package may be signed by (`--expect-key`, `--trusted-keys`, the data
    /// folder's own); none trusts nobody, and every package then fails with `signer_untrusted`.
    pub trusted_keys: Vec<TrustedKey>,
    /// An earlier package of the same case whose audit chain this one must continue
    /// (`--previous`; [`super::continuity`]).
    #[ts(type = "string | null")]
    pub previous: Option<PathBuf>,
}

impl VerifyOptions {
    /// Trusting the keys given.
    pub fn trusting(trusted_keys: Vec<TrustedKey>) -> VerifyOptions {
        VerifyOptions { trusted_keys, previous: None }
    }
}

/// The verdict on a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    /// The file checked.
    pub path: String,
    /// True when no problem was found.
    pub valid: bool,
    /// `External-Identifier`, when readable.
    pub case_id: Option<String>,
    /// Entries in the zip.
    #[ts(type = "number")]
    pub entries: u64,
    /// Files under `data/`.
    #[ts(type = "number")]
    pub payload_files: u64,
    /// Their total size.
    #[ts(type = "number")]
    pub payload_bytes: u64,
    /// The package says the case was complete (`Intake-Complete`).
    pub complete: Option<bool>,
    /// The package says it was exported although incomplete (`Intake-Allow-Incomplete`).
    pub allow_incomplete: Option<bool>,
    /// Fingerprint of the public key in the package.
    pub public_key_sha256: Option<String>,
    /// True when the signature verified (whoever made it).
    pub signature_valid: bool,
    /// The trusted key that matches the signer's (with the register line it came from), when
    /// one does.
    pub trusted_by: Option<TrustedKey>,
    /// Entries of the audit chain the package carries, when readable.
    #[ts(type = "number | null")]
    pub audit_entries: Option<u64>,
    /// The earlier package given with `--previous`, as verified on its own.
    pub previous: Option<PreviousPackage>,
    /// Every problem found, in the order the checks ran.
    pub problems: Vec<VerifyProblem>,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyProblem {
    /// A stable code (every one is a variant of [`VerifyCode`], explained in `interfaces.md`).
    pub code: VerifyCode,
    /// The entry concerned, if one.
    pub entry: Option<String>,
    /// One sentence.
    pub message: String,
}

/// The most problems of one code a report lists. The others of that code are counted in one
/// last problem of the same code: a hostile package (a manifest of a million bad lines, a
/// hundred thousand stray entries) must not grow the report, and the verifier's memory, with
/// its size. Measured before this limit: 870 MiB peak for 1.8 million problems.
pub const MAX_PROBLEMS_PER_CODE: usize = 100;

#[derive(Default)]
struct Problems {
    listed: Vec<VerifyProblem>,
    /// How many problems of each code were found, listed or not.
    found: HashMap<VerifyCode, usize>,
}

impl Problems {
    fn add(&mut self, code: impl Into<VerifyCode>, entry: Option<&str>, message: impl Into<String>) {
        let code = code.into();
        let found = self.found.entry(code).or_default();
        *found += 1;
        if *found <= MAX_PROBLEMS_PER_CODE {
            self.listed.push(VerifyProblem { code, entry: entry.map(String::from), message: message.into() });
        }
    }

    /// Every problem listed, then for each code over the limit how many more there were.
    fn into_list(self) -> Vec<VerifyProblem> {
        let mut list = self.listed;
        let mut over: Vec<(VerifyCode, usize)> =
            self.found.into_iter().filter(|(_, found)| *found > MAX_PROBLEMS_PER_CODE).collect();
        over.sort();
        for (code, found) in over {
            let more = found - MAX_PROBLEMS_PER_CODE;
            list.push(VerifyProblem {
                code,
                entry: None,
                message: format!("and {more} more problems like these, not listed one by one"),
            });
        }
        list
    }
}

/// What reading an entry gave.
struct EntryContent {
    sha256: String,
    /// Kept for tag files and `case.json`.
    data: Option<Vec<u8>>,
}

/// Checks the package at `path`. `Err` only when the file cannot be read at all (missing,
/// a folder, an I/O error); every problem with its content is in the report. With
/// `options.previous`, that package is verified too (under the same trusted keys) and this
/// one's audit chain must continue its chain.
pub fn verify_package(path: &Path, options: &VerifyOptions) -> Result<VerifyReport> {
    let (mut report, chain) = verify_one(path, options)?;
    if let Some(previous_path) = &options.previous {
        let (previous, previous_chain) = verify_one(previous_path, options)?;
        let at = Some(layout::AUDIT_LOG.to_string());
        let mut add = |code: VerifyCode, message: String| {
            report.problems.push(VerifyProblem { code, entry: at.clone(), message });
        };
        if !previous.valid {
            add(
                VerifyCode::PreviousInvalid,
                format!(
                    "the previous package {} does not verify on its own ({}): its chain proves nothing",
                    previous_path.display(),
                    crate::verify_text::problem_count(previous.problems.len())
                ),
            );
        }
        for problem in
            continuity::check_continues(report.case_id.as_deref(), &chain, previous.case_id.as_deref(), &previous_chain)
        {
            add(problem.code, problem.message);
        }
        report.previous = Some(PreviousPackage {
            path: previous_path.display().to_string(),
            case_id: previous.case_id.clone(),
            audit_entries: previous_chain.len() as u64,
            valid: previous.valid,
        });
        report.valid = report.valid && report.problems.is_empty();
    }
    Ok(report)
}

/// [`verify_package`] of one package, without `previous`; also the audit chain it carries.
fn verify_one(path: &Path, options: &VerifyOptions) -> Result<(VerifyReport, Vec<AuditEntry>)> {
    let mut file = intake_evidence::user_file::open(path)?;
    let mut report = VerifyReport {
        path: path.display().to_string(),
        valid: false,
        case_id: None,
        entries: 0,
        payload_files: 0,
        payload_bytes: 0,
        complete: None,
        allow_incomplete: None,
        public_key_sha256: None,
        signature_valid: false,
        trusted_by: None,
        audit_entries: None,
        previous: None,
        problems: Vec::new(),
    };
    let mut problems = Problems::default();
    let limits = ReadLimits { max_entries: MAX_ENTRIES, max_central_directory_bytes: MAX_CENTRAL_DIRECTORY_BYTES };
    let archive = match zip_format::read_archive(&mut file, &limits) {
        Ok(archive) => archive,
        Err(NotAZip::Io(err)) => return Err(Error::reading(path, &err)),
        Err(NotAZip::Structure(message)) => {
            problems.add(VerifyCode::NotAZip, None, format!("not a readable zip package: {message}"));
            report.problems = problems.into_list();
            return Ok((report, Vec::new()));
        }
    };
    report.entries = archive.entries.len() as u64;
    for (code, message) in &archive.problems {
        problems.add(*code, None, message.clone());
    }

    let readable = check_entries(&archive.entries, &mut problems);
    let contents = read_entries(&mut file, &readable, &mut problems);

    let names: HashSet<&str> = readable.iter().filter_map(|entry| entry.name()).collect();
    let payload: BTreeMap<&str, u64> = readable
        .iter()
        .filter_map(|entry| entry.name().map(|name| (name, entry.uncompressed_size)))
        .filter(|(name, _)| name.starts_with("data/"))
        .collect();
    report.payload_files = payload.len() as u64;
    report.payload_bytes = payload.values().sum();

    for required in layout::TAG_FILES.into_iter().chain([layout::CASE_JSON, layout::REPORT_HTML]) {
        let listed = archive.entries.iter().any(|entry| entry.name() == Some(required));
        if !listed {
            problems.add(VerifyCode::MissingFile, Some(required), "is missing from the package");
        }
    }
    let data_of = |name: &str| data_of(&contents, name);

    // bagit.txt
    if let Some(bagit) = data_of(layout::BAGIT_TXT)
        && bagit != layout::BAGIT_TXT_CONTENT.as_bytes()
    {
        problems.add(
            VerifyCode::BadBagitTxt,
            Some(layout::BAGIT_TXT),
            "is not 'BagIt-Version: 1.0' with 'Tag-File-Character-Encoding: UTF-8'",
        );
    }

    // bag-info.txt
    let bag_info = data_of(layout::BAG_INFO_TXT).map(|bytes| parse_bag_info(bytes, &mut problems)).unwrap_or_default();
    let info = |label: &str| bag_info.iter().find(|(key, _)| key == label).map(|(_, value)| value.as_str());
    if data_of(layout::BAG_INFO_TXT).is_some() {
        check_bag_info(&bag_info, &payload, &mut problems);
    }
    report.case_id = info("External-Identifier").map(String::from);
    report.complete = info("Intake-Complete").and_then(|value| value.parse().ok());
    report.allow_incomplete = info("Intake-Allow-Incomplete").and_then(|value| value.parse().ok());

    check_manifests(&names, &payload, &contents, &mut problems);
    for name in names.iter().filter(|name| !name.starts_with("data/") && !layout::TAG_FILES.contains(name)) {
        problems.add(VerifyCode::UnexpectedTagFile, Some(name), "is not a tag file of this package's profile");
    }

    check_signature(&contents, info("Intake-Public-Key-SHA256"), options, &mut report, &mut problems);

    // The audit chain, against itself and the head and length bag-info.txt signs.
    let chain = data_of(layout::AUDIT_LOG).map(|bytes| check_audit_log(bytes, &bag_info, &mut problems));
    report.audit_entries = chain.as_ref().map(|chain| chain.len() as u64);

    // case.json
    let document = data_of(layout::CASE_JSON).and_then(|bytes| {
        check_case_json(bytes, &bag_info, &payload, &contents, report.public_key_sha256.as_deref(), &mut problems)
    });

    // The files the log added (and did not remove) are the files case.json describes.
    if let (Some(chain), Some(document)) = (&chain, &document) {
        let described: Vec<(&str, &str)> =
            document.files.iter().map(|file| (file.sha256.as_str(), file.path.as_str())).collect();
        for problem in continuity::check_logged_files(chain, &described) {
            problems.add(problem.code, Some(layout::AUDIT_LOG), problem.message);
        }
    }

    report.problems = problems.into_list();
    // Valid means signed, by a key the verifier trusts, and nothing else wrong.
    report.valid = report.problems.is_empty() && report.signature_valid && report.trusted_by.is_some();
    Ok((report, chain.unwrap_or_default()))
}

/// Step 2: reads every readable entry in the order it lies in the file, hashing it; keeps the
/// bytes of the tag files and case.json only, within their limits.
fn read_entries(file: &mut File, readable: &[&RawEntry], problems: &mut Problems) -> HashMap<String, EntryContent> {
    let mut contents: HashMap<String, EntryContent> = HashMap::new();
    let mut ordered: Vec<&RawEntry> = readable.to_vec();
    ordered.sort_by_key(|entry| entry.data_start);
    let mut kept_bytes: u64 = 0;
    let mut reader = EntryReader::new();
    for entry in ordered {
        let name = entry.name().expect("readable entries have UTF-8 names").to_string();
        // Only what is read as text is kept: the profile's tag files and case.json. Anything
        // else outside data/ is hashed and reported (unexpected_tag_file), never held.
        let keep = layout::TAG_FILES.contains(&name.as_str()) || name == layout::CASE_JSON;
        if keep && entry.uncompressed_size > MAX_TAG_FILE_BYTES {
            problems.add(
                VerifyCode::EntryTooLarge,
                Some(&name),
                format!("is larger than {MAX_TAG_FILE_BYTES} bytes, the limit for tag files and case.json"),
            );
            continue;
        }
        if keep {
            kept_bytes = kept_bytes.saturating_add(entry.uncompressed_size);
            if kept_bytes > MAX_KEPT_BYTES {
                problems.add(
                    VerifyCode::EntryTooLarge,
                    Some(&name),
                    format!("the tag files and case.json together exceed {MAX_KEPT_BYTES} bytes"),
                );
                continue;
            }
        }
        match reader.read(file, entry, keep) {
            Ok(content) => {
                contents.insert(name, content);
            }
            Err(message) => problems.add(VerifyCode::UnreadableEntry, Some(&name), message),
        }
    }
    contents
}

/// Step 4: the payload against manifest-sha256.txt and the tag files against
/// tagmanifest-sha256.txt, both ways (listed but missing, present but not listed, hash).
fn check_manifests(
    names: &HashSet<&str>,
    payload: &BTreeMap<&str, u64>,
    contents: &HashMap<String, EntryContent>,
    problems: &mut Problems,
) {
    if let Some(manifest) = data_of(contents, layout::MANIFEST) {
        let listed = parse_manifest(layout::MANIFEST, manifest, problems);
        for name in payload.keys() {
            if !listed.contains_key(*name) {
                problems.add(
                    VerifyCode::NotInManifest,
                    Some(name),
                    "is a payload file not listed in manifest-sha256.txt",
                );
            }
        }
        for (name, hash) in &listed {
            if !name.starts_with("data/") {
                problems.add(
                    VerifyCode::BadManifestLine,
                    Some(layout::MANIFEST),
                    format!("lists '{name}', which is not under data/"),
                );
            } else if !names.contains(name.as_str()) {
                problems.add(
                    VerifyCode::MissingPayloadFile,
                    Some(name),
                    "is listed in manifest-sha256.txt but not in the package",
                );
            } else if let Some(content) = contents.get(name.as_str())
                && &content.sha256 != hash
            {
                problems.add(VerifyCode::HashMismatch, Some(name), "does not match its SHA-256 in manifest-sha256.txt");
            }
        }
    }
    if let Some(tag_manifest) = data_of(contents, layout::TAG_MANIFEST) {
        let listed = parse_manifest(layout::TAG_MANIFEST, tag_manifest, problems);
        for name in names.iter().filter(|name| !name.starts_with("data/")) {
            if *name != layout::TAG_MANIFEST && *name != layout::SIGNATURE && !listed.contains_key(*name) {
                problems.add(
                    VerifyCode::TagFileNotListed,
                    Some(name),
                    "is a tag file not listed in tagmanifest-sha256.txt",
                );
            }
        }
        for (name, hash) in &listed {
            if name.starts_with("data/") || name == layout::TAG_MANIFEST || name == layout::SIGNATURE {
                problems.add(
                    VerifyCode::BadManifestLine,
                    Some(layout::TAG_MANIFEST),
                    format!("lists '{name}', which cannot be in it"),
                );
            } else if !names.contains(name.as_str()) {
                problems.add(
                    VerifyCode::MissingFile,
                    Some(name),
                    "is listed in tagmanifest-sha256.txt but not in the package",
                );
            } else if let Some(content) = contents.get(name.as_str())
                && &content.sha256 != hash
            {
                problems.add(
                    VerifyCode::HashMismatch,
                    Some(name),
                    "does not match its SHA-256 in tagmanifest-sha256.txt",
                );
            }
        }
    }
}

/// Step 5: the signature over tagmanifest-sha256.txt by the package's public key, that key
/// against the fingerprint bag-info.txt claims, and against the verifier's trusted keys.
fn check_signature(
    contents: &HashMap<String, EntryContent>,
    claimed_fingerprint: Option<&str>,
    options: &VerifyOptions,
    report: &mut VerifyReport,
    problems: &mut Problems,
) {
    let public_key = data_of(contents, layout::PUBLIC_KEY).map(|bytes| {
        std::str::from_utf8(bytes)
            .map_err(|_| signing::SignatureProblem::BadPublicKey("not UTF-8 text".into()))
            .and_then(signing::parse_public_key_pem)
    });
    match public_key {
        Some(Ok((key, fingerprint))) => {
            if let (Some(message), Some(signature)) =
                (data_of(contents, layout::TAG_MANIFEST), data_of(contents, layout::SIGNATURE))
            {
                match signing::verify_signature(&key, message, signature) {
                    Ok(()) => report.signature_valid = true,
                    Err(signing::SignatureProblem::Mismatch) => problems.add(
                        VerifyCode::SignatureMismatch,
                        Some(layout::SIGNATURE),
                        "does not verify: tagmanifest-sha256.txt or the key changed after signing",
                    ),
                    Err(problem) => {
                        problems.add(VerifyCode::BadSignature, Some(layout::SIGNATURE), problem.to_string())
                    }
                }
            }
            if let Some(claimed) = claimed_fingerprint
                && claimed != fingerprint
            {
                problems.add(
                    VerifyCode::KeyMismatch,
                    Some(layout::BAG_INFO_TXT),
                    "Intake-Public-Key-SHA256 is not the fingerprint of the package's public key",
                );
            }
            match trust::find_anchor(&fingerprint, &options.trusted_keys) {
                Ok(anchor) => report.trusted_by = Some(anchor.clone()),
                Err(message) => problems.add(VerifyCode::SignerUntrusted, Some(layout::PUBLIC_KEY), message),
            }
            report.public_key_sha256 = Some(fingerprint);
        }
        Some(Err(problem)) => problems.add(VerifyCode::BadPublicKey, Some(layout::PUBLIC_KEY), problem.to_string()),
        None => {}
    }
}

/// The kept bytes of the entry `name`, when it was read and kept.
fn data_of<'a>(contents: &'a HashMap<String, EntryContent>, name: &str) -> Option<&'a [u8]> {
    contents.get(name).and_then(|content| content.data.as_deref())
}

/// Step 1: the entries that are safe to read; problems for the others.
fn check_entries<'a>(entries: &'a [RawEntry], problems: &mut Problems) -> Vec<&'a RawEntry> {
    let mut readable = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut folded: HashMap<String, String> = HashMap::new();
    let mut total: u64 = 0;
    for entry in entries {
        let shown = entry.display_name();
        let at = Some(shown.as_str());
        let mut safe = true;
        match entry.name() {
            None => {
                problems.add(VerifyCode::UnsafePath, at, "the entry name is not UTF-8");
                safe = false;
            }
            Some(name) => {
                if let Some(reason) = unsafe_name(name) {
                    problems.add(VerifyCode::UnsafePath, at, reason);
                    safe = false;
                }
                if !name.is_ascii() && entry.flags & zip_format::FLAG_UTF8 == 0 {
                    problems.add(VerifyCode::NonCanonicalZip, at, "a non-ASCII name without the UTF-8 flag");
                }
                if let Some(other) = folded.insert(name.to_lowercase(), name.to_string())
                    && other != name
                {
                    problems.add(VerifyCode::NameCollision, at, format!("differs from '{other}' only in case"));
                }
            }
        }
        if !seen.insert(entry.name_bytes.as_slice()) {
            problems.add(VerifyCode::DuplicateEntry, at, "appears more than once");
            safe = false;
        }
        let host = entry.version_made_by >> 8;
        let file_type = (entry.external_attributes >> 16) & 0o170000;
        if host == 3 && file_type == 0o120000 {
            problems.add(VerifyCode::Symlink, at, "is a symbolic link");
            safe = false;
        } else if entry.name_bytes.ends_with(b"/") || (host == 3 && file_type != 0o100000) {
            problems.add(VerifyCode::NotARegularFile, at, "is a folder, link or device, not a regular file");
            safe = false;
        }
        let mut odd = Vec::new();
        if entry.version_made_by != zip_format::canonical_made_by(entry.version_needed) {
            odd.push("version made by");
        }
        if entry.external_attributes != zip_format::EXTERNAL_ATTRIBUTES {
            odd.push("external attributes");
        }
        if entry.internal_attributes != 0 {
            odd.push("internal attributes");
        }
        if entry.disk_start != 0 {
            odd.push("disk number");
        }
        if !entry.comment.is_empty() {
            odd.push("comment");
        }
        if entry.flags & !(zip_format::FLAG_UTF8 | zip_format::FLAG_ENCRYPTED | zip_format::FLAG_DATA_DESCRIPTOR) != 0 {
            odd.push("flags");
        }
        if entry.flags & zip_format::FLAG_DATA_DESCRIPTOR != 0 {
            odd.push("data descriptor");
        }
        let zip64_needed =
            entry.uncompressed_size >= u64::from(u32::MAX) || entry.compressed_size >= u64::from(u32::MAX);
        let expected_needed = if zip64_needed {
            45
        } else if entry.method == 8 {
            20
        } else {
            10
        };
        if entry.version_needed != expected_needed {
            odd.push("version needed");
        }
        if !odd.is_empty() {
            problems.add(
                VerifyCode::NonCanonicalZip,
                at,
                format!("unexpected {} (the packer never writes these)", odd.join(", ")),
            );
        }
        if entry.flags & zip_format::FLAG_ENCRYPTED != 0 {
            problems.add(VerifyCode::EncryptedEntry, at, "is encrypted");
            safe = false;
        }
        match entry.method {
            0 if entry.compressed_size != entry.uncompressed_size => {
                problems.add(
                    VerifyCode::ZipStructure,
                    at,
                    "a stored entry whose compressed and uncompressed sizes differ",
                );
                safe = false;
            }
            0 | 8 => {}
            method => {
                problems.add(
                    VerifyCode::UnsupportedCompression,
                    at,
                    format!("uses compression method {method}; only stored (0) and deflated (8) are allowed"),
                );
                safe = false;
            }
        }
        for mismatch in &entry.local_mismatches {
            problems.add(VerifyCode::ZipStructure, at, mismatch.clone());
        }
        if entry.data_start.is_none() || !entry.local_mismatches.is_empty() {
            safe = false;
        }
        if entry.uncompressed_size > MAX_ENTRY_BYTES {
            problems.add(
                VerifyCode::EntryTooLarge,
                at,
                format!("declares {} bytes, over the limit of {MAX_ENTRY_BYTES}", entry.uncompressed_size),
            );
            safe = false;
        }
        if entry.method == 8
            && entry.uncompressed_size > RATIO_FREE_BYTES
            && entry.uncompressed_size > entry.compressed_size.saturating_mul(MAX_COMPRESSION_RATIO)
        {
            problems.add(
                VerifyCode::CompressionRatio,
                at,
                format!(
                    "inflates {} bytes to {}, more than {MAX_COMPRESSION_RATIO} times (a zip bomb?)",
                    entry.compressed_size, entry.uncompressed_size
                ),
            );
            safe = false;
        }
        total = total.saturating_add(entry.uncompressed_size);
        if safe {
            readable.push(entry);
        }
    }
    if total > MAX_TOTAL_BYTES {
        problems.add(
            VerifyCode::PackageTooLarge,
            None,
            format!("the entries declare {total} bytes in all, over the limit of {MAX_TOTAL_BYTES}; nothing was read"),
        );
        readable.clear();
    }
    readable
}

/// Why a name is not safe to extract, if it is not.
fn unsafe_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("an empty name".into());
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("a name with control characters".into());
    }
    if name.contains('\\') {
        return Some("a name with a backslash".into());
    }
    if name.starts_with('/') {
        return Some("an absolute path".into());
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return Some("a path with a drive letter".into());
    }
    let folder = name.strip_suffix('/').unwrap_or(name);
    for part in folder.split('/') {
        match part {
            "" => return Some("a path with an empty part (//)".into()),
            "." | ".." => return Some(format!("a path with a '{part}' part")),
            _ => {}
        }
        // Each part must mean what it shows, on every system (the packer never writes
        // otherwise): no format characters, nothing Windows forbids or reserves.
        if let Some(problem) = crate::file_names::name_problem(part) {
            return Some(format!("a path part that {problem}"));
        }
    }
    None
}

/// What reading every entry reuses. One of each for the whole package: a fresh 1 MiB buffer
/// and a fresh inflate state per entry made the verifier's memory grow with the entry count
/// (freed blocks pinned below the allocations that followed them); 99,000 tiny entries outside
/// data/ took 766 MB and 25 s. Measured by `bench/verify-hostile.sh`.
struct EntryReader {
    output: Vec<u8>,
    input: Vec<u8>,
    inflate: flate2::Decompress,
}

impl EntryReader {
    fn new() -> Self {
        EntryReader {
            output: vec![0u8; READ_BUFFER_BYTES],
            input: vec![0u8; 64 * 1024],
            // Raw deflate, as zip entries hold it (no zlib header).
            inflate: flate2::Decompress::new(false),
        }
    }

    /// Step 2: one entry's length, CRC-32 and SHA-256, and its bytes if `keep`.
    fn read(&mut self, file: &mut File, entry: &RawEntry, keep: bool) -> std::result::Result<EntryContent, String> {
        let data_start = entry.data_start.ok_or("its local header cannot be read")?;
        file.seek(SeekFrom::Start(data_start)).map_err(|err| format!("cannot be read ({err})"))?;
        let mut raw = Read::by_ref(file).take(entry.compressed_size);
        let mut hasher = Sha256::new();
        let mut crc = crc32fast::Hasher::new();
        let mut data = keep.then(|| Vec::with_capacity(entry.uncompressed_size as usize));
        let mut total: u64 = 0;
        let limit = entry.uncompressed_size;
        let mut consume = |chunk: &[u8]| -> std::result::Result<(), String> {
            total += chunk.len() as u64;
            if total > limit {
                return Err(format!("holds more than its declared {limit} bytes"));
            }
            hasher.update(chunk);
            crc.update(chunk);
            if let Some(data) = data.as_mut() {
                data.extend_from_slice(chunk);
            }
            Ok(())
        };
        if entry.method == 0 {
            loop {
                let read = read_some(&mut raw, &mut self.output)?;
                if read == 0 {
                    break;
                }
                consume(&self.output[..read])?;
            }
        } else {
            self.inflate_into(&mut raw, entry.compressed_size, &mut consume)?;
        }
        if total != limit {
            return Err(format!("holds {total} bytes, not the declared {limit}"));
        }
        if crc.finalize() != entry.crc32 {
            return Err("its CRC-32 does not match".into());
        }
        Ok(EntryContent { sha256: intake_domain::digest::hex(&hasher.finalize()), data })
    }

    /// Inflates the `compressed` bytes of `raw` into `consume`, piece by piece; the deflate
    /// stream must end exactly where the entry's compressed bytes do.
    fn inflate_into(
        &mut self,
        raw: &mut impl Read,
        compressed: u64,
        consume: &mut impl FnMut(&[u8]) -> std::result::Result<(), String>,
    ) -> std::result::Result<(), String> {
        self.inflate.reset(false);
        let mut remaining = compressed;
        let (mut start, mut end) = (0usize, 0usize);
        loop {
            if start == end && remaining > 0 {
                let want = self.input.len().min(usize::try_from(remaining).unwrap_or(usize::MAX));
                let read = read_some(raw, &mut self.input[..want])?;
                if read == 0 {
                    return Err("its compressed data is shorter than declared".into());
                }
                remaining -= read as u64;
                (start, end) = (0, read);
            }
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let flush = if remaining == 0 { flate2::FlushDecompress::Finish } else { flate2::FlushDecompress::None };
            let status = self
                .inflate
                .decompress(&self.input[start..end], &mut self.output, flush)
                .map_err(|err| format!("its data is damaged ({err})"))?;
            let consumed = (self.inflate.total_in() - in_before) as usize;
            let produced = (self.inflate.total_out() - out_before) as usize;
            start += consumed;
            consume(&self.output[..produced])?;
            if status == flate2::Status::StreamEnd {
                break;
            }
            if consumed == 0 && produced == 0 && !(start == end && remaining > 0) {
                // No progress with input left, or no input left before the stream's end.
                return Err("its compressed data ends before its deflate stream does".into());
            }
        }
        if start != end || remaining != 0 {
            return Err("its compressed data does not end where the entry ends".into());
        }
        Ok(())
    }
}

/// One `read`, retried when interrupted; 0 at the end.
fn read_some(reader: &mut impl Read, buffer: &mut [u8]) -> std::result::Result<usize, String> {
    loop {
        match reader.read(buffer) {
            Ok(read) => return Ok(read),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(format!("cannot be read ({err})")),
        }
    }
}

/// The labels and values of `bag-info.txt`, in order (continuation lines joined).
fn parse_bag_info(bytes: &[u8], problems: &mut Problems) -> Vec<(String, String)> {
    let at = Some(layout::BAG_INFO_TXT);
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.add(VerifyCode::BadBagInfo, at, "is not UTF-8");
        return Vec::new();
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for line in text.split_terminator('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            match pairs.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                None => problems.add(VerifyCode::BadBagInfo, at, "begins with a continuation line"),
            }
            continue;
        }
        match line.split_once(':') {
            Some((label, value)) if !label.trim().is_empty() => {
                pairs.push((label.trim().to_string(), value.trim().to_string()))
            }
            _ => problems.add(VerifyCode::BadBagInfo, at, format!("has a line that is not 'Label: value': '{line}'")),
        }
    }
    if !text.is_empty() && !text.ends_with('\n') {
        problems.add(VerifyCode::BadBagInfo, at, "does not end with a line break");
    }
    pairs
}

fn check_bag_info(pairs: &[(String, String)], payload: &BTreeMap<&str, u64>, problems: &mut Problems) {
    let at = Some(layout::BAG_INFO_TXT);
    let values =
        |label: &str| pairs.iter().filter(|(key, _)| key == label).map(|(_, value)| value.as_str()).collect::<Vec<_>>();
    let single = |label: &str, problems: &mut Problems| -> Option<String> {
        let found = values(label);
        match found.as_slice() {
            [value] => Some(value.to_string()),
            [] => {
                problems.add(VerifyCode::BadBagInfo, at, format!("has no {label}"));
                None
            }
            _ => {
                problems.add(VerifyCode::BadBagInfo, at, format!("has {label} more than once"));
                None
            }
        }
    };
    if let Some(profile) = single("BagIt-Profile-Identifier", problems)
        && profile != layout::PROFILE_IDENTIFIER
    {
        problems.add(
            VerifyCode::BadBagInfo,
            at,
            format!("names the profile '{profile}', not {}", layout::PROFILE_IDENTIFIER),
        );
    }
    for label in ["Source-Organization", "Contact-Name", "External-Identifier"] {
        if let Some(value) = single(label, problems)
            && value.is_empty()
        {
            problems.add(VerifyCode::BadBagInfo, at, format!("has an empty {label}"));
        }
    }
    if let Some(date) = single("Bagging-Date", problems)
        && chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err()
    {
        problems.add(VerifyCode::BadBagInfo, at, format!("has a Bagging-Date that is not YYYY-MM-DD: '{date}'"));
    }
    if let Some(head) = single("Intake-Audit-Head", problems)
        && (head.len() != 64 || !head.bytes().all(|byte| byte.is_ascii_hexdigit()))
    {
        problems.add(VerifyCode::BadBagInfo, at, "has an Intake-Audit-Head that is not 64 hex digits");
    }
    if let Some(length) = single("Intake-Audit-Length", problems)
        && length.parse::<u64>().is_err()
    {
        problems.add(
            VerifyCode::BadBagInfo,
            at,
            format!("has an Intake-Audit-Length that is not a number: '{length}'"),
        );
    }
    for label in ["Intake-Complete", "Intake-Allow-Incomplete"] {
        if let Some(value) = single(label, problems)
            && value != "true"
            && value != "false"
        {
            problems.add(VerifyCode::BadBagInfo, at, format!("has {label} '{value}', not true or false"));
        }
    }
    if let Some(fingerprint) = single("Intake-Public-Key-SHA256", problems)
        && (fingerprint.len() != 64 || !fingerprint.bytes().all(|byte| byte.is_ascii_hexdigit()))
    {
        problems.add(VerifyCode::BadBagInfo, at, "has an Intake-Public-Key-SHA256 that is not 64 hex digits");
    }
    if let Some(oxum) = single("Payload-Oxum", problems) {
        let actual = format!("{}.{}", payload.values().sum::<u64>(), payload.len());
        if oxum != actual {
            problems.add(
                VerifyCode::PayloadOxumMismatch,
                at,
                format!("says Payload-Oxum {oxum}, but the payload is {actual} (bytes.files)"),
            );
        }
    }
}

/// A manifest's lines as path → lower-case hex hash.
fn parse_manifest(name: &str, bytes: &[u8], problems: &mut Problems) -> BTreeMap<String, String> {
    let mut listed = BTreeMap::new();
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.add(VerifyCode::BadManifestLine, Some(name), "is not UTF-8");
        return listed;
    };
    for line in text.split_terminator('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let parsed = line.split_once(char::is_whitespace).map(|(hash, path)| (hash, path.trim_start()));
        match parsed {
            Some((hash, path))
                if hash.len() == 64 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) && !path.is_empty() =>
            {
                let path = path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%");
                if listed.insert(path.clone(), hash.to_ascii_lowercase()).is_some() {
                    problems.add(
                        VerifyCode::DuplicateManifestEntry,
                        Some(name),
                        format!("lists '{path}' more than once"),
                    );
                }
            }
            _ => problems.add(
                VerifyCode::BadManifestLine,
                Some(name),
                format!("has a line that is not '<sha256> <path>': '{line}'"),
            ),
        }
    }
    listed
}

/// Step 4: `case.json` against its schema and against the rest of the package.
fn check_case_json(
    bytes: &[u8],
    bag_info: &[(String, String)],
    payload: &BTreeMap<&str, u64>,
    contents: &HashMap<String, EntryContent>,
    fingerprint: Option<&str>,
    problems: &mut Problems,
) -> Option<CaseDocument> {
    let at = Some(layout::CASE_JSON);
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(err) => {
            problems.add(VerifyCode::CaseJsonInvalid, at, format!("is not JSON ({err})"));
            return None;
        }
    };
    let violations = document::schema_violations(&value);
    for violation in &violations {
        problems.add(
            VerifyCode::CaseJsonSchema,
            at,
            format!("does not follow {}: {violation}", document::CASE_SCHEMA_ID),
        );
    }
    if !violations.is_empty() {
        return None;
    }
    let document: CaseDocument = match serde_json::from_value(value) {
        Ok(document) => document,
        Err(err) => {
            problems.add(VerifyCode::CaseJsonInvalid, at, format!("cannot be read as a case document ({err})"));
            return None;
        }
    };
    let info = |label: &str| bag_info.iter().find(|(key, _)| key == label).map(|(_, value)| value.as_str());
    let mut mismatch =
        |what: &str| problems.add(VerifyCode::CaseJsonMismatch, at, format!("disagrees with the package on {what}"));
    if info("External-Identifier").is_some_and(|id| id != document.case.id) {
        mismatch("the case id (External-Identifier)");
    }
    if info("Bagging-Date").is_some_and(|date| date != document.package.bagging_date.to_string()) {
        mismatch("Bagging-Date");
    }
    if info("Intake-Complete").is_some_and(|value| value != document.package.complete.to_string()) {
        mismatch("Intake-Complete");
    }
    if info("Intake-Allow-Incomplete").is_some_and(|value| value != document.package.allow_incomplete.to_string()) {
        mismatch("Intake-Allow-Incomplete");
    }
    let reason_in_document =
        document.package.incomplete_export_reason.as_deref().map(|reason| reason.replace(['\r', '\n'], " "));
    if info("Intake-Incomplete-Reason").map(str::trim) != reason_in_document.as_deref().map(str::trim) {
        mismatch("the reason for exporting it incomplete (Intake-Incomplete-Reason)");
    }
    if info("Source-Organization").is_some_and(|value| value != document.package.source_organization) {
        mismatch("Source-Organization");
    }
    if info("Contact-Name").is_some_and(|value| value != document.package.contact_name) {
        mismatch("Contact-Name");
    }
    if fingerprint.is_some_and(|fingerprint| fingerprint != document.package.public_key_sha256) {
        mismatch("the signing key's fingerprint");
    }
    let described: HashSet<&str> = document.files.iter().map(|file| file.path.as_str()).collect();
    for file in &document.files {
        // A watermarked copy is in the package in place of the original, whose hash and size
        // case.json keeps beside the copy's.
        let (expected_bytes, expected_sha256) = match &file.watermarked_copy {
            Some(copy) => (copy.bytes, copy.sha256.as_str()),
            None => (file.bytes, file.sha256.as_str()),
        };
        match (payload.get(file.path.as_str()), contents.get(&file.path)) {
            (None, _) => problems.add(
                VerifyCode::CaseJsonMismatch,
                at,
                format!("describes '{}', which is not in the package", file.path),
            ),
            (Some(bytes), content) => {
                if *bytes != expected_bytes || content.is_some_and(|content| content.sha256 != expected_sha256) {
                    problems.add(
                        VerifyCode::CaseJsonMismatch,
                        Some(&file.path),
                        "is not the file case.json describes (size or SHA-256)",
                    );
                }
            }
        }
    }
    for name in payload.keys() {
        if *name != layout::CASE_JSON && *name != layout::REPORT_HTML && !described.contains(name) {
            problems.add(VerifyCode::CaseJsonMismatch, Some(name), "is a payload file case.json does not describe");
        }
    }
    Some(document)
}

/// The audit chain of the package: every entry whole and linked (`audit::check_chain`), of
/// the package's case, and ending at the head hash with the length `bag-info.txt` gives (so an
/// entry cut from the end is seen). Returns the entries read.
fn check_audit_log(bytes: &[u8], bag_info: &[(String, String)], problems: &mut Problems) -> Vec<AuditEntry> {
    let at = Some(layout::AUDIT_LOG);
    let info = |label: &str| bag_info.iter().find(|(key, _)| key == label).map(|(_, value)| value.as_str());
    let (entries, faults) = crate::audit::parse_jsonl(bytes);
    let case_id = info("External-Identifier").unwrap_or_default();
    for fault in faults.iter().chain(crate::audit::check_chain(case_id, &entries).iter()) {
        problems.add(fault.code, at, fault.message.clone());
    }
    if let Some(length) = info("Intake-Audit-Length").and_then(|length| length.parse::<u64>().ok())
        && length != entries.len() as u64
    {
        problems.add(
            VerifyCode::AuditLengthMismatch,
            at,
            format!(
                "holds {} entries, but bag-info.txt says the chain has {length} (entries removed or added)",
                entries.len()
            ),
        );
    }
    if let Some(head) = info("Intake-Audit-Head")
        && head != crate::audit::head_hash(&entries)
    {
        problems.add(
            VerifyCode::AuditHeadMismatch,
            at,
            "does not end with the entry whose hash bag-info.txt gives as Intake-Audit-Head (cut short or replaced)",
        );
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflated(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn inflate(reader: &mut EntryReader, compressed: &[u8], declared: u64) -> std::result::Result<Vec<u8>, String> {
        let mut out = Vec::new();
        reader.inflate_into(&mut &compressed[..], declared, &mut |chunk: &[u8]| {
            out.extend_from_slice(chunk);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn one_reader_inflates_entry_after_entry_larger_than_its_buffers() {
        let mut reader = EntryReader::new();
        // Larger than both buffers, and not all zeros, so several rounds of input and output.
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for original in [&b"tag file"[..], &big[..], &b""[..], &b"after the big one"[..]] {
            let compressed = deflated(original);
            assert_eq!(inflate(&mut reader, &compressed, compressed.len() as u64).unwrap(), original);
        }
    }

    #[test]
    fn a_deflate_stream_must_end_exactly_where_the_entry_does() {
        let mut reader = EntryReader::new();
        let compressed = deflated(b"the entry's bytes, inflated");
        // Cut short: the stream has no end.
        let short = &compressed[..compressed.len() - 3];
        assert!(inflate(&mut reader, short, short.len() as u64).unwrap_err().contains("ends before"));
        // Bytes after the stream's end inside the entry.
        let mut longer = compressed.clone();
        longer.extend_from_slice(b"hidden");
        assert!(inflate(&mut reader, &longer, longer.len() as u64).unwrap_err().contains("does not end where"));
        // The entry declares more compressed bytes than the file holds.
        assert!(inflate(&mut reader, &compressed, compressed.len() as u64 + 10).is_err());
        assert!(inflate(&mut reader, short, short.len() as u64 + 10).unwrap_err().contains("shorter"));
        // Not deflate at all.
        assert!(inflate(&mut reader, &[0xff; 16], 16).unwrap_err().contains("damaged"));
        // And the same reader still reads a good entry after all of that.
        assert_eq!(inflate(&mut reader, &compressed, compressed.len() as u64).unwrap(), b"the entry's bytes, inflated");
    }
}
