//! `merchant-intake`: the desktop app of Merchant Intake.
// No console window behind the app on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use intake_core::DataFolder;
use merchant_intake_app::SharedDataFolder;

/// 商户入网资料采集 Merchant Intake: the desktop app.
#[derive(Debug, Parser)]
#[command(name = "merchant-intake", version, about)]
struct Args {
    /// The data folder, the same as the `intake` CLI's (default: the platform's per-user data folder).
    #[arg(long, env = "INTAKE_HOME", value_name = "DIR")]
    home: Option<PathBuf>,
}

#[cfg(windows)]
mod webview2_runtime;

/// WebKitGTK's accelerated compositing is turned off unless the environment already says
/// otherwise. Why: with it, every WebKit web process draws through OpenGL; where no GPU driver
/// serves it (Xvfb, virtual machines, many Linux laptops' fallbacks) that is Mesa's llvmpipe,
/// which maps LLVM into the process and compiles shaders in software. Measured with
/// `bench/app.sh` (release, 2026-12-07): the app with a 300-photo case open took 716 MB with it
/// and 513 MB without, and scrolling that case drew a frame every 113 ms with it and every
/// 21 ms without. The window holds forms, lists and thumbnails, nothing that needs a GPU.
/// On Windows the page is WebView2's, which this does not concern.
#[cfg(target_os = "linux")]
fn paint_without_compositing() {
    const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VARIABLE).is_none() {
        // SAFETY: called first in `main`, before any thread exists: `set_var` is unsound only
        // while another thread may read the environment.
        unsafe { std::env::set_var(VARIABLE, "1") };
    }
}

/// True when no graphical session is there to open a window in (run over SSH, or in a
/// service): GTK would fail to start and the window library would panic.
#[cfg(target_os = "linux")]
fn no_display() -> bool {
    let unset = |name: &str| std::env::var_os(name).is_none_or(|value| value.is_empty());
    unset("DISPLAY") && unset("WAYLAND_DISPLAY")
}

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    paint_without_compositing();
    let args = Args::parse();
    #[cfg(target_os = "linux")]
    if no_display() {
        eprintln!(
            "merchant-intake: 没有图形界面,无法打开窗口 (no display: neither DISPLAY nor WAYLAND_DISPLAY is set). \
             Run it in a desktop session; the `intake` command line works without one."
        );
        return ExitCode::FAILURE;
    }
    #[cfg(windows)]
    if let Err(reason) = webview2_runtime::require() {
        eprintln!("merchant-intake: no WebView2 runtime ({reason})");
        webview2_runtime::show_message("商户入网资料采集", webview2_runtime::MISSING_MESSAGE);
        return ExitCode::FAILURE;
    }
    let location = match args.home {
        Some(home) => Ok(home),
        None => DataFolder::default_path(),
    };
    match merchant_intake_app::run(SharedDataFolder::new(location)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("merchant-intake: the window could not be opened: {err}");
            ExitCode::FAILURE
        }
    }
}
