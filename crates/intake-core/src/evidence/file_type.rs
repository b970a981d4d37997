//! What type of file a recorded file is, as far as which materials take it: a picture, a
//! video, a PDF, an OFD, an office file or nothing known, from the media type sniffed at
//! import and, for OFD, the name. `case_checks` judges `wrong_file_type` by it, the 未分类
//! tray takes documents for what they are, and the import records OFD as OFD.

use std::path::Path;

/// Office files (Word, Excel, PowerPoint, OpenDocument, RTF): documents anyone can edit.
const OFFICE_FILES: [&str; 5] = [
    "application/msword",
    "application/rtf",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
];

const OFD: &str = "application/ofd";

/// A media type with a ZIP named `.ofd` taken for the OFD it is: OFD (GB/T 33190), the Chinese
/// standard for electronic documents (e-licences, bank statements), is a ZIP package that only
/// its name tells apart from any archive. Applied at import and to what was recorded before
/// as `application/zip` ([`FileType::of`]), so that those files need no new import.
pub(crate) fn with_ofd<'a>(media_type: &'a str, name: &str) -> &'a str {
    let named_ofd = Path::new(name).extension().is_some_and(|extension| extension.eq_ignore_ascii_case("ofd"));
    if media_type == "application/zip" && named_ofd { OFD } else { media_type }
}

/// The type of a recorded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileType {
    Image,
    Video,
    Pdf,
    Ofd,
    /// Word, Excel, PowerPoint, OpenDocument, RTF.
    OfficeFile,
    /// Text, an archive, bytes nobody recognises.
    Unknown,
}

impl FileType {
    /// The type of a file recorded with this media type under this name.
    pub(crate) fn of(media_type: &str, name: &str) -> FileType {
        let media_type = with_ofd(media_type, name);
        if media_type.starts_with("image/") {
            FileType::Image
        } else if media_type.starts_with("video/") {
            FileType::Video
        } else if media_type == "application/pdf" {
            FileType::Pdf
        } else if media_type == OFD {
            FileType::Ofd
        } else if OFFICE_FILES.iter().any(|prefix| media_type.starts_with(prefix)) {
            FileType::OfficeFile
        } else {
            FileType::Unknown
        }
    }

    /// A PDF, an OFD or an office file.
    pub(crate) fn is_document(self) -> bool {
        matches!(self, FileType::Pdf | FileType::Ofd | FileType::OfficeFile)
    }
}
