//! The submission package: what leaves the laptop.
//!
//! A zip that is a BagIt 1.0 bag (RFC 8493) with SHA-256 manifests, following the BagIt
//! profile `assets/bagit-profile/merchant-intake-v1.json`; the layout is in [`layout`].
//! It holds every evidence file byte for byte, `data/case.json` (the case, its checklist with
//! statuses and attestations, every file's facts and findings; schema in [`document`]), a
//! self-contained HTML report ([`report`]), and an SM2 signature over the tag manifest with
//! the installation's public key ([`crate::signing`]). [`verify`] checks a package.
//!
//! ```no_run
//! # fn main() -> intake_core::Result<()> {
//! let folder = intake_core::DataFolder::open(std::path::Path::new("/tmp/intake-demo"))?;
//! let options = intake_core::package::ExportOptions::default();
//! let summary = folder.export_case("20261120-ABCDEF", std::path::Path::new("case.zip"), &options)?;
//! println!("{} files, {} bytes", summary.payload_files, summary.bytes);
//! # Ok(()) }
//! ```
//!
//! Reproducible: the same case, packed twice by the same program and installation, gives the
//! same bytes. Entries are written in byte order of their names; every entry's time is the
//! case's last change (UTC+8 wall time); `Bagging-Date` is that change's date, not today;
//! text is deflated at a fixed level and already-compressed media stored; the signature is
//! deterministic (RFC 6979). The findings are those of `intake check`: the file-level ones
//! the evidence checks stored at import, and the case-level ones.
//!
//! Streaming: evidence files go from the vault into the zip in 1 MiB pieces, hashed on the
//! way (a file that no longer matches its SHA-256 stops the export). Memory does not grow
//! with the case; thumbnails come from the vault's cache, and one that is missing is made
//! holding one image per thread (a few threads, each image up to the evidence checks' size
//! limit). The zip is written to a temp file beside the target, fsynced and
//! renamed into place, so a crash never leaves a half-written package under the target name.
//!
//! The sealed outbox: every export queues its package in the vault (`vault/outbox/<sha256>.zip`,
//! encrypted when the folder is), which is what `upload` sends. [`DataFolder::export_to_outbox`]
//! writes nothing else; [`DataFolder::export_case`] also writes a plain copy where the manager
//! asks (另存为…), which the data folder's passphrase does not protect. The sealed package is
//! written in two passes, so that no byte of it is ever on the disk in clear (`sealed_zip`).

pub mod report;
mod sealed_zip;
// The package format, `verify` and its trust anchors and chain continuity are intake-bag's;
// they keep their paths here.
pub use intake_bag::{codes, continuity, document, layout, trust, verify, verify_text, zip_format};

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::case::Case;
use crate::checklist::{CaseCheck, CaseFinding, ItemStatus};
use crate::data_folder::DataFolder;
use crate::database::{EvidenceRecord, ExportedPackage};
use crate::durable::{self, Readers};
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::FileInspection;
use crate::evidence::datum::{self, LatLon};
use crate::settings::Settings;
use crate::signing::{DISTINGUISHING_ID, InstallationKey};
use crate::vault::Vault;
use document::{
    AcceptanceEntry, AttestationEntry, CaseDocument, CaseSection, ChecklistSection, ChecklistSummary, FieldEntry,
    FileEntry, FileFacts, FindingEntry, ItemEntry, NoteEntry, PackageSection, SiteSection, WithdrawnFileEntry,
};

/// The program that packs, as written into `bag-info.txt` and `case.json`.
pub const SOFTWARE: &str = concat!("Merchant Intake ", env!("CARGO_PKG_VERSION"));

/// The fixed deflate level of text entries (part of what makes packing reproducible).
const DEFLATE_LEVEL: i64 = 6;

const COPY_BUFFER_BYTES: usize = 1 << 20;

/// The most threads that make thumbnails during an export (each holds one file).
const MAX_THUMBNAIL_THREADS: usize = 4;

/// How to export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportOptions {
    /// Export even while required materials are missing or error findings stand; the package
    /// says so in `bag-info.txt` (`Intake-Allow-Incomplete: true`), `case.json` and the report.
    pub allow_incomplete: bool,
    /// Why the manager exports it although incomplete: required when it is (refused without),
    /// written into `bag-info.txt` (`Intake-Incomplete-Reason`), `case.json` and the report.
    #[serde(default)]
    #[ts(optional)]
    pub incomplete_reason: Option<String>,
    /// Put watermarked copies of identity documents in the package (`crate::watermark`)
    /// rather than the originals; `None` follows the settings' `watermark_id_copies`.
    #[serde(default)]
    #[ts(optional)]
    pub watermark: Option<bool>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    #[allow(missing_docs)]
    pub case_id: String,
    /// The package written.
    pub path: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Its SHA-256: the package's name in the outbox and in the storage.
    pub sha256: String,
    /// Files under `data/`, `case.json` and the report included.
    #[ts(type = "number")]
    pub payload_files: u64,
    /// Their total size (`Payload-Oxum`).
    #[ts(type = "number")]
    pub payload_bytes: u64,
    /// Every required material `ok`, no error finding, no field problem.
    pub complete: bool,
    /// Exported although incomplete.
    pub allow_incomplete: bool,
    /// What keeps it from being complete.
    pub incomplete_reasons: Vec<String>,
    /// The manager's reason for exporting it although incomplete.
    pub incomplete_export_reason: Option<String>,
    /// Withdrawn files listed in it without their bytes.
    pub withdrawn_files: u32,
    /// `Bagging-Date`: the date of the case's last change.
    #[ts(type = "string")]
    pub bagging_date: NaiveDate,
    /// SHA-256 of the signing public key (DER).
    pub public_key_sha256: String,
    /// The package queued for upload in the data folder's outbox (`vault/outbox/<sha256>.zip`).
    pub sealed_path: String,
    /// Whether that queued package is encrypted (it is when the data folder is).
    pub sealed_encrypted: bool,
    /// The plain copy written where the manager asked (`--out`, 另存为…), if any: it is NOT
    /// encrypted, whatever the data folder is.
    pub unencrypted_copy: Option<String>,
    /// Identity documents that went in as watermarked copies.
    pub watermarked_files: u32,
}

/// The step an export is at; they come in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportPhase {
    /// Checking the case (checklist, findings, fields), taking each file's stored facts and
    /// thumbnail, and making the watermarked copies of identity documents.
    Checking,
    /// Writing `case.json`, the report and the manifests, and signing the tag manifest.
    Signing,
    /// Copying every file into the zip; each evidence file is hashed on the way and must
    /// still match the SHA-256 it was stored under.
    Writing,
    /// Flushing the zip to disk, renaming it into place and hashing it for the outbox.
    Finishing,
    /// The package is written and queued in the outbox.
    Done,
}

/// Where an export stands ([`DataFolder::export_case_with_progress`]; the app sends each as
/// an `export-progress` event). Counts never go down from one report to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportProgress {
    #[allow(missing_docs)]
    pub case_id: String,
    #[allow(missing_docs)]
    pub phase: ExportPhase,
    /// Files written into the zip so far (payload and tag files).
    pub files_done: u32,
    /// Files the zip will hold.
    pub files_total: u32,
    /// Bytes of content (before compression) written into the zip so far.
    #[ts(type = "number")]
    pub bytes_done: u64,
    /// Bytes of content the zip will hold; 0 during `checking`, before the generated files exist.
    #[ts(type = "number")]
    pub bytes_total: u64,
}

/// Sends an export's progress to its listener: at every phase, after every file written, and
/// every [`PROGRESS_EVERY_BYTES`] inside a large one (a video can take a while to copy).
struct ExportReporter<'a> {
    listener: &'a mut dyn FnMut(&ExportProgress),
    state: ExportProgress,
    reported_bytes: u64,
    /// False during the first of the two passes of a sealed package (`sealed_zip`): its files
    /// are counted once, in the pass that writes them.
    counting_files: bool,
}

/// How many bytes of one large file are copied between two progress reports.
const PROGRESS_EVERY_BYTES: u64 = 8 << 20;

impl ExportReporter<'_> {
    fn report(&mut self) {
        self.reported_bytes = self.state.bytes_done;
        (self.listener)(&self.state);
    }

    fn phase(&mut self, phase: ExportPhase) {
        self.state.phase = phase;
        self.report();
    }

    fn bytes_copied(&mut self, count: u64) {
        self.state.bytes_done += count;
        if self.state.bytes_done - self.reported_bytes >= PROGRESS_EVERY_BYTES {
            self.report();
        }
    }

    fn file_written(&mut self) {
        if self.counting_files {
            self.state.files_done += 1;
        }
        self.report();
    }
}

/// One evidence file on its way into the package.
struct PackedFile {
    record: EvidenceRecord,
    path: String,
    stage: String,
    number: u32,
    /// The facts the evidence checks stored; `None` while the file could not be checked.
    inspection: Option<FileInspection>,
    /// Its findings, file-level and case-level.
    findings: Vec<CaseFinding>,
    thumbnail: Option<String>,
    distance_to_site_m: Option<f64>,
    /// The watermarked copy that goes in place of an identity document, and its bytes.
    watermarked: Option<(document::WatermarkedCopyEntry, Vec<u8>)>,
}

/// One entry of the zip: its content in memory (tag files, case.json, report) or an
/// evidence file streamed from the vault.
enum EntrySource {
    Memory(Vec<u8>),
    Vault { sha256: String, bytes: u64 },
}

struct Entry {
    source: EntrySource,
    compress: bool,
}

impl Entry {
    /// The size of its content.
    fn bytes(&self) -> u64 {
        match &self.source {
            EntrySource::Memory(content) => content.len() as u64,
            EntrySource::Vault { bytes, .. } => *bytes,
        }
    }
}

impl DataFolder {
    /// Packs a case into a signed BagIt zip, queues it sealed in the outbox and writes a plain
    /// copy at `out` (see the module documentation).
    ///
    /// Refused (`case_incomplete`) while the case is not complete, unless
    /// `options.allow_incomplete`; refused (`invalid_input`) while the branch or the
    /// manager's name is not set (they are the package's `Source-Organization` and
    /// `Contact-Name`).
    pub fn export_case(&self, case_id: &str, out: &Path, options: &ExportOptions) -> Result<ExportSummary> {
        self.export_case_with_progress(case_id, out, options, &mut |_| {})
    }

    /// [`DataFolder::export_case`], telling `progress` where it stands as it goes: one report
    /// per phase ([`ExportPhase`], in order), one per file written, one every few MiB inside a
    /// large file, and a last one at `done` with every file written. The package's bytes do
    /// not depend on the listener. An export refused as incomplete has sent its first `checking` report.
    pub fn export_case_with_progress(
        &self,
        case_id: &str,
        out: &Path,
        options: &ExportOptions,
        progress: &mut dyn FnMut(&ExportProgress),
    ) -> Result<ExportSummary> {
        self.export(case_id, Some(out), options, progress)
    }

    /// Packs a case and queues it sealed in the outbox only (what the app's 导出 does): no
    /// copy of it in clear is written anywhere. Refused as [`DataFolder::export_case`] is.
    pub fn export_to_outbox(&self, case_id: &str, options: &ExportOptions) -> Result<ExportSummary> {
        self.export_to_outbox_with_progress(case_id, options, &mut |_| {})
    }

    /// [`DataFolder::export_to_outbox`] with progress, as [`DataFolder::export_case_with_progress`].
    pub fn export_to_outbox_with_progress(
        &self,
        case_id: &str,
        options: &ExportOptions,
        progress: &mut dyn FnMut(&ExportProgress),
    ) -> Result<ExportSummary> {
        self.export(case_id, None, options, progress)
    }

    fn export(
        &self,
        case_id: &str,
        out: Option<&Path>,
        options: &ExportOptions,
        progress: &mut dyn FnMut(&ExportProgress),
    ) -> Result<ExportSummary> {
        let case = self.case(case_id)?;
        // Not even an incomplete package leaves with files of the 未分类 tray undecided.
        crate::tray::refuse_unsorted_files(self.database(), case_id)?;
        let settings = self.settings()?;
        require_identity(&settings)?;
        let evidence = self.case_evidence(case_id)?;
        // Every evidence file, case.json, the report and the tag files.
        let files_total = u32::try_from(evidence.len() + 2 + layout::TAG_FILES.len()).unwrap_or(u32::MAX);
        let mut reporter = ExportReporter {
            listener: progress,
            state: ExportProgress {
                case_id: case.id.clone(),
                phase: ExportPhase::Checking,
                files_done: 0,
                files_total,
                bytes_done: 0,
                bytes_total: 0,
            },
            reported_bytes: 0,
            counting_files: true,
        };
        reporter.report();
        // A file whose pixel checks are still pending (an import under way in the window, or
        // one a crash interrupted between its phases) is finished here, not refused: the
        // package must carry every finding and thumbnail, and the manager who asked for it
        // would otherwise have to wait for the same work and ask again.
        self.finish_pixel_checks(Some(case_id), |_| {})?;
        // The checklist with every finding, file-level and case-level, as `intake check` has
        // it under the installation's thresholds (read once, with the settings, so the
        // findings, the files' facts and the thresholds recorded in case.json agree); the
        // files' facts are derived from what the evidence checks stored at import.
        let check = self.check_case_under(case_id, &settings.thresholds)?;
        let stages = self.material_stages(&case)?;
        let mut files = self.gather_files(&case, &evidence, &stages, &check, &settings.thresholds)?;
        let incomplete_reasons = incomplete_reasons(&check);
        let complete = incomplete_reasons.is_empty();
        if !complete && !options.allow_incomplete {
            return Err(Error::new(
                ErrorKind::CaseIncomplete,
                format!(
                    "case {case_id} is not complete, so it is not exported: {}. Complete it, or pass \
                     --allow-incomplete --reason TEXT to export it marked as incomplete",
                    incomplete_reasons.join("; ")
                ),
            ));
        }
        // An incomplete package says why it went anyway, in the manager's words.
        let incomplete_export_reason = if complete {
            None
        } else {
            let reason = options.incomplete_reason.as_deref().unwrap_or_default();
            Some(crate::corrections::required_text(
                "a reason for exporting an incomplete case (资料不全导出原因, --reason)",
                reason,
                crate::corrections::MAX_REASON_CHARS,
            )?)
        };
        let withdrawn = self.database().withdrawn_evidence(case_id)?;
        let notes = self.database().case_notes(case_id)?;

        // The chain up to the last change of the case (module `audit`): an export or upload
        // entry after it is not carried, so packing again with no change gives the same bytes,
        // and this package's own export entry, appended below, is never in it.
        let full_chain = self.database().audit_chain(case_id)?;
        let chain = crate::audit::package_prefix(&full_chain);

        let key = self.installation_key()?;
        let bagging_date = china_time(case.updated_at).date_naive();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let watermarked_files =
            self.watermark_identity_documents(&case.attributes, &mut files, &settings, options, bagging_date)?;
        reporter.phase(ExportPhase::Signing);
        let document = case_document(
            &case,
            &settings,
            &check,
            &files,
            &key,
            bagging_date,
            options.allow_incomplete,
            &incomplete_reasons,
        );
        let document = CaseDocument {
            withdrawn_files: withdrawn.iter().map(withdrawn_entry).collect(),
            notes: notes.iter().map(note_entry).collect(),
            package: PackageSection { incomplete_export_reason: incomplete_export_reason.clone(), ..document.package },
            ..document
        };
        let case_json = document::to_json_bytes(&document);
        let thumbnails: HashMap<String, String> =
            files.iter_mut().filter_map(|file| file.thumbnail.take().map(|uri| (file.path.clone(), uri))).collect();
        let report_html = report::render(&document, &thumbnails).into_bytes();

        let mut entries = payload_entries(&mut files, case_json, report_html);
        let (manifest, payload_bytes) = payload_manifest(&entries);
        let payload_files = entries.len() as u64;

        let bag_info = bag_info(
            &case,
            &settings,
            bagging_date,
            payload_bytes,
            payload_files,
            options.allow_incomplete,
            complete,
            incomplete_export_reason.as_deref(),
            &key,
            chain,
            &check.follow_up(),
        );
        add_signed_tag_files(&mut entries, bag_info, manifest, &key, chain);

        reporter.state.files_total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        reporter.state.bytes_total = entries.values().map(Entry::bytes).sum();
        // Into the outbox, sealed and known by its hash: the CLI and the app both queue what
        // they export. A plain copy, when asked for, is written first and sealed from there
        // (it is in clear anyway); otherwise the package is packed twice (`sealed_zip`).
        let stored = match out {
            Some(out) => {
                reporter.phase(ExportPhase::Writing);
                self.write_zip(out, &entries, case.updated_at, &mut reporter)?;
                let mut copy = File::open(out).map_err(|err| Error::reading(out, &err))?;
                self.vault().store_package(&mut |sink| {
                    std::io::copy(&mut copy, sink).map(drop).map_err(|err| Error::reading(out, &err))
                })?
            }
            None => {
                reporter.state.bytes_total *= 2;
                reporter.phase(ExportPhase::Writing);
                self.write_zip_sealed(&entries, case.updated_at, &mut reporter)?
            }
        };
        let (sha256, bytes) = (stored.sha256.clone(), stored.bytes);
        let hashed_bytes = bytes;
        let queued_path = std::path::absolute(&stored.path).unwrap_or_else(|_| stored.path.clone());
        self.refresh_audit_manager();
        let queued_path_text = queued_path.display().to_string();
        let package = ExportedPackage {
            sha256: &sha256,
            case_id: &case.id,
            path: &queued_path_text,
            bytes: hashed_bytes,
            chain_length: chain.len(),
        };
        match &incomplete_export_reason {
            None => self.database().enqueue_package(&package, Utc::now())?,
            Some(reason) => {
                self.database().enqueue_incomplete_package(&package, reason, incomplete_reasons.len(), Utc::now())?
            }
        }
        reporter.phase(ExportPhase::Done);
        let sealed_path = queued_path.display().to_string();
        Ok(ExportSummary {
            case_id: case.id.clone(),
            path: out.map_or_else(|| sealed_path.clone(), |out| out.display().to_string()),
            sealed_path,
            sealed_encrypted: self.vault().is_encrypted(),
            unencrypted_copy: out.map(|out| out.display().to_string()),
            bytes,
            sha256,
            payload_files,
            payload_bytes,
            complete,
            allow_incomplete: options.allow_incomplete,
            incomplete_reasons,
            incomplete_export_reason,
            withdrawn_files: withdrawn.len() as u32,
            bagging_date,
            public_key_sha256: key.fingerprint().to_string(),
            watermarked_files,
        })
    }

    /// Replaces each identity document (`identity_document = true` in the rule file) by its
    /// watermarked copy when the export asks for it (`options.watermark`, else the settings),
    /// made from the vault's bytes with the settings' text and the package's date (so the
    /// copy, like the package, depends only on the case). Its report thumbnail is the copy's.
    /// Returns how many were replaced.
    fn watermark_identity_documents(
        &self,
        attributes: &crate::case::CaseAttributes,
        files: &mut [PackedFile],
        settings: &Settings,
        options: &ExportOptions,
        bagging_date: NaiveDate,
    ) -> Result<u32> {
        if !options.watermark.unwrap_or(settings.watermark_id_copies) {
            return Ok(0);
        }
        let rules = self.rules()?;
        let text = crate::watermark::mark_text(&settings.watermark_text, bagging_date);
        let mut count = 0;
        for file in files.iter_mut().filter(|file| rules.is_identity_document(&file.record.material_key, attributes)) {
            let original = self.vault().read_object_checked(&file.record.sha256, crate::watermark::MAX_SOURCE_BYTES)?;
            let copy = crate::watermark::watermark(&original, &file.record.original_name, &text)?;
            file.thumbnail = copy.thumbnail.as_deref().map(report::jpeg_data_uri);
            let entry = document::WatermarkedCopyEntry {
                sha256: crate::vault::hex(&Sha256::digest(&copy.bytes)),
                bytes: copy.bytes.len() as u64,
                media_type: copy.media_type.to_string(),
                text: copy.text,
            };
            file.watermarked = Some((entry, copy.bytes));
            count += 1;
        }
        Ok(count)
    }

    /// The stage of every material of the rule file, by key.
    fn material_stages(&self, case: &Case) -> Result<HashMap<String, String>> {
        let checklist = self.rules()?.checklist(&case.attributes);
        Ok(checklist.items.iter().map(|item| (item.key.clone(), item.stage.key().to_string())).collect())
    }

    /// Names each file in the package, takes its facts (stored by the evidence checks at
    /// import) and findings (from `check`), and its thumbnail (cached in the vault at import;
    /// one missing from an older data folder is made on as many threads as there are cores, at
    /// most [`MAX_THUMBNAIL_THREADS`], each holding one file in memory at a time); results keep
    /// the import order.
    fn gather_files(
        &self,
        case: &Case,
        evidence: &[EvidenceRecord],
        stages: &HashMap<String, String>,
        check: &CaseCheck,
        thresholds: &crate::evidence::Thresholds,
    ) -> Result<Vec<PackedFile>> {
        let mut per_material: HashMap<&str, u32> = HashMap::new();
        let mut named = Vec::with_capacity(evidence.len());
        for record in evidence {
            let number = per_material.entry(record.material_key.as_str()).or_insert(0);
            *number += 1;
            let stage = stages.get(&record.material_key).cloned().unwrap_or_else(|| layout::UNLISTED_STAGE.to_string());
            let path = layout::payload_path(&stage, &record.material_key, *number as usize, &record.original_name)?;
            // As `check` derived them, so no fact of other thresholds gets into the package.
            let inspection: Option<FileInspection> = self
                .current_facts(record, thresholds, crate::evidence::case_checks::ReadAgain::WhenNeeded)
                .map(|(inspection, _)| inspection);
            named.push((record, stage, *number, path, inspection));
        }

        let vault = self.vault();
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Result<Option<String>>>>> = Mutex::new((0..named.len()).map(|_| None).collect());
        let threads =
            std::thread::available_parallelism().map_or(1, |count| count.get()).clamp(1, MAX_THUMBNAIL_THREADS);
        std::thread::scope(|scope| {
            for _ in 0..threads.min(named.len()) {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some((record, ..)) = named.get(index) else { break };
                        let result = thumbnail_of_stored(vault, record);
                        results.lock().expect("no thumbnail thread panics while holding the lock")[index] =
                            Some(result);
                    }
                });
            }
        });
        let results = results.into_inner().expect("no thumbnail thread panicked while holding the lock");

        let site = case.site.map(|site| datum::to_wgs84(LatLon::new(site.lat, site.lon), site.datum));
        let mut files = Vec::with_capacity(named.len());
        for ((record, stage, number, path, inspection), thumbnail) in named.into_iter().zip(results) {
            let thumbnail = thumbnail.expect("every file was looked at")?;
            let distance_to_site_m =
                match (site, inspection.as_ref().and_then(|i| i.exif.as_ref()).and_then(|exif| exif.gps.as_ref())) {
                    (Some(site), Some(gps)) => {
                        Some((datum::distance_m(site, LatLon::new(gps.lat, gps.lon)) * 10.0).round() / 10.0)
                    }
                    _ => None,
                };
            let findings = check
                .findings
                .iter()
                .filter(|finding| finding.sha256 == record.sha256 && finding.material == record.material_key)
                .cloned()
                .collect();
            files.push(PackedFile {
                record: record.clone(),
                path,
                stage,
                number,
                inspection,
                findings,
                thumbnail,
                distance_to_site_m,
                watermarked: None,
            });
        }
        Ok(files)
    }

    /// Writes the entries into a zip beside `out`, then renames it into place. Returns the
    /// zip's size.
    fn write_zip(
        &self,
        out: &Path,
        entries: &BTreeMap<String, Entry>,
        modified: DateTime<Utc>,
        reporter: &mut ExportReporter<'_>,
    ) -> Result<u64> {
        if out.is_dir() {
            return Err(Error::for_file(
                ErrorKind::NotAFile,
                out,
                "is a folder; give the name of the zip file to write",
            ));
        }
        let (temp, file) = durable::create_temp_beside(out, Readers::Anyone)?;
        let written = self.write_zip_entries(file, &temp, entries, modified, reporter);
        match written {
            Ok(file) => {
                reporter.phase(ExportPhase::Finishing);
                let result = file
                    .sync_all()
                    .map_err(|err| Error::writing(&temp, &err))
                    .and_then(|()| file.metadata().map_err(|err| Error::writing(&temp, &err)))
                    .map(|metadata| metadata.len());
                drop(file);
                match result.and_then(|size| durable::commit_replacing(&temp, out).map(|()| size)) {
                    Ok(size) => Ok(size),
                    Err(err) => {
                        let _ = std::fs::remove_file(&temp);
                        Err(err)
                    }
                }
            }
            Err(err) => {
                let _ = std::fs::remove_file(&temp);
                Err(err)
            }
        }
    }

    /// Writes the entries sealed into the vault's outbox, in two passes (`sealed_zip`): the
    /// first records where the zip writer goes back, the second writes straight ahead.
    fn write_zip_sealed(
        &self,
        entries: &BTreeMap<String, Entry>,
        modified: DateTime<Utc>,
        reporter: &mut ExportReporter<'_>,
    ) -> Result<crate::vault::StoredPackage> {
        let place = self.root().join("vault").join("outbox");
        reporter.counting_files = false;
        let recorder =
            self.write_zip_entries(sealed_zip::PatchRecorder::default(), &place, entries, modified, reporter)?;
        reporter.counting_files = true;
        let (patches, end) = recorder.into_patches();
        let mut patches = Some(patches);
        self.vault().store_package(&mut |sink| {
            let stream = sealed_zip::PatchedStream::new(sink, patches.take().unwrap_or_default(), end);
            let stream = self.write_zip_entries(stream, &place, entries, modified, reporter)?;
            // What follows (sealing the last chunk, fsync, rename) is the finishing step.
            reporter.phase(ExportPhase::Finishing);
            stream.finish().map(drop).map_err(|err| Error::writing(&place, &err))
        })
    }

    fn write_zip_entries<W: Write + Seek>(
        &self,
        file: W,
        temp: &Path,
        entries: &BTreeMap<String, Entry>,
        modified: DateTime<Utc>,
        reporter: &mut ExportReporter<'_>,
    ) -> Result<W> {
        let zip_error =
            |err: zip::result::ZipError| Error::for_file(ErrorKind::Io, temp, format!("cannot be written ({err})"));
        let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(COPY_BUFFER_BYTES, file));
        let base = zip_format::entry_options(zip_time(modified));
        let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
        for (name, entry) in entries {
            self.refuse_if_stopped()?;
            let options = if entry.compress {
                base.compression_method(zip::CompressionMethod::Deflated).compression_level(Some(DEFLATE_LEVEL))
            } else {
                base.compression_method(zip::CompressionMethod::Stored)
            };
            let large = match &entry.source {
                EntrySource::Memory(content) => content.len() as u64 >= u64::from(u32::MAX),
                EntrySource::Vault { bytes, .. } => *bytes >= u64::from(u32::MAX),
            };
            zip.start_file(name.as_str(), options.large_file(large)).map_err(zip_error)?;
            match &entry.source {
                EntrySource::Memory(content) => {
                    zip.write_all(content).map_err(|err| Error::writing(temp, &err))?;
                    reporter.bytes_copied(content.len() as u64);
                }
                EntrySource::Vault { sha256, bytes } => {
                    self.stream_object(sha256, *bytes, &mut zip, &mut buffer, temp, reporter)?;
                }
            }
            reporter.file_written();
        }
        let writer = zip.finish().map_err(zip_error)?;
        writer.into_inner().map_err(|err| Error::writing(temp, err.error()))
    }

    /// Copies a vault object into the zip, hashing on the way: the bytes must still be the
    /// ones recorded.
    fn stream_object(
        &self,
        sha256: &str,
        expected_bytes: u64,
        out: &mut impl Write,
        buffer: &mut [u8],
        temp: &Path,
        reporter: &mut ExportReporter<'_>,
    ) -> Result<()> {
        let mut input = self.vault().open_object(sha256)?;
        let object = input.path().to_path_buf();
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        loop {
            let read = match input.read(buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(Error::reading(&object, &err)),
            };
            hasher.update(&buffer[..read]);
            out.write_all(&buffer[..read]).map_err(|err| Error::writing(temp, &err))?;
            total += read as u64;
            reporter.bytes_copied(read as u64);
            self.refuse_if_stopped()?;
        }
        if total != expected_bytes || crate::vault::hex(&hasher.finalize()) != sha256 {
            return Err(Error::for_file(
                ErrorKind::VaultCorrupt,
                &object,
                "no longer matches the SHA-256 it was stored under; the package was not written",
            ));
        }
        Ok(())
    }
}

/// The thumbnail of a stored file, for the report, from the vault's cache (made there if
/// missing); `None` for what is not a picture this program decodes.
/// The payload's entries: each evidence file (its watermarked copy in memory, or its vault
/// object, streamed), `case.json` and the report.
fn payload_entries(files: &mut [PackedFile], case_json: Vec<u8>, report_html: Vec<u8>) -> BTreeMap<String, Entry> {
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for file in files {
        let entry = match file.watermarked.take() {
            Some((copy, bytes)) => {
                Entry { source: EntrySource::Memory(bytes), compress: layout::is_worth_deflating(&copy.media_type) }
            }
            None => Entry {
                source: EntrySource::Vault { sha256: file.record.sha256.clone(), bytes: file.record.bytes },
                compress: layout::is_worth_deflating(&file.record.media_type),
            },
        };
        entries.insert(file.path.clone(), entry);
    }
    entries.insert(layout::CASE_JSON.into(), Entry { source: EntrySource::Memory(case_json), compress: true });
    entries.insert(layout::REPORT_HTML.into(), Entry { source: EntrySource::Memory(report_html), compress: true });
    entries
}

/// The payload manifest, from the hashes the vault names its objects by (checked again while
/// streaming) and those of the generated files; and the payload's size.
fn payload_manifest(entries: &BTreeMap<String, Entry>) -> (String, u64) {
    let mut payload_bytes = 0u64;
    let mut manifest = String::new();
    for (name, entry) in entries {
        let sha256 = match &entry.source {
            EntrySource::Memory(content) => crate::vault::hex(&Sha256::digest(content)),
            EntrySource::Vault { sha256, .. } => sha256.clone(),
        };
        payload_bytes += entry.bytes();
        manifest.push_str(&format!("{sha256}  {name}\n"));
    }
    (manifest, payload_bytes)
}

/// Adds the tag files to `entries`: `bagit.txt`, `bag-info.txt`, the payload manifest, the
/// public key and the audit chain, then the tag manifest over them and its signature by `key`.
fn add_signed_tag_files(
    entries: &mut BTreeMap<String, Entry>,
    bag_info: String,
    manifest: String,
    key: &InstallationKey,
    chain: &[crate::audit::AuditEntry],
) {
    let mut tag_files: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    tag_files.insert(layout::BAGIT_TXT, layout::BAGIT_TXT_CONTENT.as_bytes().to_vec());
    tag_files.insert(layout::BAG_INFO_TXT, bag_info.into_bytes());
    tag_files.insert(layout::MANIFEST, manifest.into_bytes());
    tag_files.insert(layout::PUBLIC_KEY, key.public_key_pem().as_bytes().to_vec());
    tag_files.insert(layout::AUDIT_LOG, crate::audit::to_jsonl(chain));
    let mut tag_manifest = String::new();
    for (name, content) in &tag_files {
        tag_manifest.push_str(&format!("{}  {name}\n", crate::vault::hex(&Sha256::digest(content))));
    }
    let signature = key.sign(tag_manifest.as_bytes());
    tag_files.insert(layout::TAG_MANIFEST, tag_manifest.into_bytes());
    tag_files.insert(layout::SIGNATURE, signature);
    for (name, content) in tag_files {
        entries.insert(name.to_string(), Entry { source: EntrySource::Memory(content), compress: true });
    }
}

fn thumbnail_of_stored(vault: &Vault, record: &EvidenceRecord) -> Result<Option<String>> {
    if !record.media_type.starts_with("image/") {
        return Ok(None);
    }
    Ok(crate::evidence::thumbnail::cached_thumbnail(vault, &record.sha256)?.map(|jpeg| report::jpeg_data_uri(&jpeg)))
}

fn require_identity(settings: &Settings) -> Result<()> {
    let mut missing = Vec::new();
    if settings.branch.trim().is_empty() {
        missing.push("the branch (分公司, --branch)");
    }
    if settings.manager_name.trim().is_empty() {
        missing.push("the account manager's name (客户经理, --manager)");
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!(
            "set {} first with `intake settings`: the package names who submits it (请先设置分公司和客户经理)",
            missing.join(" and ")
        ),
    ))
}

/// One sentence per thing that keeps the case from being complete.
fn incomplete_reasons(check: &CaseCheck) -> Vec<String> {
    let mut reasons = Vec::new();
    for item in check.items.iter().filter(|item| item.item.required && item.status != ItemStatus::Ok) {
        let mut reason =
            format!("{} {}: {} {}", item.item.title_zh, item.item.key, item.status.label_zh(), item.status.key());
        if !item.missing_attestations.is_empty() {
            let marks: Vec<&str> = item.missing_attestations.iter().map(|mark| mark.label_zh()).collect();
            reason.push_str(&format!(" (未确认 not attested: {})", marks.join("、")));
        }
        reasons.push(reason);
    }
    let errors = check.findings.iter().filter(|finding| finding.blocks()).count();
    if errors > 0 {
        reasons.push(format!("{errors} 个错误级问题 error finding(s)"));
    }
    for field in check.fields.iter().filter(|field| field.field.required) {
        match field.status {
            crate::checklist::FieldStatus::Missing => {
                reasons.push(format!("{} {}: 未填写 missing", field.field.title_zh, field.field.key))
            }
            crate::checklist::FieldStatus::Invalid => {
                reasons.push(format!("{} {}: 无效 invalid", field.field.title_zh, field.field.key))
            }
            _ => {}
        }
    }
    reasons
}

/// Wall time in China (UTC+8, no daylight saving).
fn china_time(instant: DateTime<Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    instant.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
}

/// The zip entries' time: the case's last change, UTC+8 wall time (zip times have no zone),
/// clamped to the range MS-DOS times can hold.
fn zip_time(instant: DateTime<Utc>) -> zip::DateTime {
    let local = china_time(instant);
    let year = local.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        year,
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)] // each is a distinct line of bag-info.txt
fn bag_info(
    case: &Case,
    settings: &Settings,
    bagging_date: NaiveDate,
    payload_bytes: u64,
    payload_files: u64,
    allow_incomplete: bool,
    complete: bool,
    incomplete_export_reason: Option<&str>,
    key: &InstallationKey,
    chain: &[crate::audit::AuditEntry],
    follow_up: &[&str],
) -> String {
    let one_line = |text: &str| text.replace(['\r', '\n'], " ");
    let lines = [
        ("BagIt-Profile-Identifier", layout::PROFILE_IDENTIFIER.to_string()),
        ("Source-Organization", one_line(&settings.branch)),
        ("Contact-Name", one_line(&settings.manager_name)),
        ("External-Identifier", case.id.clone()),
        ("External-Description", one_line(&format!("商户入网资料 Merchant onboarding file: {}", case.merchant_name))),
        ("Bagging-Date", bagging_date.to_string()),
        ("Payload-Oxum", format!("{payload_bytes}.{payload_files}")),
        ("Bag-Software-Agent", SOFTWARE.to_string()),
        ("Intake-Case-Updated-At", case.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        ("Intake-Complete", complete.to_string()),
        ("Intake-Allow-Incomplete", allow_incomplete.to_string()),
        ("Intake-Public-Key-SHA256", key.fingerprint().to_string()),
        ("Intake-Signature", format!("SM2-with-SM3, distid {DISTINGUISHING_ID}, DER, over {}", layout::TAG_MANIFEST)),
        // Signed here (bag-info.txt is in the tag manifest) so that a log cut short at its end,
        // which is still a whole chain, does not pass.
        ("Intake-Audit-Head", crate::audit::head_hash(chain).to_string()),
        ("Intake-Audit-Length", chain.len().to_string()),
    ];
    let mut text: String = lines.iter().map(|(label, value)| format!("{label}: {value}\n")).collect();
    // What an alternative stands in for only for now (the inspection video for the manager's
    // photo with the storefront): still owed, to follow. One line per material.
    for key in follow_up {
        text.push_str(&format!("Intake-Follow-Up: {key}\n"));
    }
    // Only in a package exported although incomplete: the manager's words, on one line.
    if let Some(reason) = incomplete_export_reason {
        text.push_str(&format!("Intake-Incomplete-Reason: {}\n", one_line(reason)));
    }
    text
}

#[allow(clippy::too_many_arguments)] // the parts of the document
fn case_document(
    case: &Case,
    settings: &Settings,
    check: &CaseCheck,
    files: &[PackedFile],
    key: &InstallationKey,
    bagging_date: NaiveDate,
    allow_incomplete: bool,
    incomplete_reasons: &[String],
) -> CaseDocument {
    let path_of: HashMap<i64, &str> = files.iter().map(|file| (file.record.id, file.path.as_str())).collect();
    let site = case.site.map(|site| {
        let wgs84 = datum::to_wgs84(LatLon::new(site.lat, site.lon), site.datum);
        SiteSection {
            lat: site.lat,
            lon: site.lon,
            datum: site.datum,
            radius_m: site.radius_or(settings.thresholds.site_radius_m),
            wgs84_lat: wgs84.lat,
            wgs84_lon: wgs84.lon,
        }
    });
    let summary = check.summary;
    let items = check
        .items
        .iter()
        .map(|checked| {
            let item = &checked.item;
            ItemEntry {
                key: item.key.clone(),
                stage: item.stage,
                group: item.group.clone(),
                title_zh: item.title_zh.clone(),
                title_en: item.title_en.clone(),
                provided_by: item.provided_by,
                applicable: item.applicable,
                required: item.required,
                optional: item.optional,
                min_files: item.min_files,
                alternative_to: item.alternative_to.clone(),
                status: checked.status,
                satisfied_by: checked.satisfied_by.clone(),
                to_follow: Some(checked.to_follow),
                attestations_required: item.attestations.clone(),
                missing_attestations: checked.missing_attestations.clone(),
                files_short: checked.files_short,
                error_findings: checked.error_findings,
                files: checked
                    .files
                    .iter()
                    .filter_map(|file| path_of.get(&file.evidence_id).map(|path| path.to_string()))
                    .collect(),
            }
        })
        .collect();
    let fields = check
        .fields
        .iter()
        .map(|checked| FieldEntry {
            key: checked.field.key.clone(),
            group: checked.field.group.clone(),
            title_zh: checked.field.title_zh.clone(),
            title_en: checked.field.title_en.clone(),
            required: checked.field.required,
            applicable: checked.field.applicable,
            personal: checked.field.personal,
            status: serde_json::to_value(checked.status)
                .ok()
                .and_then(|value| value.as_str().map(String::from))
                .unwrap_or_default(),
            display_value: checked.display_value.clone(),
            override_reason: checked.override_reason.clone(),
        })
        .collect();
    let attestation_of: HashMap<i64, AttestationEntry> = check
        .items
        .iter()
        .flat_map(|item| item.files.iter())
        .chain(check.unlisted_files.iter().map(|unlisted| &unlisted.file))
        .filter_map(|file| {
            file.attested_at
                .map(|at| (file.evidence_id, AttestationEntry { marks: file.marks.clone(), recorded_at: at }))
        })
        .collect();
    let file_entries = files
        .iter()
        .map(|file| {
            let inspection = file.inspection.as_ref();
            FileEntry {
                path: file.path.clone(),
                material: file.record.material_key.clone(),
                stage: file.stage.clone(),
                number: file.number,
                original_name: file.record.original_name.clone(),
                sha256: file.record.sha256.clone(),
                bytes: file.record.bytes,
                media_type: file.record.media_type.clone(),
                imported_at: file.record.imported_at,
                watermarked_copy: file.watermarked.as_ref().map(|(copy, _)| copy.clone()),
                attestation: attestation_of.get(&file.record.id).cloned(),
                checked: inspection.is_some(),
                facts: FileFacts {
                    width: inspection.and_then(|inspection| inspection.width),
                    height: inspection.and_then(|inspection| inspection.height),
                    orientation: inspection.and_then(|inspection| inspection.orientation),
                    exif: inspection.and_then(|inspection| inspection.exif.clone()),
                    pixels: inspection.and_then(|inspection| inspection.pixels.clone()),
                    skipped_checks: inspection.map(|inspection| inspection.skipped_checks.clone()).unwrap_or_default(),
                    error: inspection.and_then(|inspection| inspection.error.clone()),
                    distance_to_site_m: file.distance_to_site_m,
                },
                findings: file
                    .findings
                    .iter()
                    .map(|finding| FindingEntry {
                        code: finding.code.key().to_string(),
                        severity: finding.severity,
                        message: finding.message.clone(),
                        accepted: finding.accepted.as_ref().map(|acceptance| AcceptanceEntry {
                            reason: acceptance.reason.clone(),
                            accepted_by: acceptance.accepted_by.clone(),
                            accepted_at: acceptance.accepted_at,
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    CaseDocument {
        schema: document::CASE_SCHEMA_ID.to_string(),
        thresholds: Some(settings.thresholds.clone()),
        case: CaseSection {
            id: case.id.clone(),
            merchant_name: case.merchant_name.clone(),
            attributes: case.attributes.clone(),
            visit_date: case.visit_date,
            site,
            created_at: case.created_at,
            updated_at: case.updated_at,
        },
        package: PackageSection {
            bagging_date,
            source_organization: settings.branch.clone(),
            contact_name: settings.manager_name.clone(),
            software: SOFTWARE.to_string(),
            complete: incomplete_reasons.is_empty(),
            allow_incomplete,
            incomplete_reasons: incomplete_reasons.to_vec(),
            incomplete_export_reason: None,
            public_key_sha256: key.fingerprint().to_string(),
            signature_algorithm: "SM2-with-SM3".to_string(),
            distinguishing_id: DISTINGUISHING_ID.to_string(),
            follow_up: Some(check.follow_up().into_iter().map(String::from).collect()),
        },
        checklist: ChecklistSection {
            rules_version: check.rules_version,
            summary: ChecklistSummary {
                required: summary.required,
                ok: summary.ok,
                present: summary.present,
                incomplete: summary.incomplete,
                missing: summary.missing,
                error_findings: summary.error_findings,
                warning_findings: summary.warning_findings,
                fields_required: summary.fields_required,
                fields_missing: summary.fields_missing,
                fields_invalid: summary.fields_invalid,
            },
            items,
            fields,
        },
        files: file_entries,
        withdrawn_files: Vec::new(),
        notes: Vec::new(),
    }
}

fn withdrawn_entry(file: &crate::database::WithdrawnFile) -> WithdrawnFileEntry {
    let record = &file.evidence;
    WithdrawnFileEntry {
        material: record.material_key.clone(),
        original_name: record.original_name.clone(),
        sha256: record.sha256.clone(),
        bytes: record.bytes,
        media_type: record.media_type.clone(),
        imported_at: record.imported_at,
        reason: file.reason.clone(),
        withdrawn_at: file.withdrawn_at,
        withdrawn_by: file.withdrawn_by.clone(),
    }
}

fn note_entry(note: &crate::database::NoteRecord) -> NoteEntry {
    NoteEntry {
        sha256: note.sha256.clone(),
        material: note.material.clone(),
        text: note.text.clone(),
        written_by: note.written_by.clone(),
        written_at: note.written_at,
    }
}
