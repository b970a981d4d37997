//! All vault I/O: the evidence files, stored byte-for-byte under their SHA-256.
//!
//! Layout under the vault root:
//! - `objects/ab/abcdef…` (the full 64-hex digest, fanned out by its first two characters);
//! - `tmp/*.part`: files being written. Anything here after a crash is a leftover and is
//!   removed at the next open.
//! - `thumbs/ab/abcdef….jpg`: the thumbnail of an object (derived data, rebuilt when missing
//!   or damaged; see [`Vault::store_thumbnail`]).
//! - `outbox/<sha256>.zip`: the packages queued for upload, sealed like everything else here
//!   (module `sealed_outbox`); the name is the SHA-256 of the package's plain bytes.
//!
//! Write order, which the crash test checks: copy into a temp file while hashing (one read
//! of the source), fsync the temp file, rename it to its final name, fsync the folder; only
//! after that may the caller record the file in the database. So a recorded file always
//! exists whole; the worst a crash leaves is an unrecorded object, which is collected later.
//!
//! Keeping every read and write of vault files in this module is what keeps encryption at
//! rest in one place. In an encrypted data folder ([`Vault::open_encrypted`]) every object,
//! thumbnail and temp file is written encrypted from its first byte (`encrypted_file`: chunked
//! XChaCha20-Poly1305) and read through [`VaultReader`], which decrypts while it reads and
//! seeks; nothing outside this module opens a vault file by its path. Objects keep the
//! SHA-256 of their plaintext as their name (hashed while the copy is encrypted), so the
//! packages made from them do not change.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use intake_domain::digest::{decode_hex, hex, random_hex};

use crate::encrypted_file::{DecryptingReader, EncryptingWriter};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::FileKey;

const COPY_BUFFER_BYTES: usize = 1 << 20;

/// The evidence vault in a data folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    /// The files' key in an encrypted data folder; `None` in an unencrypted one.
    key: Option<FileKey>,
}

/// A file now held by the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // field names say it
pub struct StoredObject {
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub bytes: u64,
    /// The first bytes of the file, for sniffing its media type without a second read.
    pub head: Vec<u8>,
    /// True when the vault already held these bytes and nothing was written.
    pub already_present: bool,
}

impl Vault {
    /// Opens the unencrypted vault at `root` (a data folder from before encryption, or one
    /// whose manager never set a passphrase), creating its folders if needed.
    pub fn open(root: &Path) -> Result<Vault> {
        Self::open_with(root, None)
    }

    /// Opens the vault at `root` whose files are encrypted under `key`.
    pub fn open_encrypted(root: &Path, key: FileKey) -> Result<Vault> {
        Self::open_with(root, Some(key))
    }

    fn open_with(root: &Path, key: Option<FileKey>) -> Result<Vault> {
        for folder in [root.join("objects"), root.join("tmp"), root.join(THUMBS), root.join(OUTBOX)] {
            fs::create_dir_all(&folder).map_err(|err| Error::writing(&folder, &err))?;
        }
        Ok(Vault { root: root.to_path_buf(), key })
    }

    /// True when the vault's files are encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// Where the object with this digest lives (whether or not it exists).
    pub fn object_path(&self, sha256: &str) -> PathBuf {
        let fan_out = sha256.get(..2).unwrap_or("__");
        self.root.join("objects").join(fan_out).join(sha256)
    }

    /// Where the thumbnail of the object with this digest lives (whether or not it exists).
    pub fn thumbnail_path(&self, sha256: &str) -> PathBuf {
        let fan_out = sha256.get(..2).unwrap_or("__");
        self.root.join(THUMBS).join(fan_out).join(format!("{sha256}.jpg"))
    }

    /// The cached thumbnail of an object; `None` when there is none or it is damaged (its seal,
    /// see [`seal_thumbnail`], does not match its bytes), so that the caller makes it again.
    pub fn read_thumbnail(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let path = self.thumbnail_path(sha256);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::reading(&path, &err)),
        };
        let mut bytes = Vec::new();
        match self
            .reader(file, &path)
            .and_then(|mut reader| reader.read_to_end(&mut bytes).map_err(|err| Error::reading(&path, &err)))
        {
            Ok(_) if thumbnail_seal_holds(&bytes) => Ok(Some(bytes)),
            // Damaged (seal or authentication): made again from the object.
            Ok(_) => Ok(None),
            Err(err) if err.kind() == ErrorKind::VaultCorrupt => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Caches the thumbnail (a JPEG) of an object, sealed, and returns the sealed bytes (what
    /// [`Vault::read_thumbnail`] gives back later). Written to a temp file and renamed into
    /// place, so a reader never sees half a thumbnail. Unlike objects it is not fsynced: a
    /// thumbnail is derived data, and one a power cut damages fails its seal and is made again
    /// from the object, which is cheaper than a sync per imported file.
    pub fn store_thumbnail(&self, sha256: &str, jpeg: &[u8]) -> Result<Vec<u8>> {
        let sealed = seal_thumbnail(jpeg);
        let final_path = self.thumbnail_path(sha256);
        let folder = final_path.parent().expect("thumbnail paths have a parent");
        fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        let (temp_path, output) = self.create_temp()?;
        let written = self.write_all_to(output, &sealed).map_err(|err| Error::writing(&temp_path, &err));
        let renamed = written.and_then(|_closed| {
            // A damaged thumbnail is replaced while another thread or process may be reading it.
            crate::durable::rename_replacing(&temp_path, &final_path).map_err(|err| Error::writing(&final_path, &err))
        });
        if renamed.is_err() {
            let _ = fs::remove_file(&temp_path);
        }
        renamed.map(|()| sealed)
    }

    /// True when an object with this digest is stored.
    pub fn contains(&self, sha256: &str) -> bool {
        self.object_path(sha256).is_file()
    }

    /// Opens a stored object for reading (decrypting, in an encrypted vault). A file that
    /// fails authentication, now or later while it is read, is `vault_corrupt` with its path.
    pub fn open_object(&self, sha256: &str) -> Result<VaultReader> {
        let path = self.object_path(sha256);
        let file = File::open(&path).map_err(|err| Error::reading(&path, &err))?;
        self.reader(file, &path)
    }

    fn reader(&self, file: File, path: &Path) -> Result<VaultReader> {
        let content = match &self.key {
            None => {
                let bytes = file.metadata().map_err(|err| Error::reading(path, &err))?.len();
                Content::Plain { file, bytes }
            }
            Some(key) => {
                let mut file = file;
                let mut head = [0u8; 8];
                let read = file.read(&mut head).map_err(|err| Error::reading(path, &err))?;
                if !crate::encrypted_file::looks_sealed(&head[..read]) {
                    // Never read as the folder's own: it was not written by this vault.
                    return Err(crate::planted::planted(path, "is a vault file in clear in an encrypted vault"));
                }
                file.seek(SeekFrom::Start(0)).map_err(|err| Error::reading(path, &err))?;
                Content::Encrypted(DecryptingReader::new(file, key).map_err(|err| Error::reading(path, &err))?)
            }
        };
        Ok(VaultReader { path: path.to_path_buf(), content })
    }

    /// Writes `bytes` into a new temp file (encrypted in an encrypted vault) and closes it.
    fn write_all_to(&self, file: File, bytes: &[u8]) -> io::Result<File> {
        let mut output = self.writer(file)?;
        output.write_all(bytes)?;
        output.finish()
    }

    fn writer(&self, file: File) -> io::Result<VaultWriter> {
        Ok(match &self.key {
            None => VaultWriter::Plain(file),
            Some(key) => VaultWriter::Encrypted(EncryptingWriter::new(file, key)?),
        })
    }

    /// Reads a whole stored object into memory (at most `max_bytes`), checking that it still
    /// has the SHA-256 it is stored under: for derived copies (a watermarked ID copy) that
    /// must be made from the recorded bytes and nothing else.
    pub fn read_object_checked(&self, sha256: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let path = self.object_path(sha256);
        let mut file = self.open_object(sha256)?;
        let length = file.len();
        check_size(&path, length, max_bytes)?;
        let mut bytes = Vec::with_capacity(length as usize);
        file.read_to_end(&mut bytes).map_err(|err| Error::reading(&path, &err))?;
        if hex(&Sha256::digest(&bytes)) != sha256 {
            return Err(Error::for_file(
                ErrorKind::VaultCorrupt,
                &path,
                "no longer matches the SHA-256 it was stored under",
            ));
        }
        Ok(bytes)
    }

    /// Copies `source` into the vault, hashing while it copies. The source is only read.
    ///
    /// `max_bytes` bounds the size; the check is made before reading and again while
    /// reading, in case the file grows.
    pub fn store_copy(&self, source: &Path, max_bytes: u64) -> Result<StoredObject> {
        self.store_copy_keeping(source, max_bytes, 0).map(|(stored, _)| stored)
    }

    /// [`Vault::store_copy`], also giving back the bytes it copied when the file is at most
    /// `keep_max_bytes` long: an import reads the file's headers and metadata from them rather
    /// than reading (and, encrypted, decrypting) the object it has just written. They are the
    /// bytes hashed and written, so what is read from them is what the object holds.
    pub fn store_copy_keeping(
        &self,
        source: &Path,
        max_bytes: u64,
        keep_max_bytes: u64,
    ) -> Result<(StoredObject, Option<Vec<u8>>)> {
        let mut input = crate::evidence::user_file::open(source)?;
        let metadata = input.metadata().map_err(|err| Error::reading(source, &err))?;
        check_size(source, metadata.len(), max_bytes)?;
        let mut kept = (metadata.len() <= keep_max_bytes)
            .then(|| Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0)));

        let (temp_path, output) = self.create_temp()?;
        let copied = self.writer(output).map_err(|err| Error::writing(&temp_path, &err)).and_then(|mut output| {
            let copied =
                copy_hashing(&mut input, &mut output, source, &temp_path, max_bytes, (&mut kept, keep_max_bytes))?;
            let output = output.finish().map_err(|err| Error::writing(&temp_path, &err))?;
            Ok((copied, output))
        });
        let ((sha256, bytes, head), output) = match copied {
            Ok(result) => result,
            Err(err) => {
                let _ = fs::remove_file(&temp_path);
                return Err(err);
            }
        };
        if let Err(err) = output.sync_all() {
            drop(output);
            let _ = fs::remove_file(&temp_path);
            return Err(Error::writing(&temp_path, &err));
        }
        drop(output);

        let final_path = self.object_path(&sha256);
        if final_path.is_file() {
            // Same digest, same bytes: keep the object already there, untouched.
            let _ = fs::remove_file(&temp_path);
            let kept = kept.filter(|kept| kept.len() as u64 == bytes && bytes <= keep_max_bytes);
            return Ok((StoredObject { sha256, bytes, head, already_present: true }, kept));
        }
        let folder = final_path.parent().expect("object paths have a parent");
        fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        if let Err(err) = crate::durable::rename_replacing(&temp_path, &final_path) {
            let _ = fs::remove_file(&temp_path);
            return Err(Error::writing(&final_path, &err));
        }
        sync_folder(folder).map_err(|err| Error::writing(folder, &err))?;
        // A file that grew past the limit while copied is not kept (it was not read whole).
        let kept = kept.filter(|kept| kept.len() as u64 == bytes && bytes <= keep_max_bytes);
        Ok((StoredObject { sha256, bytes, head, already_present: false }, kept))
    }

    /// Re-hashes a stored object and says whether it still matches its name (false also
    /// when an encrypted object fails authentication).
    pub fn verify(&self, sha256: &str) -> Result<bool> {
        let hashed = self.open_object(sha256).and_then(|mut file| {
            let mut hasher = Sha256::new();
            let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
            loop {
                let read = file.read(&mut buffer).map_err(|err| Error::reading(&self.object_path(sha256), &err))?;
                if read == 0 {
                    break;
                }
                hasher.update(&buffer[..read]);
            }
            Ok(hex(&hasher.finalize()))
        });
        match hashed {
            Ok(digest) => Ok(digest == sha256),
            Err(err) if err.kind() == ErrorKind::VaultCorrupt => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Encrypts, in place, every object and thumbnail not encrypted under this vault's key
    /// yet: each is written encrypted to a temp file, synced, and renamed over the plain one,
    /// so a crash leaves every file either plain or encrypted, whole. Run again, it skips the
    /// files already done. Call only under the data folder's exclusive lock.
    ///
    /// `after_each` is called after each file is replaced or found done already (the crash
    /// test stops the process there, the app moves its progress bar). Returns how many files
    /// were encrypted.
    ///
    /// Only the files `convertible` accepts (by their path relative to the vault, `/`-separated:
    /// those in clear when the encryption started) are encrypted; another file in clear is
    /// `planted_plaintext`, never adopted.
    pub(crate) fn encrypt_in_place(
        &self,
        convertible: &dyn Fn(&str) -> bool,
        mut after_each: impl FnMut(InPlaceStep),
    ) -> Result<usize> {
        let Some(key) = &self.key else { return Ok(0) };
        // Temp files of an unencrypted vault are plain; nothing refers to them.
        self.remove_leftovers()?;
        let mut encrypted = 0;
        let mut files = self.object_paths()?;
        files.extend(fanned_out_files(&self.root.join(THUMBS))?);
        files.extend(self.package_paths()?);
        let total = files.len();
        for (index, path) in files.into_iter().enumerate() {
            let mut input = File::open(&path).map_err(|err| Error::reading(&path, &err))?;
            let already = DecryptingReader::new(&mut input, key).and_then(|mut reader| reader.authenticate_first());
            if already.is_ok() {
                after_each(InPlaceStep { encrypted, seen: index + 1, total, this_one_encrypted: false });
                continue;
            }
            if !convertible(&self.relative_name(&path)) {
                return Err(crate::planted::planted(&path, "was not in the vault when its encryption started"));
            }
            input.seek(SeekFrom::Start(0)).map_err(|err| Error::reading(&path, &err))?;
            let (temp_path, output) = self.create_temp()?;
            let written = self.writer(output).and_then(|mut output| {
                io::copy(&mut input, &mut output)?;
                output.finish()?.sync_all()
            });
            if let Err(err) = written {
                let _ = fs::remove_file(&temp_path);
                return Err(Error::writing(&temp_path, &err));
            }
            // The clear file is closed before the encrypted one replaces it: Windows refuses a
            // rename over a file this process still holds open on FAT/exFAT and under Wine
            // (NTFS's POSIX-semantics rename would allow it).
            drop(input);
            if let Err(err) = crate::durable::rename_replacing(&temp_path, &path) {
                let _ = fs::remove_file(&temp_path);
                return Err(Error::writing(&path, &err));
            }
            let folder = path.parent().expect("vault files have a parent");
            sync_folder(folder).map_err(|err| Error::writing(folder, &err))?;
            encrypted += 1;
            after_each(InPlaceStep { encrypted, seen: index + 1, total, this_one_encrypted: true });
        }
        Ok(encrypted)
    }

    /// The objects and thumbnails that are not sealed files (by their first bytes), as names
    /// relative to the vault: what the first encryption of a folder converts.
    pub(crate) fn files_in_clear(&self) -> Result<std::collections::BTreeSet<String>> {
        let mut files = self.object_paths()?;
        files.extend(fanned_out_files(&self.root.join(THUMBS))?);
        files.extend(self.package_paths()?);
        Ok(files
            .into_iter()
            .filter(|path| crate::planted::is_in_clear(path))
            .map(|path| self.relative_name(&path))
            .collect())
    }

    /// A vault file's path relative to the vault, `/`-separated on every platform.
    fn relative_name(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative.components().map(|part| part.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    }

    /// Removes the temp files a crash left behind. Call only while no other process writes
    /// (the data folder's exclusive lock). Returns how many were removed.
    pub fn remove_leftovers(&self) -> Result<usize> {
        let tmp = self.root.join("tmp");
        let mut removed = 0;
        for entry in fs::read_dir(&tmp).map_err(|err| Error::reading(&tmp, &err))? {
            let entry = entry.map_err(|err| Error::reading(&tmp, &err))?;
            fs::remove_file(entry.path()).map_err(|err| Error::writing(&entry.path(), &err))?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Removes stored objects no case refers to (left when a crash fell between the rename
    /// and the database commit). Call only under the data folder's exclusive lock.
    pub fn remove_unreferenced(&self, referenced: &HashSet<String>) -> Result<usize> {
        let mut removed = 0;
        for path in self.object_paths()? {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if !referenced.contains(name) {
                fs::remove_file(&path).map_err(|err| Error::writing(&path, &err))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Removes the thumbnails of objects no case refers to. Call only under the data folder's
    /// exclusive lock.
    pub fn remove_unreferenced_thumbnails(&self, referenced: &HashSet<String>) -> Result<usize> {
        let mut removed = 0;
        for path in fanned_out_files(&self.root.join(THUMBS))? {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if !referenced.contains(name.strip_suffix(".jpg").unwrap_or(name)) {
                fs::remove_file(&path).map_err(|err| Error::writing(&path, &err))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Every object file in the vault.
    pub fn object_paths(&self) -> Result<Vec<PathBuf>> {
        fanned_out_files(&self.root.join("objects"))
    }

    /// Where the queued package with this SHA-256 lives (whether or not it exists).
    pub fn package_path(&self, sha256: &str) -> PathBuf {
        self.root.join(OUTBOX).join(format!("{sha256}.zip"))
    }

    /// Every queued package file in the vault's outbox.
    pub fn package_paths(&self) -> Result<Vec<PathBuf>> {
        let folder = self.root.join(OUTBOX);
        if !folder.is_dir() {
            return Ok(Vec::new());
        }
        let mut paths = Vec::new();
        for entry in fs::read_dir(&folder).map_err(|err| Error::reading(&folder, &err))? {
            paths.push(entry.map_err(|err| Error::reading(&folder, &err))?.path());
        }
        paths.sort();
        Ok(paths)
    }

    /// Writes a package into the vault's outbox: `write` gets a sink that encrypts (in an
    /// encrypted vault) and hashes; the file is synced under a temp name and renamed to
    /// `outbox/<sha256>.zip` only when `write` succeeded, so a crash or an error never leaves a
    /// half package under a package's name. The same bytes queued again keep the file there.
    pub(crate) fn store_package(&self, write: &mut dyn FnMut(&mut dyn Write) -> Result<()>) -> Result<StoredPackage> {
        let (temp_path, output) = self.create_temp()?;
        let written = self.writer(output).map_err(|err| Error::writing(&temp_path, &err)).and_then(|output| {
            let mut sink = HashingWriter { inner: output, hasher: Sha256::new(), bytes: 0 };
            write(&mut sink)?;
            let HashingWriter { inner, hasher, bytes } = sink;
            let file = inner.finish().map_err(|err| Error::writing(&temp_path, &err))?;
            file.sync_all().map_err(|err| Error::writing(&temp_path, &err))?;
            Ok((hex(&hasher.finalize()), bytes))
        });
        let (sha256, bytes) = match written {
            Ok(result) => result,
            Err(err) => {
                let _ = fs::remove_file(&temp_path);
                return Err(err);
            }
        };
        let final_path = self.package_path(&sha256);
        let folder = final_path.parent().expect("package paths have a parent");
        fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        if let Err(err) = fs::rename(&temp_path, &final_path) {
            let _ = fs::remove_file(&temp_path);
            return Err(Error::writing(&final_path, &err));
        }
        sync_folder(folder).map_err(|err| Error::writing(folder, &err))?;
        Ok(StoredPackage { sha256, bytes, path: final_path })
    }

    /// Opens a queued package for reading (decrypting, in an encrypted vault), with `Seek`.
    pub fn open_package(&self, sha256: &str) -> Result<VaultReader> {
        let path = self.package_path(sha256);
        let file = File::open(&path).map_err(|err| Error::reading(&path, &err))?;
        self.reader(file, &path)
    }

    /// Removes a queued package; false when it was not there.
    pub(crate) fn remove_package(&self, sha256: &str) -> Result<bool> {
        let path = self.package_path(sha256);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(Error::writing(&path, &err)),
        }
    }

    fn create_temp(&self) -> Result<(PathBuf, File)> {
        let tmp = self.root.join("tmp");
        loop {
            let path = tmp.join(format!("{}.part", random_hex(8)));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((path, file)),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(Error::writing(&path, &err)),
            }
        }
    }
}

/// A package now queued in the vault's outbox ([`Vault::store_package`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // field names say it
pub struct StoredPackage {
    /// Lower-case hex SHA-256 of the package's plain bytes.
    pub sha256: String,
    pub bytes: u64,
    pub path: PathBuf,
}

/// Hashes and counts the plain bytes on their way into a vault file.
struct HashingWriter {
    inner: VaultWriter,
    hasher: Sha256,
    bytes: u64,
}

impl Write for HashingWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(data)?;
        self.hasher.update(&data[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Where [`Vault::encrypt_in_place`] is, after one more file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InPlaceStep {
    /// Files encrypted by this run so far.
    pub encrypted: usize,
    /// Files looked at so far (encrypted now or already).
    pub seen: usize,
    /// Files in the vault.
    pub total: usize,
    /// Whether the file just looked at was encrypted now.
    pub this_one_encrypted: bool,
}

/// A stored object open for reading: its plaintext, decrypted while read in an encrypted
/// vault, with `Seek` (an encrypted file decrypts only the 64 KiB chunks read).
pub struct VaultReader {
    path: PathBuf,
    content: Content,
}

enum Content {
    Plain { file: File, bytes: u64 },
    Encrypted(DecryptingReader<File>),
}

impl VaultReader {
    /// The plaintext length.
    pub fn len(&self) -> u64 {
        match &self.content {
            Content::Plain { bytes, .. } => *bytes,
            Content::Encrypted(reader) => reader.plaintext_len(),
        }
    }

    /// True for an empty file (the vault holds none).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file's path, for error messages only: never read it by path, it may be encrypted.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Read for VaultReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match &mut self.content {
            Content::Plain { file, .. } => file.read(buffer),
            Content::Encrypted(reader) => reader.read(buffer),
        }
    }
}

impl Seek for VaultReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match &mut self.content {
            Content::Plain { file, .. } => file.seek(to),
            Content::Encrypted(reader) => reader.seek(to),
        }
    }
}

/// A temp file being written: plain, or encrypted from its first byte.
enum VaultWriter {
    Plain(File),
    Encrypted(EncryptingWriter<File>),
}

impl VaultWriter {
    /// Seals the last chunk (when encrypted) and gives back the file, to sync it.
    fn finish(self) -> io::Result<File> {
        match self {
            VaultWriter::Plain(file) => Ok(file),
            VaultWriter::Encrypted(writer) => writer.finish(),
        }
    }
}

impl Write for VaultWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            VaultWriter::Plain(file) => file.write(data),
            VaultWriter::Encrypted(writer) => writer.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            VaultWriter::Plain(file) => file.flush(),
            VaultWriter::Encrypted(writer) => writer.flush(),
        }
    }
}

/// The files one level below the fan-out folders of `folder` (`objects/ab/…`, `thumbs/ab/…`),
/// sorted; none when the folder does not exist yet.
fn fanned_out_files(objects: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    if !objects.is_dir() {
        return Ok(paths);
    }
    for fan_out in fs::read_dir(objects).map_err(|err| Error::reading(objects, &err))? {
        let fan_out = fan_out.map_err(|err| Error::reading(objects, &err))?.path();
        if !fan_out.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&fan_out).map_err(|err| Error::reading(&fan_out, &err))? {
            paths.push(entry.map_err(|err| Error::reading(&fan_out, &err))?.path());
        }
    }
    paths.sort();
    Ok(paths)
}

/// The folder of the thumbnails, under the vault root.
const THUMBS: &str = "thumbs";

/// The folder of the packages queued for upload, under the vault root.
const OUTBOX: &str = "outbox";

/// What the seal of a thumbnail starts with; the hex SHA-256 of the unsealed JPEG follows.
const THUMBNAIL_SEAL: &[u8] = b"merchant-intake thumbnail 1 sha256=";

/// Seals a JPEG thumbnail: a comment segment (COM) right after its start marker holds the
/// SHA-256 of the JPEG without that segment. Any damaged or truncated byte then shows on
/// reading without decoding the picture, and the sealed file is still a JPEG every viewer
/// shows. (No crate seals a derived file like this; a side file would be a second write.)
pub fn seal_thumbnail(jpeg: &[u8]) -> Vec<u8> {
    let digest = hex(&Sha256::digest(jpeg));
    let segment_length = 2 + THUMBNAIL_SEAL.len() + digest.len();
    let mut sealed = Vec::with_capacity(jpeg.len() + 2 + segment_length);
    sealed.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xFE]);
    sealed.extend_from_slice(&(segment_length as u16).to_be_bytes());
    sealed.extend_from_slice(THUMBNAIL_SEAL);
    sealed.extend_from_slice(digest.as_bytes());
    sealed.extend_from_slice(jpeg.get(2..).unwrap_or_default());
    sealed
}

fn thumbnail_seal_holds(sealed: &[u8]) -> bool {
    let seal_start = 6;
    let digest_start = seal_start + THUMBNAIL_SEAL.len();
    let rest_start = digest_start + 64;
    if sealed.len() < rest_start + 2
        || sealed[..4] != [0xFF, 0xD8, 0xFF, 0xFE]
        || usize::from(u16::from_be_bytes([sealed[4], sealed[5]])) != rest_start - 4
        || &sealed[seal_start..digest_start] != THUMBNAIL_SEAL
    {
        return false;
    }
    let mut hasher = Sha256::new();
    hasher.update([0xFF, 0xD8]);
    hasher.update(&sealed[rest_start..]);
    hex(&hasher.finalize()).as_bytes() == &sealed[digest_start..rest_start]
}

/// How many leading bytes of each file are kept for media-type sniffing.
const HEAD_BYTES: usize = 8192;

fn copy_hashing(
    input: &mut File,
    output: &mut impl Write,
    source: &Path,
    temp_path: &Path,
    max_bytes: u64,
    (kept, keep_max_bytes): (&mut Option<Vec<u8>>, u64),
) -> Result<(String, u64, Vec<u8>)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut total: u64 = 0;
    loop {
        let read = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(Error::reading(source, &err)),
        };
        total += read as u64;
        check_size(source, total, max_bytes)?;
        let chunk = &buffer[..read];
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(read);
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(chunk);
        if total > keep_max_bytes {
            // Grown past what may be kept while it was read: it is copied, not kept.
            *kept = None;
        } else if let Some(kept) = kept.as_mut() {
            kept.extend_from_slice(chunk);
        }
        output.write_all(chunk).map_err(|err| Error::writing(temp_path, &err))?;
    }
    if total == 0 {
        return Err(Error::for_file(ErrorKind::FileEmpty, source, "is empty (0 bytes)"));
    }
    Ok((hex(&hasher.finalize()), total, head))
}

fn check_size(source: &Path, bytes: u64, max_bytes: u64) -> Result<()> {
    if bytes > max_bytes {
        return Err(Error::for_file(
            ErrorKind::FileTooLarge,
            source,
            format!("is larger than the limit of {} MiB", max_bytes / (1024 * 1024)),
        ));
    }
    Ok(())
}

/// Makes a rename durable. On Windows a folder cannot be opened for syncing, and NTFS
/// journals the rename itself, so there is nothing to do.
fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}
