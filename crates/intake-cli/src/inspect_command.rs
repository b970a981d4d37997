//! `intake inspect FILE...`: the facts and file-level findings of each file, no case needed.

use std::fmt::Write as _;
use std::path::PathBuf;

use intake_core::encryption::EncryptionState;
use intake_core::evidence::report::FileInspection;
use intake_core::evidence::{self, InspectReport, PixelChecks, Severity, Thresholds};
use intake_core::{DataFolder, Error, ErrorKind};

use crate::output::{EXIT_BAD_INPUT, EXIT_BLOCKING, EXIT_OK, Outcome, Report};
use crate::progress::Progress;

/// Printed after `intake inspect --help`.
pub const AFTER_HELP: &str = "\
Every file is inspected even when others cannot be read. Exit status: 0 when no file has a
finding of severity `error`; 1 when any file is unreadable (missing, damaged, not an image or
video, over the size limits) or has another error finding (future_timestamp); 2 for bad usage
or a thresholds file that cannot be read.

退出状态:0 没有任何严重问题;1 有文件无法读取或有其他严重问题;2 用法错误。";

/// The flags of `intake inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The files to inspect: photos, scans, screenshots, videos.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// A JSON file with thresholds to change (any subset of the fields; the others keep the
    /// data folder's, with --home or INTAKE_HOME, else their defaults), e.g.
    /// {"min_long_side_px": 1000, "min_mean_luminance": 30}.
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,

    /// Read headers and metadata only, without decoding pixels (as ExifTool does): several
    /// times faster, for a first look at a whole phone folder. `too_dark` and `blurry` are then
    /// not checked, and damage inside the image data goes unnoticed.
    #[arg(long)]
    pub no_pixel_checks: bool,
}

/// `intake inspect`
pub fn inspect(home: Option<PathBuf>, args: InspectArgs, json: bool) -> Outcome {
    // With a data folder named, its installation's thresholds (settings.json only: no need to
    // open or even create an unencrypted folder; an encrypted one seals its settings, so it is
    // unlocked like for any other command); else the defaults.
    let base = match &home {
        Some(root) if DataFolder::encryption_state(root) == EncryptionState::Unencrypted => {
            intake_core::settings::Settings::load(root)?.thresholds
        }
        Some(_) => crate::passphrase::open_data_folder(home.clone())?.settings()?.thresholds,
        None => Thresholds::default(),
    };
    let thresholds = match &args.thresholds {
        Some(path) => thresholds_from_file(&base, path)?,
        None => base,
    };
    // On all cores, in the order given; a progress bar on a terminal.
    let progress = Progress::new(args.files.len(), json);
    let pixel_checks = if args.no_pixel_checks { PixelChecks::Skip } else { PixelChecks::Run };
    let inspector = evidence::Inspector::new(&thresholds).with_pixel_checks(pixel_checks);
    let files = inspector.files(&args.files, |file| progress.file_done(&file.path));
    progress.finish();

    let mut text = String::new();
    let mut problems = Vec::new();
    for file in &files {
        describe(file, &mut text);
        if let Some(error) = &file.error {
            problems.push(format!("{}: {error}", file.path));
        }
    }
    // interfaces.md: 2 for input that could not be read at all (missing, a folder, no
    // permission: no bytes, so no hash); 1 when files were read and a check found an error
    // (a damaged file is read and judged `unreadable`).
    let exit = if files.iter().any(|file| file.sha256.is_none()) {
        EXIT_BAD_INPUT
    } else if files.iter().any(FileInspection::has_errors) {
        EXIT_BLOCKING
    } else {
        EXIT_OK
    };
    let report = InspectReport { files };
    Ok(Report { json: serde_json::to_value(&report).expect("inspections serialise"), text, problems, exit })
}

/// `base` with the thresholds a JSON file names set; the error names the file and the field.
pub(crate) fn thresholds_from_file(base: &Thresholds, path: &std::path::Path) -> Result<Thresholds, Error> {
    let bytes = intake_core::evidence::user_file::read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::for_file(intake_core::ErrorKind::InvalidInput, path, "is not UTF-8 text"))?;
    let not_valid = |reason: String| {
        Error::for_file(ErrorKind::InvalidInput, path, format!("is not a valid thresholds file ({reason})"))
    };
    // Edited by hand, perhaps in Notepad: its BOM is not an error (serde_json refuses one).
    let text = intake_core::user_text::normalized(&text);
    let fields: serde_json::Value = serde_json::from_str(&text).map_err(|err| not_valid(err.to_string()))?;
    base.overlaid(&fields).map_err(|problem| not_valid(problem.to_string()))
}

/// A few lines per file for people.
fn describe(file: &FileInspection, text: &mut String) {
    let size = match (file.width, file.height) {
        (Some(width), Some(height)) => format!("{width}×{height}"),
        _ => "—".into(),
    };
    let _ = writeln!(
        text,
        "{}  {}  {}  {}",
        file.path,
        file.media_type.as_deref().unwrap_or("—"),
        size,
        file.sha256.as_deref().map(|sha| &sha[..12]).unwrap_or("—")
    );
    if let Some(exif) = &file.exif {
        let mut facts = Vec::new();
        let camera = [exif.make.as_deref(), exif.model.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        if !camera.is_empty() {
            facts.push(camera);
        }
        if let Some(software) = &exif.software {
            facts.push(format!("软件 software {software}"));
        }
        match (&exif.datetime_original, &exif.capture_offset) {
            (Some(local), Some(offset)) => facts.push(format!("拍摄 taken {} ({offset})", local.replace('T', " "))),
            (None, _) if exif.datetime_original_raw.is_some() => facts.push("拍摄时间无效 invalid capture time".into()),
            _ => {}
        }
        if let Some(gps) = &exif.gps {
            let mut position = format!("GPS {:.6}, {:.6}", gps.lat, gps.lon);
            if let Some(error) = gps.h_error_m {
                let _ = write!(position, " ±{error:.0} m");
            }
            facts.push(position);
        }
        if !facts.is_empty() {
            let _ = writeln!(text, "  {}", facts.join(" · "));
        }
    }
    if file.findings.is_empty() {
        let _ = writeln!(text, "  无问题 No findings.");
    }
    for finding in &file.findings {
        let mark = match finding.severity {
            Severity::Error => "✗",
            Severity::Warning => "⚠",
        };
        let _ = writeln!(text, "  {mark} {} {}", finding.code.key(), finding.message);
    }
    for skipped in &file.skipped_checks {
        let _ = writeln!(text, "  – {} 未检查 not checked: {}", skipped.code.key(), skipped.reason);
    }
}
