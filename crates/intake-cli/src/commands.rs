//! One function per subcommand: parse nothing, call the core once, shape the report.

use std::fmt::Write as _;
use std::path::PathBuf;

use intake_core::case::Case;
use intake_core::checklist::Severity;
use intake_core::file_names::visible_text;
use intake_core::{DataFolder, FileStatus, Result};
use serde_json::json;

use crate::attributes::{CaseAttributeArgs, VisitArgs};
use crate::checklist_commands::RulesArg;
use crate::output::{EXIT_BAD_INPUT, Outcome, Report};
use crate::progress::Progress;

fn open_folder(home: Option<PathBuf>) -> Result<DataFolder> {
    crate::passphrase::open_data_folder(home)
}

/// `intake case new`
pub fn case_new(home: Option<PathBuf>, attributes: CaseAttributeArgs, visit: VisitArgs, _json: bool) -> Outcome {
    let new_case = visit.to_new_case(attributes.to_attributes())?;
    let mut folder = open_folder(home)?;
    let case = folder.create_case(new_case)?;
    let text = format!("已创建案件 Case created: {}\n", case.id);
    Ok(Report::ok(serde_json::to_value(&case).expect("cases serialise"), text))
}

/// `intake case list`
pub fn case_list(home: Option<PathBuf>, _json: bool) -> Outcome {
    let folder = open_folder(home)?;
    let cases = folder.list_cases()?;
    let mut text = String::new();
    if cases.is_empty() {
        text.push_str("暂无案件 No cases yet. Open one with `intake case new`.\n");
    }
    for case in &cases {
        let visit = case.visit_date.map(|date| date.to_string()).unwrap_or_else(|| "—".into());
        let _ = writeln!(
            text,
            "{}  {}  {}  {}  考察 visit {}  {} 个文件 files",
            case.id,
            display_name(&case.merchant_name),
            case.merchant_type.label_zh(),
            case.edition.label_zh(),
            visit,
            case.file_count
        );
    }
    let mut report = Report::ok(json!({ "cases": cases }), text);
    report.problems.extend(crate::passphrase::unencrypted_warning(&folder));
    Ok(report)
}

/// `intake case show`
pub fn case_show(home: Option<PathBuf>, id: &str, _json: bool) -> Outcome {
    let folder = open_folder(home)?;
    let case = folder.case(id)?;
    let evidence = folder.case_evidence(id)?;
    let mut text = describe_case(&case);
    let _ = writeln!(text, "文件 Files: {}", evidence.len());
    for record in &evidence {
        let _ = writeln!(
            text,
            "  {:<28} {}  {}  {} bytes  {}",
            record.material_key,
            &record.sha256[..12],
            record.original_name,
            record.bytes,
            record.media_type
        );
    }
    // Withdrawn files and notes: kept, and listed, so what was taken back stays visible.
    let withdrawn = folder.withdrawn_files(id)?;
    if !withdrawn.is_empty() {
        let _ = writeln!(text, "已撤回 Withdrawn: {}", withdrawn.len());
        for file in &withdrawn {
            let record = &file.evidence;
            let _ = writeln!(
                text,
                "  {:<28} {}  {}  — {}",
                record.material_key,
                &record.sha256[..12],
                record.original_name,
                file.reason
            );
        }
    }
    let notes = folder.case_notes(id)?;
    for note in &notes {
        let about = note.file_name.as_deref().unwrap_or("案件 case");
        let _ = writeln!(text, "备注 Note ({about}, {}): {}", note.written_by, note.text);
    }
    let mut body = serde_json::to_value(&case).expect("cases serialise");
    body["evidence"] = serde_json::to_value(&evidence).expect("evidence serialises");
    body["withdrawn"] = serde_json::to_value(&withdrawn).expect("withdrawn files serialise");
    body["notes"] = serde_json::to_value(&notes).expect("notes serialise");
    Ok(Report::ok(body, text))
}

/// `intake add`
pub fn add(
    home: Option<PathBuf>,
    rules: &RulesArg,
    case_id: &str,
    material: &str,
    files: &[PathBuf],
    read_documents: bool,
    json: bool,
) -> Outcome {
    let mut folder = crate::checklist_commands::open_folder(home, rules)?;
    let mut text = String::new();
    // On a terminal a long import shows a progress bar (on stderr, so stdout stays the
    // report); the report itself lists the files at the end.
    let progress = Progress::new(files.len(), json);
    let outcomes = folder.add_files(case_id, material, files, |outcome| progress.file_done(&outcome.path));
    progress.finish();
    let outcomes = outcomes?;
    // What the checks found on these files, file-level and case-level, as `check` has it: the
    // manager at the premises learns at once that a photo is unreadable or taken elsewhere,
    // not at the next `check`. A check that fails says so and the import stands.
    let check = match folder.check_case(case_id) {
        Ok(check) => Some(check),
        Err(error) => {
            let _ = writeln!(text, "(未能检查 could not check the case: {})", error.message());
            None
        }
    };
    let mut findings = Vec::new();
    for outcome in &outcomes {
        if let Some(evidence) = &outcome.evidence {
            let verb = match outcome.status {
                FileStatus::Added => "已添加 added",
                _ => "已存在,未重复添加 already present, nothing changed",
            };
            let _ = writeln!(text, "{verb}: {} ({}…)", visible_text(&outcome.path), &evidence.sha256[..16]);
            let of_this_file = check
                .iter()
                .flat_map(|check| &check.findings)
                .filter(|finding| finding.sha256 == evidence.sha256 && finding.material == evidence.material_key);
            for finding in of_this_file {
                let mark = match finding.severity {
                    Severity::Error => "✗",
                    Severity::Warning => "⚠",
                };
                let _ = writeln!(text, "  {mark} {} {}", finding.code, finding.message);
                findings.push(finding.clone());
            }
        }
    }
    let problems: Vec<String> =
        outcomes.iter().filter_map(|outcome| outcome.error.as_ref().map(|error| error.message.clone())).collect();
    let added = outcomes.iter().filter(|outcome| outcome.status == FileStatus::Added).count();
    let with_errors = outcomes
        .iter()
        .filter_map(|outcome| outcome.evidence.as_ref())
        .filter(|evidence| {
            findings.iter().any(|finding| finding.sha256 == evidence.sha256 && finding.severity == Severity::Error)
        })
        .count();
    let _ = write!(text, "{added} 个文件已添加 added, {} 个失败 failed", problems.len());
    if with_errors > 0 {
        let _ = write!(text, ", {with_errors} 个有错误须处理 with errors to resolve (intake check)");
    }
    text.push('\n');
    let exit = if problems.is_empty() { 0 } else { EXIT_BAD_INPUT };
    let mut body = json!({ "case_id": case_id, "material": material, "files": outcomes, "findings": findings });
    let mut problems = problems;
    // The documents just added are read after the import, which they never fail: a document
    // that cannot be read is a warning on stderr (and `document_not_read` at `check`).
    if read_documents && !intake_core::documents::kinds_read_for(material).is_empty() {
        let ids: Vec<i64> = outcomes
            .iter()
            .filter(|outcome| outcome.status == FileStatus::Added)
            .filter_map(|outcome| outcome.evidence.as_ref().map(|evidence| evidence.id))
            .collect();
        let which = intake_core::documents::WhichDocuments::Only(ids);
        match folder.read_documents(case_id, which, |_| {}) {
            Ok(read) => {
                text.push_str(&crate::read_command::describe_outcomes(&read));
                problems.extend(read.iter().filter_map(|outcome| outcome.problem.clone()));
                body["documents_read"] = json!(read);
            }
            Err(error) => {
                problems.push(format!("the documents were added but not read: {}", error.message()));
            }
        }
    }
    Ok(Report { json: body, text, problems, exit })
}

fn display_name(name: &str) -> &str {
    if name.is_empty() { "(未填商户名称 no name)" } else { name }
}

fn describe_case(case: &Case) -> String {
    let attributes = &case.attributes;
    let mut text = String::new();
    let _ = writeln!(text, "案件 Case {}", case.id);
    let _ = writeln!(text, "商户名称 Merchant: {}", display_name(&case.merchant_name));
    let _ =
        writeln!(text, "商户类型 Type: {} ({})", attributes.merchant_type.label_zh(), attributes.merchant_type.key());
    let _ = writeln!(text, "产品版本 Edition: {} ({})", attributes.edition.label_zh(), attributes.edition.key());
    let channels: Vec<&str> = attributes.channels.iter().map(|channel| channel.label_zh()).collect();
    let _ = writeln!(text, "业务场景 Channels: {}", if channels.is_empty() { "—".into() } else { channels.join("、") });
    let flags = [
        ("开通支付产品 opens_payment", attributes.opens_payment),
        ("开通账户产品 opens_account", attributes.opens_account),
        ("收银宝 syb", attributes.syb),
        ("收银宝收付通 syb_sft", attributes.syb_sft),
        ("代付/收托抵用 payout_or_custody", attributes.payout_or_custody),
        ("需行业资质 regulated_industry", attributes.regulated_industry),
        ("异地 remote_visit", attributes.remote_visit),
        ("品牌/加盟 chain_or_franchise", attributes.chain_or_franchise),
    ];
    let on: Vec<&str> = flags.iter().filter(|(_, value)| *value).map(|(label, _)| *label).collect();
    let _ = writeln!(text, "选项 Flags: {}", if on.is_empty() { "—".into() } else { on.join(", ") });
    let requests: Vec<&str> = attributes.nonstandard.iter().map(|request| request.label_zh()).collect();
    let _ =
        writeln!(text, "非标申请 Non-standard: {}", if requests.is_empty() { "—".into() } else { requests.join("、") });
    if attributes.nonstandard.contains(&intake_core::case::NonstandardRequest::FundConsolidation) {
        let answer = match attributes.parent_child_same_entity {
            Some(true) => "是 yes",
            Some(false) => "否 no",
            None => "尚未确认 unanswered",
        };
        let _ = writeln!(text, "父子商户同主体 parent_child_same_entity: {answer}");
    }
    let visit = case.visit_date.map(|date| date.to_string()).unwrap_or_else(|| "—".into());
    let _ = writeln!(text, "考察日期 Visit date: {visit}");
    match case.site {
        Some(site) => {
            let _ = writeln!(
                text,
                "经营场所 Premises: {:.6}, {:.6} ({}), 半径 radius {}",
                site.lat,
                site.lon,
                site.datum.key(),
                match site.radius_m {
                    Some(radius_m) => format!("{radius_m} m"),
                    None => "按本机阈值 the installation's site_radius_m".to_string(),
                }
            );
        }
        None => {
            let _ = writeln!(text, "经营场所 Premises: —");
        }
    }
    text
}
