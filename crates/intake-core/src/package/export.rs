//! Packing one case, step by step: each step a function over what it needs. The folder's
//! `export` (`data_folder::package`) runs them in this order: [`start`], [`contents`] (the
//! case's files with their facts, findings and thumbnails, and whether it is complete),
//! [`entries`] (the watermarked copies, `case.json`, the report, the manifests and the signed
//! tag files), [`write_package`] (the zip, sealed into the outbox, and a plain copy on request),
//! [`queue`] and [`summary`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::{
    COPY_BUFFER_BYTES, DEFLATE_LEVEL, Entry, EntrySource, ExportOptions, ExportPhase, ExportProgress, ExportReporter,
    ExportSummary, MAX_THUMBNAIL_THREADS, PackageSection, PackedFile, add_signed_tag_files, bag_info, case_document,
    china_time, document, incomplete_reasons, layout, note_entry, payload_entries, payload_manifest, report,
    sealed_zip, thumbnail_of_stored, withdrawn_entry, zip_format, zip_time,
};
use crate::audit::AuditEntry;
use crate::case::Case;
use crate::checklist::{CaseCheck, Rules};
use crate::database::{Database, EvidenceRecord, ExportedPackage, NoteRecord, WithdrawnFile};
use crate::durable::{self, Readers};
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::case_checks::{ReadAgain, current_facts};
use crate::evidence::datum::{self, LatLon};
use crate::evidence::{FileInspection, Thresholds};
use crate::settings::Settings;
use crate::signing::InstallationKey;
use crate::vault::{StoredPackage, Vault};

/// What may stop an export between two pieces it writes: `passphrase_required` once the
/// folder's handle was told to stop.
pub(crate) type RefuseIfStopped<'a> = &'a dyn Fn() -> Result<()>;

/// The first step: the reporter of an export of `case_id` with its `evidence_files`, which
/// has sent its first `checking` report.
pub(crate) fn start<'a>(
    listener: &'a mut dyn FnMut(&ExportProgress),
    case_id: &str,
    evidence_files: usize,
) -> ExportReporter<'a> {
    // Every evidence file, case.json, the report and the tag files.
    let files_total = u32::try_from(evidence_files + 2 + layout::TAG_FILES.len()).unwrap_or(u32::MAX);
    let mut reporter = ExportReporter {
        listener,
        state: ExportProgress {
            case_id: case_id.to_string(),
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
    reporter
}

/// What goes into a case's package besides the generated files, and whether it is complete.
pub(crate) struct Contents {
    files: Vec<PackedFile>,
    pub(crate) incomplete_reasons: Vec<String>,
    pub(crate) complete: bool,
    /// The manager's reason for exporting it although incomplete.
    pub(crate) incomplete_export_reason: Option<String>,
    withdrawn: Vec<WithdrawnFile>,
    notes: Vec<NoteRecord>,
    full_chain: Vec<AuditEntry>,
}

impl Contents {
    /// The chain up to the last change of the case (module `audit`): an export or upload entry
    /// after it is not carried, so packing again with no change gives the same bytes, and this
    /// package's own export entry, appended when it is queued, is never in it.
    pub(crate) fn chain(&self) -> &[AuditEntry] {
        crate::audit::package_prefix(&self.full_chain)
    }
}

/// The second step: the case's files named, with their facts (under `thresholds`, as `check`
/// derived them), findings and thumbnails; refused (`case_incomplete`) when the case is not
/// complete and `options` do not allow it, or allow it without a reason.
#[allow(clippy::too_many_arguments)] // what the files and the completeness are read from
pub(crate) fn contents(
    database: &Database,
    vault: &Vault,
    rules: &Rules,
    case: &Case,
    evidence: &[EvidenceRecord],
    check: &CaseCheck,
    thresholds: &Thresholds,
    options: &ExportOptions,
) -> Result<Contents> {
    let stages = material_stages(rules, case);
    let files = gather_files(database, vault, case, evidence, &stages, check, thresholds)?;
    let incomplete_reasons = incomplete_reasons(check);
    let complete = incomplete_reasons.is_empty();
    if !complete && !options.allow_incomplete {
        return Err(Error::new(
            ErrorKind::CaseIncomplete,
            format!(
                "case {} is not complete, so it is not exported: {}. Complete it, or pass \
                 --allow-incomplete --reason TEXT to export it marked as incomplete",
                case.id,
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
    Ok(Contents {
        files,
        incomplete_reasons,
        complete,
        incomplete_export_reason,
        withdrawn: database.withdrawn_evidence(&case.id)?,
        notes: database.case_notes(&case.id)?,
        full_chain: database.audit_chain(&case.id)?,
    })
}

/// Every entry of the zip, with its totals.
pub(crate) struct Packed {
    entries: BTreeMap<String, Entry>,
    pub(crate) payload_files: u64,
    pub(crate) payload_bytes: u64,
    /// `Bagging-Date`: the date of the case's last change.
    pub(crate) bagging_date: NaiveDate,
    pub(crate) watermarked_files: u32,
}

/// The third step: the watermarked copies of identity documents, `case.json` and the report,
/// the payload manifest, `bag-info.txt` and the tag files signed with `key`.
#[allow(clippy::too_many_arguments)] // the parts of the package
pub(crate) fn entries(
    vault: &Vault,
    case: &Case,
    settings: &Settings,
    options: &ExportOptions,
    check: &CaseCheck,
    contents: &mut Contents,
    key: &InstallationKey,
    reporter: &mut ExportReporter<'_>,
) -> Result<Packed> {
    let bagging_date = china_time(case.updated_at).date_naive();
    contents.files.sort_by(|a, b| a.path.cmp(&b.path));
    // The check's checklist, with the case's recorded fields: which materials show an identity
    // document may depend on a variant.
    let identity_documents: HashSet<&str> =
        check.items.iter().filter(|item| item.item.identity_document).map(|item| item.item.key.as_str()).collect();
    let watermarked_files =
        watermark_identity_documents(vault, &identity_documents, &mut contents.files, settings, options, bagging_date)?;
    reporter.phase(ExportPhase::Signing);
    let (case_json, report_html) = case_json_and_report(case, settings, check, contents, key, bagging_date, options);
    let mut entries = payload_entries(&mut contents.files, case_json, report_html);
    let (manifest, payload_bytes) = payload_manifest(&entries);
    let payload_files = entries.len() as u64;
    let chain = contents.chain();
    let bag_info = bag_info(
        case,
        settings,
        bagging_date,
        payload_bytes,
        payload_files,
        options.allow_incomplete,
        contents.complete,
        contents.incomplete_export_reason.as_deref(),
        key,
        chain,
        &check.follow_up(),
    );
    add_signed_tag_files(&mut entries, bag_info, manifest, key, chain);
    reporter.state.files_total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    reporter.state.bytes_total = entries.values().map(Entry::bytes).sum();
    Ok(Packed { entries, payload_files, payload_bytes, bagging_date, watermarked_files })
}

/// `case.json` and the report (which takes the files' thumbnails).
fn case_json_and_report(
    case: &Case,
    settings: &Settings,
    check: &CaseCheck,
    contents: &mut Contents,
    key: &InstallationKey,
    bagging_date: NaiveDate,
    options: &ExportOptions,
) -> (Vec<u8>, Vec<u8>) {
    let document = case_document(
        case,
        settings,
        check,
        &contents.files,
        key,
        bagging_date,
        options.allow_incomplete,
        &contents.incomplete_reasons,
    );
    let document = document::CaseDocument {
        withdrawn_files: contents.withdrawn.iter().map(withdrawn_entry).collect(),
        notes: contents.notes.iter().map(note_entry).collect(),
        package: PackageSection {
            incomplete_export_reason: contents.incomplete_export_reason.clone(),
            ..document.package
        },
        ..document
    };
    let case_json = document::to_json_bytes(&document);
    let thumbnails: HashMap<String, String> = contents
        .files
        .iter_mut()
        .filter_map(|file| file.thumbnail.take().map(|uri| (file.path.clone(), uri)))
        .collect();
    let report_html = report::render(&document, &thumbnails).into_bytes();
    (case_json, report_html)
}

/// The fourth step: the zip into the outbox, sealed and known by its hash (the CLI and the app
/// both queue what they export). A plain copy at `out`, when asked for, is written first and
/// sealed from there (it is in clear anyway); otherwise the package is packed twice
/// (`sealed_zip`), into `outbox_dir`.
pub(crate) fn write_package(
    vault: &Vault,
    outbox_dir: &Path,
    out: Option<&Path>,
    packed: &Packed,
    modified: DateTime<Utc>,
    reporter: &mut ExportReporter<'_>,
    refuse_if_stopped: RefuseIfStopped<'_>,
) -> Result<StoredPackage> {
    let entries = &packed.entries;
    match out {
        Some(out) => {
            reporter.phase(ExportPhase::Writing);
            write_zip(vault, out, entries, modified, reporter, refuse_if_stopped)?;
            let mut copy = File::open(out).map_err(|err| Error::reading(out, &err))?;
            vault.store_package(&mut |sink| {
                std::io::copy(&mut copy, sink).map(drop).map_err(|err| Error::reading(out, &err))
            })
        }
        None => {
            reporter.state.bytes_total *= 2;
            reporter.phase(ExportPhase::Writing);
            write_zip_sealed(vault, outbox_dir, entries, modified, reporter, refuse_if_stopped)
        }
    }
}

/// The fifth step: records the package `stored` of `case` in the outbox (with its reason when
/// it went incomplete). Returns where it is queued.
pub(crate) fn queue(database: &Database, case: &Case, stored: &StoredPackage, contents: &Contents) -> Result<PathBuf> {
    let queued_path = std::path::absolute(&stored.path).unwrap_or_else(|_| stored.path.clone());
    let queued_path_text = queued_path.display().to_string();
    let package = ExportedPackage {
        sha256: &stored.sha256,
        case_id: &case.id,
        path: &queued_path_text,
        bytes: stored.bytes,
        chain_length: contents.chain().len(),
    };
    match &contents.incomplete_export_reason {
        None => database.enqueue_package(&package, Utc::now())?,
        Some(reason) => {
            database.enqueue_incomplete_package(&package, reason, contents.incomplete_reasons.len(), Utc::now())?
        }
    }
    Ok(queued_path)
}

/// The last step: what the export wrote.
#[allow(clippy::too_many_arguments)] // what each step made
pub(crate) fn summary(
    case: &Case,
    out: Option<&Path>,
    options: &ExportOptions,
    stored: StoredPackage,
    queued_path: &Path,
    sealed_encrypted: bool,
    contents: Contents,
    packed: &Packed,
    key: &InstallationKey,
) -> ExportSummary {
    let sealed_path = queued_path.display().to_string();
    ExportSummary {
        case_id: case.id.clone(),
        path: out.map_or_else(|| sealed_path.clone(), |out| out.display().to_string()),
        sealed_path,
        sealed_encrypted,
        unencrypted_copy: out.map(|out| out.display().to_string()),
        bytes: stored.bytes,
        sha256: stored.sha256,
        payload_files: packed.payload_files,
        payload_bytes: packed.payload_bytes,
        complete: contents.complete,
        allow_incomplete: options.allow_incomplete,
        incomplete_reasons: contents.incomplete_reasons,
        incomplete_export_reason: contents.incomplete_export_reason,
        withdrawn_files: contents.withdrawn.len() as u32,
        bagging_date: packed.bagging_date,
        public_key_sha256: key.fingerprint().to_string(),
        watermarked_files: packed.watermarked_files,
    }
}

/// Replaces each identity document (`identity_document = true` in the rule file) by its
/// watermarked copy when the export asks for it (`options.watermark`, else the settings),
/// made from the vault's bytes with the settings' text and the package's date (so the
/// copy, like the package, depends only on the case). Its report thumbnail is the copy's.
/// Returns how many were replaced.
fn watermark_identity_documents(
    vault: &Vault,
    identity_documents: &HashSet<&str>,
    files: &mut [PackedFile],
    settings: &Settings,
    options: &ExportOptions,
    bagging_date: NaiveDate,
) -> Result<u32> {
    if !options.watermark.unwrap_or(settings.watermark_id_copies) {
        return Ok(0);
    }
    let text = crate::watermark::mark_text(&settings.watermark_text, bagging_date);
    let mut count = 0;
    for file in files.iter_mut().filter(|file| identity_documents.contains(file.record.material_key.as_str())) {
        let original = vault.read_object_checked(&file.record.sha256, crate::watermark::MAX_SOURCE_BYTES)?;
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
fn material_stages(rules: &Rules, case: &Case) -> HashMap<String, String> {
    let checklist = rules.checklist(&case.attributes);
    checklist.items.iter().map(|item| (item.key.clone(), item.stage.key().to_string())).collect()
}

/// Names each file in the package, takes its facts (stored by the evidence checks at
/// import) and findings (from `check`), and its thumbnail (cached in the vault at import;
/// one missing from an older data folder is made on as many threads as there are cores, at
/// most [`MAX_THUMBNAIL_THREADS`], each holding one file in memory at a time); results keep
/// the import order.
fn gather_files(
    database: &Database,
    vault: &Vault,
    case: &Case,
    evidence: &[EvidenceRecord],
    stages: &HashMap<String, String>,
    check: &CaseCheck,
    thresholds: &Thresholds,
) -> Result<Vec<PackedFile>> {
    let mut per_material: HashMap<&str, u32> = HashMap::new();
    let mut named = Vec::with_capacity(evidence.len());
    for record in evidence {
        let number = per_material.entry(record.material_key.as_str()).or_insert(0);
        *number += 1;
        let stage = stages.get(&record.material_key).cloned().unwrap_or_else(|| layout::UNLISTED_STAGE.to_string());
        let path = layout::payload_path(&stage, &record.material_key, *number as usize, &record.original_name)?;
        // As `check` derived them, so no fact of other thresholds gets into the package.
        let inspection: Option<FileInspection> =
            current_facts(database, vault, record, thresholds, ReadAgain::WhenNeeded).map(|(inspection, _)| inspection);
        named.push((record, stage, *number, path, inspection));
    }

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Option<String>>>>> = Mutex::new((0..named.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism().map_or(1, |count| count.get()).clamp(1, MAX_THUMBNAIL_THREADS);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(named.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((record, ..)) = named.get(index) else { break };
                    let result = thumbnail_of_stored(vault, record);
                    results.lock().expect("no thumbnail thread panics while holding the lock")[index] = Some(result);
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
    vault: &Vault,
    out: &Path,
    entries: &BTreeMap<String, Entry>,
    modified: DateTime<Utc>,
    reporter: &mut ExportReporter<'_>,
    refuse_if_stopped: RefuseIfStopped<'_>,
) -> Result<u64> {
    if out.is_dir() {
        return Err(Error::for_file(ErrorKind::NotAFile, out, "is a folder; give the name of the zip file to write"));
    }
    let (temp, file) = durable::create_temp_beside(out, Readers::Anyone)?;
    let written = write_zip_entries(vault, file, &temp, entries, modified, reporter, refuse_if_stopped);
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
    vault: &Vault,
    place: &Path,
    entries: &BTreeMap<String, Entry>,
    modified: DateTime<Utc>,
    reporter: &mut ExportReporter<'_>,
    refuse_if_stopped: RefuseIfStopped<'_>,
) -> Result<StoredPackage> {
    reporter.counting_files = false;
    let recorder = write_zip_entries(
        vault,
        sealed_zip::PatchRecorder::default(),
        place,
        entries,
        modified,
        reporter,
        refuse_if_stopped,
    )?;
    reporter.counting_files = true;
    let (patches, end) = recorder.into_patches();
    let mut patches = Some(patches);
    vault.store_package(&mut |sink| {
        let stream = sealed_zip::PatchedStream::new(sink, patches.take().unwrap_or_default(), end);
        let stream = write_zip_entries(vault, stream, place, entries, modified, reporter, refuse_if_stopped)?;
        // What follows (sealing the last chunk, fsync, rename) is the finishing step.
        reporter.phase(ExportPhase::Finishing);
        stream.finish().map(drop).map_err(|err| Error::writing(place, &err))
    })
}

/// Writes the entries into `file` (`temp` names it in errors), streaming the evidence files
/// from `vault`.
fn write_zip_entries<W: Write + Seek>(
    vault: &Vault,
    file: W,
    temp: &Path,
    entries: &BTreeMap<String, Entry>,
    modified: DateTime<Utc>,
    reporter: &mut ExportReporter<'_>,
    refuse_if_stopped: RefuseIfStopped<'_>,
) -> Result<W> {
    let zip_error =
        |err: zip::result::ZipError| Error::for_file(ErrorKind::Io, temp, format!("cannot be written ({err})"));
    let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(COPY_BUFFER_BYTES, file));
    let base = zip_format::entry_options(zip_time(modified));
    let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
    for (name, entry) in entries {
        refuse_if_stopped()?;
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
                stream_object(vault, sha256, *bytes, &mut zip, &mut buffer, temp, reporter, refuse_if_stopped)?;
            }
        }
        reporter.file_written();
    }
    let writer = zip.finish().map_err(zip_error)?;
    writer.into_inner().map_err(|err| Error::writing(temp, err.error()))
}

/// Copies a vault object into the zip, hashing on the way: the bytes must still be the
/// ones recorded.
#[allow(clippy::too_many_arguments)] // the object, where it goes, and the export's reporter and stop
fn stream_object(
    vault: &Vault,
    sha256: &str,
    expected_bytes: u64,
    out: &mut impl Write,
    buffer: &mut [u8],
    temp: &Path,
    reporter: &mut ExportReporter<'_>,
    refuse_if_stopped: RefuseIfStopped<'_>,
) -> Result<()> {
    let mut input = vault.open_object(sha256)?;
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
        refuse_if_stopped()?;
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
