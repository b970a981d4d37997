//! Printing: text for people, one JSON document for scripts, and the exit status.

use std::io::Write;
use std::process::ExitCode;

use intake_core::file_names::visible_text;
use intake_core::{Error, ErrorReport};

/// Exit status 0: the command ran and found nothing blocking.
pub const EXIT_OK: u8 = 0;
/// Exit status 1: the command ran and found blocking problems.
pub const EXIT_BLOCKING: u8 = 1;
/// Exit status 2: bad usage, or input that could not be read.
pub const EXIT_BAD_INPUT: u8 = 2;

/// What a command produced.
pub struct Report {
    /// Printed with `--json`.
    pub json: serde_json::Value,
    /// Printed otherwise.
    pub text: String,
    /// One-line problems, printed on stderr in both modes.
    pub problems: Vec<String>,
    pub exit: u8,
}

impl Report {
    /// A report that found nothing wrong.
    pub fn ok(json: serde_json::Value, text: String) -> Report {
        Report { json, text, problems: Vec::new(), exit: EXIT_OK }
    }
}

/// A command's result: a report, or an error that stopped it.
pub type Outcome = Result<Report, Error>;

/// Prints the outcome and turns it into the exit status.
pub fn finish(outcome: Outcome, json: bool) -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    match outcome {
        Ok(report) => {
            let mut out = stdout.lock();
            // A closed pipe (`intake case list | head`) is not an error worth a panic.
            let _ = if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report.json).expect("reports serialise"))
            } else {
                write!(out, "{}", report.text)
            };
            let mut err = stderr.lock();
            for problem in &report.problems {
                // One line per problem, whatever a file name in it holds.
                let _ = writeln!(err, "intake: {}", visible_text(problem));
            }
            ExitCode::from(report.exit)
        }
        Err(error) => {
            if json {
                let body = serde_json::json!({ "error": ErrorReport::from(&error) });
                let _ = writeln!(stdout.lock(), "{}", serde_json::to_string_pretty(&body).expect("errors serialise"));
            }
            let _ = writeln!(stderr.lock(), "intake: {}", visible_text(error.message()));
            ExitCode::from(if error.kind().is_bad_input() { EXIT_BAD_INPUT } else { EXIT_BLOCKING })
        }
    }
}
