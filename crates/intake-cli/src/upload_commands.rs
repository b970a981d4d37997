//! `intake upload` and `intake outbox`: sending exported packages to head office's object
//! storage, and what waits, what is under way, what is done and what failed.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use intake_core::settings::UploadSettings;
use intake_core::upload::{OutboxEntry, OutboxState, RetryTiming, UploadPhase, UploadTarget};
use intake_core::{DataFolder, Result};
use serde_json::json;

use crate::output::{EXIT_BLOCKING, EXIT_OK, Outcome, Report};

/// `intake upload`
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Only the packages of this case.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: Option<String>,
    /// The storage's URL (path-style requests), e.g. https://oss-cn-shanghai.aliyuncs.com.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The bucket that receives the packages.
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// The signing region (default us-east-1).
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Folder in the bucket: packages go to PREFIX/CASE-ID/SHA256.zip.
    #[arg(long, value_name = "PATH")]
    pub prefix: Option<String>,
    /// Size of each part in MiB (5 to 512, default 8). A resumed upload keeps the part size
    /// it was started with.
    #[arg(long, value_name = "MIB")]
    pub part_size_mib: Option<u64>,
    /// Parts sent at once (1 to 16, default 4). A crash resends at most this many parts.
    #[arg(long, value_name = "N")]
    pub parts_in_flight: Option<u32>,
    /// Try failed packages now, even those whose next retry time has not come (without it,
    /// a failed package waits until its `next_retry_at`).
    #[arg(long)]
    pub now: bool,
}

fn open_folder(home: Option<PathBuf>) -> Result<DataFolder> {
    crate::passphrase::open_data_folder(home)
}

/// `intake upload`: exit 0 when every package tried is stored and checked, 1 when one failed
/// (it stays queued, with the reason), 2 when the settings are unusable.
pub fn upload(home: Option<PathBuf>, args: UploadArgs, json: bool) -> Outcome {
    let folder = open_folder(home)?;
    let overrides = UploadSettings {
        endpoint: args.endpoint,
        bucket: args.bucket,
        region: args.region,
        prefix: args.prefix,
        part_size_mib: args.part_size_mib,
        parts_in_flight: args.parts_in_flight,
        ..UploadSettings::default()
    };
    let environment = |name: &str| std::env::var(name).ok();
    let target = UploadTarget::resolve(&folder.settings()?.upload, &overrides, &environment)?;
    // A progress bar on a terminal (stderr, so stdout stays the report); none for --json.
    let bar = (std::io::stderr().is_terminal() && !json).then(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{msg:32} {bar:30.cyan/blue} {bytes}/{total_bytes}  {bytes_per_sec}  {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let timing = if args.now { RetryTiming::Now } else { RetryTiming::WhenDue };
    let outcomes = folder.upload_packages(&target, args.case_id.as_deref(), timing, &mut |progress| {
        let Some(bar) = &bar else { return };
        let phase = match progress.phase {
            UploadPhase::Checking => "检查 checking",
            UploadPhase::Sending => "上传 sending",
            UploadPhase::Verifying => "核对 verifying",
            UploadPhase::Done => "完成 done",
            UploadPhase::Failed => "失败 failed",
        };
        bar.set_length(progress.bytes);
        bar.set_position(progress.bytes_sent);
        bar.set_message(format!("{} {phase}", progress.case_id));
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let outcomes = outcomes?;

    let mut text = String::new();
    if outcomes.is_empty() {
        let _ = writeln!(text, "没有待上传的资料包 Nothing to upload: the outbox has no package waiting.");
    }
    let mut problems = Vec::new();
    for outcome in &outcomes {
        match (&outcome.error, outcome.already_stored) {
            _ if outcome.not_before.is_some() => {
                let not_before = outcome.not_before.map(|time| time.to_rfc3339()).unwrap_or_default();
                let _ = writeln!(
                    text,
                    "未到重试时间 NOT DUE {} ({}): next try after {not_before}; `intake upload --now` tries it now",
                    outcome.case_id,
                    &outcome.sha256[..16]
                );
                problems.push(format!(
                    "package {} is not due for a retry before {not_before}: `intake upload --now` tries it now",
                    &outcome.sha256[..16]
                ));
            }
            (Some(error), _) => {
                let _ = writeln!(
                    text,
                    "上传失败 FAILED {} ({}): {}",
                    outcome.case_id,
                    &outcome.sha256[..16],
                    error.message
                );
                problems.push(error.message.clone());
            }
            (None, true) => {
                let _ = writeln!(
                    text,
                    "已在存储中 already stored {} → {}",
                    outcome.case_id,
                    outcome.remote_key.as_deref().unwrap_or_default()
                );
            }
            (None, false) => {
                let _ = writeln!(
                    text,
                    "已上传并核对 uploaded and checked {} → {} ({} bytes sent in {} parts)",
                    outcome.case_id,
                    outcome.remote_key.as_deref().unwrap_or_default(),
                    outcome.bytes_sent,
                    outcome.parts_sent
                );
            }
        }
    }
    let exit = if problems.is_empty() { EXIT_OK } else { EXIT_BLOCKING };
    let body = json!({ "destination": target.destination(), "packages": outcomes });
    Ok(Report { json: body, text, problems, exit })
}

/// `intake outbox`
pub fn outbox(home: Option<PathBuf>) -> Outcome {
    let folder = open_folder(home)?;
    let entries: Vec<OutboxEntry> = folder.outbox()?;
    let mut text = String::new();
    if entries.is_empty() {
        let _ = writeln!(text, "发件箱为空 The outbox is empty: export a case first.");
    }
    for entry in &entries {
        let detail = match entry.state {
            OutboxState::Waiting => String::new(),
            OutboxState::Uploading => format!(" {}/{} bytes sent", entry.bytes_sent, entry.bytes),
            OutboxState::Done => format!(
                " → {} at {}",
                entry.remote_key.as_deref().unwrap_or_default(),
                entry.done_at.map(|time| time.to_rfc3339()).unwrap_or_default()
            ),
            OutboxState::Failed => format!(
                " ({} bytes sent) {}; next try after {}",
                entry.bytes_sent,
                entry.error.as_ref().map(|error| error.message.as_str()).unwrap_or_default(),
                entry.next_retry_at.map(|time| time.to_rfc3339()).unwrap_or_default()
            ),
        };
        let _ = writeln!(
            text,
            "{}  {}…  {} bytes  {}{detail}",
            entry.case_id,
            &entry.sha256[..16],
            entry.bytes,
            entry.state.label()
        );
    }
    Ok(Report::ok(json!({ "packages": entries }), text))
}
