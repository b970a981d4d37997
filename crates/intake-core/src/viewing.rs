//! Looking at an evidence file full size (the app's viewer): the file's bytes as imported,
//! decrypted, for one file of one case.
//!
//! The window names the file by the case and the evidence record, never by a path or a bare
//! digest, so it can be handed only what that case holds. The bytes are checked against the
//! SHA-256 they are stored under, as for a watermarked copy: the viewer shows exactly what
//! the package will carry.

use crate::database::EvidenceRecord;
use crate::error::{Error, ErrorKind, Result};
use crate::vault::Vault;

/// The largest file handed to the viewer whole (the window holds it in memory while shown).
/// Larger ones (long videos) are refused with `file_too_large`; photos and scans are far below.
pub const MAX_VIEWED_BYTES: u64 = 512 * 1024 * 1024;

/// A file of a case as the viewer receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewedFile {
    /// The media type recorded at import (`image/jpeg`, `video/mp4`, `application/pdf`…).
    pub media_type: String,
    /// The file's bytes as imported.
    pub bytes: Vec<u8>,
}

/// The bytes of evidence record `evidence_id` among `records`, the files of case `case_id`:
/// `invalid_input` for a record that is not one of them, `file_too_large` over
/// [`MAX_VIEWED_BYTES`], `vault_corrupt` when the stored bytes no longer match.
pub(crate) fn view_file(
    records: Vec<EvidenceRecord>,
    vault: &Vault,
    case_id: &str,
    evidence_id: i64,
) -> Result<ViewedFile> {
    let record = records.into_iter().find(|record| record.id == evidence_id).ok_or_else(|| {
        Error::new(ErrorKind::InvalidInput, format!("case {case_id} has no evidence file with id {evidence_id}"))
    })?;
    let bytes = vault.read_object_checked(&record.sha256, MAX_VIEWED_BYTES)?;
    Ok(ViewedFile { media_type: record.media_type, bytes })
}
