//! Paths longer than Windows's MAX_PATH (260 UTF-16 units) for the code that does not go
//! through Rust's std.
//!
//! std already turns a long absolute path into its verbatim form (`\\?\C:\…`) before every
//! Win32 call, so the vault, exports and settings need nothing. SQLite opens its files with
//! its own Win32 calls, which fail at MAX_PATH unless the name is verbatim (Windows's
//! `LongPathsEnabled` policy is off by default, and needs the program's manifest too). A data
//! folder chosen deep in a synced Chinese folder tree (`D:\客户资料\…\<merchant>\…`) reaches
//! 260 units quickly; so SQLite gets the verbatim name when the path is long. Wine does not
//! enforce MAX_PATH: only real Windows shows the failure this prevents, which is why the rule
//! itself is a pure function with unit tests on every platform.

use std::borrow::Cow;
use std::path::Path;

/// Above this many UTF-16 units a path is handed over verbatim. Less than MAX_PATH (260):
/// SQLite appends `-journal`, `-wal` and `-shm` to the database's name.
pub const VERBATIM_ABOVE_UNITS: usize = 240;

/// The verbatim form of an absolute Windows path when it is longer than
/// [`VERBATIM_ABOVE_UNITS`]: `C:\x` → `\\?\C:\x`, `\\server\share\x` → `\\?\UNC\server\share\x`.
/// Short, relative and already verbatim paths are returned unchanged. The path must already be
/// in canonical form (backslashes, no `.` or `..`): a verbatim path is not normalised by
/// Windows, which is what `std::path::absolute` gives.
pub fn verbatim_if_long(path: &str) -> Cow<'_, str> {
    if path.encode_utf16().count() <= VERBATIM_ABOVE_UNITS || path.starts_with(r"\\?\") || path.starts_with(r"\\.\") {
        return Cow::Borrowed(path);
    }
    let bytes = path.as_bytes();
    let drive_absolute = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\';
    if drive_absolute {
        Cow::Owned(format!(r"\\?\{path}"))
    } else if let Some(unc) = path.strip_prefix(r"\\") {
        Cow::Owned(format!(r"\\?\UNC\{unc}"))
    } else {
        Cow::Borrowed(path)
    }
}

/// The name SQLite should open `path` by: on Windows, absolute and verbatim when long; the
/// path itself elsewhere.
pub(crate) fn for_sqlite(path: &Path) -> Cow<'_, Path> {
    #[cfg(windows)]
    {
        let Ok(absolute) = std::path::absolute(path) else { return Cow::Borrowed(path) };
        let Some(text) = absolute.to_str() else { return Cow::Borrowed(path) };
        match verbatim_if_long(text) {
            Cow::Owned(verbatim) => Cow::Owned(std::path::PathBuf::from(verbatim)),
            Cow::Borrowed(_) => Cow::Borrowed(path),
        }
    }
    #[cfg(not(windows))]
    {
        Cow::Borrowed(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(prefix: &str, separator: &str) -> String {
        let folders: Vec<String> = (0..40).map(|n| format!("客户资料{n:02}")).collect();
        format!("{prefix}{}{separator}intake.sqlite3", folders.join(separator))
    }

    #[test]
    fn a_long_drive_path_becomes_verbatim() {
        let long = deep(r"D:\", r"\");
        assert!(long.encode_utf16().count() > 260);
        assert_eq!(verbatim_if_long(&long), format!(r"\\?\{long}"));
    }

    #[test]
    fn a_long_network_path_becomes_verbatim_unc() {
        let long = deep(r"\\branch-nas\share\", r"\");
        let expected = format!(r"\\?\UNC\{}", &long[2..]);
        assert_eq!(verbatim_if_long(&long), expected);
    }

    #[test]
    fn short_relative_and_verbatim_paths_are_unchanged() {
        let short = r"C:\Users\张三\AppData\Local\merchant-intake\intake.sqlite3";
        assert!(matches!(verbatim_if_long(short), Cow::Borrowed(_)));
        let verbatim = format!(r"\\?\{}", deep(r"C:\", r"\"));
        assert_eq!(verbatim_if_long(&verbatim), verbatim);
        let relative = deep("", r"\");
        assert_eq!(verbatim_if_long(&relative), relative);
        let device = format!(r"\\.\{}", deep("", r"\"));
        assert_eq!(verbatim_if_long(&device), device);
    }

    #[test]
    fn length_counts_utf16_units_not_bytes() {
        // 100 hanzi: 300 bytes of UTF-8, 100 UTF-16 units, well under MAX_PATH.
        let hanzi = format!(r"C:\{}.sqlite3", "资".repeat(100));
        assert!(hanzi.len() > VERBATIM_ABOVE_UNITS);
        assert!(matches!(verbatim_if_long(&hanzi), Cow::Borrowed(_)));
    }

    #[test]
    fn off_windows_sqlite_gets_the_path_itself() {
        let path = Path::new("some/relative/intake.sqlite3");
        if cfg!(not(windows)) {
            assert_eq!(for_sqlite(path), path);
        }
    }
}
