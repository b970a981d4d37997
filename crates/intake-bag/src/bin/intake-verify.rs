//! `intake-verify FILE.zip`: the check of `intake verify`, for head office, in a binary that
//! has no data folder, no database, no network. Same report, same JSON, same exit status:
//! 0 when the package passes every check, 1 when any fails, 2 when it cannot be read at all
//! (or the arguments are wrong).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use intake_bag::trust;
use intake_bag::verify::{self, VerifyOptions};
use intake_bag::verify_text::report_text;
use intake_domain::ErrorReport;

/// Checks a Merchant Intake submission package: zip safety, BagIt manifests and every hash,
/// case.json against its schema, the audit chain, the SM2 signature and whether its key is
/// trusted, and with --previous that the chain continues an earlier package's.
#[derive(Debug, Parser)]
#[command(name = "intake-verify", version)]
struct Args {
    /// The package to check.
    #[arg(value_name = "FILE.zip")]
    package: PathBuf,
    /// Trust this key: the SHA-256 fingerprint that `intake keys show` prints on the
    /// installation that packed it. Without any trusted key (this or --trusted-keys) no
    /// package is valid (`signer_untrusted`).
    #[arg(long, value_name = "SHA256")]
    expect_key: Option<String>,
    /// Trust the keys of head office's register: one per line, `<sha256 fingerprint>  <branch> /
    /// <manager>` (what `intake keys register-line` prints), `#` starts a comment. The line
    /// that matches is reported.
    #[arg(long, value_name = "FILE")]
    trusted_keys: Option<PathBuf>,
    /// An earlier package of the same case, as head office received it: it must verify too,
    /// and its audit chain must be the beginning of this one's (`chain_forked`,
    /// `chain_not_extended`, `chain_other_case`).
    #[arg(long, value_name = "OLD.zip")]
    previous: Option<PathBuf>,
    /// Print one JSON document (the report, or `{"error": {code, message}}`) instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    // A bad anchor (unreadable register, malformed fingerprint) is reported like an unreadable
    // package: exit 2, the same as `intake verify`.
    let checked = trust::given_anchors(args.expect_key.as_deref(), args.trusted_keys.as_deref()).and_then(|keys| {
        let options = VerifyOptions { previous: args.previous.clone(), ..VerifyOptions::trusting(keys) };
        verify::verify_package(&args.package, &options)
    });
    // A closed pipe (`intake-verify x.zip | head`) is not worth a panic: writes are best effort.
    match checked {
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
                    "intake-verify: {}: {} found",
                    args.package.display(),
                    intake_bag::verify_text::problem_count(report.problems.len())
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
