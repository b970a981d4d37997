//! A progress bar on stderr for commands that read many files (`add`, `inspect`): only on a
//! terminal and never with `--json`, so pipes and scripts see nothing of it.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
