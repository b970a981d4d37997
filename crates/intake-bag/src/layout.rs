//! Names inside the package, and which entries are compressed.
//!
//! ```text
//! bagit.txt                              BagIt-Version 1.0, UTF-8
//! bag-info.txt                           who, which case, when, how much
//! manifest-sha256.txt                    every payload file's SHA-256
//! tagmanifest-sha256.txt                 the SHA-256 of the tag files above and of the key
//! signature/sm2-public-key.pem           the installation's public key (in the tag manifest)
//! signature/tagmanifest-sha256.txt.sig   SM2/SM3 signature over tagmanifest-sha256.txt
//! audit-log.jsonl                        the case's audit chain up to the package (`audit`)
//! data/case.json                         the case, checklist, files, findings (schema v1)
//! data/report.html                       the report people read
//! data/<stage>/<material>/<nn>-<name>    every evidence file, byte for byte
//! ```
//!
//! The signature cannot be listed in the tag manifest it signs; every other tag file is.

use crate::error::{Error, ErrorKind, Result};

/// `bagit.txt`.
pub const BAGIT_TXT: &str = "bagit.txt";
/// `bag-info.txt`.
pub const BAG_INFO_TXT: &str = "bag-info.txt";
/// The payload manifest.
pub const MANIFEST: &str = "manifest-sha256.txt";
/// The tag manifest: what the signature covers.
pub const TAG_MANIFEST: &str = "tagmanifest-sha256.txt";
/// The installation's public key, SubjectPublicKeyInfo PEM.
pub const PUBLIC_KEY: &str = "signature/sm2-public-key.pem";
/// The DER SM2 signature over [`TAG_MANIFEST`].
pub const SIGNATURE: &str = "signature/tagmanifest-sha256.txt.sig";
/// The case document.
pub const CASE_JSON: &str = "data/case.json";
/// The report.
pub const REPORT_HTML: &str = "data/report.html";

/// The case's audit chain (JSON Lines, module `audit`), up to its last entry that is not about
/// a package; its head hash and length are in `bag-info.txt`.
pub const AUDIT_LOG: &str = "audit-log.jsonl";

/// Every file of the package outside `data/`: the BagIt tag files, the signature and the
/// audit log. Nothing else may stand there.
pub const TAG_FILES: [&str; 7] = [BAGIT_TXT, BAG_INFO_TXT, MANIFEST, TAG_MANIFEST, PUBLIC_KEY, SIGNATURE, AUDIT_LOG];

/// The content of `bagit.txt`.
pub const BAGIT_TXT_CONTENT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// Identifies the BagIt profile the package follows (`assets/bagit-profile/`).
pub const PROFILE_IDENTIFIER: &str = "urn:x-merchant-intake:bagit-profile:v1";

/// The folder of evidence files whose material is no longer in the rule file.
pub const UNLISTED_STAGE: &str = "unlisted";

/// The longest file name part kept, in bytes (UTF-8), so that the whole path stays well
/// under the limits of Windows and of zip tools.
const MAX_NAME_BYTES: usize = 120;

/// The path of an evidence file in the bag: `data/<stage>/<material>/<nn>-<name>`, `nn`
/// counting from 01 in import order within the material.
pub fn payload_path(stage: &str, material: &str, number: usize, original_name: &str) -> Result<String> {
    for (what, part) in [("stage", stage), ("material key", material)] {
        let plain = !part.is_empty()
            && !part.starts_with('.')
            && part
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'.');
        if !plain {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("the {what} '{part}' cannot name a folder in the package"),
            ));
        }
    }
    Ok(format!("data/{stage}/{material}/{number:02}-{}", sanitized_file_name(original_name)))
}

/// A file name that is safe on every system and in every zip tool, keeping what can be kept
/// (Chinese included): the rule of [`crate::file_names::portable_name`] (format and control
/// characters, what Windows forbids, `%`, trailing dots and spaces become `_`; device names
/// get a `_` in front), leading spaces dropped, and an over-long name shortened, keeping its
/// extension.
pub fn sanitized_file_name(name: &str) -> String {
    use crate::file_names::portable_name;
    portable_name(&shortened(&portable_name(name.trim_start())))
}

fn shortened(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_string();
    }
    let extension = match name.rfind('.') {
        Some(dot) if name.len() - dot <= 16 && dot > 0 => &name[dot..],
        _ => "",
    };
    let mut stem_end = MAX_NAME_BYTES - extension.len();
    while !name.is_char_boundary(stem_end) {
        stem_end -= 1;
    }
    format!("{}{extension}", &name[..stem_end])
}

/// True for media types that deflate well (text, JSON, XML, uncompressed bitmaps); every
/// other entry is stored as it is: photos, video, PDFs, archives and unknown binaries are
/// mostly compressed already, and deflating them costs time for nothing.
pub fn is_worth_deflating(media_type: &str) -> bool {
    let media_type = media_type.to_ascii_lowercase();
    media_type.starts_with("text/")
        || media_type.ends_with("/json")
        || media_type.ends_with("+json")
        || media_type.ends_with("/xml")
        || media_type.ends_with("+xml")
        || matches!(media_type.as_str(), "image/bmp" | "image/x-ms-bmp" | "image/tiff")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_chinese_and_lose_separators() {
        assert_eq!(sanitized_file_name("门头照片.jpg"), "门头照片.jpg");
        assert_eq!(sanitized_file_name("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(sanitized_file_name("a\\b:c\n.jpg"), "a_b_c_.jpg");
        assert_eq!(sanitized_file_name(" 100%.png. "), "100_.png__");
        assert_eq!(sanitized_file_name("..."), "___");
        assert_eq!(sanitized_file_name("身份证\u{202E}gpj.exe"), "身份证_gpj.exe");
        assert_eq!(sanitized_file_name("NUL.jpg"), "_NUL.jpg");
        let long = format!("{}.jpeg", "营".repeat(100));
        let short = sanitized_file_name(&long);
        assert!(short.len() <= MAX_NAME_BYTES && short.ends_with(".jpeg"), "{short}");
    }

    #[test]
    fn payload_paths_count_from_one() {
        assert_eq!(
            payload_path("payment", "storefront_photo", 1, "a.jpg").unwrap(),
            "data/payment/storefront_photo/01-a.jpg"
        );
        assert_eq!(
            payload_path("nonstandard", "monthly_fee.change_approval_form", 12, "x").unwrap(),
            "data/nonstandard/monthly_fee.change_approval_form/12-x"
        );
        assert!(payload_path("payment", "../x", 1, "a").is_err());
    }
}
