//! The one rule for a file name that leaves the program (a package's entries) or is shown in
//! the app: it must mean on screen what it is on disk, on every system.
//!
//! Replaced, visibly, by `_`:
//! - Unicode format characters (category Cf: the bidirectional overrides that make
//!   `身份证\u{202E}gpj.exe` display as `身份证exe.jpg`, zero-width spaces and joiners, the BOM)
//!   and control characters;
//! - what Windows forbids in a name (`< > : " / \ | ? *`) and `%` (escaped in BagIt manifests);
//! - trailing dots and spaces (Windows drops them, so two names would become one);
//!
//! and a name Windows reserves for a device (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`,
//! `LPT1`–`LPT9`, also with an extension such as `nul.txt`) gets a `_` in front. An empty name
//! becomes `file`. [`name_problem`] says what is wrong with a name that breaks the rule
//! (`intake verify` refuses such entries).

use unicode_general_category::{GeneralCategory, get_general_category};

/// `name` as the rule above makes it (a single name, not a path: `/` is replaced too).
pub fn portable_name(name: &str) -> String {
    let mut replaced: String = name.chars().map(|c| if is_unsafe_char(c) { '_' } else { c }).collect();
    let kept = replaced.trim_end_matches(['.', ' ']).len();
    let dropped = replaced.len() - kept;
    replaced.truncate(kept);
    replaced.extend(std::iter::repeat_n('_', dropped));
    if replaced.is_empty() {
        return "file".to_string();
    }
    if is_reserved_device_name(&replaced) {
        replaced.insert(0, '_');
    }
    replaced
}

/// `text` (a name, a path) for a line of a terminal or a log: control and format characters
/// replaced by `_`, the rest kept. A newline in a file name split the one-line messages of
/// the CLI, and a right-to-left override made `x\u{202E}gpj.exe` read as `xexe.jpg`.
pub fn visible_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || (!c.is_ascii() && get_general_category(c) == GeneralCategory::Format) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// What is wrong with `name` under the rule, if anything (for a message).
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| is_unsafe_char(*c)) {
        let what = if c.is_control() {
            "a control character"
        } else if get_general_category(c) == GeneralCategory::Format {
            "an invisible format character (it can make a name display as another)"
        } else {
            "a character Windows does not allow in names"
        };
        return Some(format!("contains {what} (U+{:04X})", u32::from(c)));
    }
    if name.ends_with(['.', ' ']) {
        return Some("ends with a dot or a space, which Windows drops".into());
    }
    if is_reserved_device_name(name) {
        return Some("is a name Windows reserves for a device (CON, NUL, COM1…)".into());
    }
    None
}

fn is_unsafe_char(c: char) -> bool {
    matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '%')
        || c.is_control()
        // No ASCII character is a format character; and the lookup is not free: the crate's
        // table is a `const`, copied at each call (7 s for 99,000 names in a hostile package).
        || (!c.is_ascii() && get_general_category(c) == GeneralCategory::Format)
}

/// `CON`, `nul.txt`, `COM1.tar.gz`…: the part before the first dot (spaces after it ignored,
/// as Windows does) is a device name. The superscript digits count too (`COM¹`).
fn is_reserved_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ').to_ascii_uppercase();
    match stem.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let numbered = stem.strip_prefix("COM").or_else(|| stem.strip_prefix("LPT"));
            numbered.is_some_and(|digit| {
                matches!(digit, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_keeps_paths_and_chinese_and_shows_hidden_characters() {
        assert_eq!(visible_text("/tmp/门头 1.jpg"), "/tmp/门头 1.jpg");
        assert_eq!(visible_text("x\u{202E}gpj.exe"), "x_gpj.exe");
        assert_eq!(visible_text("a\nb\tc"), "a_b_c");
    }

    #[test]
    fn format_and_control_characters_become_visible() {
        assert_eq!(portable_name("身份证\u{202E}gpj.exe"), "身份证_gpj.exe");
        assert_eq!(portable_name("门头\u{200B}照片.jpg"), "门头_照片.jpg");
        assert_eq!(portable_name("\u{FEFF}a.jpg"), "_a.jpg");
        assert_eq!(portable_name("a\tb\n.jpg"), "a_b_.jpg");
        assert!(name_problem("身份证\u{202E}gpj.exe").unwrap().contains("U+202E"));
    }

    #[test]
    fn windows_characters_and_trailing_dots_become_underscores() {
        assert_eq!(portable_name("a:b*c?d\"e<f>g|h.jpg"), "a_b_c_d_e_f_g_h.jpg");
        assert_eq!(portable_name("../x"), ".._x");
        assert_eq!(portable_name("100%.png. "), "100_.png__");
        assert_eq!(portable_name("..."), "___");
        assert_eq!(portable_name(""), "file");
        assert!(name_problem("a.jpg.").is_some());
        assert!(name_problem("a:b").is_some());
    }

    #[test]
    fn device_names_are_prefixed() {
        for reserved in ["CON", "con", "NUL.txt", "com1.jpg", "LPT9", "aux .png", "COM¹"] {
            assert!(portable_name(reserved).starts_with('_'), "{reserved}");
            assert!(name_problem(reserved).is_some(), "{reserved}");
        }
        for fine in ["CONTRACT.pdf", "com10.jpg", "null.txt", "营业执照.jpg", "LPT.txt"] {
            assert_eq!(portable_name(fine), fine);
            assert_eq!(name_problem(fine), None, "{fine}");
        }
    }

    #[test]
    fn a_portable_name_has_no_problem() {
        for name in ["身份证\u{202E}gpj.exe", "CON", "a. ", "x|y", "\u{200D}"] {
            assert_eq!(name_problem(&portable_name(name)), None, "{name}");
        }
    }
}
