//! The passphrase of an encrypted data folder: where the CLI gets it, opening the folder with
//! it, and `intake passphrase set|change|status`.
//!
//! The passphrase comes from `INTAKE_PASSPHRASE` (scripts), else from a prompt on the terminal
//! without echo; with neither, the command stops with exit status 2 (`passphrase_required`)
//! rather than wait for input that cannot come. A new passphrase (`passphrase change`) comes
//! from `INTAKE_NEW_PASSPHRASE`, else from the prompt, typed twice.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use intake_core::encryption::EncryptionState;
use intake_core::keys::Passphrase;
use intake_core::{DataFolder, Error, ErrorKind, Result};
use serde_json::json;

use crate::output::{Outcome, Report};

/// The variable scripts give the passphrase in.
pub const PASSPHRASE_VAR: &str = "INTAKE_PASSPHRASE";
/// The variable scripts give the new passphrase of `passphrase change` in.
pub const NEW_PASSPHRASE_VAR: &str = "INTAKE_NEW_PASSPHRASE";

#[derive(Debug, Subcommand)]
pub enum PassphraseCommand {
    /// Encrypt this data folder under a new passphrase (in place; run it again to finish an
    /// interrupted one). Close the app first.
    Set,
    /// Change the passphrase (the files stay as they are: only the key is wrapped anew).
    Change,
    /// Whether the data folder is encrypted.
    Status,
}

fn root_of(home: Option<PathBuf>) -> Result<PathBuf> {
    match home {
        Some(root) => Ok(root),
        None => DataFolder::default_path(),
    }
}

/// Opens the data folder, asking for its passphrase when it is encrypted. A data folder that
/// does not exist yet is created encrypted when `INTAKE_PASSPHRASE` is set: a script that gives
/// a passphrase wants the merchants' data protected from its first byte, not a warning.
pub(crate) fn open_data_folder(home: Option<PathBuf>) -> Result<DataFolder> {
    let folder = open_data_folder_as_it_is(home)?;
    // An import that crashed between its two phases left pixel checks pending: the first
    // command that has the folder to itself finishes them, so nothing stays half-checked.
    // Failing to now is no reason to refuse the command: they stay pending for the next one.
    let _ = folder.resume_pixel_checks(|_| {});
    Ok(folder)
}

fn open_data_folder_as_it_is(home: Option<PathBuf>) -> Result<DataFolder> {
    let root = root_of(home)?;
    match DataFolder::encryption_state(&root) {
        EncryptionState::Encrypted => DataFolder::unlock(&root, &read_passphrase(PASSPHRASE_VAR, "密码 Passphrase: ")?),
        EncryptionState::Unencrypted if is_new_folder(&root) && std::env::var_os(PASSPHRASE_VAR).is_some() => {
            let passphrase = read_passphrase(PASSPHRASE_VAR, "")?;
            DataFolder::encrypt(&root, &passphrase)?;
            DataFolder::unlock(&root, &passphrase)
        }
        // Unfinished: `open` says how to finish it.
        EncryptionState::Unencrypted | EncryptionState::Unfinished => DataFolder::open(&root),
    }
}

/// True when nothing is there yet: no folder, or an empty one.
fn is_new_folder(root: &Path) -> bool {
    std::fs::read_dir(root).map_or(true, |mut entries| entries.next().is_none())
}

/// The one-line warning `case list` and `check` print (stderr) about an unencrypted folder.
pub(crate) fn unencrypted_warning(folder: &DataFolder) -> Option<String> {
    (!folder.is_encrypted()).then(|| {
        "警告:数据文件夹未加密 / warning: this data folder is not encrypted; set a passphrase with \
         `intake passphrase set`"
            .to_string()
    })
}

fn read_passphrase(variable: &str, prompt: &str) -> Result<Passphrase> {
    if let Some(value) = std::env::var_os(variable) {
        let text = value
            .into_string()
            .map_err(|_| Error::new(ErrorKind::InvalidInput, format!("{variable} is not valid Unicode")))?;
        return Ok(Passphrase::new(text));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::new(
            ErrorKind::PassphraseRequired,
            format!("需要密码 / the data folder is encrypted and there is no terminal to ask on: set {variable}"),
        ));
    }
    rpassword::prompt_password(prompt)
        .map(Passphrase::new)
        .map_err(|err| Error::new(ErrorKind::PassphraseRequired, format!("the passphrase could not be read ({err})")))
}

/// A new passphrase: from `variable`, or typed twice on the terminal.
fn read_new_passphrase(variable: &str) -> Result<Passphrase> {
    let first = read_passphrase(variable, "新密码 New passphrase: ")?;
    if std::env::var_os(variable).is_some() {
        return Ok(first);
    }
    first.check_strong_enough()?;
    let second = read_passphrase(variable, "再次输入 Repeat it: ")?;
    if !first.same_as(&second) {
        return Err(Error::new(ErrorKind::InvalidInput, "两次输入的密码不一致 / the two passphrases differ"));
    }
    Ok(first)
}

/// `intake passphrase set|change|status`
pub fn passphrase(home: Option<PathBuf>, command: PassphraseCommand) -> Outcome {
    let root = root_of(home)?;
    match command {
        PassphraseCommand::Set => {
            let resuming = DataFolder::encryption_state(&root) == EncryptionState::Unfinished;
            let passphrase = if resuming {
                read_passphrase(PASSPHRASE_VAR, "密码 Passphrase: ")?
            } else {
                read_new_passphrase(PASSPHRASE_VAR)?
            };
            let report = DataFolder::encrypt(&root, &passphrase)?;
            let text = format!(
                "数据文件夹已加密 The data folder is encrypted ({} files encrypted{}).\n",
                report.files_encrypted,
                if report.resumed { ", an interrupted run finished" } else { "" }
            );
            Ok(Report::ok(
                json!({"state": "encrypted", "files_encrypted": report.files_encrypted, "resumed": report.resumed}),
                text,
            ))
        }
        PassphraseCommand::Change => {
            if DataFolder::encryption_state(&root) != EncryptionState::Encrypted {
                // Let the core say why (unencrypted or unfinished) before asking for anything.
                DataFolder::change_passphrase(&root, &Passphrase::new(String::new()), &Passphrase::new(String::new()))?;
            }
            let old = read_passphrase(PASSPHRASE_VAR, "当前密码 Current passphrase: ")?;
            let new = read_new_passphrase(NEW_PASSPHRASE_VAR)?;
            DataFolder::change_passphrase(&root, &old, &new)?;
            Ok(Report::ok(json!({"state": "encrypted"}), "密码已更改 The passphrase is changed.\n".to_string()))
        }
        PassphraseCommand::Status => {
            let state = DataFolder::encryption_state(&root);
            let text = match state {
                EncryptionState::Unencrypted => "未加密 Not encrypted (`intake passphrase set` encrypts it).\n",
                EncryptionState::Encrypted => "已加密 Encrypted.\n",
                EncryptionState::Unfinished => {
                    "加密未完成 Encryption interrupted: run `intake passphrase set` again.\n"
                }
            };
            Ok(Report::ok(json!({"state": state}), text.to_string()))
        }
    }
}
