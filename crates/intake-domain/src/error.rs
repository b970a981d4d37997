//! One error type for the whole core.
//!
//! Every error carries a stable machine-readable [`ErrorKind`] (its `code()` is what crosses
//! the IPC boundary and what the UI and scripts branch on) and a one-line human message that
//! names the file or value at fault. Messages never contain personal data such as ID numbers:
//! callers name files and fields, not their contents.

use std::path::Path;

/// What went wrong, as a stable code. New kinds may be added; match with a wildcard arm.
///
/// Exported to TypeScript (`ErrorKind.ts`, the union of every code) so the front-end's table
/// of explanations fails to type-check when a kind is added here without one. The serde
/// name of each variant is its [`ErrorKind::code`] (a test holds them together).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or folder the user named does not exist.
    FileMissing,
    /// A path that should be a regular file is a folder or something else.
    NotAFile,
    /// A file exists but could not be read (permissions, I/O error).
    FileUnreadable,
    /// A file is empty where content is required.
    FileEmpty,
    /// A file is larger than the configured limit.
    FileTooLarge,
    /// The data folder cannot be created or written.
    DataFolderUnwritable,
    /// The database was written by a newer version of the program and is left untouched.
    DatabaseTooNew,
    /// The database is damaged or not a database of ours.
    DatabaseCorrupt,
    /// A case id that is not in the store.
    CaseNotFound,
    /// A value given by the user is not acceptable (bad flag value, bad date, bad key).
    InvalidInput,
    /// A rule file (checklist) is malformed.
    InvalidRules,
    /// An evidence file in the vault no longer matches its hash.
    VaultCorrupt,
    /// Any other I/O failure while writing.
    Io,
    /// Any other database failure.
    Database,
    /// The case cannot be exported: required materials are missing or error findings stand
    /// (and the export was not asked to go ahead anyway).
    CaseIncomplete,
    /// The upload endpoint cannot be reached (no network, wrong address, server down).
    UploadUnreachable,
    /// The storage refused the credentials or the access.
    UploadRefused,
    /// The bucket named in the upload settings does not exist.
    UploadBucketMissing,
    /// The object stored does not match the local package (size or SHA-256).
    UploadMismatch,
    /// Any other failure of an upload.
    UploadFailed,
    /// Another upload from the same data folder is under way (the app and the CLI, say):
    /// this one sent nothing.
    UploadBusy,
    /// A package in the outbox is gone or no longer has the bytes it was exported with.
    PackageChanged,
    /// A front-end was asked to read a path the user did not pick (file dialog, folder dialog
    /// or drop): refused, so the window's content cannot read files on its own.
    PathNotPicked,
    /// The passphrase does not unwrap the data folder's key: nothing was read.
    WrongPassphrase,
    /// The data folder is encrypted and was opened without its passphrase.
    PassphraseRequired,
    /// Encrypting the data folder was interrupted: it is half encrypted until
    /// `intake passphrase set` runs again with the same passphrase.
    EncryptionUnfinished,
    /// The operation needs the data folder to itself, and another program has it open.
    DataFolderBusy,
    /// A file in clear where an encrypted data folder keeps a sealed one (settings, signing
    /// key, database, vault file): not written by the folder, so never read or sealed as its own.
    PlantedPlaintext,
    /// An upload endpoint that would send packages in clear (`http://` to another host than
    /// this computer) without `upload.allow_insecure_http`.
    InsecureEndpoint,
    /// A new passphrase the strength estimator judges too easy to guess; the message says why.
    WeakPassphrase,
    /// The case's attributes contradict each other (e.g. 收银宝 without 开通支付产品): refused,
    /// naming both attributes.
    ContradictoryCase,
    /// Files imported into a case's 未分类 tray are neither assigned to a material nor
    /// withdrawn: the case is not exported, not even marked incomplete, until each is.
    UnsortedFilesRemain,
}

impl ErrorKind {
    /// The stable code, `snake_case`; part of the public contract.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::FileMissing => "file_missing",
            ErrorKind::NotAFile => "not_a_file",
            ErrorKind::FileUnreadable => "file_unreadable",
            ErrorKind::FileEmpty => "file_empty",
            ErrorKind::FileTooLarge => "file_too_large",
            ErrorKind::DataFolderUnwritable => "data_folder_unwritable",
            ErrorKind::DatabaseTooNew => "database_too_new",
            ErrorKind::DatabaseCorrupt => "database_corrupt",
            ErrorKind::CaseNotFound => "case_not_found",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::InvalidRules => "invalid_rules",
            ErrorKind::VaultCorrupt => "vault_corrupt",
            ErrorKind::Io => "io",
            ErrorKind::Database => "database",
            ErrorKind::CaseIncomplete => "case_incomplete",
            ErrorKind::UploadUnreachable => "upload_unreachable",
            ErrorKind::UploadRefused => "upload_refused",
            ErrorKind::UploadBucketMissing => "upload_bucket_missing",
            ErrorKind::UploadMismatch => "upload_mismatch",
            ErrorKind::UploadFailed => "upload_failed",
            ErrorKind::UploadBusy => "upload_busy",
            ErrorKind::PackageChanged => "package_changed",
            ErrorKind::PathNotPicked => "path_not_picked",
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::PassphraseRequired => "passphrase_required",
            ErrorKind::EncryptionUnfinished => "encryption_unfinished",
            ErrorKind::DataFolderBusy => "data_folder_busy",
            ErrorKind::PlantedPlaintext => "planted_plaintext",
            ErrorKind::InsecureEndpoint => "insecure_endpoint",
            ErrorKind::WeakPassphrase => "weak_passphrase",
            ErrorKind::ContradictoryCase => "contradictory_case",
            ErrorKind::UnsortedFilesRemain => "unsorted_files_remain",
        }
    }

    /// Every kind, for tests and generated tables.
    pub const ALL: &'static [ErrorKind] = <ErrorKind as strum::VariantArray>::VARIANTS;

    /// True when the fault lies in what the user gave us (exit status 2 in the CLI) rather
    /// than in a check that ran and found problems.
    pub fn is_bad_input(self) -> bool {
        // An upload that failed ran and left its package queued: exit 1, like a blocked check.
        !matches!(
            self,
            ErrorKind::VaultCorrupt
                | ErrorKind::CaseIncomplete
                | ErrorKind::UnsortedFilesRemain
                | ErrorKind::UploadUnreachable
                | ErrorKind::UploadRefused
                | ErrorKind::UploadBucketMissing
                | ErrorKind::UploadMismatch
                | ErrorKind::UploadFailed
                | ErrorKind::UploadBusy
                | ErrorKind::PackageChanged
        )
    }
}

/// The core's error: a kind and a one-line message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` with a one-line `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    /// An error about one file: the message starts with the file's path.
    pub fn for_file(kind: ErrorKind, path: &Path, reason: impl std::fmt::Display) -> Self {
        Error::new(kind, format!("{}: {reason}", path.display()))
    }

    /// Classifies an I/O error that happened while reading a user's file. An encrypted vault
    /// file that fails authentication is `vault_corrupt`, never an ordinary read error.
    pub fn reading(path: &Path, err: &std::io::Error) -> Self {
        if let Some(damage) = err.get_ref().and_then(|inner| inner.downcast_ref::<Damaged>()) {
            return Error::for_file(
                ErrorKind::VaultCorrupt,
                path,
                format!("文件已损坏或被改动 / is damaged or was altered on disk: {damage}"),
            );
        }
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::FileMissing,
            std::io::ErrorKind::IsADirectory => ErrorKind::NotAFile,
            _ => ErrorKind::FileUnreadable,
        };
        let reason = match kind {
            ErrorKind::FileMissing => "no such file".to_string(),
            ErrorKind::NotAFile => "is a folder, not a file".to_string(),
            _ => format!("cannot be read ({err})"),
        };
        Error::for_file(kind, path, reason)
    }

    /// Classifies an I/O error that happened while writing inside the data folder.
    pub fn writing(path: &Path, err: &std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                ErrorKind::DataFolderUnwritable
            }
            _ => ErrorKind::Io,
        };
        Error::for_file(kind, path, format!("cannot be written ({err})"))
    }

    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        let kind = match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                ErrorKind::DatabaseCorrupt
            }
            Some(rusqlite::ErrorCode::ReadOnly)
            | Some(rusqlite::ErrorCode::CannotOpen)
            | Some(rusqlite::ErrorCode::PermissionDenied) => ErrorKind::DataFolderUnwritable,
            _ => ErrorKind::Database,
        };
        Error::new(kind, format!("database: {err}"))
    }
}

/// The marker inside the `io::Error` of a file that fails authentication.
#[derive(Debug)]
pub struct Damaged(pub String);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Damaged {}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The wire form of an error, as it crosses the IPC boundary and appears in `--json`
/// output: `{code, message}`. Front-ends branch on `code`, never on `message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct ErrorReport {
    pub code: ErrorKind,
    pub message: String,
}

impl ErrorReport {
    /// An error as stored earlier under its code (the outbox keeps the last upload error): a
    /// code this version no longer knows reads as `fallback`, with the stored code kept in the
    /// message.
    pub fn stored(code: &str, message: &str, fallback: ErrorKind) -> ErrorReport {
        match ErrorKind::ALL.iter().find(|kind| kind.code() == code) {
            Some(kind) => ErrorReport { code: *kind, message: message.to_string() },
            None => ErrorReport { code: fallback, message: format!("{code}: {message}") },
        }
    }
}

impl From<&Error> for ErrorReport {
    fn from(err: &Error) -> Self {
        ErrorReport { code: err.kind(), message: err.message().to_string() }
    }
}

impl From<Error> for ErrorReport {
    fn from(err: Error) -> Self {
        ErrorReport::from(&err)
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn the_serde_name_of_every_kind_is_its_code() {
        // The TypeScript union is generated from the serde names; the wire carries code().
        for kind in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::from(kind.code()), "{kind:?}");
        }
        let mut codes: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len(), "ALL lists each kind once");
    }
}
