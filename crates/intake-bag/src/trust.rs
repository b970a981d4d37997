//! Whose signature a package must carry to be valid: the verifier's trust anchors.
//!
//! A package carries its own public key, so a valid signature alone proves only that the
//! package was not changed after *someone* signed it. It proves where it comes from only when
//! the key is one the verifier already trusts, learnt by another way than the package:
//! - `--expect-key SHA256`: one fingerprint, e.g. read out over the phone;
//! - `--trusted-keys FILE`: head office's register, one key per line,
//!   `<sha256 fingerprint>  <branch> / <manager>`, `#` starting a comment;
//! - `--home DIR` / `INTAKE_HOME`: the data folder's own key (a manager checking a package of
//!   their own).
//!
//! The fingerprint of a key is the SHA-256 of the DER SubjectPublicKeyInfo of the SM2 public
//! key, as 64 lower-case hex digits (`openssl pkey -pubin -in sm2-public-key.pem -outform DER |
//! sha256sum`); written this one way everywhere (`keys show`, the register line, the report,
//! the app's 设置). On input, upper case, `:` separators and a `sha256:` prefix are accepted.
//!
//! Kept apart from the checks of the package itself so that it moves with the verifier.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorKind, Result};

/// One key the verifier trusts, and where that trust comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrustedKey {
    /// The fingerprint, 64 lower-case hex digits.
    pub fingerprint_sha256: String,
    /// Where it was given: `--expect-key`, `FILE:LINE` of a register, or `data folder DIR`.
    pub source: String,
    /// The register's line as written (without its comment), when it came from a register.
    pub register_line: Option<String>,
}

/// The fingerprint in its one written form, from what a person may type: hex in either case,
/// `:` or spaces between bytes, a `sha256:` prefix. `Err` says what is wrong with it.
pub fn normalize_fingerprint(text: &str) -> std::result::Result<String, String> {
    let trimmed = text.trim();
    let without_prefix = trimmed.strip_prefix("sha256:").or_else(|| trimmed.strip_prefix("SHA256:")).unwrap_or(trimmed);
    let digits: String = without_prefix.chars().filter(|c| *c != ':' && *c != ' ').collect();
    if digits.len() != 64 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(format!("'{trimmed}' is not a SHA-256 fingerprint (64 hex digits)"));
    }
    Ok(digits.to_ascii_lowercase())
}

/// The anchor given by `--expect-key`.
pub fn expected_key(text: &str) -> Result<TrustedKey> {
    let fingerprint_sha256 = normalize_fingerprint(text)
        .map_err(|reason| Error::new(ErrorKind::InvalidInput, format!("--expect-key: {reason}")))?;
    Ok(TrustedKey { fingerprint_sha256, source: "--expect-key".into(), register_line: None })
}

/// The anchors given on a command line, the same for `intake verify` and `intake-verify`:
/// `--expect-key` first, then the keys of the `--trusted-keys` register.
pub fn given_anchors(expect_key: Option<&str>, register: Option<&Path>) -> Result<Vec<TrustedKey>> {
    let mut keys = Vec::new();
    if let Some(expected) = expect_key {
        keys.push(expected_key(expected)?);
    }
    if let Some(register) = register {
        keys.extend(read_register(register)?);
    }
    Ok(keys)
}

/// The anchor of a data folder's own key (`fingerprint` from the core's
/// `DataFolder::signing_key_fingerprint`).
pub fn data_folder_key(root: &Path, fingerprint: &str) -> TrustedKey {
    TrustedKey {
        fingerprint_sha256: fingerprint.to_string(),
        source: format!("data folder {}", root.display()),
        register_line: None,
    }
}

/// The line of head office's register for a key: `<fingerprint>  <branch> / <manager>`.
pub fn register_line(fingerprint: &str, branch: &str, manager: &str) -> String {
    format!("{fingerprint}  {} / {}", one_line(branch), one_line(manager))
}

/// A register line must stay one line whatever the settings hold.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || c == '#' { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// Reads head office's register. A line that is neither blank, a comment nor
/// `<fingerprint> <label>` is refused naming the file and the line (exit 2): a register that
/// is misread would silently trust nobody, or the wrong key.
pub fn read_register(path: &Path) -> Result<Vec<TrustedKey>> {
    let bytes = intake_evidence::user_file::read(path)?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| Error::for_file(ErrorKind::InvalidInput, path, "is not UTF-8 text"))?;
    parse_register(path, text)
}

/// [`read_register`] on text already read.
pub fn parse_register(path: &Path, text: &str) -> Result<Vec<TrustedKey>> {
    let mut keys = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let (first, label) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let fingerprint_sha256 = normalize_fingerprint(first)
            .map_err(|reason| Error::for_file(ErrorKind::InvalidInput, path, format!("line {number}: {reason}")))?;
        if label.trim().is_empty() {
            return Err(Error::for_file(
                ErrorKind::InvalidInput,
                path,
                format!("line {number}: the fingerprint is not followed by '<branch> / <manager>'"),
            ));
        }
        keys.push(TrustedKey {
            fingerprint_sha256,
            source: format!("{}:{number}", path.display()),
            register_line: Some(line.to_string()),
        });
    }
    Ok(keys)
}

/// The anchor that vouches for `fingerprint`, or the problem's message (code
/// `signer_untrusted`) naming the fingerprint.
pub fn find_anchor<'a>(fingerprint: &str, anchors: &'a [TrustedKey]) -> std::result::Result<&'a TrustedKey, String> {
    if let Some(anchor) = anchors.iter().find(|anchor| anchor.fingerprint_sha256 == fingerprint) {
        return Ok(anchor);
    }
    if anchors.is_empty() {
        return Err(format!(
            "is signed by key {fingerprint}, and no trusted key was given (--expect-key, --trusted-keys or \
             --home): anyone can make a package that verifies against its own key"
        ));
    }
    let sources: Vec<&str> = anchors.iter().map(|anchor| anchor.source.as_str()).collect();
    Err(format!(
        "is signed by key {fingerprint}, which is none of the {} trusted key(s) given ({})",
        anchors.len(),
        sources.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINGERPRINT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_fingerprint_is_accepted_as_people_write_it_and_kept_in_one_form() {
        let upper_with_colons = FINGERPRINT
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).unwrap())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(normalize_fingerprint(&upper_with_colons).unwrap(), FINGERPRINT);
        assert_eq!(normalize_fingerprint(&format!("sha256:{FINGERPRINT}")).unwrap(), FINGERPRINT);
        assert!(normalize_fingerprint("abc").is_err());
        assert!(normalize_fingerprint(&"g".repeat(64)).is_err());
    }

    #[test]
    fn a_register_skips_comments_and_blank_lines_and_refuses_a_bad_line_by_number() {
        let text = format!("# head office register\n\n{FINGERPRINT}  上海分公司 / 张三  # since 2026\n");
        let keys = parse_register(Path::new("register.txt"), &text).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].fingerprint_sha256, FINGERPRINT);
        assert_eq!(keys[0].source, "register.txt:3");
        assert_eq!(keys[0].register_line.as_deref(), Some(format!("{FINGERPRINT}  上海分公司 / 张三").as_str()));

        let error = parse_register(Path::new("register.txt"), "# ok\nnot-a-key 上海分公司 / 张三\n").unwrap_err();
        assert!(error.message().contains("register.txt") && error.message().contains("line 2"), "{error}");
        let error = parse_register(Path::new("register.txt"), FINGERPRINT).unwrap_err();
        assert!(error.message().contains("line 1"), "{error}");
    }

    #[test]
    fn a_register_line_is_one_line_whatever_the_settings_hold() {
        assert_eq!(
            register_line(FINGERPRINT, "上海分公司\n#x", "张三"),
            format!("{FINGERPRINT}  上海分公司  x / 张三")
        );
        let parsed = parse_register(Path::new("r"), &register_line(FINGERPRINT, "上海分公司", "张三")).unwrap();
        assert_eq!(parsed[0].fingerprint_sha256, FINGERPRINT);
    }

    #[test]
    fn no_anchor_or_another_key_names_the_signer() {
        let other =
            TrustedKey { fingerprint_sha256: "1".repeat(64), source: "--expect-key".into(), register_line: None };
        assert!(find_anchor(FINGERPRINT, &[]).unwrap_err().contains(FINGERPRINT));
        assert!(find_anchor(FINGERPRINT, std::slice::from_ref(&other)).unwrap_err().contains("--expect-key"));
        let own = TrustedKey { fingerprint_sha256: FINGERPRINT.into(), ..other.clone() };
        assert_eq!(find_anchor(FINGERPRINT, &[other, own.clone()]).unwrap(), &own);
    }
}
