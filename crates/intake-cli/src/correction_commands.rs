//! Correcting a case: `intake withdraw`, `restore`, `move`, `accept`, `note`. Each names a
//! file the way `intake attest` does (original name or SHA-256, optionally within one
//! material; a name that fits several files is refused, listing them) and calls one core
//! function; the rules (what may be accepted, what a reason must be) live in the core.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use intake_core::corrections::FileScope;
use intake_core::{DataFolder, Result};
use serde_json::json;

use crate::checklist_commands::{RulesArg, open_folder};
use crate::output::{Outcome, Report};

/// Which file of which case.
#[derive(Debug, Clone, Args)]
pub struct FileArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    /// The file: its original name, or its SHA-256 (at least 6 leading hex digits).
    #[arg(long, value_name = "SHA256|NAME")]
    pub file: String,
    /// Only look for the file under this material.
    #[arg(long, value_name = "KEY")]
    pub material: Option<String>,
    #[command(flatten)]
    pub rules: RulesArg,
}

impl FileArgs {
    fn find(&self, folder: &DataFolder, scope: FileScope) -> Result<intake_core::database::EvidenceRecord> {
        folder.find_file(&self.case_id, &self.file, self.material.as_deref(), scope)
    }
}

/// `intake withdraw`
#[derive(Debug, Clone, Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// Why the file is taken back (required), e.g. 拍错商户.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

/// `intake restore`
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub file: FileArgs,
}

/// `intake move`
#[derive(Debug, Clone, Args)]
pub struct MoveArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The material key it belongs under, e.g. business_premises_photo.
    #[arg(long, value_name = "MATERIAL")]
    pub to: String,
}

/// `intake accept`
#[derive(Debug, Clone, Args)]
pub struct AcceptArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The finding's code, e.g. outside_site_radius (`unreadable` cannot be accepted).
    #[arg(long, value_name = "CODE")]
    pub finding: String,
    /// Why it is acceptable (required), e.g. 商场地下一层,定位漂移.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

/// `intake note`
#[derive(Debug, Clone, Args)]
pub struct NoteArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    /// The file the note is about (original name or SHA-256); without it, the case.
    #[arg(long, value_name = "SHA256|NAME")]
    pub file: Option<String>,
    /// Only look for the file under this material.
    #[arg(long, value_name = "KEY", requires = "file")]
    pub material: Option<String>,
    /// The note, e.g. 法人不在场,以视频代替.
    #[arg(value_name = "TEXT")]
    pub text: String,
}

/// `intake withdraw`: the file stops counting; its bytes stay in the vault.
pub fn withdraw(home: Option<PathBuf>, args: WithdrawArgs) -> Outcome {
    let mut folder = open_folder(home, &args.file.rules)?;
    let record = args.file.find(&folder, FileScope::Counting)?;
    let withdrawn = folder.withdraw_file(&args.file.case_id, record.id, &args.reason)?;
    let text = format!(
        "已撤回 Withdrawn: {} [{}] ({}) — {}\n原件仍保留在本机 The original stays in the vault; 恢复 restore with `intake restore`.\n",
        withdrawn.evidence.original_name,
        withdrawn.evidence.material_key,
        &withdrawn.evidence.sha256[..12],
        withdrawn.reason
    );
    Ok(Report::ok(serde_json::to_value(&withdrawn).expect("records serialise"), text))
}

/// `intake restore`: a withdrawn file counts again.
pub fn restore(home: Option<PathBuf>, args: RestoreArgs) -> Outcome {
    let mut folder = open_folder(home, &args.file.rules)?;
    let record = args.file.find(&folder, FileScope::Withdrawn)?;
    let restored = folder.restore_file(&args.file.case_id, record.id)?;
    let text = format!("已恢复 Restored: {} [{}]\n", restored.original_name, restored.material_key);
    Ok(Report::ok(serde_json::to_value(&restored).expect("records serialise"), text))
}

/// `intake move`: the file goes to another material; its findings are derived for the new slot.
pub fn move_file(home: Option<PathBuf>, args: MoveArgs) -> Outcome {
    let mut folder = open_folder(home, &args.file.rules)?;
    let record = args.file.find(&folder, FileScope::Counting)?;
    let moved = folder.move_file(&args.file.case_id, record.id, &args.to)?;
    let mut text =
        format!("已移动 Moved: {} {} → {}\n", moved.evidence.original_name, moved.from, moved.evidence.material_key);
    if moved.findings.is_empty() {
        let _ = writeln!(text, "新位置无问题 No findings in the new slot");
    }
    for finding in &moved.findings {
        let _ = writeln!(text, "  {}: {}", finding.code, finding.message);
    }
    Ok(Report::ok(serde_json::to_value(&moved).expect("outcomes serialise"), text))
}

/// `intake accept`: the finding stays visible as accepted and no longer blocks.
pub fn accept(home: Option<PathBuf>, args: AcceptArgs) -> Outcome {
    let mut folder = open_folder(home, &args.file.rules)?;
    let record = args.file.find(&folder, FileScope::Counting)?;
    let accepted = folder.accept_finding(&args.file.case_id, record.id, &args.finding, &args.reason)?;
    let text = format!(
        "已接受 Accepted: {} on {} [{}] — {}\n",
        accepted.code, record.original_name, accepted.material, accepted.reason
    );
    Ok(Report::ok(serde_json::to_value(&accepted).expect("records serialise"), text))
}

/// `intake note`: a note on the case or on one of its files.
pub fn note(home: Option<PathBuf>, args: NoteArgs) -> Outcome {
    let mut folder = open_folder(home, &RulesArg { rules: None })?;
    let evidence_id = match &args.file {
        Some(file) => Some(folder.find_file(&args.case_id, file, args.material.as_deref(), FileScope::Any)?.id),
        None => None,
    };
    let note = folder.add_note(&args.case_id, evidence_id, &args.text)?;
    let about = note.file_name.as_deref().map_or("案件 case".to_string(), |name| format!("文件 file {name}"));
    let text = format!("已记录备注 Note added ({about}): {}\n", note.text);
    Ok(Report::ok(json!(note), text))
}
