//! All vault I/O: the evidence files, stored byte-for-byte under their SHA-256.
//!
//! Layout under the vault root:
//! - `objects/ab/abcdef…` (the full 64-hex digest, fanned out by its first two characters);
//! - `tmp/*.part`: files being written. Anything here after a crash is a leftover and is
//!   removed at the next open.
//! - `thumbs/ab/abcdef….jpg`: the thumbnail of an object (derived data, rebuilt when missing
//!   or damaged; see [`Vault::store_thumbnail`]).
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
        for folder in [root.join("objects"), root.join("tmp"), root.join(THUMBS)] {
            fs::create_dir_all(&folder).map_err(|err| Error::writing(&folder, &err))?;
        }
        Ok(Vault { root: root.to_path_buf() })
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
        match fs::read(&path) {
            Ok(bytes) if thumbnail_seal_holds(&bytes) => Ok(Some(bytes)),
            Ok(_) => Ok(None),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(Error::reading(&path, &err)),
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
        let (temp_path, mut output) = self.create_temp()?;
        let written = output.write_all(&sealed).map_err(|err| Error::writing(&temp_path, &err));
        drop(output);
        let renamed = written
            .and_then(|()| fs::rename(&temp_path, &final_path).map_err(|err| Error::writing(&final_path, &err)));
        if renamed.is_err() {
            let _ = fs::remove_file(&temp_path);
        }
        renamed.map(|()| sealed)
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

    /// Reads a whole stored object into memory (at most `max_bytes`), checking that it still
    /// has the SHA-256 it is stored under: for derived copies (a watermarked ID copy) that
    /// must be made from the recorded bytes and nothing else.
    pub fn read_object_checked(&self, sha256: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let path = self.object_path(sha256);
        let mut file = self.open_object(sha256)?;
        let length = file.metadata().map_err(|err| Error::reading(&path, &err))?.len();
        check_size(&path, length, max_bytes)?;
        let mut bytes = Vec::with_capacity(length as usize);
        file.read_to_end(&mut bytes).map_err(|err| Error::reading(&path, &err))?;
        if hex(&Sha256::digest(&bytes)) != sha256 {
            return Err(Error::for_file(ErrorKind::VaultCorrupt, &path, "no longer matches the SHA-256 it was stored under"));
        }
        Ok(bytes)
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
