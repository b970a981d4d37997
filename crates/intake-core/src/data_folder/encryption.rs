//! Opening, encrypting and re-keying the data folder at a path (encryption at rest itself:
//! module `encryption`).

use std::path::Path;

use super::DataFolder;
use crate::encryption::{self, EncryptionProgress, EncryptionReport, EncryptionState};
use crate::error::Result;
use crate::keys::Passphrase;

impl DataFolder {
    /// The state of the data folder at `root`.
    pub fn encryption_state(root: &Path) -> EncryptionState {
        encryption::state(root)
    }

    /// Opens the encrypted data folder at `root` with its passphrase. A wrong passphrase is
    /// `wrong_passphrase` and reads nothing but the key file.
    pub fn unlock(root: &Path, passphrase: &Passphrase) -> Result<DataFolder> {
        let key = encryption::unlock_key(root, passphrase)?;
        DataFolder::open_keyed(root, Some(key)).map(|(folder, _)| folder)
    }

    /// Encrypts the unencrypted data folder at `root` in place under `passphrase` (see the
    /// module documentation of `encryption`), or finishes an interrupted encryption. Needs the
    /// folder to itself: `data_folder_busy` while another program has it open.
    pub fn encrypt(root: &Path, passphrase: &Passphrase) -> Result<EncryptionReport> {
        encryption::encrypt_in_place(root, passphrase, |_| {})
    }

    /// [`DataFolder::encrypt`], calling `on_progress` after each vault file and after the
    /// database (the app's progress bar).
    pub fn encrypt_reporting(
        root: &Path,
        passphrase: &Passphrase,
        on_progress: impl FnMut(EncryptionProgress),
    ) -> Result<EncryptionReport> {
        encryption::encrypt_in_place(root, passphrase, on_progress)
    }

    /// Re-wraps the data key of the encrypted folder at `root` under `new`, once `old`
    /// unwraps it. No other file changes: the data key stays the same.
    pub fn change_passphrase(root: &Path, old: &Passphrase, new: &Passphrase) -> Result<()> {
        encryption::change_passphrase(root, old, new)
    }
}
