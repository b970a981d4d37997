//! `intake audit --case ID`: a case's audit chain, printed and checked (exit 1 when broken).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use intake_core::audit::AuditAction;
use intake_core::{DataFolder, Result};

use crate::output::{EXIT_BLOCKING, EXIT_OK, Outcome, Report};

/// `intake audit`
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
}

fn open_folder(home: Option<PathBuf>) -> Result<DataFolder> {
    let root = match home {
        Some(root) => root,
        None => DataFolder::default_path()?,
    };
    DataFolder::open(&root)
}

/// `intake audit`: every entry, then the verdict; exit 1 with one line per fault on stderr.
pub fn audit(home: Option<PathBuf>, args: AuditArgs) -> Outcome {
    let folder = open_folder(home)?;
    let report = folder.audit_case(&args.case_id)?;
    let mut text = String::new();
    let _ = writeln!(text, "案件 Case {}: {} 条审计记录 audit entries", report.case_id, report.entries.len());
    for entry in &report.entries {
        let label = AuditAction::from_key(&entry.action).map_or("?", AuditAction::label_zh);
        let details: Vec<String> = entry.details.iter().map(|(key, value)| format!("{key}={value}")).collect();
        let _ = writeln!(
            text,
            "  {:>4}  {}  {}  {} {}  {}  {}",
            entry.seq,
            entry.at,
            entry.manager,
            label,
            entry.action,
            details.join(" "),
            &entry.hash[..16.min(entry.hash.len())]
        );
    }
    if report.valid {
        let _ = writeln!(text, "审计链完好 Chain intact; head {}", report.head);
    } else {
        let _ = writeln!(text, "审计链已损坏 Chain BROKEN ({} faults):", report.faults.len());
        for fault in &report.faults {
            let _ = writeln!(text, "  - {}: {}", fault.code, fault.message);
        }
    }
    let problems =
        report.faults.iter().map(|fault| format!("{}: {}: {}", report.case_id, fault.code, fault.message)).collect();
    let exit = if report.valid { EXIT_OK } else { EXIT_BLOCKING };
    Ok(Report { json: serde_json::to_value(&report).expect("reports serialise"), text, problems, exit })
}
