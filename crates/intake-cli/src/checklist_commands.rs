//! The checklist's commands: `checklist`, `check`, `attest`, `case set`, `case update`.
//!
//! Each parses its flags, calls the core and shapes the report; the rules about which
//! material applies live in the rule file, never here.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use intake_core::case::{
    Case, CaseAttributes, Channel, Datum, Edition, MerchantType, NewCase, NonstandardRequest, Site, parse_date,
};
use intake_core::checklist::{
    CaseCheck, CheckedItem, Checklist, ChecklistItem, FieldStatus, ItemStatus, Mark, Rules, Severity,
};
use intake_core::{DataFolder, Error, ErrorKind, Result};
use serde_json::json;

use crate::attributes::CaseAttributeArgs;
use crate::output::{EXIT_BAD_INPUT, EXIT_BLOCKING, EXIT_OK, Outcome, Report};

/// Where the checklist rules come from.
#[derive(Debug, Clone, Args)]
pub struct RulesArg {
    /// A checklist rule file to use instead of the built-in one (assets/checklist/rules.toml).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

impl RulesArg {
    fn load(&self) -> Result<Arc<Rules>> {
        match &self.rules {
            Some(path) => Rules::load(path).map(Arc::new),
            None => Rules::embedded(),
        }
    }
}

/// `intake checklist`
#[derive(Debug, Clone, Args)]
pub struct ChecklistArgs {
    #[command(flatten)]
    pub attributes: CaseAttributeArgs,
    /// An option of a choice field, as if recorded, e.g. legal_rep_id_type=passport
    /// (repeatable): a material's variant may depend on it.
    #[arg(long = "choice", value_name = "KEY=VALUE")]
    pub choices: Vec<String>,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// `intake check`
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// `intake attest`
#[derive(Debug, Clone, Args)]
pub struct AttestArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    /// The file: its original name, or its SHA-256 (at least 6 leading hex digits).
    #[arg(long, value_name = "NAME_OR_SHA256")]
    pub file: String,
    /// Only look for the file under this material.
    #[arg(long, value_name = "KEY")]
    pub material: Option<String>,
    /// Every mark seen on the file, comma-separated: customer_stamp, branch_stamp,
    /// both_parties, manager_signature, manager_holding_id, both_sides (a copy of both sides of an
    /// ID card on one page, which counts for two files); `none` withdraws them.
    #[arg(long, visible_alias = "stamps", value_name = "LIST")]
    pub marks: String,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// `intake case set`
#[derive(Debug, Clone, Args)]
pub struct CaseSetArgs {
    /// The case id.
    pub id: String,
    /// A field and its value, e.g. legal_rep_id_number=11010519491231002X (repeatable).
    #[arg(long = "field", value_name = "KEY=VALUE")]
    pub fields: Vec<String>,
    /// Remove the value of a field (repeatable).
    #[arg(long = "clear", value_name = "KEY")]
    pub clear: Vec<String>,
    /// Record a value despite a warning (a USCC that fails its check but is registered so).
    #[arg(long, value_name = "TEXT")]
    pub override_reason: Option<String>,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// `intake case update`: only the flags given change; every attribute of `case new` may.
#[derive(Debug, Clone, Args)]
pub struct CaseUpdateArgs {
    /// The case id.
    pub id: String,
    /// The merchant's name as on its licence.
    #[arg(long)]
    pub merchant_name: Option<String>,
    /// The day of the site visit, YYYY-MM-DD; `none` to clear it.
    #[arg(long, value_name = "DATE")]
    pub visit_date: Option<String>,
    /// Latitude of the premises, decimal degrees (with --site-lon).
    #[arg(long, allow_hyphen_values = true, requires = "site_lon")]
    pub site_lat: Option<f64>,
    /// Longitude of the premises, decimal degrees (with --site-lat).
    #[arg(long, allow_hyphen_values = true, requires = "site_lat")]
    pub site_lon: Option<f64>,
    /// The datum of the premises' position: wgs84 (GPS), gcj02 (Amap, Tencent) or bd09 (Baidu).
    #[arg(long, value_parser = parse_key::<Datum>)]
    pub site_crs: Option<Datum>,
    /// The case's own radius in metres; `none` to follow the installation's site_radius_m.
    #[arg(long, value_name = "METRES|none")]
    pub site_radius_m: Option<String>,
    /// Remove the premises' position.
    #[arg(long, conflicts_with_all = ["site_lat", "site_lon", "site_crs", "site_radius_m"])]
    pub clear_site: bool,
    /// enterprise | individual_business | individual | public_institution
    #[arg(long, value_parser = parse_key::<MerchantType>)]
    pub merchant_type: Option<MerchantType>,
    /// Comma-separated: offline, online_website, online_app; `none` for no channel.
    #[arg(long, value_name = "LIST")]
    pub channels: Option<String>,
    /// ka | jinxiaoman | liansuotong | shangying_edu | shangying_community
    #[arg(long, value_parser = parse_key::<Edition>)]
    pub edition: Option<Edition>,
    /// Opens payment products (开通支付产品).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub opens_payment: Option<bool>,
    /// Opens account products (开通账户产品).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub opens_account: Option<bool>,
    /// Opens 收银宝.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub syb: Option<bool>,
    /// Opens 收银宝收付通.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub syb_sft: Option<bool>,
    /// Online business with 代付 or 收托抵用.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub payout_or_custody: Option<bool>,
    /// The industry needs a qualification licence.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub regulated_industry: Option<bool>,
    /// The premises are outside the branch's area (异地).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub remote_visit: Option<bool>,
    /// Split settlement rests on a brand or franchise relationship.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub chain_or_franchise: Option<bool>,
    /// Comma-separated: fund_consolidation, monthly_fee, same_entity_whitelist,
    /// miniprogram_checkout; `none` for no request.
    #[arg(long, value_name = "LIST")]
    pub nonstandard: Option<String>,
    /// For fund_consolidation: parent and child merchants are the same legal entity: yes, no
    /// or unanswered. Bare, it means yes.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "yes",
          value_name = "yes|no|unanswered", value_parser = crate::attributes::parse_answer)]
    pub parent_child_same_entity: Option<crate::attributes::Answer>,
    #[command(flatten)]
    pub rules: RulesArg,
}

impl CaseUpdateArgs {
    /// The case's visit data with the flags given applied.
    fn apply_visit(&self, current: &Case) -> Result<NewCase> {
        let mut next = NewCase {
            merchant_name: current.merchant_name.clone(),
            attributes: current.attributes.clone(),
            visit_date: current.visit_date,
            site: current.site,
        };
        if let Some(name) = &self.merchant_name {
            next.merchant_name = name.clone();
        }
        if let Some(date) = &self.visit_date {
            next.visit_date = if date.trim() == "none" { None } else { Some(parse_date("--visit-date", date.trim())?) };
        }
        if self.clear_site {
            next.site = None;
        }
        if let (Some(lat), Some(lon)) = (self.site_lat, self.site_lon) {
            let (datum, radius_m) = next.site.map_or((Datum::Wgs84, None), |site| (site.datum, site.radius_m));
            next.site = Some(Site { lat, lon, datum, radius_m });
        }
        if self.site_crs.is_some() || self.site_radius_m.is_some() {
            let Some(site) = next.site.as_mut() else {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    "--site-crs and --site-radius-m need a premises position: give --site-lat and --site-lon",
                ));
            };
            if let Some(datum) = self.site_crs {
                site.datum = datum;
            }
            if let Some(radius) = &self.site_radius_m {
                site.radius_m = match radius.trim() {
                    "none" => None,
                    text => Some(text.parse::<f64>().map_err(|_| {
                        Error::new(
                            ErrorKind::InvalidInput,
                            format!("--site-radius-m '{text}' is not a number of metres or none"),
                        )
                    })?),
                };
            }
        }
        Ok(next)
    }

    /// `current` with the flags given applied.
    fn apply(&self, current: CaseAttributes) -> Result<CaseAttributes> {
        let mut next = current;
        let set = |target: &mut bool, value: Option<bool>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        if let Some(merchant_type) = self.merchant_type {
            next.merchant_type = merchant_type;
        }
        if let Some(edition) = self.edition {
            next.edition = edition;
        }
        if let Some(list) = &self.channels {
            next.channels = parse_list::<Channel>("--channels", list)?;
        }
        if let Some(list) = &self.nonstandard {
            next.nonstandard = parse_list::<NonstandardRequest>("--nonstandard", list)?;
        }
        set(&mut next.opens_payment, self.opens_payment);
        set(&mut next.opens_account, self.opens_account);
        set(&mut next.syb, self.syb);
        set(&mut next.syb_sft, self.syb_sft);
        set(&mut next.payout_or_custody, self.payout_or_custody);
        set(&mut next.regulated_industry, self.regulated_industry);
        set(&mut next.remote_visit, self.remote_visit);
        set(&mut next.chain_or_franchise, self.chain_or_franchise);
        if let Some(answer) = self.parent_child_same_entity {
            next.parent_child_same_entity = answer.0;
        }
        Ok(next.normalized())
    }
}

fn parse_key<T: std::str::FromStr<Err = Error>>(text: &str) -> std::result::Result<T, String> {
    text.parse().map_err(|err: Error| err.message().to_string())
}

/// A comma-separated list of keys; empty or `none` for the empty set.
fn parse_list<T: std::str::FromStr<Err = Error>>(flag: &str, text: &str) -> Result<Vec<T>> {
    let text = text.trim();
    if text.is_empty() || text == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            part.trim()
                .parse::<T>()
                .map_err(|err| Error::new(ErrorKind::InvalidInput, format!("{flag}: {}", err.message())))
        })
        .collect()
}

pub(crate) fn open_folder(home: Option<PathBuf>, rules: &RulesArg) -> Result<DataFolder> {
    let mut folder = crate::passphrase::open_data_folder(home)?;
    if rules.rules.is_some() {
        folder.set_rules(rules.load()?);
    }
    Ok(folder)
}

// ── intake checklist ─────────────────────────────────────────────────────────────────────

/// `intake checklist`: the checklist of a case described by flags; no data folder.
pub fn checklist(args: ChecklistArgs) -> Outcome {
    let rules = args.rules.load()?;
    let attributes = args.attributes.to_attributes();
    // A contradictory case has no checklist: refused as `case new` refuses it.
    attributes.check_consistent()?;
    let chosen = args
        .choices
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
                .ok_or_else(|| Error::new(ErrorKind::InvalidInput, format!("--choice '{pair}' must be KEY=VALUE")))
        })
        .collect::<Result<Vec<_>>>()?;
    let checklist = rules.checklist_choosing(&attributes, &chosen)?;
    let text = checklist_text(&checklist);
    Ok(Report::ok(serde_json::to_value(&checklist).expect("checklists serialise"), text))
}

fn item_line(item: &ChecklistItem) -> String {
    let mut line = format!("{} {}", item.title_zh, item.title_en);
    let _ = write!(line, " [{}]", item.key);
    if item.min_files > 1 {
        let _ = write!(line, " ×{}", item.min_files);
    }
    if !item.attestations.is_empty() {
        let marks: Vec<&str> = item.attestations.iter().map(|mark| mark.label_zh()).collect();
        let _ = write!(line, " · 需确认 attest: {}", marks.join("、"));
    }
    if let Some(target) = &item.alternative_to {
        let _ = write!(line, " · 可代替 may stand in for {target}");
    }
    line
}

fn checklist_text(checklist: &Checklist) -> String {
    let mut text = String::new();
    let required = checklist.items.iter().filter(|item| item.required).count();
    let _ =
        writeln!(text, "材料清单 Checklist (规则版本 rules v{}): {required} 项必需 required", checklist.rules_version);
    for group in checklist.groups.iter().filter(|group| group.applicable) {
        let items: Vec<&ChecklistItem> =
            checklist.items.iter().filter(|item| item.group == group.key && item.applicable).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(text, "\n{} {}", group.title_zh, group.title_en);
        for item in items {
            let tag = if item.required { "必需 required" } else { "可选 optional" };
            let _ = writeln!(text, "  [{tag}] {} · {}", item.stage.label_zh(), item_line(item));
        }
    }
    let fields: Vec<String> = checklist
        .fields
        .iter()
        .filter(|field| field.applicable)
        .map(|field| format!("{} {} [{}]", field.title_zh, field.title_en, field.key))
        .collect();
    if !fields.is_empty() {
        let _ = writeln!(text, "\n需登记的信息 Data to record");
        for field in fields {
            let _ = writeln!(text, "  {field}");
        }
    }
    let not_applicable: Vec<&str> =
        checklist.items.iter().filter(|item| !item.applicable).map(|item| item.key.as_str()).collect();
    if !not_applicable.is_empty() {
        let _ = writeln!(text, "\n不适用 Not applicable: {}", not_applicable.join(", "));
    }
    text
}

// ── intake check ─────────────────────────────────────────────────────────────────────────

/// `intake check`: the case against its checklist; exit 1 while something blocks.
pub fn check(home: Option<PathBuf>, args: CheckArgs) -> Outcome {
    let folder = open_folder(home, &args.rules)?;
    let check = folder.check_case(&args.case_id)?;
    let text = check_text(&check);
    let exit = if check.blocking { EXIT_BLOCKING } else { EXIT_OK };
    let problems = crate::passphrase::unencrypted_warning(&folder).into_iter().collect();
    Ok(Report { json: serde_json::to_value(&check).expect("checks serialise"), text, problems, exit })
}

fn status_label(status: ItemStatus) -> String {
    format!("{} {}", status.label_zh(), status.key())
}

fn checked_item_line(item: &CheckedItem) -> String {
    let mut line = format!(
        "  [{}] {} {} [{}] ({}/{})",
        status_label(item.status),
        item.item.title_zh,
        item.item.title_en,
        item.item.key,
        item.files_counted,
        item.item.min_files
    );
    if let Some(by) = &item.satisfied_by {
        if item.to_follow {
            let _ = write!(line, " · 暂以视频代替 ({by}),待补 the video stands in for now, the photo is to follow");
        } else {
            let _ = write!(line, " · 由 {by} 满足 satisfied by {by}");
        }
    }
    if item.due_at_golive {
        line.push_str(" · 上线投产时提供,待补 due at go-live, to follow");
    }
    if item.satisfied_by.is_none() && item.files_short > 0 && !item.files.is_empty() {
        let _ = write!(line, " · 还差{}个文件 {} more file(s) needed", item.files_short, item.files_short);
    }
    if item.satisfied_by.is_none() && !item.missing_attestations.is_empty() && !item.files.is_empty() {
        let zh: Vec<&str> = item.missing_attestations.iter().map(|mark| mark.label_zh()).collect();
        let en: Vec<&str> = item.missing_attestations.iter().map(|mark| mark.key()).collect();
        let _ = write!(line, " · 未确认 not attested: {} ({})", zh.join("、"), en.join(", "));
    }
    if item.error_findings > 0 {
        let _ = write!(line, " · {} 个错误 error finding(s)", item.error_findings);
    }
    if item.unchecked_files > 0 {
        let _ = write!(line, " · {} 个文件未检查 file(s) not checked yet", item.unchecked_files);
    }
    line
}

fn check_text(check: &CaseCheck) -> String {
    let mut text = String::new();
    let summary = &check.summary.counts;
    let verdict = if check.blocking { "未通过 BLOCKED" } else { "可提交 READY" };
    let _ = writeln!(text, "案件 Case {} · 检查 Check (规则版本 rules v{})", check.case_id, check.rules_version);
    let _ = writeln!(
        text,
        "结论 Verdict: {verdict} — 必需 required {}: 合格 ok {}, 待处理 present {}, 不完整 incomplete {}, 缺失 missing {}; 信息缺失 fields missing {}, 无效 invalid {}; 错误 errors {}, 警告 warnings {}",
        summary.required,
        summary.ok,
        summary.present,
        summary.incomplete,
        summary.missing,
        summary.fields_missing,
        summary.fields_invalid,
        summary.error_findings,
        summary.warning_findings
    );
    let mut group_keys: Vec<&str> = Vec::new();
    for item in &check.items {
        if !group_keys.contains(&item.item.group.as_str()) {
            group_keys.push(&item.item.group);
        }
    }
    for group in group_keys {
        let items: Vec<&CheckedItem> =
            check.items.iter().filter(|item| item.item.group == group && item.item.applicable).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(text, "\n[{group}]");
        for item in items {
            let optional = if item.item.required { "" } else { " (可选 optional)" };
            let _ = writeln!(text, "{}{optional}", checked_item_line(item));
        }
    }
    let kept: Vec<String> =
        check
            .items
            .iter()
            .filter(|item| !item.item.applicable && !item.files.is_empty())
            .map(|item| format!("  {} [{}]: {} 个文件 file(s)", item.item.title_zh, item.item.key, item.files.len()))
            .chain(check.unlisted_files.iter().map(|file| {
                format!("  [{}] {} (规则中已无此材料 not in the rules)", file.material_key, file.file.name)
            }))
            .collect();
    if !kept.is_empty() {
        let _ = writeln!(text, "\n不再适用、已保留的文件 Files kept under materials that no longer apply:");
        for line in kept {
            let _ = writeln!(text, "{line}");
        }
    }
    let fields: Vec<_> = check.fields.iter().filter(|field| field.field.applicable).collect();
    if !fields.is_empty() {
        let _ = writeln!(text, "\n信息 Data:");
        for field in fields {
            let status = match field.status {
                FieldStatus::Missing => "缺失 missing",
                FieldStatus::Invalid => "无效 invalid",
                FieldStatus::Warning => "警告 warning",
                FieldStatus::Ok => "合格 ok",
                FieldStatus::NotApplicable => "不适用 not_applicable",
            };
            let mut line =
                format!("  [{status}] {} {} [{}]", field.field.title_zh, field.field.title_en, field.field.key);
            if let Some(value) = &field.display_value {
                let _ = write!(line, ": {value}");
            }
            for problem in &field.problems {
                let _ = write!(line, " · {}({})", problem.message_zh, problem.message_en);
            }
            if let Some(reason) = &field.override_reason {
                let _ = write!(line, " · 已确认 overridden: {reason}");
            }
            let _ = writeln!(text, "{line}");
        }
    }
    if check.findings.is_empty() {
        let _ = writeln!(text, "\n发现 Findings: 无 none");
    } else {
        let _ = writeln!(text, "\n发现 Findings:");
        for finding in &check.findings {
            let severity = match finding.severity {
                Severity::Error => "错误 error",
                Severity::Warning => "警告 warning",
            };
            let _ = writeln!(
                text,
                "  [{severity}] {} {}: {} — {}",
                finding.material,
                intake_core::file_names::visible_text(&finding.file),
                finding.code,
                finding.message
            );
        }
    }
    text
}

// ── intake attest ────────────────────────────────────────────────────────────────────────

fn parse_marks(text: &str) -> Result<Vec<Mark>> {
    let text = text.trim();
    if text == "none" || text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let part = part.trim();
            Mark::from_key(part).ok_or_else(|| {
                let keys: Vec<&str> = Mark::ALL.iter().map(|mark| mark.key()).collect();
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("--marks: '{part}' is not a mark; expected one of: {}, or none", keys.join(", ")),
                )
            })
        })
        .collect()
}

/// `intake attest`: records the marks the manager sees on one file.
pub fn attest(home: Option<PathBuf>, args: AttestArgs) -> Outcome {
    let marks = parse_marks(&args.marks)?;
    let mut folder = open_folder(home, &args.rules)?;
    let file = folder.find_case_file(&args.case_id, &args.file, args.material.as_deref())?;
    let outcome = folder.attest_file(&args.case_id, file.id, &marks)?;
    let mut text = String::new();
    let labels: Vec<String> =
        outcome.attestation.marks.iter().map(|mark| format!("{} {}", mark.label_zh(), mark.key())).collect();
    let _ = writeln!(
        text,
        "已记录 Attested: {} [{}]: {}",
        outcome.evidence.original_name,
        outcome.evidence.material_key,
        if labels.is_empty() { "无 none".to_string() } else { labels.join(", ") }
    );
    let mut problems = Vec::new();
    if !outcome.not_asked.is_empty() {
        let keys: Vec<&str> = outcome.not_asked.iter().map(|mark| mark.key()).collect();
        problems.push(format!("note: {} does not ask for {}", outcome.evidence.material_key, keys.join(", ")));
    }
    if !outcome.not_on_this_file.is_empty() {
        let zh: Vec<&str> = outcome.not_on_this_file.iter().map(|mark| mark.label_zh()).collect();
        let en: Vec<&str> = outcome.not_on_this_file.iter().map(|mark| mark.key()).collect();
        let _ = writeln!(text, "此文件未确认 Not on this file: {} ({})", zh.join("、"), en.join(", "));
    }
    Ok(Report { json: serde_json::to_value(&outcome).expect("outcomes serialise"), text, problems, exit: EXIT_OK })
}

// ── intake case set / update ─────────────────────────────────────────────────────────────

/// `intake case set`: records or clears fields; each field independently.
pub fn case_set(home: Option<PathBuf>, args: CaseSetArgs) -> Outcome {
    if args.fields.is_empty() && args.clear.is_empty() {
        return Err(Error::new(ErrorKind::InvalidInput, "give at least one --field KEY=VALUE or --clear KEY"));
    }
    let mut folder = open_folder(home, &args.rules)?;
    let checklist = folder.case_checklist(&args.id)?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in &args.fields {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("--field '{}' must be KEY=VALUE", pair.split('=').next().unwrap_or("")),
            )
        })?;
        pairs.push((key.trim().to_string(), value.to_string()));
    }
    // An ID type goes in before the number whose validation depends on it.
    let type_fields: HashSet<&str> =
        checklist.fields.iter().filter_map(|field| field.id_type_field.as_deref()).collect();
    pairs.sort_by_key(|(key, _)| !type_fields.contains(key.as_str()));

    let mut text = String::new();
    let mut problems = Vec::new();
    let mut refused = Vec::new();
    let mut recorded = Vec::new();
    for (key, value) in &pairs {
        match folder.set_case_field(&args.id, key, value, args.override_reason.as_deref()) {
            Ok(outcome) => {
                let _ = writeln!(text, "已登记 Recorded: {key} = {}", outcome.display_value);
                for warning in &outcome.overridden {
                    let _ = writeln!(
                        text,
                        "  已确认警告 warning overridden: {}({})",
                        warning.message_zh, warning.message_en
                    );
                }
                recorded.push(serde_json::to_value(&outcome).expect("outcomes serialise"));
            }
            Err(err) => {
                refused.push(json!({ "field_key": key, "code": err.code(), "message": err.message() }));
                problems.push(err.message().to_string());
            }
        }
    }
    let mut cleared = Vec::new();
    for key in &args.clear {
        match folder.clear_case_field(&args.id, key) {
            Ok(removed) => {
                let _ =
                    writeln!(text, "{}: {key}", if removed { "已清除 Cleared" } else { "本无记录 Nothing recorded" });
                cleared.push(json!({ "field_key": key, "removed": removed }));
            }
            Err(err) => {
                refused.push(json!({ "field_key": key, "code": err.code(), "message": err.message() }));
                problems.push(err.message().to_string());
            }
        }
    }
    let exit = if problems.is_empty() { EXIT_OK } else { EXIT_BAD_INPUT };
    // Each field is recorded or refused on its own: `errors` keeps the messages (as before),
    // `refused` says which field each is about, with the error's code, as `{"error": …}` does.
    let body = json!({
        "case_id": args.id,
        "recorded": recorded,
        "cleared": cleared,
        "errors": problems,
        "refused": refused,
    });
    Ok(Report { json: body, text, problems, exit })
}

/// `intake case update`: changes the attributes given; files are kept, the checklist and the
/// findings follow.
pub fn case_update(home: Option<PathBuf>, args: CaseUpdateArgs) -> Outcome {
    let mut folder = open_folder(home, &args.rules)?;
    let current = folder.case(&args.id)?;
    let mut next = args.apply_visit(&current)?;
    next.attributes = args.apply(current.attributes.clone())?;
    let update = folder.update_case(&args.id, next)?;
    let mut text = String::new();
    if update.changed.is_empty() {
        let _ = writeln!(text, "无变化 Nothing changed: {}", update.case.id);
    } else {
        let _ = writeln!(text, "已更新案件 Case updated: {} ({})", update.case.id, update.changed.join(", "));
    }
    let list = |keys: &[String]| if keys.is_empty() { "—".to_string() } else { keys.join(", ") };
    let _ = writeln!(text, "新增必需 Now required: {}", list(&update.now_required));
    let _ = writeln!(text, "不再必需 No longer required: {}", list(&update.no_longer_required));
    for kept in &update.files_kept {
        let _ = writeln!(
            text,
            "已保留 Kept: {} 个文件 file(s) under {} (不再适用 no longer applies)",
            kept.files, kept.material
        );
    }
    Ok(Report::ok(serde_json::to_value(&update).expect("updates serialise"), text))
}
