//! The vault's side of thumbnails: the cached one of an object, made again (by the same steps
//! as at import, so with the same bytes) when missing or damaged. Making one is
//! `intake_evidence::thumbnail`.

use std::io::Read;

use super::Thresholds;
use super::media::MediaKind;
use super::thumbnail::thumbnail_of_inspection;
use crate::error::{Error, Result};
use crate::vault::Vault;

/// The cached thumbnail of a vault object, made and cached when missing or damaged; `None`
/// for what is not a picture this program decodes.
pub(crate) fn cached_thumbnail(vault: &Vault, sha256: &str) -> Result<Option<Vec<u8>>> {
    if let Some(cached) = vault.read_thumbnail(sha256)? {
        return Ok(Some(cached));
    }
    let Some(jpeg) = make_thumbnail_of_object(vault, sha256)? else { return Ok(None) };
    // A thumbnail that cannot be cached (full disk, read-only folder) is still shown.
    Ok(Some(vault.store_thumbnail(sha256, &jpeg).unwrap_or_else(|_| crate::vault::seal_thumbnail(&jpeg))))
}

/// Reads a vault object and makes its thumbnail the way import does.
fn make_thumbnail_of_object(vault: &Vault, sha256: &str) -> Result<Option<Vec<u8>>> {
    let thresholds = Thresholds::default();
    let mut object = vault.open_object(sha256)?;
    let path = object.path().to_path_buf();
    let size = object.len();
    let mut head = [0u8; 64];
    let head_length = read_up_to(&mut object, &mut head).map_err(|err| Error::reading(&path, &err))?;
    if !MediaKind::sniff(&head[..head_length]).pixels_decodable() || size > thresholds.max_file_bytes {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(size as usize);
    bytes.extend_from_slice(&head[..head_length]);
    object.take(thresholds.max_file_bytes).read_to_end(&mut bytes).map_err(|err| Error::reading(&path, &err))?;
    let reading = intake_evidence::Inspector::new(&thresholds).reading(sha256, sha256, &bytes, Some(sha256));
    Ok(thumbnail_of_inspection(&reading.inspection, reading.reduced.as_ref().map(|decoded| &decoded.colour)))
}

fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}
