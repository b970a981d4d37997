//! What an encrypted data folder never adopts: a file found in clear where a sealed one
//! belongs.
//!
//! The attack (an "evil maid" with the laptop for a few minutes, or malware with the user's
//! file rights but not the passphrase): copy a plain `settings.json` (another upload
//! endpoint and bucket, idle lock 0) or a plain `keys/sm2-private-key.pem` into an encrypted
//! folder, and wait for the manager to "finish" its encryption, which would seal the planted
//! files as the folder's own. So, once a folder has its key file, anything in clear where a
//! sealed file belongs (settings, signing key, database, vault object, thumbnail) is refused
//! with `planted_plaintext`, naming the file; it is never sealed, never read.
//!
//! The one path from clear to sealed is the first encryption of a folder that has no key yet
//! (`DataFolder::encrypt`), and its resumption after a crash. That encryption first writes a
//! record of what it converts ([`ConversionRecord`]: the SHA-256 of the settings, the private
//! key and the database as they were, the vault files in clear), sealed under the new key so
//! that nobody without the passphrase can extend it, and only then the pending key file. A
//! resumed run converts only what the record lists, with the same bytes; anything else in
//! clear is refused as planted.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::data_folder::DATABASE_FILE;
use crate::encrypted_file::looks_sealed;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::FileKey;

/// The record of the first encryption, sealed under the new data key, beside the pending key.
pub const CONVERSION_RECORD_FILE: &str = "keys/encrypting.record";

/// What the first encryption of a folder converts from clear to sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ConversionRecord {
    /// SHA-256 of `settings.json` in clear, if there was one.
    pub settings_sha256: Option<String>,
    /// SHA-256 of `keys/sm2-private-key.pem`, if there was one.
    pub private_key_sha256: Option<String>,
    /// SHA-256 of the plain database file, if there was one (its WAL checkpointed first).
    pub database_sha256: Option<String>,
    /// The vault files (objects, thumbnails) in clear, relative to the vault, `/`-separated.
    pub vault_files: BTreeSet<String>,
}

impl ConversionRecord {
    /// Writes the record, sealed under `key` (temp, fsync, rename).
    pub(crate) fn write(&self, root: &Path, key: &FileKey) -> Result<()> {
        let bytes = serde_json::to_vec(self).expect("a conversion record serialises");
        let path = record_path(root);
        // A folder with no key pair yet has no keys/ folder either.
        let folder = path.parent().expect("the record is in keys/");
        fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        crate::encryption::write_sealed(&path, &bytes, Some(key), crate::durable::Readers::OwnerOnly)
    }

    /// Reads the record of the encryption the pending key file belongs to. Without one, or
    /// one that does not open under `key`, the pending key file is not that encryption's:
    /// `planted_plaintext`.
    pub(crate) fn read(root: &Path, key: &FileKey) -> Result<ConversionRecord> {
        let path = record_path(root);
        let pending = crate::keys::pending_key_file_path(root);
        let not_ours = || {
            planted(
                &pending,
                "has no sealed record of what its encryption converts (keys/encrypting.record), so it was not \
                 written by this folder's first encryption",
            )
        };
        let bytes = match crate::encryption::read_sealed(&path, Some(key)) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(not_ours()),
            Err(err) if matches!(err.kind(), ErrorKind::PlantedPlaintext | ErrorKind::VaultCorrupt) => {
                return Err(not_ours());
            }
            Err(err) => return Err(err),
        };
        serde_json::from_slice(&bytes).map_err(|_| not_ours())
    }

    /// Removes the record once the encryption is finished.
    pub(crate) fn remove(root: &Path) -> Result<()> {
        let path = record_path(root);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(Error::writing(&path, &err)),
        }
    }

    /// `Ok` when the small file at `path` in clear is the one this record converts
    /// (`recorded`: its SHA-256 then); `planted_plaintext` otherwise.
    pub(crate) fn check_small_file(path: &Path, bytes: &[u8], recorded: Option<&str>) -> Result<()> {
        let actual = crate::vault::hex(&Sha256::digest(bytes));
        match recorded {
            Some(recorded) if recorded == actual => Ok(()),
            Some(_) => Err(planted(path, "is not the file the encryption started with (other bytes)")),
            None => Err(planted(path, "was not there when the encryption started")),
        }
    }
}

fn record_path(root: &Path) -> PathBuf {
    root.join(CONVERSION_RECORD_FILE)
}

/// The error for a file in clear that the folder refuses to adopt.
pub(crate) fn planted(path: &Path, why: &str) -> Error {
    Error::for_file(
        ErrorKind::PlantedPlaintext,
        path,
        format!(
            "在已加密的数据文件夹中发现未加密的文件,不予采用 / found in clear where this encrypted data folder keeps a \
             sealed file, and not adopted: it {why}. It may have been planted: check it, move it out of the data \
             folder, and open it again"
        ),
    )
}

/// SHA-256 (hex) of a file's bytes, read in pieces.
pub(crate) fn sha256_of_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).map_err(|err| Error::reading(path, &err))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer).map_err(|err| Error::reading(path, &err))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(crate::vault::hex(&hasher.finalize()))
}

/// True when the file exists and starts like a plain SQLite database.
pub(crate) fn is_plain_database(path: &Path) -> bool {
    let mut head = [0u8; 16];
    fs::File::open(path).and_then(|mut file| file.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0"
}

/// True when the file exists and does not start like a sealed file.
pub(crate) fn is_in_clear(path: &Path) -> bool {
    let Ok(mut file) = fs::File::open(path) else { return false };
    let mut head = Vec::with_capacity(8);
    // An unreadable file counts as in clear: it is not known to be sealed.
    (&mut file).take(8).read_to_end(&mut head).is_err() || !looks_sealed(&head)
}

/// What an encrypted folder must not hold before it is opened: the settings, the signing key
/// in clear (`.pem`), a plain database, or a pending key file beside the real one (the last
/// step of an encryption renames the pending one, so both never exist at once).
/// Vault objects are checked as they are read (`Vault`).
pub(crate) fn refuse_planted_files(root: &Path) -> Result<()> {
    let settings = crate::settings::settings_path(root);
    if is_in_clear(&settings) {
        return Err(planted(&settings, "is in clear, and this folder seals its settings"));
    }
    let pem = crate::signing::private_key_path(root);
    if pem.exists() {
        return Err(planted(&pem, "is a signing key in clear, and this folder's own key is sealed (.enc)"));
    }
    let database = root.join(DATABASE_FILE);
    if is_plain_database(&database) {
        return Err(planted(&database, "is a database in clear, and this folder's database is encrypted"));
    }
    let pending = crate::keys::pending_key_file_path(root);
    if pending.exists() {
        return Err(planted(&pending, "is a pending key beside the folder's key, which no encryption leaves"));
    }
    Ok(())
}
