//! `intake export`, `intake verify`, `intake settings`, `intake keys show`: the submission
//! package, the settings it names, and the key that signs it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use intake_core::evidence::Thresholds;
use intake_core::package::ExportOptions;
use intake_core::package::trust::{self, TrustedKey};
use intake_core::package::verify::{self, VerifyOptions};
use intake_core::settings::{SettingsChange, UploadSettingsChange, threshold_error};
use intake_core::{DataFolder, Error, ErrorKind, Result};
use serde_json::json;

use crate::output::{EXIT_BLOCKING, EXIT_OK, Outcome, Report};

/// `intake export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The case id.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: String,
    /// Also write a plain copy of the package here (replaced if it exists). It is NOT
    /// encrypted: the data folder's passphrase does not protect it. Without --out the package
    /// is only queued, sealed in the data folder's outbox, for `intake upload`.
    #[arg(long, value_name = "FILE.zip")]
    pub out: Option<PathBuf>,
    /// Export even while required materials are missing or error findings stand; the package
    /// is marked incomplete (bag-info.txt, case.json, the report). Needs --reason.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Why the case is exported although incomplete (资料不全也导出的原因); written into the
    /// package (bag-info.txt Intake-Incomplete-Reason, case.json, the report).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Put watermarked copies of identity documents (法人身份证, 手持身份证照) in the package
    /// instead of the originals (default: the `watermark_id_copies` setting).
    #[arg(long, overrides_with = "no_watermark")]
    pub watermark: bool,
    /// Put the identity documents in as they are, whatever the settings say.
    #[arg(long, overrides_with = "watermark")]
    pub no_watermark: bool,
}

/// `intake verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package to check.
    #[arg(value_name = "FILE.zip")]
    pub package: PathBuf,
    /// Trust this key: the SHA-256 fingerprint that `intake keys show` prints on the
    /// installation that packed it. Without any trusted key (this, --trusted-keys, or
    /// --home/INTAKE_HOME for the data folder's own key) no package is valid
    /// (`signer_untrusted`).
    #[arg(long, value_name = "SHA256")]
    pub expect_key: Option<String>,
    /// Trust the keys of head office's register: one per line, `<sha256 fingerprint>  <branch> /
    /// <manager>` (what `intake keys register-line` prints), `#` starts a comment. The line
    /// that matches is reported.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: Option<PathBuf>,
    /// An earlier package of the same case, as head office received it: it must verify too,
    /// and its audit chain must be the beginning of this one's (`chain_forked`,
    /// `chain_not_extended`, `chain_other_case`).
    #[arg(long, value_name = "OLD.zip")]
    pub previous: Option<PathBuf>,
}

/// `intake settings`
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// 分公司: the branch that submits packages (Source-Organization in bag-info.txt).
    #[arg(long)]
    pub branch: Option<String>,
    /// 客户经理: the account manager's name (Contact-Name in bag-info.txt).
    #[arg(long)]
    pub manager: Option<String>,
    /// Whether exports watermark identity documents by default (导出时为身份证件加水印).
    #[arg(long, value_name = "true|false")]
    pub watermark_id_copies: Option<bool>,
    /// The watermark's text (the package's date is added after it); "" for the default,
    /// 仅供通联支付商户入网使用.
    #[arg(long, value_name = "TEXT")]
    pub watermark_text: Option<String>,
    /// The desktop app locks an encrypted data folder after this many seconds without use
    /// (default 300; 0 never).
    #[arg(long, value_name = "SECONDS")]
    pub idle_lock_seconds: Option<u32>,
    /// Upload: the storage's URL (empty to clear).
    #[arg(long, value_name = "URL")]
    pub upload_endpoint: Option<String>,
    /// Upload: the bucket that receives the packages.
    #[arg(long, value_name = "NAME")]
    pub upload_bucket: Option<String>,
    /// Upload: the signing region (default us-east-1).
    #[arg(long, value_name = "NAME")]
    pub upload_region: Option<String>,
    /// Upload: the folder in the bucket.
    #[arg(long, value_name = "PATH")]
    pub upload_prefix: Option<String>,
    /// Upload: the part size in MiB (5 to 512).
    #[arg(long, value_name = "MIB")]
    pub upload_part_size_mib: Option<u64>,
    /// Upload: how many parts are sent at once (1 to 16, default 4).
    #[arg(long, value_name = "N")]
    pub upload_parts_in_flight: Option<u32>,
    /// Upload: how often one request is retried before the attempt counts as failed.
    #[arg(long, value_name = "N")]
    pub upload_max_retries: Option<u32>,
    /// Upload: the access key id.
    #[arg(long, value_name = "ID")]
    pub upload_access_key_id: Option<String>,
    /// Upload: allow an http:// endpoint on another host than this computer (a branch's
    /// internal server). Packages then travel UNENCRYPTED; off by default.
    #[arg(long, value_name = "true|false")]
    pub upload_allow_insecure_http: Option<bool>,
    /// Upload: how many days a package stays sealed in the outbox after its upload was
    /// verified (default 30); removed at the next open or upload after that.
    #[arg(long, value_name = "DAYS")]
    pub upload_keep_uploaded_days: Option<u32>,
    /// Upload: read the secret key from the first line of standard input (never from a
    /// flag, which other users could see in the process list); an empty line removes it.
    #[arg(long)]
    pub upload_secret_stdin: bool,
    /// 检查阈值: set one threshold of the evidence checks, KEY=VALUE (repeatable), e.g.
    /// min_long_side_px=1600, site_radius_m=300, near_duplicate_max_distance=6; the lists as
    /// JSON. The stored files' findings follow at the next check, without re-import.
    #[arg(long = "threshold", value_name = "KEY=VALUE")]
    pub threshold: Vec<String>,
    /// Set the thresholds named in a JSON file (the others are kept), e.g.
    /// {"min_long_side_px": 1600, "visit_window_days": 1}.
    #[arg(long = "thresholds", value_name = "FILE")]
    pub thresholds_file: Option<PathBuf>,
    /// Put every threshold back to its default (applied before --thresholds and --threshold).
    #[arg(long)]
    pub reset_thresholds: bool,
}

/// `intake keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// The installation's SM2 public key and its fingerprint (the key pair is made on first use).
    Show,
    /// This installation's line for head office's register of trusted keys:
    /// `<sha256 fingerprint>  <branch> / <manager>` (see `intake verify --trusted-keys`).
    RegisterLine,
}

fn open_folder(home: Option<PathBuf>) -> Result<DataFolder> {
    crate::passphrase::open_data_folder(home)
}

/// `intake export`; on a terminal (without `--json`) a bar shows the files written and the step.
pub fn export(home: Option<PathBuf>, args: ExportArgs, json: bool) -> Outcome {
    let folder = open_folder(home)?;
    let watermark = if args.watermark {
        Some(true)
    } else if args.no_watermark {
        Some(false)
    } else {
        None
    };
    // Refused before anything is read: an incomplete export always says why.
    if args.allow_incomplete && args.reason.as_deref().is_none_or(|reason| reason.trim().is_empty()) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "--allow-incomplete needs --reason TEXT: say why the case goes although incomplete (资料不全也导出须说明原因)",
        ));
    }
    let options =
        ExportOptions { allow_incomplete: args.allow_incomplete, incomplete_reason: args.reason.clone(), watermark };
    let progress = crate::progress::Progress::for_export(json);
    let summary = match &args.out {
        Some(out) => {
            folder.export_case_with_progress(&args.case_id, out, &options, &mut |step| progress.export_update(step))
        }
        None => {
            folder.export_to_outbox_with_progress(&args.case_id, &options, &mut |step| progress.export_update(step))
        }
    };
    progress.finish();
    let summary = summary?;
    let mut text = String::new();
    if summary.sealed_encrypted {
        let _ = writeln!(text, "已加密存入待上传 Package queued, encrypted, in the outbox: {}", summary.sealed_path);
    } else {
        let _ = writeln!(
            text,
            "已存入待上传 Package queued in the outbox (the data folder is not encrypted): {}",
            summary.sealed_path
        );
    }
    if let Some(copy) = &summary.unencrypted_copy {
        let _ = writeln!(
            text,
            "已另存副本(未加密) Plain copy written, NOT encrypted (the passphrase does not protect it): {copy}"
        );
    }
    let _ = writeln!(
        text,
        "  {} 个文件 files, {} 字节 bytes of payload; 资料包 package {} bytes",
        summary.payload_files, summary.payload_bytes, summary.bytes
    );
    let _ = writeln!(text, "  签名公钥指纹 Signing key SHA-256: {}", summary.public_key_sha256);
    if summary.watermarked_files > 0 {
        let _ = writeln!(
            text,
            "  {} 份身份证件以加水印副本导出 identity document(s) exported as watermarked copies",
            summary.watermarked_files
        );
    }
    if !summary.complete {
        let _ = writeln!(
            text,
            "  注意:资料不完整,已按 --allow-incomplete 导出 Incomplete, exported with --allow-incomplete:"
        );
        for reason in &summary.incomplete_reasons {
            let _ = writeln!(text, "    - {reason}");
        }
        if let Some(reason) = &summary.incomplete_export_reason {
            let _ = writeln!(text, "  导出原因 Reason: {reason}");
        }
    }
    if summary.withdrawn_files > 0 {
        let _ = writeln!(
            text,
            "  {} 个已撤回文件仅列出、未打包 withdrawn file(s) listed without their bytes",
            summary.withdrawn_files
        );
    }
    Ok(Report::ok(serde_json::to_value(&summary).expect("summaries serialise"), text))
}

/// The keys `verify` trusts: `--expect-key`, the register of `--trusted-keys`, and with
/// `--home`/`INTAKE_HOME` the data folder's own key (read, never made: a folder without one
/// is refused, exit 2).
fn trusted_keys(home: Option<PathBuf>, args: &VerifyArgs) -> Result<Vec<TrustedKey>> {
    let mut keys = trust::given_anchors(args.expect_key.as_deref(), args.trusted_keys.as_deref())?;
    if let Some(root) = home {
        if !root.is_dir() {
            return Err(Error::for_file(
                ErrorKind::FileMissing,
                &root,
                "no such data folder, so no key of its own to trust",
            ));
        }
        let folder = open_folder(Some(root.clone()))?;
        let fingerprint = folder.signing_key_fingerprint()?.ok_or_else(|| {
            Error::for_file(ErrorKind::FileMissing, &root, "this data folder has no signing key yet, so none to trust")
        })?;
        keys.push(trust::data_folder_key(&root, &fingerprint));
    }
    Ok(keys)
}

/// `intake verify`: exit 0 when the package passes every check and is signed by a trusted
/// key, 1 when any check fails, 2 when the file (or a trust anchor) cannot be read at all.
pub fn verify(home: Option<PathBuf>, args: VerifyArgs) -> Outcome {
    let options =
        VerifyOptions { previous: args.previous.clone(), ..VerifyOptions::trusting(trusted_keys(home, &args)?) };
    let report = verify::verify_package(&args.package, &options)?;
    let text = intake_core::package::verify_text::report_text(&report, &args.package);
    let exit = if report.valid { EXIT_OK } else { EXIT_BLOCKING };
    let problems = if report.valid {
        Vec::new()
    } else {
        let count = intake_core::package::verify_text::problem_count(report.problems.len());
        vec![format!("{}: {count} found", args.package.display())]
    };
    Ok(Report { json: serde_json::to_value(&report).expect("reports serialise"), text, problems, exit })
}

/// `intake settings`
pub fn settings(home: Option<PathBuf>, args: SettingsArgs) -> Outcome {
    let folder = open_folder(home)?;
    let changing = args.branch.is_some()
        || args.manager.is_some()
        || args.watermark_id_copies.is_some()
        || args.watermark_text.is_some()
        || args.idle_lock_seconds.is_some();
    if changing {
        folder.change_settings(SettingsChange {
            branch: args.branch,
            manager_name: args.manager,
            watermark_id_copies: args.watermark_id_copies,
            watermark_text: args.watermark_text,
            idle_lock_seconds: args.idle_lock_seconds,
        })?;
    }
    let secret_access_key = if args.upload_secret_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|err| {
            Error::new(ErrorKind::InvalidInput, format!("cannot read the secret key from stdin: {err}"))
        })?;
        Some(line.trim().into())
    } else {
        None
    };
    let upload_change = UploadSettingsChange {
        endpoint: args.upload_endpoint,
        bucket: args.upload_bucket,
        region: args.upload_region,
        prefix: args.upload_prefix,
        part_size_mib: args.upload_part_size_mib,
        max_retries: args.upload_max_retries,
        parts_in_flight: args.upload_parts_in_flight,
        access_key_id: args.upload_access_key_id,
        secret_access_key,
        allow_insecure_http: args.upload_allow_insecure_http,
        keep_uploaded_days: args.upload_keep_uploaded_days,
    };
    if upload_change != UploadSettingsChange::default() {
        folder.change_upload_settings(upload_change)?;
    }
    if args.reset_thresholds || args.thresholds_file.is_some() || !args.threshold.is_empty() {
        let mut thresholds = if args.reset_thresholds { Thresholds::default() } else { folder.thresholds()? };
        if let Some(path) = &args.thresholds_file {
            thresholds = crate::inspect_command::thresholds_from_file(&thresholds, path)?;
        }
        for assignment in &args.threshold {
            let Some((key, value)) = assignment.split_once('=') else {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("--threshold '{assignment}' is not KEY=VALUE (e.g. min_long_side_px=1600)"),
                ));
            };
            thresholds = thresholds.with_value(key.trim(), value).map_err(|problem| threshold_error(&problem))?;
        }
        folder.set_thresholds(thresholds)?;
    }
    let settings = folder.settings()?;
    let shown = |value: &str| if value.is_empty() { "(未设置 not set)".to_string() } else { value.to_string() };
    let mut text = String::new();
    let _ = writeln!(text, "分公司 Branch: {}", shown(&settings.branch));
    let _ = writeln!(text, "客户经理 Manager: {}", shown(&settings.manager_name));
    let _ = writeln!(
        text,
        "身份证件加水印 Watermark ID copies: {}; 水印文字 text: {}",
        if settings.watermark_id_copies { "是 yes" } else { "否 no" },
        if settings.watermark_text.is_empty() {
            intake_core::watermark::DEFAULT_TEXT
        } else {
            &settings.watermark_text
        }
    );
    let upload = &settings.upload;
    let optional = |value: &Option<String>| shown(value.as_deref().unwrap_or_default());
    let _ = writeln!(text, "上传地址 Upload endpoint: {}", optional(&upload.endpoint));
    if upload.allow_insecure_http {
        let _ = writeln!(
            text,
            "  警告:允许不加密的 http:// 上传 WARNING: upload.allow_insecure_http is on (packages may travel in clear)"
        );
    }
    let _ = writeln!(
        text,
        "存储桶 Bucket: {}  区域 Region: {}  前缀 Prefix: {}",
        optional(&upload.bucket),
        optional(&upload.region),
        optional(&upload.prefix)
    );
    let _ = writeln!(
        text,
        "访问密钥 Access key id: {}  私密密钥 Secret key: {}",
        optional(&upload.access_key_id),
        if upload.secret_access_key.is_some() { "已设置 set" } else { "(未设置 not set)" }
    );
    let _ = writeln!(text, "检查阈值 Check thresholds:");
    let thresholds = serde_json::to_value(&settings.thresholds).expect("thresholds serialise");
    for (key, unit, _, _) in intake_core::evidence::findings::NUMERIC_THRESHOLDS {
        let _ = writeln!(text, "  {key} = {} {unit}", thresholds[*key]);
    }
    let _ = writeln!(text, "设置文件 File: {}", intake_core::settings::settings_path(folder.root()).display());
    // The upload secret key never leaves the file: only whether one is set.
    let mut body = serde_json::to_value(settings.redacted()).expect("settings serialise");
    body["upload"]["secret_access_key_set"] = json!(settings.upload.secret_access_key.is_some());
    body["file"] = json!(intake_core::settings::settings_path(folder.root()).display().to_string());
    Ok(Report::ok(body, text))
}

/// `intake keys show`
pub fn keys(home: Option<PathBuf>, command: KeysCommand) -> Outcome {
    match command {
        KeysCommand::Show => {
            let folder = open_folder(home)?;
            let info = folder.public_key_info()?;
            let mut text = String::new();
            if info.created {
                let _ = writeln!(text, "已生成本机密钥对 A new key pair was made for this installation.");
            }
            let _ = writeln!(text, "算法 Algorithm: SM2 with SM3, distinguishing ID {}", info.distinguishing_id);
            let _ = writeln!(text, "公钥指纹 Fingerprint (SHA-256 of the DER public key): {}", info.fingerprint_sha256);
            let _ = writeln!(text, "私钥文件 Private key (owner only): {}", info.private_key_file);
            text.push_str(&info.public_key_pem);
            Ok(Report::ok(serde_json::to_value(&info).expect("key info serialises"), text))
        }
        KeysCommand::RegisterLine => {
            let folder = open_folder(home)?;
            let line = folder.register_line()?;
            let text = format!("{}\n", line.line);
            Ok(Report::ok(serde_json::to_value(&line).expect("register lines serialise"), text))
        }
    }
}
