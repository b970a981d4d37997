//! A [`VerifyReport`] as people read it: the text that `intake verify` and `intake-verify`
//! both print, so head office and the branch see the same words.

use std::fmt::Write as _;
use std::path::Path;

use crate::verify::VerifyReport;

/// "1 problem", "3 problems": how many a report found, for the one-line summaries.
pub fn problem_count(count: usize) -> String {
    if count == 1 { "1 problem".to_string() } else { format!("{count} problems") }
}

/// The report of `package`'s check, one line per fact and per problem.
pub fn report_text(report: &VerifyReport, package: &Path) -> String {
    let mut text = String::new();
    if report.valid {
        let _ = writeln!(text, "资料包完好 Package verified: {}", package.display());
    } else {
        let _ = writeln!(
            text,
            "资料包有问题 Package FAILED verification: {} ({})",
            package.display(),
            problem_count(report.problems.len())
        );
    }
    if let Some(case_id) = &report.case_id {
        let _ = writeln!(text, "  案件 Case: {case_id}");
    }
    let _ = writeln!(text, "  {} 个文件 payload files, {} bytes", report.payload_files, report.payload_bytes);
    if let Some(fingerprint) = &report.public_key_sha256 {
        let verdict = if report.signature_valid { "有效 valid" } else { "无效 NOT valid" };
        let _ = writeln!(text, "  签名 Signature: {verdict}; 公钥指纹 key SHA-256 {fingerprint}");
    }
    match &report.trusted_by {
        Some(anchor) => {
            let line = anchor.register_line.as_deref().map(|line| format!(": {line}")).unwrap_or_default();
            let _ = writeln!(text, "  可信公钥 Trusted key, from {}{line}", anchor.source);
        }
        None => {
            let _ = writeln!(text, "  公钥不可信 Signer NOT trusted");
        }
    }
    if let Some(previous) = &report.previous {
        let _ = writeln!(
            text,
            "  上一个资料包 Previous package: {} ({} audit entries, {})",
            previous.path,
            previous.audit_entries,
            if previous.valid { "完好 verified" } else { "有问题 FAILED" }
        );
    }
    for problem in &report.problems {
        let entry = problem.entry.as_deref().map(|entry| format!(" [{entry}]")).unwrap_or_default();
        let _ = writeln!(text, "  - {}{entry}: {}", problem.code, problem.message);
    }
    text
}
