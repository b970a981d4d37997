//! Text files a person edits by hand (a corrected checklist rule file, a thresholds file),
//! as Windows editors save them: Notepad before Windows 10 1903 (and "UTF-8 with BOM" since)
//! starts the file with a byte-order mark, and every Windows editor ends lines with CRLF.
//! TOML and JSON parsers refuse the BOM, and a multi-line TOML string would keep the `\r`
//! in the text shown to the manager, so both are removed before parsing. Line numbers in
//! error messages stay those of the file: only the `\r` of each CRLF goes.

use std::borrow::Cow;

/// `text` without a leading byte-order mark and with CRLF line ends as LF. A lone `\r` is
/// kept: it is not a line end in TOML or JSON, and the parser names it where it is.
pub fn normalized(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notepad_bom_and_crlf_are_removed() {
        assert_eq!(normalized("\u{FEFF}version = 1\r\n[a]\r\nb = \"门头\"\r\n"), "version = 1\n[a]\nb = \"门头\"\n");
    }

    #[test]
    fn unix_text_is_borrowed_unchanged() {
        assert!(matches!(normalized("version = 1\n"), Cow::Borrowed("version = 1\n")));
    }

    #[test]
    fn only_a_leading_bom_and_only_crlf_pairs_go() {
        assert_eq!(normalized("a\u{FEFF}b\rc\n"), "a\u{FEFF}b\rc\n");
        assert_eq!(normalized("\u{FEFF}\u{FEFF}x"), "\u{FEFF}x");
    }
}
