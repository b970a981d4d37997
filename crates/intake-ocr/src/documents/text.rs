//! Text helpers the readers share: normalising OCR output, dates, and the check digits of the
//! two 18-character numbers (GB 32100 credit code, GB 11643 ID number).

use std::sync::LazyLock;

use regex::Regex;

/// Full-width forms to ASCII, whitespace removed, the colons and dashes a document prints in
/// several shapes made one. Chinese documents put no meaningful spaces inside a value, but
/// print labels spaced out ("名　　称"), which must read as "名称".
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '—' | '–' | '－' | '～' | '~' => '-',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '。' => '.',
            _ => c,
        })
        .collect()
}

/// A date at `year`-`month`-`day` as `YYYY-MM-DD`, if that day exists.
pub fn iso_date(year: u32, month: u32, day: u32) -> Option<String> {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1800..=2200).contains(&year) && (1..=days).contains(&day)).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*(?:年|\.|-|/)\s*(\d{1,2})\s*(?:月|\.|-|/)\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")
        .expect("date pattern")
});

/// The dates written in `text` ("2020年01月15日", "2016.03.01", "2020-1-5", "20160301"), in
/// order, as `YYYY-MM-DD`, with the byte range each was found at. Impossible days are skipped.
pub fn dates_in(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    DATE.captures_iter(text)
        .filter_map(|c| {
            let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
            let (y, m, d) = if c.get(1).is_some() {
                (number(1)?, number(2)?, number(3)?)
            } else {
                (number(4)?, number(5)?, number(6)?)
            };
            Some((c.get(0)?.range(), iso_date(y, m, d)?))
        })
        .collect()
}

/// A validity period "FROM至UNTIL" / "FROM-UNTIL": the start date and the end, `None` for
/// 长期 (no end). `None` overall when no end can be read.
pub fn period(text: &str) -> Option<(Option<String>, Option<String>)> {
    let text = normalize(text);
    let dates = dates_in(&text);
    let open_ended = text.contains("长期");
    match (dates.as_slice(), open_ended) {
        ([(_, from), (_, until), ..], _) => Some((Some(from.clone()), Some(until.clone()))),
        ([(_, from)], true) => Some((Some(from.clone()), None)),
        ([], true) => Some((None, None)),
        _ => None,
    }
}

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Whether `code` is a unified social credit code with a right check character (GB 32100).
pub fn uscc_check_ok(code: &str) -> bool {
    let values: Option<Vec<u32>> = code.chars().map(|c| USCC_ALPHABET.find(c).map(|i| i as u32)).collect();
    let Some(values) = values else { return false };
    if values.len() != 18 {
        return false;
    }
    let sum: u32 = values[..17].iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31 == values[17]
}

/// Whether `number` is an 18-character resident ID number with a right check character
/// (GB 11643, ISO 7064 MOD 11-2) and a real birth date.
pub fn id_number_check_ok(number: &str) -> bool {
    let bytes = number.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| (b - b'0') as u32 * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    let field = |range: std::ops::Range<usize>| number[range].parse::<u32>().unwrap_or(0);
    bytes[17] == check && iso_date(field(6..10), field(10..12), field(12..14)).is_some()
}

/// The birth date inside an ID number, `YYYY-MM-DD`.
pub fn birth_date_of(number: &str) -> Option<String> {
    let field = |range: std::ops::Range<usize>| number.get(range)?.parse::<u32>().ok();
    iso_date(field(6..10)?, field(10..12)?, field(12..14)?)
}

/// Letters OCR reads for digits where the code's alphabet has no such letter (I, O, S, Z, V
/// are not in GB 32100's alphabet; ID numbers have only digits and X). Only these
/// unambiguous replacements are made: a wrong character that is itself valid is left wrong,
/// and the check digit then says so.
fn digit_for(c: char) -> char {
    match c {
        'O' | 'o' | 'D' | 'Q' => '0',
        'I' | 'l' | 'i' | '|' => '1',
        'Z' | 'z' => '2',
        'S' | 's' => '5',
        _ => c,
    }
}

/// Candidate 18-character runs in `text`: letters and digits, upper-cased.
fn runs_of_18(text: &str) -> Vec<String> {
    let chars: Vec<char> = normalize(text).chars().collect();
    let mut runs = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        if !chars[start].is_ascii_alphanumeric() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < chars.len() && chars[end].is_ascii_alphanumeric() {
            end += 1;
        }
        let run: String = chars[start..end].iter().collect::<String>().to_uppercase();
        if run.chars().count() >= 18 {
            for offset in 0..=run.len() - 18 {
                runs.push(run[offset..offset + 18].to_string());
            }
        }
        start = end;
    }
    runs
}

/// The unified social credit code in `text`: the first 18-character run whose check character
/// is right (after the unambiguous letter-for-digit fixes), else the first run of the code's
/// shape, flagged as failing its check.
pub fn find_uscc(text: &str) -> Option<(String, bool)> {
    let runs: Vec<String> = runs_of_18(text)
        .into_iter()
        .map(|run| {
            run.chars()
                .enumerate()
                // Positions 3-8 are the registration authority's area code: digits only.
                .map(|(i, c)| if (2..8).contains(&i) || !USCC_ALPHABET.contains(c) { digit_for(c) } else { c })
                .collect()
        })
        .collect();
    if let Some(valid) = runs.iter().find(|run| uscc_check_ok(run)) {
        return Some((valid.clone(), true));
    }
    runs.into_iter()
        .find(|run| run.chars().all(|c| USCC_ALPHABET.contains(c)) && run[2..8].chars().all(|c| c.is_ascii_digit()))
        .map(|run| (run, false))
}

/// The resident ID number in `text`, as [`find_uscc`] does for credit codes.
pub fn find_id_number(text: &str) -> Option<(String, bool)> {
    let runs: Vec<String> = runs_of_18(text)
        .into_iter()
        .map(|run| run.chars().enumerate().map(|(i, c)| if i < 17 { digit_for(c) } else { c }).collect())
        .collect();
    if let Some(valid) = runs.iter().find(|run| id_number_check_ok(run)) {
        return Some((valid.clone(), true));
    }
    runs.into_iter()
        .find(|run| {
            run[..17].chars().all(|c| c.is_ascii_digit()) && matches!(run.chars().last(), Some('0'..='9' | 'X'))
        })
        .map(|run| (run, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_spaced_labels_and_full_width_forms() {
        assert_eq!(normalize("名　　称：ＡＢ１２ 有限公司"), "名称:AB12有限公司");
    }

    #[test]
    fn reads_dates_in_the_shapes_documents_print() {
        let found: Vec<String> = dates_in("2020年01月15日至2040年1月14日").into_iter().map(|d| d.1).collect();
        assert_eq!(found, ["2020-01-15", "2040-01-14"]);
        assert_eq!(dates_in("2016.03.01-2036.03.01").len(), 2);
        assert_eq!(dates_in("1990 年 2 月 30 日"), []);
        assert_eq!(dates_in("1988年2月29日")[0].1, "1988-02-29");
    }

    #[test]
    fn periods_with_an_end_and_without() {
        assert_eq!(period("2016.03.01-2036.03.01"), Some((Some("2016-03-01".into()), Some("2036-03-01".into()))));
        assert_eq!(period("2020年01月15日至长期"), Some((Some("2020-01-15".into()), None)));
        assert_eq!(period("长期"), Some((None, None)));
        assert_eq!(period("至"), None);
    }

    #[test]
    fn check_characters_of_the_standards_worked_examples() {
        assert!(uscc_check_ok("91350100M000100Y43"));
        assert!(!uscc_check_ok("91350100M000100Y4Z"));
        assert!(id_number_check_ok("11010519491231002X"));
        assert!(id_number_check_ok("440524188001010014"));
        assert!(!id_number_check_ok("110105194912310021"));
        assert!(!id_number_check_ok("110105194902310026"));
        assert_eq!(birth_date_of("11010519491231002X").as_deref(), Some("1949-12-31"));
    }

    #[test]
    fn finds_codes_inside_labelled_text_and_fixes_letters_for_digits() {
        assert_eq!(find_uscc("统一社会信用代码91350100M000100Y43"), Some(("91350100M000100Y43".into(), true)));
        // O read for 0 in the area code.
        assert_eq!(find_uscc("9135O100M000100Y43"), Some(("91350100M000100Y43".into(), true)));
        assert_eq!(find_uscc("91350100M000100Y44"), Some(("91350100M000100Y44".into(), false)));
        assert_eq!(find_id_number("公民身份号码 11010519491231002x"), Some(("11010519491231002X".into(), true)));
        assert_eq!(find_id_number("号码 11O10519491231002X"), Some(("11010519491231002X".into(), true)));
        assert_eq!(find_id_number("1101051949123100"), None);
    }
}
