//! Small, bounds-checked readers of container structures that the metadata crates do not
//! expose. Each is hand-written because no well-kept crate offers exactly this (see each
//! function); each reads only from the given slice and never allocates in proportion to a
//! size field found in the file.

/// The stored (coded) size of a HEIF/AVIF file's primary image: the `ispe` property that
/// `ipma` associates with the item named by `pitm`.
///
/// Hand-written because `imagesize` takes the largest `ispe` of any item and applies `irot`,
/// which disagrees with ExifTool (it reports the primary item's `ispe`, unrotated, and so do
/// we: orientation is reported separately), and `nom-exif`/`kamadak-exif` do not read it.
pub fn heif_primary_size(file: &[u8]) -> Option<(u32, u32)> {
    let meta = find_box(file, b"meta")?;
    let meta = meta.get(4..)?; // full box: version and flags
    let primary = {
        let pitm = find_box(meta, b"pitm")?;
        match pitm.first()? {
            0 => u32::from(be_u16(pitm, 4)?),
            _ => be_u32(pitm, 4)?,
        }
    };
    let iprp = find_box(meta, b"iprp")?;
    let ipco = find_box(iprp, b"ipco")?;
    let ipma = find_box(iprp, b"ipma")?;
    for index in primary_property_indices(ipma, primary)? {
        // Property indices are 1-based positions of the boxes inside `ipco`.
        if let Some((kind, body)) = boxes(ipco).nth(usize::from(index).checked_sub(1)?)
            && &kind == b"ispe"
        {
            let width = be_u32(body, 4)?;
            let height = be_u32(body, 8)?;
            return (width > 0 && height > 0).then_some((width, height));
        }
    }
    None
}

/// The property indices `ipma` lists for `item`.
fn primary_property_indices(ipma: &[u8], item: u32) -> Option<Vec<u16>> {
    let version = *ipma.first()?;
    let flags = be_u32(ipma, 0)? & 0x00FF_FFFF;
    let entry_count = be_u32(ipma, 4)?;
    let mut at = 8usize;
    for _ in 0..entry_count {
        let item_id = if version < 1 {
            let id = u32::from(be_u16(ipma, at)?);
            at += 2;
            id
        } else {
            let id = be_u32(ipma, at)?;
            at += 4;
            id
        };
        let association_count = usize::from(*ipma.get(at)?);
        at += 1;
        let mut indices = Vec::with_capacity(association_count);
        for _ in 0..association_count {
            let index = if flags & 1 == 1 {
                let value = be_u16(ipma, at)? & 0x7FFF;
                at += 2;
                value
            } else {
                let value = u16::from(*ipma.get(at)? & 0x7F);
                at += 1;
                value
            };
            indices.push(index);
        }
        if item_id == item {
            return Some(indices);
        }
    }
    None
}

/// The body of the first box of this type among the boxes laid end to end in `data`.
fn find_box<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|(found, _)| found == kind).map(|(_, body)| body)
}

/// Iterates over ISO-BMFF boxes laid end to end: `(type, body)`. Stops at the first box whose
/// declared size does not fit.
fn boxes(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let size = be_u32(rest, 0)? as u64;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        let (header, size) = match size {
            0 => (8u64, rest.len() as u64),
            1 => (16, be_u64(rest, 8)?),
            size => (8, size),
        };
        if size < header || size > rest.len() as u64 {
            rest = &[];
            return None;
        }
        let body = &rest[header as usize..size as usize];
        rest = &rest[size as usize..];
        Some((kind, body))
    })
}

/// The size in a PNG's IHDR chunk, which the PNG spec puts first. Read directly because the
/// `png` decoder rejects a file whose chunk checksum is wrong before it reports the size, and
/// the size is a fact of the file whether or not its pixels decode (the decoder then says so).
pub fn png_size(file: &[u8]) -> Option<(u32, u32)> {
    if !file.starts_with(b"\x89PNG\r\n\x1a\n") || file.get(12..16)? != b"IHDR" {
        return None;
    }
    let (width, height) = (be_u32(file, 16)?, be_u32(file, 20)?);
    (width > 0 && height > 0).then_some((width, height))
}

/// The payload of a WebP file's `EXIF` chunk, without the `Exif\0\0` prefix that some
/// writers put before the TIFF header (the corpus' iPhone X WebP; ExifTool calls it an
/// "improper EXIF header" and reads it anyway). kamadak-exif reads only unprefixed chunks.
pub fn webp_exif_payload(file: &[u8]) -> Option<&[u8]> {
    if file.get(0..4)? != b"RIFF" || file.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut at = 12usize;
    while at + 8 <= file.len() {
        let kind = &file[at..at + 4];
        let size = u32::from_le_bytes(file[at + 4..at + 8].try_into().ok()?) as usize;
        let body = file.get(at + 8..(at + 8).checked_add(size)?)?;
        if kind == b"EXIF" {
            return Some(body.strip_prefix(b"Exif\0\0").unwrap_or(body));
        }
        at = at + 8 + size + (size & 1);
    }
    None
}

/// TIFF tags whose value is the offset of a sub-IFD: Exif, GPS (in IFD0) and Interoperability
/// (in the Exif IFD).
const EXIF_IFD_POINTER: u16 = 0x8769;
const GPS_IFD_POINTER: u16 = 0x8825;
const INTEROP_IFD_POINTER: u16 = 0xA005;
/// TIFF field type 13, "IFD" (TIFF Technical Note 1): a 32-bit offset, like LONG (4).
const TYPE_IFD: u16 = 13;
const TYPE_LONG: u16 = 4;

/// Rewrites the field type of the Exif/GPS/Interop pointers from 13 (IFD) to 4 (LONG) in a
/// copy of TIFF data, and says whether anything changed.
///
/// Why: the TIFF spec allows a sub-IFD pointer to be typed IFD (13), and some writers do so
/// (the corpus' DJI XT2 thermal TIFF); ExifTool reads such files without a warning, but
/// kamadak-exif 0.6 accepts only BYTE/SHORT/LONG pointers and fails the whole file with
/// "Invalid pointer". Both types hold the same 4-byte offset, so changing the type code in a
/// copy of the header is exact. The original bytes are never modified.
pub fn retype_ifd_pointers(tiff: &mut [u8]) -> bool {
    let big_endian = match tiff.get(0..4) {
        Some(b"MM\0*") => true,
        Some(b"II*\0") => false,
        _ => return false,
    };
    let read_u16 = |data: &[u8], at: usize| -> Option<u16> {
        let bytes: [u8; 2] = data.get(at..at + 2)?.try_into().ok()?;
        Some(if big_endian { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) })
    };
    let read_u32 = |data: &[u8], at: usize| -> Option<u32> {
        let bytes: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) })
    };
    let type_13 = if big_endian { TYPE_IFD.to_be_bytes() } else { TYPE_IFD.to_le_bytes() };
    let type_long = if big_endian { TYPE_LONG.to_be_bytes() } else { TYPE_LONG.to_le_bytes() };

    // Patch the pointer entries of one IFD; returns the Exif IFD offset if it holds one.
    let patch_ifd = |tiff: &mut [u8], ifd: usize, pointer_tags: &[u16]| -> (bool, Option<usize>) {
        let mut changed = false;
        let mut exif_ifd = None;
        let Some(count) = read_u16(tiff, ifd) else { return (false, None) };
        for entry in 0..usize::from(count) {
            let at = ifd + 2 + entry * 12;
            let (Some(tag), Some(kind)) = (read_u16(tiff, at), tiff.get(at + 2..at + 4)) else { break };
            if !pointer_tags.contains(&tag) {
                continue;
            }
            if kind == type_13 {
                tiff[at + 2..at + 4].copy_from_slice(&type_long);
                changed = true;
            }
            if tag == EXIF_IFD_POINTER {
                exif_ifd = read_u32(tiff, at + 8).map(|offset| offset as usize);
            }
        }
        (changed, exif_ifd)
    };

    let Some(ifd0) = read_u32(tiff, 4) else { return false };
    let (mut changed, exif_ifd) = patch_ifd(tiff, ifd0 as usize, &[EXIF_IFD_POINTER, GPS_IFD_POINTER]);
    if let Some(exif_ifd) = exif_ifd.filter(|&offset| offset != ifd0 as usize) {
        changed |= patch_ifd(tiff, exif_ifd, &[INTEROP_IFD_POINTER]).0;
    }
    changed
}

/// The quantisation tables of a JPEG file (natural order, by table id), read from its DQT
/// segments up to the first scan. Hand-written: neither zune-jpeg nor jpeg-decoder exposes the
/// tables, and walking the markers is a few lines.
pub fn jpeg_quantisation_tables(file: &[u8]) -> Vec<(u8, [u16; 64])> {
    let mut tables = Vec::new();
    if !file.starts_with(&[0xFF, 0xD8]) {
        return tables;
    }
    let mut at = 2usize;
    while at + 4 <= file.len() {
        if file[at] != 0xFF {
            break;
        }
        let marker = file[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at += 2;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break; // start of scan or end of image: no more tables before the data
        }
        let length = usize::from(u16::from_be_bytes([file[at + 2], file[at + 3]]));
        let Some(segment) = file.get(at + 4..at + 2 + length) else { break };
        if length < 2 {
            break;
        }
        if marker == 0xDB {
            read_dqt_segment(segment, &mut tables);
        }
        at += 2 + length;
    }
    tables
}

/// True when a JPEG's entropy-coded data is followed by an end-of-image marker (FFD9).
/// zune-jpeg decodes a file cut short without an error (it fills the rest with grey), so a
/// truncated upload would pass as readable. FF D9 cannot occur inside entropy-coded data (an
/// FF there is followed by 00 or a restart marker), so any FF D9 after the first scan header
/// ends the image; data appended after it (a motion photo's video) does not matter.
pub fn jpeg_has_end_marker(file: &[u8]) -> bool {
    let Some(first_scan) = jpeg_first_scan_offset(file) else { return false };
    // From the end: the marker is normally there, so a whole photo is not scanned.
    file[first_scan..].windows(2).rev().any(|pair| pair == [0xFF, 0xD9])
}

/// The offset of the first SOS marker, found by walking the segments from SOI. Stray bytes
/// between segments are skipped up to the next FF, as decoders and ExifTool do (the corpus'
/// Samsung SM-G900P has 7 of them after its APP1).
fn jpeg_first_scan_offset(file: &[u8]) -> Option<usize> {
    if !file.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2usize;
    while at + 4 <= file.len() {
        if file[at] != 0xFF {
            at += file[at..].iter().position(|&byte| byte == 0xFF)?;
            continue;
        }
        let marker = file[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at += 2;
            continue;
        }
        if marker == 0xDA {
            return Some(at);
        }
        if marker == 0xD9 {
            return None;
        }
        let length = usize::from(u16::from_be_bytes([file[at + 2], file[at + 3]]));
        if length < 2 {
            return None;
        }
        at += 2 + length;
    }
    None
}

fn read_dqt_segment(mut segment: &[u8], tables: &mut Vec<(u8, [u16; 64])>) {
    while let Some((&info, rest)) = segment.split_first() {
        let sixteen_bit = info >> 4 != 0;
        let id = info & 0x0F;
        let needed = if sixteen_bit { 128 } else { 64 };
        let Some(values) = rest.get(..needed) else { return };
        let mut table = [0u16; 64];
        for (zigzag_index, &natural_index) in ZIGZAG_TO_NATURAL.iter().enumerate() {
            table[natural_index] = if sixteen_bit {
                u16::from_be_bytes([values[2 * zigzag_index], values[2 * zigzag_index + 1]])
            } else {
                u16::from(values[zigzag_index])
            };
        }
        tables.retain(|(existing, _)| *existing != id);
        tables.push((id, table));
        segment = &rest[needed..];
    }
}

/// Position in the 8x8 block (row-major) of the n-th coefficient in zig-zag order.
const ZIGZAG_TO_NATURAL: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63,
];

fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(data.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn ispe(width: u32, height: u32) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend_from_slice(&width.to_be_bytes());
        body.extend_from_slice(&height.to_be_bytes());
        iso_box(b"ispe", &body)
    }

    #[test]
    fn heif_size_is_the_primary_items_ispe_not_the_largest() {
        // Two items: 1 (a 512x512 tile, property 1) and 7 (primary, 4032x3024, property 2),
        // plus an unrelated huge ispe (property 3) that belongs to no item.
        let ipco = iso_box(b"ipco", &[ispe(512, 512), ispe(4032, 3024), ispe(9000, 9000)].concat());
        let ipma_body = [
            &[0u8, 0, 0, 0][..],
            &2u32.to_be_bytes(),
            &1u16.to_be_bytes(),
            &[1, 0x81],
            &7u16.to_be_bytes(),
            &[1, 0x82],
        ]
        .concat();
        let iprp = iso_box(b"iprp", &[ipco, iso_box(b"ipma", &ipma_body)].concat());
        let pitm = iso_box(b"pitm", &[0, 0, 0, 0, 0, 7]);
        let meta = iso_box(b"meta", &[&[0u8, 0, 0, 0][..], &pitm, &iprp].concat());
        let file = [iso_box(b"ftyp", b"heic\0\0\0\0mif1heic"), meta].concat();
        assert_eq!(heif_primary_size(&file), Some((4032, 3024)));
        // Cut anywhere: no panic, no answer or the right one.
        for cut in 0..file.len() {
            let size = heif_primary_size(&file[..cut]);
            assert!(size.is_none() || size == Some((4032, 3024)));
        }
    }

    #[test]
    fn webp_exif_prefix_is_stripped() {
        let mut file =
            b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\0\0\0\0\0\0EXIF\x0e\0\0\0Exif\0\0MM\0*\0\0\0\x08".to_vec();
        assert_eq!(webp_exif_payload(&file), Some(&b"MM\0*\0\0\0\x08"[..]));
        file.truncate(40);
        assert_eq!(webp_exif_payload(&file), None);
    }

    #[test]
    fn ifd_typed_pointers_become_long() {
        // Big-endian TIFF, IFD0 at 8 with one entry: ExifIFD pointer of type 13 to offset 26;
        // the Exif IFD has an Interop pointer of type 13.
        let mut tiff = b"MM\0*\0\0\0\x08\0\x01\x87\x69\0\x0d\0\0\0\x01\0\0\0\x1a\0\0\0\0\0\x01\xa0\x05\0\x0d\0\0\0\x01\0\0\0\0\0\0\0\0".to_vec();
        assert!(retype_ifd_pointers(&mut tiff));
        assert_eq!(&tiff[12..14], &[0, 4]);
        assert_eq!(&tiff[30..32], &[0, 4]);
        assert!(!retype_ifd_pointers(&mut tiff), "a second pass finds nothing to change");
        let mut garbage = b"II*\0\xff\xff\xff\xff".to_vec();
        assert!(!retype_ifd_pointers(&mut garbage));
    }

    #[test]
    fn reads_dqt_in_natural_order() {
        let mut zigzag = [0u8; 64];
        for (index, value) in zigzag.iter_mut().enumerate() {
            *value = index as u8 + 1;
        }
        let segment = [&[0xFFu8, 0xD8, 0xFF, 0xDB, 0x00, 67, 0x00][..], &zigzag, &[0xFF, 0xDA]].concat();
        let tables = jpeg_quantisation_tables(&segment);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].1[0], 1);
        assert_eq!(tables[0].1[1], 2);
        assert_eq!(tables[0].1[8], 3, "third zig-zag coefficient is row 1, column 0");
        assert!(jpeg_quantisation_tables(&segment[..40]).is_empty());
    }

    #[test]
    fn end_marker_is_looked_for_after_the_first_scan() {
        let head =
            [&[0xFFu8, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00][..], &[0xFF, 0xDA, 0x00, 0x02]].concat();
        let complete = [&head[..], &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9], b"appended video"].concat();
        assert!(jpeg_has_end_marker(&complete));
        let cut = [&head[..], &[0x12, 0xFF, 0x00, 0x34]].concat();
        assert!(!jpeg_has_end_marker(&cut), "the FF D9 inside APP1 does not count");
        let stray = [&head[..10], &[1, 2, 3, 4, 5, 6, 7], &head[10..], &[0x12, 0xFF, 0xD9]].concat();
        assert!(jpeg_has_end_marker(&stray), "stray bytes between segments are skipped");
        assert!(!jpeg_has_end_marker(b"not a jpeg"));
    }
}
