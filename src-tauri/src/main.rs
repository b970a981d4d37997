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

fn main() -> ExitCode {
    let args = Args::parse();
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
