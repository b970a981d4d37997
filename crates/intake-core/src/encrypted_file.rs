//! The format of an encrypted vault file: chunked XChaCha20-Poly1305, readable by seeking.
//!
//! ```text
//! header   "MI-ENC1\n" (8 bytes) ‖ nonce prefix (19 random bytes)
//! chunk i  XChaCha20-Poly1305(file key, nonce = prefix ‖ i as u32 BE ‖ last?1:0, aad = header,
//!          64 KiB of plaintext; the last chunk 0..=64 KiB) ‖ 16-byte tag
//! ```
//!
//! Why by hand: evidence files are large (videos of gigabytes) and the checks read them by
//! seeking (`nom-exif`, the container readers), so one AEAD over the whole file would need the
//! whole file in memory to read a byte. This is the STREAM construction (Hoang, Reyhanitabar,
//! Rogaway, Vizár 2015) that `aead::stream` offered before it was removed from the RustCrypto
//! crates; no maintained crate does it with random access. Each chunk is authenticated alone,
//! so a reader decrypts only the chunks it reads, and:
//! - an altered byte fails the tag of its chunk;
//! - chunks swapped or moved fail (the index is in the nonce);
//! - a file cut at a chunk boundary fails (its new last chunk was not sealed as the last),
//!   and a file cut inside a chunk fails that chunk's tag;
//! - a header altered fails every chunk (it is the associated data).
//!
//! The plaintext length follows from the file length, so `Seek` to the end needs no read.
//! Failures come back as an `io::Error` carrying [`Damaged`], which `Error::reading` turns
//! into `vault_corrupt` with the file's path.

use std::io::{self, Read, Seek, SeekFrom, Write};

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::AeadInOut;
use zeroize::Zeroizing;

use crate::keys::FileKey;

/// The first bytes of every encrypted file (format version 1).
pub const MAGIC: &[u8; 8] = b"MI-ENC1\n";
const PREFIX_BYTES: usize = 19;
/// Header length: magic and nonce prefix.
pub const HEADER_BYTES: u64 = (MAGIC.len() + PREFIX_BYTES) as u64;
/// Plaintext bytes per chunk.
pub const CHUNK_BYTES: usize = 64 * 1024;
const TAG_BYTES: usize = 16;
const SEALED_CHUNK_BYTES: u64 = (CHUNK_BYTES + TAG_BYTES) as u64;

pub use intake_domain::error::Damaged;

fn damaged(reason: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Damaged(reason.into()))
}

fn nonce(prefix: &[u8; PREFIX_BYTES], index: u64, last: bool) -> io::Result<[u8; 24]> {
    let index = u32::try_from(index).map_err(|_| damaged("more chunks than the format allows"))?;
    let mut nonce = [0u8; 24];
    nonce[..PREFIX_BYTES].copy_from_slice(prefix);
    nonce[PREFIX_BYTES..23].copy_from_slice(&index.to_be_bytes());
    nonce[23] = u8::from(last);
    Ok(nonce)
}

/// Encrypts what is written to it into `inner`. Call [`EncryptingWriter::finish`]: dropping it
/// unfinished leaves a file without its last chunk, which every reader refuses.
pub struct EncryptingWriter<W: Write> {
    inner: W,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER_BYTES as usize],
    prefix: [u8; PREFIX_BYTES],
    /// Plaintext waiting to be sealed (up to one chunk), wiped on drop.
    pending: Zeroizing<Vec<u8>>,
    next_index: u64,
}

impl<W: Write> EncryptingWriter<W> {
    /// Writes the header to `inner` with a fresh random nonce prefix.
    pub fn new(mut inner: W, key: &FileKey) -> io::Result<Self> {
        let mut prefix = [0u8; PREFIX_BYTES];
        getrandom::fill(&mut prefix).map_err(|err| io::Error::other(err.to_string()))?;
        let mut header = [0u8; HEADER_BYTES as usize];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        header[MAGIC.len()..].copy_from_slice(&prefix);
        inner.write_all(&header)?;
        Ok(EncryptingWriter {
            inner,
            cipher: key.cipher(),
            header,
            prefix,
            pending: Zeroizing::new(Vec::with_capacity(CHUNK_BYTES + TAG_BYTES)),
            next_index: 0,
        })
    }

    fn seal_pending(&mut self, last: bool) -> io::Result<()> {
        let nonce = nonce(&self.prefix, self.next_index, last)?;
        self.cipher
            .encrypt_in_place(&nonce.into(), &self.header, &mut *self.pending)
            .map_err(|_| io::Error::other("a chunk could not be encrypted"))?;
        self.inner.write_all(&self.pending)?;
        self.pending.clear();
        self.next_index += 1;
        Ok(())
    }

    /// Seals the last chunk and gives back the inner writer (to sync it).
    pub fn finish(mut self) -> io::Result<W> {
        self.seal_pending(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptingWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let written = data.len();
        while !data.is_empty() {
            // A full chunk is sealed only once more data comes, since the last chunk is
            // sealed differently and a full chunk may be the last.
            if self.pending.len() == CHUNK_BYTES {
                self.seal_pending(false)?;
            }
            let take = (CHUNK_BYTES - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts an encrypted file, with `Read` and `Seek` over the plaintext. Only the chunks
/// read are decrypted (one is kept).
pub struct DecryptingReader<R: Read + Seek> {
    inner: R,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER_BYTES as usize],
    prefix: [u8; PREFIX_BYTES],
    chunks: u64,
    plaintext_bytes: u64,
    position: u64,
    /// The decrypted chunk `current`, wiped on drop.
    chunk: Zeroizing<Vec<u8>>,
    current: Option<u64>,
}

impl<R: Read + Seek> DecryptingReader<R> {
    /// Reads the header and works out the layout from the file's length. Fails (with
    /// [`Damaged`]) when the file is no encrypted file of this format.
    pub fn new(mut inner: R, key: &FileKey) -> io::Result<Self> {
        let length = inner.seek(SeekFrom::End(0))?;
        if length < HEADER_BYTES + TAG_BYTES as u64 {
            return Err(damaged("too short to be an encrypted vault file (truncated?)"));
        }
        inner.seek(SeekFrom::Start(0))?;
        let mut header = [0u8; HEADER_BYTES as usize];
        inner.read_exact(&mut header)?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(damaged("not an encrypted vault file (its header is wrong)"));
        }
        let mut prefix = [0u8; PREFIX_BYTES];
        prefix.copy_from_slice(&header[MAGIC.len()..]);
        let body = length - HEADER_BYTES;
        let chunks = body.div_ceil(SEALED_CHUNK_BYTES);
        let last_sealed = body - (chunks - 1) * SEALED_CHUNK_BYTES;
        if last_sealed < TAG_BYTES as u64 {
            return Err(damaged("its length does not fit the format (truncated?)"));
        }
        Ok(DecryptingReader {
            inner,
            cipher: key.cipher(),
            header,
            prefix,
            chunks,
            plaintext_bytes: body - chunks * TAG_BYTES as u64,
            position: 0,
            chunk: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_BYTES as usize)),
            current: None,
        })
    }

    /// The plaintext length.
    pub fn plaintext_len(&self) -> u64 {
        self.plaintext_bytes
    }

    /// Decrypts chunk `index` into `self.chunk`.
    fn load(&mut self, index: u64) -> io::Result<()> {
        if self.current == Some(index) {
            return Ok(());
        }
        self.current = None;
        let start = HEADER_BYTES + index * SEALED_CHUNK_BYTES;
        let last = index + 1 == self.chunks;
        let sealed = if last { self.plaintext_bytes - index * CHUNK_BYTES as u64 } else { CHUNK_BYTES as u64 }
            + TAG_BYTES as u64;
        self.inner.seek(SeekFrom::Start(start))?;
        self.chunk.resize(sealed as usize, 0);
        self.inner.read_exact(&mut self.chunk)?;
        let nonce = nonce(&self.prefix, index, last)?;
        self.cipher
            .decrypt_in_place(&nonce.into(), &self.header, &mut *self.chunk)
            .map_err(|_| damaged(format!("chunk {index} fails authentication (altered, truncated or reordered)")))?;
        self.current = Some(index);
        Ok(())
    }

    /// Decrypts every chunk: `Ok` when the whole file authenticates.
    pub fn authenticate_all(&mut self) -> io::Result<()> {
        for index in 0..self.chunks {
            self.load(index)?;
        }
        Ok(())
    }

    /// Decrypts the first chunk only: whether this file is encrypted under this key.
    pub fn authenticate_first(&mut self) -> io::Result<()> {
        self.load(0)
    }
}

impl<R: Read + Seek> Read for DecryptingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.position >= self.plaintext_bytes || buffer.is_empty() {
            // An empty file still has its one (last) chunk: check it, so that a file cut
            // down to an empty-looking one is not read as empty.
            if self.plaintext_bytes == 0 {
                self.load(0)?;
            }
            return Ok(0);
        }
        let index = self.position / CHUNK_BYTES as u64;
        self.load(index)?;
        let offset = (self.position - index * CHUNK_BYTES as u64) as usize;
        let available = &self.chunk[offset..];
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        self.position += count as u64;
        Ok(count)
    }
}

impl<R: Read + Seek> Seek for DecryptingReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.plaintext_bytes.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        let target =
            target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start of the file"))?;
        self.position = target;
        Ok(target)
    }
}

/// Encrypts a small file whole, in memory (settings, the signing key): the same format as a
/// vault file, so it is authenticated the same way.
pub fn seal(plaintext: &[u8], key: &FileKey) -> io::Result<Vec<u8>> {
    let mut writer = EncryptingWriter::new(Vec::with_capacity(plaintext.len() + 64), key)?;
    writer.write_all(plaintext)?;
    writer.finish()
}

/// Decrypts a file made by [`seal`] (or any file of this format); fails with [`Damaged`] when
/// it does not authenticate under `key`. The plaintext is wiped on drop.
pub fn unseal(sealed: &[u8], key: &FileKey) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut reader = DecryptingReader::new(io::Cursor::new(sealed), key)?;
    let mut plaintext = Zeroizing::new(Vec::with_capacity(reader.plaintext_len() as usize));
    reader.read_to_end(&mut plaintext)?;
    Ok(plaintext)
}

/// True when `bytes` start like a file of this format (not proof that it authenticates).
pub fn looks_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}
