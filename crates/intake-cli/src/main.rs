//! `intake`: the command line of Merchant Intake.
//!
//! Each subcommand parses its flags, calls one function of `intake-core` and prints the
//! result, as text for people or as one JSON document with `--json`. Exit status
//! (`interfaces.md`): 0 ok, 1 the command ran and found blocking problems, 2 bad usage or
//! input that could not be read.

mod attributes;
mod audit_command;
mod checklist_commands;
mod commands;
mod correction_commands;
mod inspect_command;
mod output;
mod package_commands;
mod passphrase;
mod progress;
mod read_command;
mod tray_commands;
mod upload_commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::attributes::{CaseAttributeArgs, VisitArgs};
use crate::output::Outcome;

/// 商户入网资料采集 Merchant Intake: the account manager's onboarding file, checked at the premises.
#[derive(Debug, Parser)]
#[command(name = "intake", version, about, max_term_width = 100)]
struct Cli {
    /// The data folder (default: the platform's per-user data folder).
    #[arg(long, global = true, env = "INTAKE_HOME", value_name = "DIR")]
    home: Option<PathBuf>,

    /// Print one JSON document on stdout and nothing else there.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open, list and show cases (one merchant's onboarding file each).
    #[command(subcommand)]
    Case(CaseCommand),

    /// Import files into a material slot of a case (copied, never moved or changed).
    Add {
        /// The case id.
        #[arg(long = "case", value_name = "ID")]
        case_id: String,
        /// The material key, e.g. storefront_photo (see `intake checklist`).
        #[arg(long, value_name = "KEY", required_unless_present = "unsorted", conflicts_with = "unsorted")]
        material: Option<String>,
        /// Into the case's 未分类 tray instead of a material (a whole phone folder at once: a
        /// folder given stands for all its files); `intake tray` lists them with a suggested
        /// material each, `intake assign` puts them in their materials.
        #[arg(long)]
        unsorted: bool,
        /// The files to import (with --unsorted, folders too).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Do not read the documents added (营业执照, 法人身份证, GPS 定位截图 are read by default
        /// and checked against the case; `intake read --case ID` reads them later).
        #[arg(long)]
        no_read: bool,
        #[command(flatten)]
        rules: checklist_commands::RulesArg,
    },

    /// The files waiting in a case's 未分类 tray, each with the material the core suggests.
    Tray(tray_commands::TrayArgs),

    /// Assign files of a case's 未分类 tray to a material: they get its checks (and documents
    /// are read) as if added there.
    Assign(tray_commands::AssignArgs),

    /// Facts and file-level findings of photos and videos (no case or data folder needed; with
    /// --home or INTAKE_HOME, under that installation's thresholds).
    #[command(after_help = inspect_command::AFTER_HELP)]
    Inspect(inspect_command::InspectArgs),

    /// The checklist for a case described by flags (no data folder needed).
    Checklist(checklist_commands::ChecklistArgs),

    /// A case against its checklist: each item's status and every finding; exit 1 while blocked.
    Check(checklist_commands::CheckArgs),

    /// Record the stamps, signatures and other marks seen on one file of a case.
    Attest(checklist_commands::AttestArgs),

    /// Withdraw a file (撤回): it no longer counts; its bytes stay in the vault and the
    /// package lists it (name, SHA-256, reason) without them.
    Withdraw(correction_commands::WithdrawArgs),

    /// Restore a withdrawn file (恢复): it counts again, in the slot it was withdrawn from.
    Restore(correction_commands::RestoreArgs),

    /// Move a file to another material (移到…); its findings are derived for the new slot.
    Move(correction_commands::MoveArgs),

    /// Accept a finding with a reason (接受): shown as accepted, it no longer blocks while
    /// that exact finding stands. `unreadable` cannot be accepted.
    Accept(correction_commands::AcceptArgs),

    /// Write a note on a case or one of its files (备注); it goes into the package.
    Note(correction_commands::NoteArgs),

    /// Write a case's submission package: a signed BagIt zip (refused while incomplete).
    Export(package_commands::ExportArgs),

    /// Check a package: zip safety, BagIt manifests and every hash, case.json, the signature and
    /// that its key is trusted (--expect-key, --trusted-keys, or --home's own key).
    Verify(package_commands::VerifyArgs),

    /// Show or change this installation's settings (branch, account manager, check thresholds,
    /// upload).
    Settings(package_commands::SettingsArgs),

    /// Send the exported packages waiting in the outbox to the object storage; resumes
    /// unfinished uploads. Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or settings.
    Upload(upload_commands::UploadArgs),

    /// The exported packages: waiting, uploading (bytes sent), done (where, when), failed (why).
    Outbox,

    /// A case's audit trail (every change, hash-chained), checked; exit 1 when the chain is broken.
    Audit(audit_command::AuditArgs),

    /// This installation's SM2 signing key.
    #[command(subcommand)]
    Keys(package_commands::KeysCommand),

    /// Read a licence, an ID card side or a map screenshot offline: the fields with their
    /// confidences (personal values masked; --json gives them in clear, with the text lines).
    /// With --case instead of a file: read the case's documents not read yet (--again: all).
    Read(read_command::ReadArgs),

    /// Encrypt the data folder under a passphrase, change it, or see whether it is encrypted.
    /// The passphrase comes from INTAKE_PASSPHRASE (the new one of `change` from
    /// INTAKE_NEW_PASSPHRASE) or a prompt on the terminal.
    #[command(subcommand)]
    Passphrase(passphrase::PassphraseCommand),
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// Open a new case; prints its id.
    New {
        #[command(flatten)]
        attributes: CaseAttributeArgs,
        #[command(flatten)]
        visit: VisitArgs,
    },
    /// List the cases, most recently changed first.
    List,
    /// Show one case with its files.
    Show {
        /// The case id.
        id: String,
    },
    /// Record data the guide asks for (legal representative, USCC, non-standard figures).
    Set(checklist_commands::CaseSetArgs),
    /// Change a case's attributes or visit data (every flag of `case new`); the checklist and
    /// the findings follow and every file is kept.
    Update(checklist_commands::CaseUpdateArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(usage) => return usage_error(usage),
    };
    let json = cli.json;
    let outcome = run(cli);
    output::finish(outcome, json)
}

/// A command line clap refuses. With `--json` anywhere in it, a script also gets the error
/// as JSON on stdout (`invalid_input`), as every other error comes; clap's own text, with its
/// usage, still goes to stderr. `--help` and `--version` print as clap prints them.
fn usage_error(usage: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as Usage;
    if matches!(
        usage.kind(),
        Usage::DisplayHelp | Usage::DisplayVersion | Usage::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        usage.exit();
    }
    if std::env::args_os().any(|arg| arg == "--json") {
        // clap's message up to its usage line, on one line, without "error: " and colours.
        let rendered = usage.render().to_string();
        let message = rendered
            .lines()
            .map(str::trim)
            .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
            .collect::<Vec<_>>()
            .join(" ");
        let message = message.strip_prefix("error: ").unwrap_or(&message).to_string();
        let error = intake_core::Error::new(intake_core::ErrorKind::InvalidInput, message);
        let body = serde_json::json!({ "error": intake_core::ErrorReport::from(&error) });
        println!("{}", serde_json::to_string_pretty(&body).expect("errors serialise"));
    }
    let _ = usage.print();
    ExitCode::from(output::EXIT_BAD_INPUT)
}

fn run(cli: Cli) -> Outcome {
    let home = cli.home;
    let json = cli.json;
    match cli.command {
        Command::Case(CaseCommand::New { attributes, visit }) => commands::case_new(home, attributes, visit, json),
        Command::Case(CaseCommand::List) => commands::case_list(home, json),
        Command::Case(CaseCommand::Show { id }) => commands::case_show(home, &id, json),
        Command::Add { case_id, material, unsorted, files, no_read, rules } => match material {
            Some(material) if !unsorted => commands::add(home, &rules, &case_id, &material, &files, !no_read, json),
            _ => {
                let files = tray_commands::expand_folders(&files)?;
                commands::add(home, &rules, &case_id, intake_core::tray::UNSORTED_MATERIAL, &files, false, json)
            }
        },
        Command::Tray(args) => tray_commands::tray(home, args),
        Command::Assign(args) => tray_commands::assign(home, args, json),
        Command::Inspect(args) => inspect_command::inspect(home, args, json),
        Command::Checklist(args) => checklist_commands::checklist(args),
        Command::Check(args) => checklist_commands::check(home, args),
        Command::Attest(args) => checklist_commands::attest(home, args),
        Command::Withdraw(args) => correction_commands::withdraw(home, args),
        Command::Restore(args) => correction_commands::restore(home, args),
        Command::Move(args) => correction_commands::move_file(home, args),
        Command::Accept(args) => correction_commands::accept(home, args),
        Command::Note(args) => correction_commands::note(home, args),
        Command::Export(args) => package_commands::export(home, args, json),
        Command::Verify(args) => package_commands::verify(home, args),
        Command::Settings(args) => package_commands::settings(home, args),
        Command::Upload(args) => upload_commands::upload(home, args, json),
        Command::Outbox => upload_commands::outbox(home),
        Command::Audit(args) => audit_command::audit(home, args),
        Command::Keys(command) => package_commands::keys(home, command),
        Command::Passphrase(command) => passphrase::passphrase(home, command),
        Command::Read(args) => read_command::read(home, args, json),
        Command::Case(CaseCommand::Set(args)) => checklist_commands::case_set(home, args),
        Command::Case(CaseCommand::Update(args)) => checklist_commands::case_update(home, args),
    }
}
