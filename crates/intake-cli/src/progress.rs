//! A progress bar on stderr for commands that read or write many files (`add`, `inspect`,
//! `export`): only on a terminal and never with `--json`, so pipes and scripts see nothing of it.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use intake_core::package::{ExportPhase, ExportProgress};

/// The bar, or nothing when it must not be drawn.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar over `total` files; none for `--json`, a stderr that is not a terminal, or one file.
    pub fn new(total: usize, json: bool) -> Progress {
        if json || total < 2 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let template = "{bar:30.cyan/blue} {pos}/{len} 个文件 files  {elapsed_precise}  {wide_msg}";
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress(Some(bar))
    }

    /// A bar for `intake export`: files written into the package, and the step it is at.
    pub fn for_export(json: bool) -> Progress {
        if json || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let template = "{bar:30.cyan/blue} 已写入 {pos}/{len} 个文件 files written  {elapsed_precise}  {wide_msg}";
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress(Some(bar))
    }

    /// Where the export stands.
    pub fn export_update(&self, progress: &ExportProgress) {
        if let Some(bar) = &self.0 {
            bar.set_length(u64::from(progress.files_total));
            bar.set_position(u64::from(progress.files_done));
            bar.set_message(export_phase_label(progress.phase));
        }
    }

    /// One more file is done.
    pub fn file_done(&self, path: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(path.to_string());
            bar.inc(1);
        }
    }

    /// Removes the bar before the report is printed.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The export step in both languages, as the app's export panel shows it.
fn export_phase_label(phase: ExportPhase) -> &'static str {
    match phase {
        ExportPhase::Checking => "正在检查资料 checking the case",
        ExportPhase::Signing => "正在签名 signing",
        ExportPhase::Writing => "正在写入文件 writing files",
        ExportPhase::Finishing => "正在保存 saving to disk",
        ExportPhase::Done => "完成 done",
    }
}
