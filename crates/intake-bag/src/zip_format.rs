//! The zip container: how entries are written, and, for `verify`, a strict reader of the
//! zip structure.
//!
//! The reader is written by hand (APPNOTE 6.3.10, the parts a package uses) because `verify`
//! must see every header field: zip libraries parse leniently and hide the fields that do not
//! matter to extraction (version made by, attributes, the local copies of the central
//! fields), and a byte changed there would otherwise go unnoticed. With the checks in
//! `verify`, every byte of a package is either content (checked by CRC-32 and SHA-256),
//! structure (checked for consistency: local against central, offsets against each other) or
//! a field with a single allowed value.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use crate::codes::VerifyCode;

/// The options every entry is written with: the given time, a regular file readable by
/// everyone (0644), written by a Unix-style writer, so that the bytes depend on nothing but
/// the content.
pub fn entry_options(modified: zip::DateTime) -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .last_modified_time(modified)
        .unix_permissions(0o644)
        .system(zip::System::Unix)
}

/// `version made by` of an entry: Unix (3) in the high byte, and in the low byte the same
/// APPNOTE version as `version needed` (1.0 stored, 2.0 deflated, 4.5 zip64).
pub fn canonical_made_by(version_needed: u16) -> u16 {
    (3 << 8) | (version_needed & 0xFF)
}
/// External attributes: a regular file, mode 0644.
pub const EXTERNAL_ATTRIBUTES: u32 = 0o100644 << 16;
/// General purpose flag bit 11: the name is UTF-8.
pub const FLAG_UTF8: u16 = 1 << 11;
/// General purpose flag bit 0: encrypted.
pub const FLAG_ENCRYPTED: u16 = 1;
/// General purpose flag bit 3: sizes and CRC follow the data.
pub const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;

const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const END_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_EXTRA_ID: u16 = 0x0001;

/// One entry as both its central directory record and its local header describe it.
#[derive(Debug, Clone)]
pub struct RawEntry {
    pub name_bytes: Vec<u8>,
    pub version_made_by: u16,
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub time: u16,
    pub date: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub disk_start: u32,
    pub internal_attributes: u16,
    pub external_attributes: u32,
    pub local_header_offset: u64,
    pub extra: Vec<u8>,
    pub comment: Vec<u8>,
    /// Where the data begins; `None` when the local header could not be read.
    pub data_start: Option<u64>,
    /// Differences between the local header and the central record.
    pub local_mismatches: Vec<String>,
}

impl RawEntry {
    /// The name, when it is UTF-8.
    pub fn name(&self) -> Option<&str> {
        std::str::from_utf8(&self.name_bytes).ok()
    }

    /// The name for messages, whatever its encoding.
    pub fn display_name(&self) -> String {
        String::from_utf8_lossy(&self.name_bytes).into_owned()
    }
}

/// The structure of a zip file.
#[derive(Debug, Clone)]
pub struct RawArchive {
    pub entries: Vec<RawEntry>,
    /// Problems with the archive as a whole (end records, layout), as (code, message).
    pub problems: Vec<(VerifyCode, String)>,
}

/// Limits that keep a hostile file from making the reader allocate or loop without bound.
pub struct ReadLimits {
    pub max_entries: u64,
    pub max_central_directory_bytes: u64,
}

/// Why a file is not a zip at all.
#[derive(Debug)]
pub enum NotAZip {
    Io(std::io::Error),
    Structure(String),
}

impl From<std::io::Error> for NotAZip {
    fn from(err: std::io::Error) -> Self {
        NotAZip::Io(err)
    }
}

fn structure(message: impl Into<String>) -> NotAZip {
    NotAZip::Structure(message.into())
}

struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bytes { data, at: 0 }
    }
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(count)?;
        let slice = self.data.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|bytes| u16::from_le_bytes([bytes[0], bytes[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|bytes| u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|bytes| u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
    }
}

fn read_at(file: &mut File, offset: u64, count: usize) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buffer = vec![0u8; count];
    file.read_exact(&mut buffer)?;
    Ok(buffer)
}

/// Reads the structure of the zip in `file`: the end records, every central directory
/// record and every local header. Content is not read.
pub fn read_archive(file: &mut File, limits: &ReadLimits) -> Result<RawArchive, NotAZip> {
    let file_len = file.metadata()?.len();
    if file_len < 22 {
        return Err(structure(format!("{file_len} bytes is too short for a zip file")));
    }
    // The end record is the last 22 bytes plus a comment of at most 64 KiB.
    let tail_len = file_len.min(22 + 65_535) as usize;
    let tail_start = file_len - tail_len as u64;
    let tail = read_at(file, tail_start, tail_len)?;
    let end_at = (0..=tail_len - 22)
        .rev()
        .find(|&at| u32::from_le_bytes(tail[at..at + 4].try_into().expect("4 bytes")) == END_SIGNATURE)
        .ok_or_else(|| structure("no end of central directory record: not a zip file, or cut short"))?;
    let end_offset = tail_start + end_at as u64;
    let mut problems = Vec::new();

    let mut end = Bytes::new(&tail[end_at + 4..]);
    let disk = end.u16().unwrap_or(0);
    let cd_disk = end.u16().unwrap_or(0);
    let entries_here = end.u16().unwrap_or(0);
    let entries_total = end.u16().unwrap_or(0);
    let cd_size = end.u32().unwrap_or(0);
    let cd_offset = end.u32().unwrap_or(0);
    let comment_len = end.u16().unwrap_or(0);
    if disk != 0 || cd_disk != 0 || entries_here != entries_total {
        problems.push((VerifyCode::ZipStructure, "the end record describes a multi-disk archive".to_string()));
    }
    let comment_end = end_offset + 22 + u64::from(comment_len);
    if comment_len != 0 {
        problems.push((VerifyCode::NonCanonicalZip, format!("the archive has a comment of {comment_len} bytes")));
    }
    if comment_end != file_len {
        problems.push((
            VerifyCode::ZipStructure,
            format!("{} bytes follow the end of the archive", file_len.saturating_sub(comment_end)),
        ));
    }

    // The packer writes, in the zip64 end record, the highest `version needed` of the entries
    // as both versions; checked once the entries are read.
    let mut zip64_versions: Option<u16> = None;
    let uses_zip64 = entries_total == u16::MAX || cd_size == u32::MAX || cd_offset == u32::MAX;
    let (entry_count, cd_size, cd_offset, cd_end_expected) = if uses_zip64 {
        if end_offset < 20 + 56 {
            return Err(structure("a zip64 archive without its zip64 end records"));
        }
        let locator = read_at(file, end_offset - 20, 20)?;
        let mut locator = Bytes::new(&locator);
        if locator.u32() != Some(ZIP64_LOCATOR_SIGNATURE) {
            return Err(structure("the zip64 end locator is missing"));
        }
        let locator_disk = locator.u32().unwrap_or(1);
        let record_offset = locator.u64().unwrap_or(0);
        let total_disks = locator.u32().unwrap_or(0);
        if locator_disk != 0 || total_disks != 1 {
            problems.push((VerifyCode::ZipStructure, "the zip64 locator describes a multi-disk archive".to_string()));
        }
        if record_offset.checked_add(56) != Some(end_offset - 20) {
            problems.push((VerifyCode::ZipStructure, "the zip64 end record is not where its locator says".to_string()));
        }
        let record = read_at(file, record_offset, 56).map_err(|_| structure("the zip64 end record cannot be read"))?;
        let mut record = Bytes::new(&record);
        if record.u32() != Some(ZIP64_END_SIGNATURE) {
            return Err(structure("the zip64 end record is missing"));
        }
        let record_size = record.u64().unwrap_or(0);
        let made_by = record.u16().unwrap_or(0);
        let needed = record.u16().unwrap_or(0);
        let disk = record.u32().unwrap_or(1);
        let cd_disk = record.u32().unwrap_or(1);
        let here = record.u64().unwrap_or(0);
        let total = record.u64().unwrap_or(0);
        let size = record.u64().unwrap_or(0);
        let offset = record.u64().unwrap_or(0);
        if record_size != 44 || disk != 0 || cd_disk != 0 || here != total || made_by != needed {
            problems.push((VerifyCode::NonCanonicalZip, "the zip64 end record has unexpected values".to_string()));
        }
        zip64_versions = Some(needed);
        for (small, large, what) in [
            (u64::from(entries_total), total, "entry count"),
            (u64::from(cd_size), size, "central directory size"),
            (u64::from(cd_offset), offset, "central directory offset"),
        ] {
            let saturated = matches!(small, 0xFFFF | 0xFFFF_FFFF);
            if !saturated && small != large {
                problems.push((VerifyCode::ZipStructure, format!("the end records disagree on the {what}")));
            }
        }
        (total, size, offset, record_offset)
    } else {
        (u64::from(entries_total), u64::from(cd_size), u64::from(cd_offset), end_offset)
    };

    if entry_count > limits.max_entries {
        return Err(structure(format!("{entry_count} entries, more than the limit of {}", limits.max_entries)));
    }
    if cd_size > limits.max_central_directory_bytes {
        return Err(structure(format!("a central directory of {cd_size} bytes, more than the limit")));
    }
    if cd_offset.checked_add(cd_size) != Some(cd_end_expected) {
        problems.push((
            VerifyCode::ZipStructure,
            "the central directory does not end where the end record begins".to_string(),
        ));
    }
    let directory = read_at(file, cd_offset, cd_size as usize)
        .map_err(|_| structure("the central directory lies outside the file"))?;
    let mut entries = parse_central_directory(&directory, entry_count, &mut problems)?;
    for entry in &mut entries {
        read_local_header(file, file_len, entry);
    }
    check_layout(&entries, cd_offset, &mut problems);
    if let Some(needed) = zip64_versions {
        let highest = entries.iter().map(|entry| entry.version_needed).max().unwrap_or(10).max(10);
        if needed != highest {
            problems.push((
                VerifyCode::NonCanonicalZip,
                "the zip64 end record's versions are not those of its entries".to_string(),
            ));
        }
    }
    Ok(RawArchive { entries, problems })
}

fn parse_central_directory(
    directory: &[u8],
    entry_count: u64,
    problems: &mut Vec<(VerifyCode, String)>,
) -> Result<Vec<RawEntry>, NotAZip> {
    let mut reader = Bytes::new(directory);
    let mut entries = Vec::with_capacity(entry_count as usize);
    for index in 0..entry_count {
        let truncated = || structure(format!("central directory record {index} is cut short"));
        if reader.u32() != Some(CENTRAL_HEADER_SIGNATURE) {
            return Err(structure(format!("central directory record {index} has a bad signature")));
        }
        let version_made_by = reader.u16().ok_or_else(truncated)?;
        let version_needed = reader.u16().ok_or_else(truncated)?;
        let flags = reader.u16().ok_or_else(truncated)?;
        let method = reader.u16().ok_or_else(truncated)?;
        let time = reader.u16().ok_or_else(truncated)?;
        let date = reader.u16().ok_or_else(truncated)?;
        let crc32 = reader.u32().ok_or_else(truncated)?;
        let compressed_size = reader.u32().ok_or_else(truncated)?;
        let uncompressed_size = reader.u32().ok_or_else(truncated)?;
        let name_len = reader.u16().ok_or_else(truncated)?;
        let extra_len = reader.u16().ok_or_else(truncated)?;
        let comment_len = reader.u16().ok_or_else(truncated)?;
        let disk_start = reader.u16().ok_or_else(truncated)?;
        let internal_attributes = reader.u16().ok_or_else(truncated)?;
        let external_attributes = reader.u32().ok_or_else(truncated)?;
        let local_header_offset = reader.u32().ok_or_else(truncated)?;
        let name_bytes = reader.take(usize::from(name_len)).ok_or_else(truncated)?.to_vec();
        let extra = reader.take(usize::from(extra_len)).ok_or_else(truncated)?.to_vec();
        let comment = reader.take(usize::from(comment_len)).ok_or_else(truncated)?.to_vec();

        let mut entry = RawEntry {
            name_bytes,
            version_made_by,
            version_needed,
            flags,
            method,
            time,
            date,
            crc32,
            compressed_size: u64::from(compressed_size),
            uncompressed_size: u64::from(uncompressed_size),
            disk_start: u32::from(disk_start),
            internal_attributes,
            external_attributes,
            local_header_offset: u64::from(local_header_offset),
            extra,
            comment,
            data_start: None,
            local_mismatches: Vec::new(),
        };
        if let Err(message) = apply_zip64_extra(&mut entry, true) {
            problems.push((VerifyCode::ZipStructure, format!("{}: {message}", entry.display_name())));
        }
        entries.push(entry);
    }
    if reader.at != directory.len() {
        problems.push((
            VerifyCode::ZipStructure,
            format!("{} stray bytes in the central directory", directory.len() - reader.at),
        ));
    }
    Ok(entries)
}

/// Replaces saturated 32-bit fields with the values of the zip64 extra field, in APPNOTE's
/// order (uncompressed size, compressed size, local header offset, disk). Any other extra
/// field is not something a package carries.
fn apply_zip64_extra(entry: &mut RawEntry, central: bool) -> Result<(), String> {
    let mut reader = Bytes::new(&entry.extra);
    let mut seen_zip64 = false;
    while reader.at < entry.extra.len() {
        let id = reader.u16().ok_or("a truncated extra field")?;
        let len = reader.u16().ok_or("a truncated extra field")?;
        let body = reader.take(usize::from(len)).ok_or("an extra field longer than its space")?;
        if id != ZIP64_EXTRA_ID || seen_zip64 {
            return Err(format!("an unexpected extra field (id 0x{id:04x})"));
        }
        seen_zip64 = true;
        let mut values = Bytes::new(body);
        if entry.uncompressed_size == u64::from(u32::MAX) {
            entry.uncompressed_size = values.u64().ok_or("a short zip64 field")?;
        }
        if entry.compressed_size == u64::from(u32::MAX) {
            entry.compressed_size = values.u64().ok_or("a short zip64 field")?;
        }
        if central && entry.local_header_offset == u64::from(u32::MAX) {
            entry.local_header_offset = values.u64().ok_or("a short zip64 field")?;
        }
        if values.at != body.len() {
            return Err("a zip64 field with values that are not needed".into());
        }
    }
    Ok(())
}

/// Reads the local header of `entry` and notes every field that differs from the central
/// record.
fn read_local_header(file: &mut File, file_len: u64, entry: &mut RawEntry) {
    let name_len = entry.name_bytes.len() as u64;
    let Some(fixed) = (entry.local_header_offset + 30 <= file_len)
        .then(|| read_at(file, entry.local_header_offset, 30).ok())
        .flatten()
    else {
        entry.local_mismatches.push("the local header lies outside the file".into());
        return;
    };
    let mut reader = Bytes::new(&fixed);
    let signature = reader.u32();
    let version_needed = reader.u16();
    let flags = reader.u16();
    let method = reader.u16();
    let time = reader.u16();
    let date = reader.u16();
    let crc32 = reader.u32();
    let compressed_size = reader.u32();
    let uncompressed_size = reader.u32();
    let local_name_len = reader.u16().unwrap_or(0);
    let local_extra_len = reader.u16().unwrap_or(0);
    if signature != Some(LOCAL_HEADER_SIGNATURE) {
        entry.local_mismatches.push("the local header has a bad signature".into());
        return;
    }
    let variable_len = u64::from(local_name_len) + u64::from(local_extra_len);
    let Some(variable) = (entry.local_header_offset + 30 + variable_len <= file_len)
        .then(|| read_at(file, entry.local_header_offset + 30, variable_len as usize).ok())
        .flatten()
    else {
        entry.local_mismatches.push("the local header runs past the end of the file".into());
        return;
    };
    let (local_name, local_extra) = variable.split_at(usize::from(local_name_len));
    let mut local = entry.clone();
    local.extra = local_extra.to_vec();
    local.compressed_size = u64::from(compressed_size.unwrap_or(0));
    local.uncompressed_size = u64::from(uncompressed_size.unwrap_or(0));
    let local_zip64 = apply_zip64_extra(&mut local, false);
    let mut differ = |what: &str, same: bool| {
        if !same {
            entry.local_mismatches.push(format!("the local header and the central directory disagree on the {what}"));
        }
    };
    differ("version needed", version_needed == Some(entry.version_needed));
    differ("flags", flags == Some(entry.flags));
    differ("compression method", method == Some(entry.method));
    differ("time", time == Some(entry.time));
    differ("date", date == Some(entry.date));
    differ("CRC-32", crc32 == Some(entry.crc32));
    differ("compressed size", local.compressed_size == entry.compressed_size);
    differ("size", local.uncompressed_size == entry.uncompressed_size);
    differ("name", local_name == entry.name_bytes.as_slice() && u64::from(local_name_len) == name_len);
    // The local extra field need not equal the central one (only the central record carries
    // a zip64 offset), but it must be well formed and give the same sizes.
    differ("extra field", local_zip64.is_ok());
    entry.data_start = Some(entry.local_header_offset + 30 + variable_len);
}

/// Entries must follow each other without gaps or overlaps from the start of the file to the
/// central directory: no hidden bytes, no entry whose data is another's (a zip bomb trick).
fn check_layout(entries: &[RawEntry], cd_offset: u64, problems: &mut Vec<(VerifyCode, String)>) {
    let mut order: Vec<&RawEntry> = entries.iter().collect();
    order.sort_by_key(|entry| entry.local_header_offset);
    let mut expected_start = 0u64;
    for entry in order {
        let Some(data_start) = entry.data_start else { continue };
        if entry.local_header_offset != expected_start {
            let what = if entry.local_header_offset > expected_start { "a gap before" } else { "an overlap at" };
            problems.push((
                VerifyCode::ZipStructure,
                format!("{what} {} (offset {})", entry.display_name(), entry.local_header_offset),
            ));
        }
        expected_start = data_start.saturating_add(entry.compressed_size);
    }
    if expected_start != cd_offset {
        problems.push((
            VerifyCode::ZipStructure,
            "the last entry does not end where the central directory begins".to_string(),
        ));
    }
}
