//! The key hierarchy of an encrypted data folder.
//!
//! ```text
//! passphrase ──Argon2id(salt, params)──▶ wrapping key ──XChaCha20-Poly1305──▶ data key (256 bits, random)
//!                                                                              ├─ SHA-256("…database key v1" ‖ key) → SQLCipher raw key
//!                                                                              ├─ SHA-256("…vault file key v1" ‖ key) → vault files
//!                                                                              └─ SHA-256("…sealed file key v1" ‖ key) → settings.json, the SM2 private key
//! ```
//!
//! - The data key is made once, at random, when the folder is encrypted, and never changes:
//!   changing the passphrase re-wraps it ([`KeyFile::rewrapped`]) and no file is re-encrypted.
//! - `keys/data-key.json` holds the Argon2id parameters beside the salt, the nonce and the
//!   wrapped key. The parameters and the salt are the associated data of the wrap, so a file
//!   whose parameters were edited fails like a wrong passphrase instead of unwrapping weaker.
//! - The keys derived from the data key are domain-separated, so the database key is not
//!   the file key (a leaked SQLCipher key does not open the vault), and a vault object moved
//!   over `settings.json` (or the other way round) fails authentication instead of being read. SHA-256 of a label and a
//!   uniformly random key is a sound derivation here; HKDF would add a crate for the same.
//! - Keys live in [`Zeroizing`] buffers (wiped on drop) and their `Debug` prints no bytes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::durable::{self, Readers};
use crate::error::{Error, ErrorKind, Result};
use crate::vault::decode_hex;

/// Where the wrapped data key lives, relative to the data folder.
pub const KEY_FILE: &str = "keys/data-key.json";

/// The wrapped data key of an encryption that has started but not finished (see
/// `DataFolder::encrypt`): its presence means the folder is half encrypted.
pub const PENDING_KEY_FILE: &str = "keys/data-key.pending.json";

/// The fewest characters a new passphrase may have.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Argon2id parameters for new key files: 64 MiB, 3 passes, 1 lane (RFC 9106's second
/// recommended setting with one lane, since the `parallel` feature would pull in rayon).
/// Measured on the 2-core build machine: about 0.25 s per unlock in a release build (README
/// "Encryption at rest"). Stored in each key file, so they can be raised later without
/// breaking older files.
const NEW_KDF: KdfParams = KdfParams { algorithm: String::new(), memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };

/// The bounds of parameters accepted from a key file: a damaged or hostile file must not make
/// an unlock allocate gigabytes or spin for hours.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 16;

/// The manager's passphrase. Never printed (its `Debug` says nothing) and wiped on drop.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase as typed (not trimmed: spaces are part of it).
    pub fn new(text: String) -> Passphrase {
        Passphrase(Zeroizing::new(text))
    }

    /// Refuses a passphrase too short or too easy to guess to be set as a new one
    /// (`weak_passphrase`, with the reason: [`crate::passphrase_strength`]).
    pub fn check_strong_enough(&self) -> Result<()> {
        self.check_strong_enough_for(&[])
    }

    /// [`Passphrase::check_strong_enough`], also holding the installation's own words
    /// (`user_inputs`: the branch, the manager) against it.
    pub fn check_strong_enough_for(&self, user_inputs: &[&str]) -> Result<()> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::new(
                ErrorKind::WeakPassphrase,
                format!(
                    "密码至少需要 {MIN_PASSPHRASE_CHARS} 个字符 / the passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"
                ),
            ));
        }
        crate::passphrase_strength::check(&self.0, user_inputs)
    }

    /// True when both are the same text (for "type it twice").
    pub fn same_as(&self, other: &Passphrase) -> bool {
        self.0.as_str() == other.0.as_str()
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// The folder's data key: 256 random bits every other key derives from. Cheap to clone
/// (shared); wiped when the last clone is dropped.
#[derive(Clone)]
pub struct DataKey(Arc<Zeroizing<[u8; 32]>>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A new random key from the operating system's generator.
    pub(crate) fn generate() -> DataKey {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).expect("the operating system's random generator is available");
        DataKey(Arc::new(key))
    }

    /// The SQLCipher key as the `PRAGMA key` value: a raw key (`x'…'`), so SQLCipher runs no
    /// KDF of its own at each open.
    pub(crate) fn database_key(&self) -> Zeroizing<String> {
        let key = self.derive(b"merchant-intake database key v1");
        // Written straight into the wiped buffer, sized once: no intermediate String (or
        // reallocation) leaves a copy of the key's hex behind in freed memory.
        let mut text = Zeroizing::new(String::with_capacity(3 + 2 * key.len()));
        text.push_str("x'");
        for byte in key.iter() {
            for nibble in [byte >> 4, byte & 0x0f] {
                text.push(char::from_digit(u32::from(nibble), 16).expect("a nibble is a hex digit"));
            }
        }
        text.push('\'');
        text
    }

    /// The key of the vault's files.
    pub(crate) fn file_key(&self) -> FileKey {
        FileKey(Arc::new(self.derive(b"merchant-intake vault file key v1")))
    }

    /// The key of the folder's small sealed files: `settings.json` (upload secret, manager)
    /// and the installation's SM2 private key (see `encryption::read_sealed`).
    pub(crate) fn sealed_file_key(&self) -> FileKey {
        FileKey(Arc::new(self.derive(b"merchant-intake sealed file key v1")))
    }

    fn derive(&self, label: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut hasher = Sha256::new();
        hasher.update(label);
        hasher.update(self.0.as_ref());
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&hasher.finalize());
        key
    }
}

/// The key the vault's files are encrypted with (see `encrypted_file`).
#[derive(Clone)]
pub struct FileKey(Arc<Zeroizing<[u8; 32]>>);

impl fmt::Debug for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FileKey(…)")
    }
}

impl FileKey {
    pub(crate) fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(&self.0[..]).expect("a 32-byte key fits XChaCha20-Poly1305")
    }
}

/// Argon2id parameters as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KdfParams {
    /// Always `argon2id` (version 0x13).
    algorithm: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

/// `keys/data-key.json`: the data key wrapped under the passphrase. Every field is needed to
/// unwrap it; none of them reveals the key or the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    format: String,
    version: u32,
    kdf: KdfParams,
    /// 16 random bytes, hex.
    salt: String,
    /// `xchacha20poly1305`.
    cipher: String,
    /// 24 random bytes, hex.
    nonce: String,
    /// The 32-byte key and its 16-byte tag, hex.
    wrapped_key: String,
}

const FORMAT: &str = "merchant-intake data key";
const ALGORITHM: &str = "argon2id";
const CIPHER: &str = "xchacha20poly1305";

impl KeyFile {
    /// Wraps `key` under `passphrase` with a new salt and nonce.
    pub(crate) fn wrap(key: &DataKey, passphrase: &Passphrase) -> Result<KeyFile> {
        let kdf = KdfParams { algorithm: ALGORITHM.to_string(), ..NEW_KDF };
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut salt).expect("the operating system's random generator is available");
        getrandom::fill(&mut nonce).expect("the operating system's random generator is available");
        let mut file = KeyFile {
            format: FORMAT.to_string(),
            version: 1,
            kdf,
            salt: crate::vault::hex(&salt),
            cipher: CIPHER.to_string(),
            nonce: crate::vault::hex(&nonce),
            wrapped_key: String::new(),
        };
        let wrapping_key = file.wrapping_key(passphrase)?;
        let mut buffer = key.0.to_vec();
        wrapping_key
            .encrypt_in_place(&nonce.into(), file.associated_data().as_bytes(), &mut buffer)
            .map_err(|_| Error::new(ErrorKind::Io, "the data key could not be wrapped"))?;
        file.wrapped_key = crate::vault::hex(&buffer);
        Ok(file)
    }

    /// The data key, if `passphrase` is the one it was wrapped with.
    pub(crate) fn unwrap(&self, passphrase: &Passphrase) -> Result<DataKey> {
        let wrapping_key = self.wrapping_key(passphrase)?;
        let nonce: [u8; 24] = decode_hex(&self.nonce)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| damaged("its nonce is not 24 bytes of hex"))?;
        let mut buffer =
            Zeroizing::new(decode_hex(&self.wrapped_key).ok_or_else(|| damaged("wrapped_key is not hex"))?);
        if buffer.len() != 48 {
            return Err(damaged("wrapped_key is not 48 bytes"));
        }
        wrapping_key
            .decrypt_in_place(&nonce.into(), self.associated_data().as_bytes(), &mut *buffer)
            .map_err(|_| wrong_passphrase())?;
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&buffer);
        Ok(DataKey(Arc::new(key)))
    }

    /// The same data key wrapped under `new` (new salt and nonce), after `old` unwrapped it.
    pub(crate) fn rewrapped(&self, old: &Passphrase, new: &Passphrase) -> Result<KeyFile> {
        let key = self.unwrap(old)?;
        KeyFile::wrap(&key, new)
    }

    /// Reads a key file.
    pub(crate) fn read(path: &Path) -> Result<KeyFile> {
        let text = std::fs::read_to_string(path).map_err(|err| Error::reading(path, &err))?;
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|err| Error::for_file(ErrorKind::DatabaseCorrupt, path, format!("is not a key file ({err})")))?;
        if file.format != FORMAT || file.version != 1 || file.cipher != CIPHER || file.kdf.algorithm != ALGORITHM {
            return Err(Error::for_file(
                ErrorKind::DatabaseCorrupt,
                path,
                "is a key file of another format or version; it was left untouched",
            ));
        }
        Ok(file)
    }

    /// Writes a key file crash-safely, readable by its owner only.
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        let text = serde_json::to_string_pretty(self).expect("a key file always serialises");
        durable::write_replacing(path, text.as_bytes(), Readers::OwnerOnly)
    }

    /// The Argon2id output for this file's salt and parameters, as a cipher.
    fn wrapping_key(&self, passphrase: &Passphrase) -> Result<XChaCha20Poly1305> {
        let kdf = &self.kdf;
        if kdf.memory_kib > MAX_MEMORY_KIB || kdf.iterations > MAX_ITERATIONS || kdf.parallelism > MAX_PARALLELISM {
            return Err(damaged("its Argon2id parameters are out of bounds"));
        }
        let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
            .map_err(|err| damaged(&format!("its Argon2id parameters are not valid ({err})")))?;
        let salt =
            decode_hex(&self.salt).filter(|salt| salt.len() >= 16).ok_or_else(|| damaged("its salt is not hex"))?;
        let mut output = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.bytes(), &salt, output.as_mut())
            .map_err(|err| damaged(&format!("Argon2id failed ({err})")))?;
        Ok(XChaCha20Poly1305::new_from_slice(output.as_ref()).expect("a 32-byte key fits XChaCha20-Poly1305"))
    }

    /// What the wrap authenticates beside the key: everything that decides how it is unwrapped.
    fn associated_data(&self) -> String {
        let kdf = &self.kdf;
        format!(
            "{FORMAT} v{};{};m={};t={};p={};salt={};{}",
            self.version, kdf.algorithm, kdf.memory_kib, kdf.iterations, kdf.parallelism, self.salt, self.cipher
        )
    }
}

/// Where the key file of the data folder at `root` lives.
pub fn key_file_path(root: &Path) -> PathBuf {
    root.join(KEY_FILE)
}

/// Where the key file of an unfinished encryption lives.
pub fn pending_key_file_path(root: &Path) -> PathBuf {
    root.join(PENDING_KEY_FILE)
}

/// The error of a passphrase that does not unwrap the key. Nothing has been read.
pub fn wrong_passphrase() -> Error {
    Error::new(
        ErrorKind::WrongPassphrase,
        "密码不正确,未读取任何数据 / wrong passphrase: nothing was read (or keys/data-key.json was altered)",
    )
}

fn damaged(reason: &str) -> Error {
    Error::new(ErrorKind::DatabaseCorrupt, format!("{KEY_FILE}: {reason}; the data key cannot be unwrapped"))
}
