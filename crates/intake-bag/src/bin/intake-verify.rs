//! `intake-verify FILE.zip`: the check of `intake verify`, for head office, in a binary that
//! has no data folder, no database, no network. Same report, same JSON, same exit status:
//! 0 when the package passes every check, 1 when any fails, 2 when it cannot be read at all
//! (or the arguments are wrong).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use intake_bag::verify::{self, VerifyOptions};
use intake_bag::verify_text::report_text;
use intake_domain::ErrorReport;

/// Checks a Merchant Intake submission package: zip safety, BagIt manifests and every hash,
/// case.json against its schema, the audit chain, the SM2 signature.
#[derive(Debug, Parser)]
#[command(name = "intake-verify", version)]
struct Args {
    /// The package to check.
    #[arg(value_name = "FILE.zip")]
    package: PathBuf,
    /// Also require the package to be signed by this key: the SHA-256 fingerprint that
    /// `intake keys show` prints on the installation that packed it.
    #[arg(long, value_name = "SHA256")]
    expect_key: Option<String>,
    /// Print one JSON document (the report, or `{"error": {code, message}}`) instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = VerifyOptions { expected_key_sha256: args.expect_key.clone() };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    // A closed pipe (`intake-verify x.zip | head`) is not worth a panic: writes are best effort.
    match verify::verify_package(&args.package, &options) {
        Ok(report) => {
            let _ = if args.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report).expect("reports serialise"))
            } else {
                write!(out, "{}", report_text(&report, &args.package))
            };
            if report.valid {
                ExitCode::SUCCESS
            } else {
                let _ = writeln!(
                    err,
                    "intake-verify: {}: {} problems found",
                    args.package.display(),
                    report.problems.len()
                );
                ExitCode::from(1)
            }
        }
        Err(error) => {
            if args.json {
                let body = serde_json::json!({ "error": ErrorReport::from(&error) });
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&body).expect("errors serialise"));
            }
            let _ = writeln!(err, "intake-verify: {}", error.message());
            ExitCode::from(if error.kind().is_bad_input() { 2 } else { 1 })
        }
    }
}
