//! The commands the front-end may invoke: one per core call, each a few lines that call the
//! core and hand back its result or its error as `{code, message}`.
//!
//! Adding a command takes four places: the function here, its name in `build.rs`, its
//! `allow-<name>` permission in `capabilities/default.json`, and `generate_handler!` in
//! `lib.rs`. The front-end calls it by name with types generated from the core
//! (`ui/src/api.ts`). Arguments keep their `snake_case` names on the JavaScript side.
//!
//! Every command is `async`, so its disk work runs off the main (UI) thread; the long ones
//! (import, export, dialogs) go further, onto a blocking thread of their own.

use std::path::PathBuf;

use intake_core::case::{Case, NewCase, PastedPosition, PositionDoubt, Vocabulary};
use intake_core::case_list::{CaseListQuery, CaseListing};
use intake_core::checklist::{
    AttestationOutcome, CaseCheck, CaseOverview, CaseUpdate, FieldOutcome, FieldValidation, Mark,
};
use intake_core::corrections::MoveOutcome;
use intake_core::database::{EvidenceRecord, FindingAcceptanceRecord, NoteRecord, WithdrawnFile};
use intake_core::documents::offers::FieldOffer;
use intake_core::documents::{DocumentReadOutcome, WhichDocuments};
use intake_core::encryption::LockStatus;
use intake_core::evidence::Thresholds;
use intake_core::evidence::finding_advice::FindingAdvice;
use intake_core::evidence::visit_plot::VisitPlot;
use intake_core::keys::Passphrase;
use intake_core::package::{ExportOptions, ExportSummary};
use intake_core::settings::{Settings, SettingsChange, UploadSettingsChange, UploadSettingsShown};
use intake_core::signing::{PublicKeyInfo, RegisterLine};
use intake_core::tray::{AssignOutcome, UnsortedTray};
use intake_core::upload::{OutboxEntry, OutboxOverview, RetryTiming, UploadOutcome, UploadTarget};
use intake_core::{DataFolder, ErrorKind, ErrorReport, FileOutcome, ImportProgress};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::events::{
    DOCUMENT_READ, ENCRYPTION_PROGRESS, EXPORT_PROGRESS, IMPORT_PROGRESS, PIXEL_CHECKS_PROGRESS, UPLOAD_PROGRESS,
};
use crate::{PickedPaths, SharedDataFolder, expand_picked};

/// The test seam for the end-to-end tests, which cannot drive a native dialog: when this
/// environment variable names a text file, [`pick_files`] and [`pick_folder`] read it at each
/// call and return the paths it lists (one per line) instead of opening a dialog, so a test can
/// change the answer between steps. It is read by the Rust side only, from the environment the
/// app was started with; the window's content can neither set it nor write the file.
/// Only in builds with the `test-seams` feature: a release build never reads it.
#[cfg(feature = "test-seams")]
pub const TEST_DIALOG_ANSWER_VAR: &str = "INTAKE_TEST_DIALOG_ANSWER";

#[cfg(feature = "test-seams")]
fn test_dialog_answer() -> Option<Vec<PathBuf>> {
    let answer_file = std::env::var_os(TEST_DIALOG_ANSWER_VAR)?;
    let text = std::fs::read_to_string(&answer_file).unwrap_or_default();
    Some(text.lines().map(str::trim).filter(|line| !line.is_empty()).map(PathBuf::from).collect())
}

/// Without the `test-seams` feature the dialogs always open.
#[cfg(not(feature = "test-seams"))]
fn test_dialog_answer() -> Option<Vec<PathBuf>> {
    None
}

fn internal(err: impl std::fmt::Display) -> ErrorReport {
    ErrorReport { code: ErrorKind::Io, message: err.to_string() }
}

/// The domain's terms (merchant types, channels, stages, marks…) with their labels.
#[tauri::command(rename_all = "snake_case")]
pub async fn vocabulary() -> Result<Vocabulary, ErrorReport> {
    Ok(intake_core::case::vocabulary())
}

/// What each finding code means and what to do about it (label, consequence, action).
#[tauri::command(rename_all = "snake_case")]
pub async fn finding_advice() -> Result<Vec<FindingAdvice>, ErrorReport> {
    Ok(intake_core::evidence::finding_advice::all_finding_advice())
}

/// Every case with its status counts, most recently changed first.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_cases(data_folder: State<'_, SharedDataFolder>) -> Result<Vec<CaseOverview>, ErrorReport> {
    data_folder.with(|folder| folder.list_case_overviews())
}

/// The 案件列表: the cases that match the search and the state filter, in the order asked
/// for, each with its state, and how many cases are in each state.
#[tauri::command(rename_all = "snake_case")]
pub async fn case_list(
    data_folder: State<'_, SharedDataFolder>,
    query: CaseListQuery,
) -> Result<CaseListing, ErrorReport> {
    data_folder.with(|folder| folder.case_list(&query))
}

/// The wizard's paste into the latitude field: `31.2304,121.4737` split into its two numbers
/// (none when the text is not two numbers).
#[tauri::command(rename_all = "snake_case")]
pub async fn split_pasted_position(text: String) -> Result<Option<PastedPosition>, ErrorReport> {
    Ok(intake_core::case::split_pasted_position(&text))
}

/// The wizard's question about a premises position: swapped, or outside China (none: fine).
#[tauri::command(rename_all = "snake_case")]
pub async fn question_position(lat: f64, lon: f64) -> Result<Option<PositionDoubt>, ErrorReport> {
    Ok(intake_core::case::question_position(lat, lon))
}

/// Opens a new case (the wizard's last step).
#[tauri::command(rename_all = "snake_case")]
pub async fn create_case(data_folder: State<'_, SharedDataFolder>, new_case: NewCase) -> Result<Case, ErrorReport> {
    data_folder.with(|folder| folder.create_case(new_case))
}

/// One case as stored.
#[tauri::command(rename_all = "snake_case")]
pub async fn get_case(data_folder: State<'_, SharedDataFolder>, case_id: String) -> Result<Case, ErrorReport> {
    data_folder.with(|folder| folder.case(&case_id))
}

/// The case against its checklist, with every finding (`intake check`).
#[tauri::command(rename_all = "snake_case")]
pub async fn check_case(data_folder: State<'_, SharedDataFolder>, case_id: String) -> Result<CaseCheck, ErrorReport> {
    data_folder.with(|folder| folder.check_case(&case_id))
}

/// A file's thumbnail (JPEG, orientation applied, cached in the vault), as raw bytes rather than
/// JSON numbers; empty for a file that is not a picture. The UI shows it through a `blob:` URL.
#[tauri::command(rename_all = "snake_case")]
pub async fn thumbnail(
    data_folder: State<'_, SharedDataFolder>,
    sha256: String,
) -> Result<tauri::ipc::Response, ErrorReport> {
    let jpeg = data_folder.with(|folder| folder.thumbnail(&sha256))?;
    Ok(tauri::ipc::Response::new(jpeg.unwrap_or_default()))
}

/// The viewer: one file of an open case, full size, as raw bytes (decrypted, checked against
/// its SHA-256). The window names the case and the evidence record, never a path, so it can be
/// handed only a file that case holds (`invalid_input` otherwise). On a blocking thread: a
/// video may be large.
#[tauri::command(rename_all = "snake_case")]
pub async fn evidence_file(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: i64,
) -> Result<tauri::ipc::Response, ErrorReport> {
    let folder = data_folder.second_handle()?;
    let viewed = tauri::async_runtime::spawn_blocking(move || folder.view_evidence_file(&case_id, evidence_id))
        .await
        .map_err(internal)??;
    Ok(tauri::ipc::Response::new(viewed.bytes))
}

/// Opens the native file dialog (several files) and remembers what the user picked; an empty
/// list when they cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn pick_files<R: Runtime>(
    app: AppHandle<R>,
    picked: State<'_, PickedPaths>,
) -> Result<Vec<String>, ErrorReport> {
    let paths = match test_dialog_answer() {
        Some(paths) => expand_picked(&paths).0,
        None => {
            let dialog = app.dialog().clone();
            let chosen = tauri::async_runtime::spawn_blocking(move || dialog.file().blocking_pick_files())
                .await
                .map_err(internal)?;
            chosen.unwrap_or_default().into_iter().filter_map(|path| path.into_path().ok()).collect()
        }
    };
    picked.remember(&paths);
    Ok(paths.iter().map(|path| path.display().to_string()).collect())
}

/// Opens the native folder dialog and remembers every file in the folder picked (a phone's
/// DCIM folder: see `files_in_folder`); an empty list when the user cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn pick_folder<R: Runtime>(
    app: AppHandle<R>,
    picked: State<'_, PickedPaths>,
) -> Result<Vec<String>, ErrorReport> {
    let folder = match test_dialog_answer() {
        Some(paths) => paths.into_iter().next(),
        None => {
            let dialog = app.dialog().clone();
            let chosen = tauri::async_runtime::spawn_blocking(move || dialog.file().blocking_pick_folder())
                .await
                .map_err(internal)?;
            chosen.and_then(|path| path.into_path().ok())
        }
    };
    let Some(folder) = folder else { return Ok(Vec::new()) };
    let files = tauri::async_runtime::spawn_blocking(move || intake_core::data_folder::files_in_folder(&folder))
        .await
        .map_err(internal)??;
    picked.remember(&files);
    Ok(files.iter().map(|path| path.display().to_string()).collect())
}

/// Imports files the user picked or dropped into a material slot. Runs on a thread of its own
/// with its own handle on the data folder, and sends [`IMPORT_PROGRESS`] after each file
/// is recorded (the window shows it in its slot at once, with its metadata findings), then
/// [`PIXEL_CHECKS_PROGRESS`] after each file's pixel checks (the second phase: its thumbnail and
/// pixel findings fill in), so the window stays responsive through a 200-photo import. A path
/// the user did not pick is refused (`path_not_picked`) before any file is read.
#[tauri::command(rename_all = "snake_case")]
pub async fn add_files<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    picked: State<'_, PickedPaths>,
    case_id: String,
    material: String,
    paths: Vec<String>,
) -> Result<Vec<FileOutcome>, ErrorReport> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    picked.require_all(&paths)?;
    let second_handle = data_folder.second_handle()?;
    let total = u32::try_from(paths.len()).unwrap_or(u32::MAX);
    tauri::async_runtime::spawn_blocking(move || {
        let mut folder = second_handle;
        let mut done = 0;
        let outcomes = folder.add_files_in_phases(
            &case_id,
            &material,
            &paths,
            |outcome| {
                done += 1;
                let progress = ImportProgress {
                    case_id: case_id.clone(),
                    material: material.clone(),
                    done,
                    total,
                    outcome: outcome.clone(),
                };
                IMPORT_PROGRESS.send(&app, &progress);
            },
            |checked| {
                PIXEL_CHECKS_PROGRESS.send(&app, checked);
            },
        )?;
        Ok(outcomes)
    })
    .await
    .map_err(internal)?
}

/// Reads the case's documents not read yet (营业执照, 法人身份证, GPS 定位截图: the window calls it
/// after an import into one of their slots). The OCR takes about a second a document, so it
/// runs on a thread of its own with its own handle on the data folder, and sends
/// [`DOCUMENT_READ`] after each file.
#[tauri::command(rename_all = "snake_case")]
pub async fn read_case_documents<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
) -> Result<Vec<DocumentReadOutcome>, ErrorReport> {
    let second_handle = data_folder.second_handle()?;
    tauri::async_runtime::spawn_blocking(move || {
        let outcomes = second_handle.read_documents(&case_id, WhichDocuments::Unread, |outcome| {
            DOCUMENT_READ.send(&app, outcome);
        })?;
        Ok(outcomes)
    })
    .await
    .map_err(internal)?
}

/// The values read off the case's documents for the fields not typed yet (prefill: shown as
/// 读取自营业执照 with the confidence; nothing is recorded until the manager confirms one).
#[tauri::command(rename_all = "snake_case")]
pub async fn document_offers(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
) -> Result<Vec<FieldOffer>, ErrorReport> {
    data_folder.with(|folder| folder.document_offers(&case_id))
}

/// Records the marks the manager sees on a file (stamps, signatures), replacing earlier ones.
#[tauri::command(rename_all = "snake_case")]
pub async fn attest_file(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: i64,
    marks: Vec<Mark>,
) -> Result<AttestationOutcome, ErrorReport> {
    data_folder.with(|folder| folder.attest_file(&case_id, evidence_id, &marks))
}

/// What the core says of a field's value as it is typed, without recording it.
#[tauri::command(rename_all = "snake_case")]
pub async fn validate_case_field(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    field_key: String,
    value: String,
) -> Result<FieldValidation, ErrorReport> {
    data_folder.with(|folder| folder.validate_case_field(&case_id, &field_key, &value))
}

/// Validates and records a field's value (a warning needs `override_reason`).
#[tauri::command(rename_all = "snake_case")]
pub async fn set_case_field(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    field_key: String,
    value: String,
    override_reason: Option<String>,
) -> Result<FieldOutcome, ErrorReport> {
    data_folder.with(|folder| folder.set_case_field(&case_id, &field_key, &value, override_reason.as_deref()))
}

/// Removes a field's value; true when there was one.
#[tauri::command(rename_all = "snake_case")]
pub async fn clear_case_field(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    field_key: String,
) -> Result<bool, ErrorReport> {
    data_folder.with(|folder| folder.clear_case_field(&case_id, &field_key))
}

/// Packs the case into its signed package and queues it sealed in the data folder's outbox
/// (`intake export` without `--out`): no copy in clear is written. On a blocking thread:
/// hashing and zipping a large case takes a while. Sends [`EXPORT_PROGRESS`] as it goes,
/// for the export panel's bar.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_case<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    options: ExportOptions,
) -> Result<ExportSummary, ErrorReport> {
    let folder = data_folder.second_handle()?;
    tauri::async_runtime::spawn_blocking(move || {
        Ok(folder.export_to_outbox_with_progress(&case_id, &options, &mut |progress| {
            EXPORT_PROGRESS.send(&app, progress);
        })?)
    })
    .await
    .map_err(internal)?
}

/// 另存为…: asks where (the native save dialog, proposing `<case id>.zip`) and writes there a
/// plain, unencrypted copy of the queued package `sha256` (`save_plain_copy`). The window names
/// the package by its hash, never the path it reads; the path written is the one the manager
/// chose in the dialog. `None` when the manager cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_package_copy<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    sha256: String,
) -> Result<Option<String>, ErrorReport> {
    let target = match test_dialog_answer() {
        Some(paths) => paths.into_iter().next(),
        None => {
            let dialog = app.dialog().clone();
            let proposed = format!("{case_id}.zip");
            let chosen = tauri::async_runtime::spawn_blocking(move || {
                dialog.file().set_file_name(proposed).add_filter("zip", &["zip"]).blocking_save_file()
            })
            .await
            .map_err(internal)?;
            chosen.and_then(|path| path.into_path().ok())
        }
    };
    let Some(target) = target else { return Ok(None) };
    let folder = data_folder.second_handle()?;
    let written = target.clone();
    tauri::async_runtime::spawn_blocking(move || folder.save_plain_copy(&sha256, &written))
        .await
        .map_err(internal)??;
    Ok(Some(target.display().to_string()))
}

/// The installation's settings (branch, manager), without the upload secret.
#[tauri::command(rename_all = "snake_case")]
pub async fn get_settings(data_folder: State<'_, SharedDataFolder>) -> Result<Settings, ErrorReport> {
    data_folder.with(|folder| folder.settings().map(|settings| settings.redacted()))
}

/// Changes the settings (`intake settings --branch … --manager …`).
#[tauri::command(rename_all = "snake_case")]
pub async fn change_settings(
    data_folder: State<'_, SharedDataFolder>,
    change: SettingsChange,
) -> Result<Settings, ErrorReport> {
    data_folder.with(|folder| folder.change_settings(change).map(|settings| settings.redacted()))
}

/// The signing key's public half and fingerprint (`intake keys show`); made on first use.
#[tauri::command(rename_all = "snake_case")]
pub async fn public_key_info(data_folder: State<'_, SharedDataFolder>) -> Result<PublicKeyInfo, ErrorReport> {
    data_folder.with(|folder| folder.public_key_info())
}

/// This installation's line for head office's register of trusted keys (`intake keys
/// register-line`); refused while the branch or the manager is not set.
#[tauri::command(rename_all = "snake_case")]
pub async fn register_line(data_folder: State<'_, SharedDataFolder>) -> Result<RegisterLine, ErrorReport> {
    data_folder.with(|folder| folder.register_line())
}

/// Whether the data folder is encrypted and unlocked, and the idle lock time: what the window
/// shows first (the unlock or set-passphrase screen, or the cases).
#[tauri::command(rename_all = "snake_case")]
pub async fn lock_status(data_folder: State<'_, SharedDataFolder>) -> Result<LockStatus, ErrorReport> {
    data_folder.lock_status()
}

/// Opens the encrypted data folder with the manager's passphrase (`wrong_passphrase` reads
/// nothing).
#[tauri::command(rename_all = "snake_case")]
pub async fn unlock<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    passphrase: String,
) -> Result<(), ErrorReport> {
    data_folder.unlock(&Passphrase::new(passphrase))?;
    // Pixel checks an import left pending when the app stopped (a crash, a lock between the
    // phases of an import) are finished in the background, each file reported as an import's
    // are; a failure leaves them pending for the next unlock or the case's export.
    if let Ok(folder) = data_folder.second_handle() {
        tauri::async_runtime::spawn_blocking(move || {
            let _ = folder.finish_pixel_checks(None, |checked| {
                PIXEL_CHECKS_PROGRESS.send(&app, checked);
            });
        });
    }
    Ok(())
}

/// 立即锁定: closes the encrypted data folder and drops its key; true when it was open.
#[tauri::command(rename_all = "snake_case")]
pub async fn lock(data_folder: State<'_, SharedDataFolder>) -> Result<bool, ErrorReport> {
    Ok(data_folder.lock())
}

/// 设置密码: encrypts the data folder in place under a new passphrase (or finishes an
/// interrupted encryption with the same one), then keeps it open. On a blocking thread: it
/// rewrites every vault file.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_passphrase<R: Runtime>(app: AppHandle<R>, passphrase: String) -> Result<(), ErrorReport> {
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<SharedDataFolder>().set_passphrase(&Passphrase::new(passphrase), |progress| {
            ENCRYPTION_PROGRESS.send(&app, &progress);
        })
    })
    .await
    .map_err(internal)?
}

/// 更改密码: re-wraps the data key under a new passphrase once the current one unwraps it.
#[tauri::command(rename_all = "snake_case")]
pub async fn change_passphrase(
    data_folder: State<'_, SharedDataFolder>,
    old_passphrase: String,
    new_passphrase: String,
) -> Result<(), ErrorReport> {
    let root = data_folder.root()?;
    data_folder.note_activity();
    Ok(DataFolder::change_passphrase(&root, &Passphrase::new(old_passphrase), &Passphrase::new(new_passphrase))?)
}

/// The manager used the window (keys, pointer): postpones the idle lock. Sent by the
/// front-end at most every few seconds.
#[tauri::command(rename_all = "snake_case")]
pub async fn note_activity(data_folder: State<'_, SharedDataFolder>) -> Result<(), ErrorReport> {
    data_folder.note_activity();
    Ok(())
}

/// The outbox: every exported package with its upload state (`intake outbox`).
#[tauri::command(rename_all = "snake_case")]
pub async fn outbox(data_folder: State<'_, SharedDataFolder>) -> Result<Vec<OutboxEntry>, ErrorReport> {
    data_folder.with(|folder| folder.outbox())
}

/// The 发件箱 as shown: each case's latest package first, with the merchant, whether it was
/// exported complete, the count of packages not done and the next automatic retry.
#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_overview(data_folder: State<'_, SharedDataFolder>) -> Result<OutboxOverview, ErrorReport> {
    data_folder.with(|folder| folder.outbox_overview())
}

/// The installation's thresholds of the evidence checks (设置 › 检查阈值).
#[tauri::command(rename_all = "snake_case")]
pub async fn thresholds(data_folder: State<'_, SharedDataFolder>) -> Result<Thresholds, ErrorReport> {
    data_folder.with(|folder| folder.thresholds())
}

/// Replaces the thresholds (`intake settings --threshold …`); each is checked by the core, and
/// a refusal names the field. The case views' findings follow at their next check.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_thresholds(
    data_folder: State<'_, SharedDataFolder>,
    thresholds: Thresholds,
) -> Result<Thresholds, ErrorReport> {
    data_folder.with(|folder| folder.set_thresholds(thresholds))
}

/// Puts every threshold back to its default (恢复默认, `intake settings --reset-thresholds`).
#[tauri::command(rename_all = "snake_case")]
pub async fn reset_thresholds(data_folder: State<'_, SharedDataFolder>) -> Result<Thresholds, ErrorReport> {
    data_folder.with(|folder| folder.set_thresholds(Thresholds::default()))
}

/// The upload settings as they may be shown: the secret never, only whether one is stored.
#[tauri::command(rename_all = "snake_case")]
pub async fn upload_settings(data_folder: State<'_, SharedDataFolder>) -> Result<UploadSettingsShown, ErrorReport> {
    data_folder.with(|folder| Ok(folder.settings()?.upload.shown()))
}

/// Changes the upload settings (`intake settings --upload-…`); the secret goes in only.
#[tauri::command(rename_all = "snake_case")]
pub async fn change_upload_settings(
    data_folder: State<'_, SharedDataFolder>,
    change: UploadSettingsChange,
) -> Result<UploadSettingsShown, ErrorReport> {
    data_folder.with(|folder| folder.change_upload_settings(change))
}

/// The 上传 button: sends every package not done (of one case, or all) now, failed ones
/// included since the manager asked (`intake upload --now`). Runs on a thread of its own
/// with its own handle on the data folder and sends [`UPLOAD_PROGRESS`] as parts go, so
/// the window stays usable. Credentials: the settings, `AWS_ACCESS_KEY_ID` /
/// `AWS_SECRET_ACCESS_KEY` winning, as for the CLI. A second press while one runs, or an
/// `intake upload` beside it, is refused (`upload_busy`).
#[tauri::command(rename_all = "snake_case")]
pub async fn upload_packages<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    case_id: Option<String>,
) -> Result<Vec<UploadOutcome>, ErrorReport> {
    let folder = data_folder.second_handle()?;
    tauri::async_runtime::spawn_blocking(move || {
        let environment = |name: &str| std::env::var(name).ok();
        let target = UploadTarget::resolve(&folder.settings()?.upload, &Default::default(), &environment)?;
        let outcomes = folder.upload_packages(&target, case_id.as_deref(), RetryTiming::Now, &mut |progress| {
            UPLOAD_PROGRESS.send(&app, progress);
        })?;
        Ok(outcomes)
    })
    .await
    .map_err(internal)?
}

/// A row's 重试: sends that one package now, on a thread of its own, with progress events
/// (like [`upload_packages`]).
#[tauri::command(rename_all = "snake_case")]
pub async fn retry_package<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
    sha256: String,
) -> Result<Vec<UploadOutcome>, ErrorReport> {
    let folder = data_folder.second_handle()?;
    tauri::async_runtime::spawn_blocking(move || {
        let target = upload_target(&folder)?;
        Ok(folder.upload_package(&target, &sha256, &mut |progress| {
            UPLOAD_PROGRESS.send(&app, progress);
        })?)
    })
    .await
    .map_err(internal)?
}

/// The open app's automatic retry, called by the window when the outbox's next retry time
/// has come: sends the failed packages that are due now (the core decides which), nothing
/// else; an empty list when none is.
#[tauri::command(rename_all = "snake_case")]
pub async fn retry_due_packages<R: Runtime>(
    app: AppHandle<R>,
    data_folder: State<'_, SharedDataFolder>,
) -> Result<Vec<UploadOutcome>, ErrorReport> {
    let folder = data_folder.second_handle()?;
    tauri::async_runtime::spawn_blocking(move || {
        let target = upload_target(&folder)?;
        Ok(folder.retry_due_packages(&target, chrono::Utc::now(), &mut |progress| {
            UPLOAD_PROGRESS.send(&app, progress);
        })?)
    })
    .await
    .map_err(internal)?
}

/// The upload settings resolved, the environment's credentials winning (as for the CLI).
fn upload_target(folder: &DataFolder) -> Result<UploadTarget, ErrorReport> {
    let environment = |name: &str| std::env::var(name).ok();
    Ok(UploadTarget::resolve(&folder.settings()?.upload, &Default::default(), &environment)?)
}

/// Where and when the case's photos were taken, as data the case view draws (the package's
/// report draws the same).
#[tauri::command(rename_all = "snake_case")]
pub async fn visit_plot(data_folder: State<'_, SharedDataFolder>, case_id: String) -> Result<VisitPlot, ErrorReport> {
    data_folder.with(|folder| folder.visit_plot(&case_id))
}

// ── correcting a case (`intake withdraw`, `restore`, `move`, `accept`, `note`, `case update`) ──

/// Withdraws a file (撤回) with the manager's reason; its bytes stay in the vault.
#[tauri::command(rename_all = "snake_case")]
pub async fn withdraw_file(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: i64,
    reason: String,
) -> Result<WithdrawnFile, ErrorReport> {
    data_folder.with(|folder| folder.withdraw_file(&case_id, evidence_id, &reason))
}

/// Restores a withdrawn file (恢复).
#[tauri::command(rename_all = "snake_case")]
pub async fn restore_file(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: i64,
) -> Result<EvidenceRecord, ErrorReport> {
    data_folder.with(|folder| folder.restore_file(&case_id, evidence_id))
}

/// Moves a file to another material (移到…).
#[tauri::command(rename_all = "snake_case")]
pub async fn move_file(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: i64,
    to: String,
) -> Result<MoveOutcome, ErrorReport> {
    data_folder.with(|folder| folder.move_file(&case_id, evidence_id, &to))
}

/// Accepts a finding on a file with the manager's reason (接受).
#[tauri::command(rename_all = "snake_case")]
pub async fn accept_finding(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: i64,
    code: String,
    reason: String,
) -> Result<FindingAcceptanceRecord, ErrorReport> {
    data_folder.with(|folder| folder.accept_finding(&case_id, evidence_id, &code, &reason))
}

/// Writes a note on the case, or on one of its files (备注).
#[tauri::command(rename_all = "snake_case")]
pub async fn add_note(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_id: Option<i64>,
    text: String,
) -> Result<NoteRecord, ErrorReport> {
    data_folder.with(|folder| folder.add_note(&case_id, evidence_id, &text))
}

/// The case's notes, oldest first.
#[tauri::command(rename_all = "snake_case")]
pub async fn case_notes(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
) -> Result<Vec<NoteRecord>, ErrorReport> {
    data_folder.with(|folder| folder.case_notes(&case_id))
}

/// The case's withdrawn files (已撤回).
#[tauri::command(rename_all = "snake_case")]
pub async fn withdrawn_files(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
) -> Result<Vec<WithdrawnFile>, ErrorReport> {
    data_folder.with(|folder| folder.withdrawn_files(&case_id))
}

/// Replaces every attribute and the visit data of a case (编辑案件信息).
#[tauri::command(rename_all = "snake_case")]
pub async fn update_case(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    change: NewCase,
) -> Result<CaseUpdate, ErrorReport> {
    data_folder.with(|folder| folder.update_case(&case_id, change))
}

// ── the 未分类 tray (`intake add --unsorted`, `intake tray`, `intake assign`) ──
// Files go into the tray through `add_files` with the tray's key (`tray::UNSORTED_MATERIAL`):
// the same import, the same progress events.

/// The case's 未分类 tray, each file with the material the core suggests for it.
#[tauri::command(rename_all = "snake_case")]
pub async fn unsorted_tray(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
) -> Result<UnsortedTray, ErrorReport> {
    data_folder.with(|folder| folder.unsorted_tray(&case_id))
}

/// Assigns files of the tray (one or a multi-selection) to a material; each gets its checks.
#[tauri::command(rename_all = "snake_case")]
pub async fn assign_unsorted_files(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_ids: Vec<i64>,
    material: String,
) -> Result<Vec<AssignOutcome>, ErrorReport> {
    data_folder.with(|folder| folder.assign_unsorted_files(&case_id, &evidence_ids, &material))
}

/// Withdraws files of the tray that do not belong to the case (撤回, one reason for all).
#[tauri::command(rename_all = "snake_case")]
pub async fn withdraw_unsorted_files(
    data_folder: State<'_, SharedDataFolder>,
    case_id: String,
    evidence_ids: Vec<i64>,
    reason: String,
) -> Result<Vec<WithdrawnFile>, ErrorReport> {
    data_folder.with(|folder| folder.withdraw_unsorted_files(&case_id, &evidence_ids, &reason))
}
