//! All vault I/O: the evidence files, stored byte-for-byte under their SHA-256.
//!
//! Layout under the vault root:
//! - `objects/ab/abcdef…` (the full 64-hex digest, fanned out by its first two characters);
//! - `tmp/*.part`: files being written. Anything here after a crash is a leftover and is
//!   removed at the next open.
//!
//! Write order, which the crash test checks: copy into a temp file while hashing (one read
//! of the source), fsync the temp file, rename it to its final name, fsync the folder; only
//! after that may the caller record the file in the database. So a recorded file always
//! exists whole; the worst a crash leaves is an unrecorded object, which is collected later.
//!
//! Keeping every read and write of vault files in this module is what lets encryption at rest
//! be added in one place later.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};

const COPY_BUFFER_BYTES: usize = 1 << 20;

/// The evidence vault in a data folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
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
    /// Opens the vault at `root`, creating its folders if needed.
    pub fn open(root: &Path) -> Result<Vault> {
        for folder in [root.join("objects"), root.join("tmp")] {
            fs::create_dir_all(&folder).map_err(|err| Error::writing(&folder, &err))?;
        }
        Ok(Vault { root: root.to_path_buf() })
    }

    /// Where the object with this digest lives (whether or not it exists).
    pub fn object_path(&self, sha256: &str) -> PathBuf {
        let fan_out = sha256.get(..2).unwrap_or("__");
        self.root.join("objects").join(fan_out).join(sha256)
    }

    /// True when an object with this digest is stored.
    pub fn contains(&self, sha256: &str) -> bool {
        self.object_path(sha256).is_file()
    }

    /// Opens a stored object for reading.
    pub fn open_object(&self, sha256: &str) -> Result<File> {
        let path = self.object_path(sha256);
        File::open(&path).map_err(|err| Error::reading(&path, &err))
    }

    /// Copies `source` into the vault, hashing while it copies. The source is only read.
    ///
    /// `max_bytes` bounds the size; the check is made before reading and again while
    /// reading, in case the file grows.
    pub fn store_copy(&self, source: &Path, max_bytes: u64) -> Result<StoredObject> {
        let mut input = File::open(source).map_err(|err| Error::reading(source, &err))?;
        let metadata = input.metadata().map_err(|err| Error::reading(source, &err))?;
        if !metadata.is_file() {
            return Err(Error::for_file(ErrorKind::NotAFile, source, "is a folder or device, not a file"));
        }
        check_size(source, metadata.len(), max_bytes)?;

        let (temp_path, mut output) = self.create_temp()?;
        let copied = copy_hashing(&mut input, &mut output, source, &temp_path, max_bytes);
        let (sha256, bytes, head) = match copied {
            Ok(result) => result,
            Err(err) => {
                drop(output);
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
            return Ok(StoredObject { sha256, bytes, head, already_present: true });
        }
        let folder = final_path.parent().expect("object paths have a parent");
        fs::create_dir_all(folder).map_err(|err| Error::writing(folder, &err))?;
        if let Err(err) = fs::rename(&temp_path, &final_path) {
            let _ = fs::remove_file(&temp_path);
            return Err(Error::writing(&final_path, &err));
        }
        sync_folder(folder).map_err(|err| Error::writing(folder, &err))?;
        Ok(StoredObject { sha256, bytes, head, already_present: false })
    }

    /// Re-hashes a stored object and says whether it still matches its name.
    pub fn verify(&self, sha256: &str) -> Result<bool> {
        let mut file = self.open_object(sha256)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
        loop {
            let read = file.read(&mut buffer).map_err(|err| Error::reading(&self.object_path(sha256), &err))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
        }
        Ok(hex(&hasher.finalize()) == sha256)
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

    /// Every object file in the vault.
    pub fn object_paths(&self) -> Result<Vec<PathBuf>> {
        let objects = self.root.join("objects");
        let mut paths = Vec::new();
        for fan_out in fs::read_dir(&objects).map_err(|err| Error::reading(&objects, &err))? {
            let fan_out = fan_out.map_err(|err| Error::reading(&objects, &err))?.path();
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

/// How many leading bytes of each file are kept for media-type sniffing.
const HEAD_BYTES: usize = 8192;

fn copy_hashing(
    input: &mut File,
    output: &mut File,
    source: &Path,
    temp_path: &Path,
    max_bytes: u64,
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

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// `count` random bytes as hex, from the operating system's generator.
pub fn random_hex(count: usize) -> String {
    let mut bytes = vec![0u8; count];
    getrandom::fill(&mut bytes).expect("the operating system's random generator is available");
    hex(&bytes)
}
