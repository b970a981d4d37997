//! What kind of file this is, from its first bytes (never from its name).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The file formats the evidence checks know. Anything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[allow(missing_docs)] // the names are the formats
pub enum MediaKind {
    Jpeg,
    Png,
    Webp,
    Tiff,
    /// HEIC/HEIF still images (ISO base media file with an image brand).
    Heif,
    Avif,
    /// Apple QuickTime movie (`.mov`).
    QuickTime,
    /// MPEG-4 and its relatives (`.mp4`, `.m4v`, `.3gp`).
    Mp4,
    Other,
}

impl MediaKind {
    /// Sniffs the kind from the first bytes of a file (a few hundred are enough).
    pub fn sniff(head: &[u8]) -> MediaKind {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            MediaKind::Jpeg
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            MediaKind::Png
        } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            MediaKind::Webp
        } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
            MediaKind::Tiff
        } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
            classify_ftyp(head)
        } else if head.len() >= 8 && matches!(&head[4..8], b"moov" | b"mdat" | b"wide" | b"free" | b"skip") {
            // Old QuickTime files start straight with an atom, without `ftyp`.
            MediaKind::QuickTime
        } else {
            MediaKind::Other
        }
    }

    /// Still images.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            MediaKind::Jpeg | MediaKind::Png | MediaKind::Webp | MediaKind::Tiff | MediaKind::Heif | MediaKind::Avif
        )
    }

    /// Videos: QuickTime and MP4.
    pub fn is_video(self) -> bool {
        matches!(self, MediaKind::QuickTime | MediaKind::Mp4)
    }

    /// Formats that cameras and phones write photos in, which therefore should carry EXIF.
    /// PNG, WebP and TIFF are what screenshots, scanners and exports produce: no EXIF there
    /// is normal, so `exif_missing` is not raised for them.
    pub fn is_camera_format(self) -> bool {
        matches!(self, MediaKind::Jpeg | MediaKind::Heif | MediaKind::Avif)
    }

    /// Formats whose pixels this build decodes (for the darkness and blur checks). HEIC and
    /// AVIF need native codecs (libheif, dav1d) that the core does not link.
    pub fn pixels_decodable(self) -> bool {
        matches!(self, MediaKind::Jpeg | MediaKind::Png | MediaKind::Webp | MediaKind::Tiff)
    }
}

/// The media type (MIME) of a file from its first bytes; `application/octet-stream` when unknown.
pub fn media_type_of(head: &[u8]) -> &'static str {
    match MediaKind::sniff(head) {
        MediaKind::Jpeg => "image/jpeg",
        MediaKind::Png => "image/png",
        MediaKind::Webp => "image/webp",
        MediaKind::Tiff => "image/tiff",
        MediaKind::Heif if has_brand(head, &[*b"heic", *b"heix", *b"heim", *b"heis"]) => "image/heic",
        MediaKind::Heif => "image/heif",
        MediaKind::Avif => "image/avif",
        MediaKind::QuickTime => "video/quicktime",
        MediaKind::Mp4 => "video/mp4",
        MediaKind::Other => "application/octet-stream",
    }
}

const AVIF_BRANDS: &[[u8; 4]] = &[*b"avif", *b"avis"];
const HEIF_BRANDS: &[[u8; 4]] = &[*b"heic", *b"heix", *b"heim", *b"heis", *b"hevc", *b"hevx", *b"mif1", *b"msf1"];

/// The major brand and the compatible brands of an `ftyp` box at the start of `head`.
fn ftyp_brands(head: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    let declared = head.get(0..4).map(|size| u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize);
    let end = declared.unwrap_or(0).clamp(16, head.len().max(16)).min(head.len());
    let major = head.get(8..12).map(|brand| [brand[0], brand[1], brand[2], brand[3]]);
    let compatible =
        head.get(16..end).unwrap_or_default().chunks_exact(4).map(|brand| [brand[0], brand[1], brand[2], brand[3]]);
    major.into_iter().chain(compatible)
}

fn has_brand(head: &[u8], wanted: &[[u8; 4]]) -> bool {
    ftyp_brands(head).any(|brand| wanted.contains(&brand))
}

fn classify_ftyp(head: &[u8]) -> MediaKind {
    // Image brands win: an AVIF or HEIC file may also list video brands.
    if has_brand(head, AVIF_BRANDS) {
        MediaKind::Avif
    } else if has_brand(head, HEIF_BRANDS) {
        MediaKind::Heif
    } else if head.get(8..12) == Some(b"qt  ") {
        MediaKind::QuickTime
    } else {
        MediaKind::Mp4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(MediaKind::sniff(b"\xFF\xD8\xFF\xE1rest"), MediaKind::Jpeg);
        assert_eq!(MediaKind::sniff(b"\x89PNG\r\n\x1a\n...."), MediaKind::Png);
        assert_eq!(MediaKind::sniff(b"RIFF\0\0\0\0WEBPVP8X"), MediaKind::Webp);
        assert_eq!(MediaKind::sniff(b"MM\0*\0\0\0\x08"), MediaKind::Tiff);
        assert_eq!(MediaKind::sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), MediaKind::Heif);
        assert_eq!(MediaKind::sniff(b"\0\0\0\x14ftypmif1\0\0\0\0mif1"), MediaKind::Heif);
        assert_eq!(MediaKind::sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), MediaKind::Avif);
        assert_eq!(MediaKind::sniff(b"\0\0\0\x14ftypqt  \0\0\0\0qt  "), MediaKind::QuickTime);
        assert_eq!(MediaKind::sniff(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"), MediaKind::Mp4);
        assert_eq!(MediaKind::sniff(b"hello, world"), MediaKind::Other);
        assert_eq!(MediaKind::sniff(b""), MediaKind::Other);
        assert_eq!(media_type_of(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), "image/heic");
        assert_eq!(media_type_of(b"\0\0\0\x14ftypmif1\0\0\0\0mif1"), "image/heif");
    }

    #[test]
    fn lying_ftyp_sizes_do_not_panic() {
        assert_eq!(MediaKind::sniff(b"\xff\xff\xff\xffftypabcd"), MediaKind::Mp4);
        // A declared size of 1 (64-bit size follows) leaves no room for compatible brands.
        assert_eq!(MediaKind::sniff(b"\0\0\0\x01ftypabcd\0\0\0\0avif"), MediaKind::Mp4);
    }
}
