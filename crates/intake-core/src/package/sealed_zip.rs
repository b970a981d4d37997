//! Writing a package into a sink that cannot go back (an encrypted vault file) with exactly
//! the bytes it has when written to a plain file.
//!
//! The zip writer needs `Seek`: after each entry it goes back to its local header to fill in
//! the CRC-32 and the sizes, then on to the end. An encrypted vault file cannot be patched:
//! its chunks are sealed with nonces that must never be used twice. Writing the zip in clear
//! first and sealing it afterwards would leave the merchant's documents in clear on the disk
//! (deleted, but readable on an SSD), which is what the sealed outbox is for.
//!
//! So a package is packed twice (packing is deterministic, module `package`): the first pass
//! writes nowhere and only records the bytes the writer goes back to change ([`PatchRecorder`]:
//! a few dozen per entry); the second pass ([`PatchedStream`]) writes straight ahead, putting
//! those bytes in place as it passes them, and checks that the writer's going back writes the
//! very bytes recorded. The cost is one more read of the evidence (and deflate of the text
//! files); memory holds the patched bytes only.

use std::collections::BTreeMap;
use std::io::{self, Seek, SeekFrom, Write};

/// The first pass: a sink that keeps nothing but the bytes written behind the end.
#[derive(Debug, Default)]
pub(crate) struct PatchRecorder {
    position: u64,
    end: u64,
    /// Offset → byte, for every byte written again after the first time (the last write wins).
    patches: BTreeMap<u64, u8>,
}

impl PatchRecorder {
    /// The bytes to put in place in the second pass, and the package's length.
    pub(crate) fn into_patches(self) -> (BTreeMap<u64, u8>, u64) {
        (self.patches, self.end)
    }
}

impl Write for PatchRecorder {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        for (index, byte) in data.iter().enumerate() {
            let offset = self.position + index as u64;
            if offset < self.end {
                self.patches.insert(offset, *byte);
            }
        }
        self.position += data.len() as u64;
        self.end = self.end.max(self.position);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for PatchRecorder {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.position = target(to, self.position, self.end)?;
        Ok(self.position)
    }
}

/// The second pass: writes straight ahead into `inner` with the recorded bytes in place.
pub(crate) struct PatchedStream<W: Write> {
    inner: W,
    position: u64,
    end: u64,
    patches: BTreeMap<u64, u8>,
    expected_end: u64,
}

impl<W: Write> PatchedStream<W> {
    pub(crate) fn new(inner: W, patches: BTreeMap<u64, u8>, expected_end: u64) -> Self {
        PatchedStream { inner, position: 0, end: 0, patches, expected_end }
    }

    /// The inner sink, once the whole package went through it, as long as the first pass.
    pub(crate) fn finish(self) -> io::Result<W> {
        if self.end != self.expected_end {
            return Err(differs(format!(
                "{} bytes written where the first pass wrote {}",
                self.end, self.expected_end
            )));
        }
        Ok(self.inner)
    }
}

impl<W: Write> Write for PatchedStream<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.position > self.end {
            return Err(differs(format!("a jump ahead to {} past the end {}", self.position, self.end)));
        }
        // Behind the end: the writer going back. Those bytes went out already, patched.
        let behind = usize::try_from(self.end - self.position).unwrap_or(usize::MAX).min(data.len());
        for (index, byte) in data[..behind].iter().enumerate() {
            let offset = self.position + index as u64;
            if self.patches.get(&offset) != Some(byte) {
                return Err(differs(format!("byte {offset} is not the one the first pass wrote there")));
            }
        }
        let ahead = &data[behind..];
        if !ahead.is_empty() {
            let start = self.end;
            let mut out = ahead.to_vec();
            for (offset, byte) in self.patches.range(start..start + ahead.len() as u64) {
                out[(offset - start) as usize] = *byte;
            }
            self.inner.write_all(&out)?;
            self.end += ahead.len() as u64;
        }
        self.position += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Seek for PatchedStream<W> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.position = target(to, self.position, self.end)?;
        Ok(self.position)
    }
}

fn target(to: SeekFrom, position: u64, end: u64) -> io::Result<u64> {
    let target = match to {
        SeekFrom::Start(offset) => Some(offset),
        SeekFrom::End(delta) => end.checked_add_signed(delta),
        SeekFrom::Current(delta) => position.checked_add_signed(delta),
    };
    target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start of the package"))
}

/// The second pass did not repeat the first: packing was not deterministic (a bug).
fn differs(what: String) -> io::Error {
    io::Error::other(format!("the package's second pass differs from its first ({what})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes what a zip writer does: ahead, back to patch a header, then ahead again.
    fn write_with_patches(sink: &mut (impl Write + Seek)) -> io::Result<()> {
        sink.write_all(b"HEADER--")?;
        sink.write_all(&[7u8; 100_000])?;
        sink.seek(SeekFrom::Start(6))?;
        sink.write_all(b"ok")?;
        sink.seek(SeekFrom::End(0))?;
        sink.write_all(b"TAIL")?;
        sink.seek(SeekFrom::Start(100_006))?;
        sink.write_all(b"ta")?;
        sink.seek(SeekFrom::Current(2))?;
        Ok(())
    }

    #[test]
    fn two_passes_give_the_bytes_a_seekable_file_gets() {
        let mut plain = io::Cursor::new(Vec::new());
        write_with_patches(&mut plain).unwrap();

        let mut recorder = PatchRecorder::default();
        write_with_patches(&mut recorder).unwrap();
        let (patches, end) = recorder.into_patches();
        assert_eq!(patches.len(), 4);
        let mut stream = PatchedStream::new(Vec::new(), patches, end);
        write_with_patches(&mut stream).unwrap();
        assert!(stream.finish().unwrap() == plain.into_inner());
    }

    #[test]
    fn a_second_pass_that_writes_other_bytes_is_refused() {
        let mut recorder = PatchRecorder::default();
        write_with_patches(&mut recorder).unwrap();
        let (patches, end) = recorder.into_patches();
        let mut stream = PatchedStream::new(Vec::new(), patches, end);
        stream.write_all(b"HEADER--").unwrap();
        stream.seek(SeekFrom::Start(6)).unwrap();
        assert!(stream.write_all(b"no").is_err());
    }

    #[test]
    fn a_second_pass_shorter_than_the_first_is_refused() {
        let mut recorder = PatchRecorder::default();
        write_with_patches(&mut recorder).unwrap();
        let (patches, end) = recorder.into_patches();
        let mut stream = PatchedStream::new(Vec::new(), patches, end);
        stream.write_all(b"HEADER--").unwrap();
        assert!(stream.finish().is_err());
    }
}
