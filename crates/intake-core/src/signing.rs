//! The installation's SM2 key pair, and SM2-with-SM3 signatures (GM/T 0003, GM/T 0004) that
//! other programs check: OpenSSL 3 verifies them with
//!
//! ```text
//! openssl dgst -sm3 -verify sm2-public-key.pem -sigopt distid:1234567812345678 \
//!     -signature tagmanifest-sha256.txt.sig tagmanifest-sha256.txt
//! ```
//!
//! - The key pair is made on first use and kept in the data folder: the private key as a
//!   PKCS#8 PEM, readable by its owner only (mode 0600 on unix; on Windows it inherits the
//!   ACL of the per-user data folder): in an unencrypted folder in clear
//!   (`keys/sm2-private-key.pem`), in an encrypted one sealed under the data key
//!   (`keys/sm2-private-key.enc`, the vault's file format), so a lost laptop does not give
//!   away the key that vouches for the branch's packages. Encrypting a folder seals the key
//!   it had. The public key is derived from the private one whenever it is needed, as a
//!   SubjectPublicKeyInfo PEM.
//! - The distinguishing ID is GM/T 0009's default, `1234567812345678`: OpenSSL needs it
//!   given explicitly, and without the same ID on both sides verification fails.
//! - Signatures are DER `SEQUENCE { r, s }` (what OpenSSL writes and reads), deterministic
//!   (RFC 6979 nonces), so signing the same bytes twice gives the same signature and a
//!   package packed twice is the same file.
//! - The fingerprint of a public key is the SHA-256 of its DER SubjectPublicKeyInfo, in
//!   hex: `openssl pkey -pubin -in sm2-public-key.pem -outform DER | sha256sum`.
//!
//! The RustCrypto `sm2` crate does the arithmetic (its README says it has not been audited).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sm2::SecretKey;
use sm2::dsa::signature::Signer;
use sm2::dsa::{Signature, SigningKey};
use sm2::elliptic_curve::Generate;
use sm2::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use ts_rs::TS;

// Checking a signature is the package format's (intake-bag); making one is the installation's.
use intake_bag::signing::fingerprint_of;
pub use intake_bag::signing::{DISTINGUISHING_ID, SignatureProblem, parse_public_key_pem, verify_signature};

use crate::durable::Readers;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::FileKey;

/// Where the private key lives in an unencrypted data folder, relative to it.
pub const PRIVATE_KEY_FILE: &str = "keys/sm2-private-key.pem";

/// Where the private key lives, sealed, in an encrypted data folder.
pub const SEALED_PRIVATE_KEY_FILE: &str = "keys/sm2-private-key.enc";

/// The installation's key pair.
pub struct InstallationKey {
    signing_key: SigningKey,
    public_key_pem: String,
    fingerprint: String,
}

/// What `intake keys show` prints: the public half and where the private half is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PublicKeyInfo {
    /// `SM2`.
    pub algorithm: String,
    /// The distinguishing ID signatures are made with.
    pub distinguishing_id: String,
    /// SubjectPublicKeyInfo, PEM.
    pub public_key_pem: String,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex.
    pub fingerprint_sha256: String,
    /// The private key file (never its content).
    pub private_key_file: String,
    /// True when this call made the key pair.
    pub created: bool,
}

/// What `intake keys register-line` prints and the app's 设置 shows: the line head office adds
/// to its register of trusted keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RegisterLine {
    /// SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex.
    pub fingerprint_sha256: String,
    /// The branch of the settings.
    pub branch: String,
    /// The manager of the settings.
    pub manager: String,
    /// `<fingerprint>  <branch> / <manager>`.
    pub line: String,
}

impl InstallationKey {
    /// The key pair of the unencrypted data folder at `root`, made (and stored) if there is
    /// none yet. Returns it and whether it was made now. An encrypted folder's key is sealed:
    /// it is read through the unlocked folder ([`crate::data_folder::DataFolder::installation_key`]), and this
    /// refuses it (`passphrase_required`) rather than make a second key in clear.
    pub fn load_or_create(root: &Path) -> Result<(InstallationKey, bool)> {
        crate::encryption::refuse_unless_unencrypted(root)?;
        Self::load_or_create_sealed(root, None)
    }

    /// The key pair, sealed under `key` in an encrypted folder.
    fn load_or_create_sealed(root: &Path, key: Option<&FileKey>) -> Result<(InstallationKey, bool)> {
        let path = key_file_of(root, key.is_some());
        if let Some(loaded) = Self::load(&path, key)? {
            return Ok((loaded, false));
        }
        let folder = path.parent().expect("the key file is in a folder");
        std::fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        restrict_folder(folder)?;
        let secret = SecretKey::generate();
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|err| Error::new(ErrorKind::Io, format!("cannot encode the new SM2 key: {err}")))?;
        let created = crate::encryption::write_sealed_new(&path, pem.as_bytes(), key, Readers::OwnerOnly)?;
        // When another process made the key at the same moment, its key is the one on disk.
        let loaded = Self::load(&path, key)?
            .ok_or_else(|| Error::for_file(ErrorKind::FileMissing, &path, "vanished after it was written"))?;
        Ok((loaded, created))
    }

    /// Reads the private key at `path` (unsealing it with `key`); `None` when there is none.
    fn load(path: &Path, key: Option<&FileKey>) -> Result<Option<InstallationKey>> {
        let Some(bytes) = crate::encryption::read_sealed(path, key)? else { return Ok(None) };
        restrict_file(path)?;
        let pem = std::str::from_utf8(&bytes)
            .map_err(|_| Error::for_file(ErrorKind::InvalidInput, path, "is not an SM2 private key in PKCS#8 PEM"))?;
        let secret = SecretKey::from_pkcs8_pem(pem).map_err(|err| {
            Error::for_file(ErrorKind::InvalidInput, path, format!("is not an SM2 private key in PKCS#8 PEM ({err})"))
        })?;
        let signing_key = SigningKey::new(DISTINGUISHING_ID, &secret)
            .map_err(|_| Error::for_file(ErrorKind::InvalidInput, path, "holds an unusable SM2 key"))?;
        let public_key = secret.public_key();
        let public_key_pem = public_key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|err| Error::new(ErrorKind::Io, format!("cannot encode the SM2 public key: {err}")))?;
        let fingerprint = fingerprint_of(&public_key)?;
        Ok(Some(InstallationKey { signing_key, public_key_pem, fingerprint }))
    }

    /// The public key, SubjectPublicKeyInfo PEM (what OpenSSL reads with `-verify`).
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// SHA-256 of the DER public key, hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Signs `message` with SM2 over SM3 (with the distinguishing ID); DER, deterministic.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.signing_key.sign(message);
        signature.to_der().to_vec()
    }
}

/// Where the private key of the unencrypted data folder at `root` lives.
pub fn private_key_path(root: &Path) -> PathBuf {
    root.join(PRIVATE_KEY_FILE)
}

/// Where the sealed private key of the encrypted data folder at `root` lives.
pub fn sealed_private_key_path(root: &Path) -> PathBuf {
    root.join(SEALED_PRIVATE_KEY_FILE)
}

/// The private key's file: sealed in an encrypted folder, in clear in an unencrypted one.
fn key_file_of(root: &Path, sealed: bool) -> PathBuf {
    if sealed { sealed_private_key_path(root) } else { private_key_path(root) }
}

/// The key folder: owner only (0700) on unix.
fn restrict_folder(folder: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
            .map_err(|err| Error::writing(folder, &err))?;
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// A private key someone else may read (e.g. after the folder was copied with loose
/// permissions) is put back to owner-only, as ssh insists too.
fn restrict_file(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(|err| Error::reading(path, &err))?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|err| Error::writing(path, &err))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The installation's key pair kept in the folder at `root` (sealed under `key` in an encrypted
/// folder), made on first use.
pub(crate) fn installation_key(root: &Path, key: Option<&FileKey>) -> Result<InstallationKey> {
    InstallationKey::load_or_create_sealed(root, key).map(|(key, _)| key)
}

/// The fingerprint of the installation's key in the folder at `root`, or `None` when it has none
/// yet (never makes one).
pub(crate) fn signing_key_fingerprint(root: &Path, key: Option<&FileKey>) -> Result<Option<String>> {
    let path = key_file_of(root, key.is_some());
    Ok(InstallationKey::load(&path, key)?.map(|key| key.fingerprint))
}

/// This installation's line for head office's register of trusted keys, from the branch and
/// manager of `settings`, which must be set; the key pair is made on first use.
pub(crate) fn register_line(
    root: &Path,
    key: Option<&FileKey>,
    settings: &crate::settings::Settings,
) -> Result<RegisterLine> {
    let mut missing = Vec::new();
    if settings.branch.trim().is_empty() {
        missing.push("--branch");
    }
    if settings.manager_name.trim().is_empty() {
        missing.push("--manager");
    }
    if !missing.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "分公司和客户经理未设置 / the register line names the branch and the manager: set {} with \
                 `intake settings` first",
                missing.join(" and ")
            ),
        ));
    }
    let key = installation_key(root, key)?;
    let line = crate::package::trust::register_line(key.fingerprint(), &settings.branch, &settings.manager_name);
    Ok(RegisterLine {
        fingerprint_sha256: key.fingerprint.clone(),
        branch: settings.branch.clone(),
        manager: settings.manager_name.clone(),
        line,
    })
}

/// The public half of the installation's key pair in the folder at `root` (made on first use),
/// for display.
pub(crate) fn public_key_info(root: &Path, key: Option<&FileKey>) -> Result<PublicKeyInfo> {
    let (installation_key, created) = InstallationKey::load_or_create_sealed(root, key)?;
    let private_key_file = key_file_of(root, key.is_some());
    Ok(PublicKeyInfo {
        algorithm: "SM2".into(),
        distinguishing_id: DISTINGUISHING_ID.into(),
        public_key_pem: installation_key.public_key_pem.clone(),
        fingerprint_sha256: installation_key.fingerprint.clone(),
        private_key_file: private_key_file.display().to_string(),
        created,
    })
}
