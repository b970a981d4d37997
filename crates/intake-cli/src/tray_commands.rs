//! The 未分类 tray on the command line: `intake add --unsorted` (files or whole folders),
//! `intake tray` (what waits, with the core's suggestion for each), `intake assign` (a file or
//! several to one material). Each calls one core function (`intake_core::tray`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use intake_core::data_folder::files_in_folder;
use intake_core::tray::UNSORTED_MATERIAL;
use intake_core::{ErrorReport, Result};
use serde_json::json;

use crate::checklist_commands::{RulesArg, open_folder};
use crate::output::{Outcome, Report};

/// The files to import into the tray: each folder given stands for every file in it and its
/// subfolders (a phone's DCIM folder copied whole), hidden ones left out.
pub fn expand_folders(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() { files.extend(files_in_folder(path)?) } else { files.push(path.clone()) }
    }
    Ok(files)
}

/// `intake tray`
#[derive(Debug, Clone, Args)]
pub struct TrayArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// `intake assign`
#[derive(Debug, Clone, Args)]
pub struct AssignArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    /// The material key they belong under, e.g. storefront_photo.
    #[arg(long, value_name = "MATERIAL")]
    pub to: String,
    /// Files of the tray: original names or SHA-256s (at least 6 leading hex digits).
    #[arg(required = true, value_name = "SHA256|NAME")]
    pub files: Vec<String>,
    /// Do not read the documents assigned (营业执照, 法人身份证, GPS 定位截图 are read, as by `add`).
    #[arg(long)]
    pub no_read: bool,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// `intake tray`: the files waiting in a case's tray, each with its kind and suggestion.
pub fn tray(home: Option<PathBuf>, args: TrayArgs) -> Outcome {
    let folder = open_folder(home, &args.rules)?;
    let tray = folder.unsorted_tray(&args.case_id)?;
    let mut text = String::new();
    let _ = writeln!(text, "未分类 Unsorted: {} 个文件 file(s)", tray.files.len());
    for file in &tray.files {
        let kind = file.kind.map(|kind| format!("{kind:?}")).unwrap_or_else(|| "?".into());
        let suggestion = match (&file.suggested_material, file.already_in.first()) {
            (_, Some(already)) => format!("已在 already in {already}"),
            (Some(material), None) => format!("建议 suggested: {material}"),
            (None, None) => "无建议 no suggestion".into(),
        };
        let _ = writeln!(
            text,
            "  {} ({}…) {kind} — {suggestion}",
            file.evidence.original_name,
            &file.evidence.sha256[..12]
        );
    }
    let exit = 0;
    Ok(Report { json: serde_json::to_value(&tray).expect("the tray serialises"), text, problems: Vec::new(), exit })
}

/// `intake assign`: files of the tray go to a material and get its checks; documents are read
/// as after `add`.
pub fn assign(home: Option<PathBuf>, args: AssignArgs, json: bool) -> Outcome {
    let _ = json;
    let mut folder = open_folder(home, &args.rules)?;
    let ids = args
        .files
        .iter()
        .map(|file| folder.find_unsorted_file(&args.case_id, file).map(|record| record.id))
        .collect::<Result<Vec<i64>>>()?;
    let outcomes = folder.assign_unsorted_files(&args.case_id, &ids, &args.to)?;
    let mut text = String::new();
    let mut problems: Vec<String> = Vec::new();
    for outcome in &outcomes {
        match (&outcome.evidence, &outcome.error) {
            (Some(evidence), _) => {
                let _ = writeln!(text, "已分配 Assigned: {} → {}", evidence.original_name, evidence.material_key);
                for finding in &outcome.findings {
                    let _ = writeln!(text, "  {}: {}", finding.code, finding.message);
                }
            }
            (None, Some(ErrorReport { message, .. })) => problems.push(message.clone()),
            (None, None) => {}
        }
    }
    let mut body =
        json!({ "case_id": args.case_id, "material": args.to, "files": outcomes, "from": UNSORTED_MATERIAL });
    if !args.no_read && !intake_core::documents::kinds_read_for(&args.to).is_empty() {
        let assigned: Vec<i64> =
            outcomes.iter().filter_map(|outcome| outcome.evidence.as_ref().map(|evidence| evidence.id)).collect();
        let which = intake_core::documents::WhichDocuments::Only(assigned);
        match folder.read_documents(&args.case_id, which, |_| {}) {
            Ok(read) => {
                text.push_str(&crate::read_command::describe_outcomes(&read));
                problems.extend(read.iter().filter_map(|outcome| outcome.problem.clone()));
                body["documents_read"] = json!(read);
            }
            Err(error) => problems.push(format!("the documents were assigned but not read: {}", error.message())),
        }
    }
    let exit = if outcomes.iter().any(|outcome| outcome.error.is_some()) { crate::output::EXIT_BAD_INPUT } else { 0 };
    Ok(Report { json: body, text, problems, exit })
}
