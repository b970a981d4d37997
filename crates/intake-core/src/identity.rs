//! Identity numbers the onboarding file records: the 18-digit resident ID (GB 11643), the
//! unified social credit code (GB 32100) and mainland mobile numbers.
//!
//! Each check returns the number in its normal form, or an [`IdentityProblem`] that says why
//! in Chinese and English without repeating the number (it is personal data and problems end
//! up in logs and error messages).
//!
//! Hand-written: the checks are a few lines each, fixed by the standards, and the crates that
//! offer them bundle region tables and formats we do not want (a county-level region table
//! rejects real, older IDs whose county codes have since been retired).

use chrono::NaiveDate;

/// Why an identity number was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityProblem {
    /// Not the expected number of characters.
    WrongLength {
        /// How many the standard asks for.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// A 15-digit resident ID of the first generation: the 18-digit number is needed.
    FirstGenerationId,
    /// A character outside the standard's alphabet, at this 1-based position.
    BadCharacter {
        /// 1-based position.
        position: usize,
        /// What the position may hold, in Chinese and in English.
        allowed: (&'static str, &'static str),
    },
    /// The first two digits name no province-level division (GB/T 2260).
    UnknownRegion,
    /// The birth date (digits 7-14) is not a calendar date.
    BadBirthDate,
    /// The birth date lies in the future or before 1800.
    ImplausibleBirthDate,
    /// The check character does not match the other 17 characters.
    CheckCharacterMismatch {
        /// The check character the other characters give.
        expected: char,
    },
    /// Not a mainland mobile number: 11 digits starting with 13-19.
    NotAMobileNumber,
}

impl IdentityProblem {
    /// A stable code for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityProblem::WrongLength { .. } => "wrong_length",
            IdentityProblem::FirstGenerationId => "first_generation_id",
            IdentityProblem::BadCharacter { .. } => "bad_character",
            IdentityProblem::UnknownRegion => "unknown_region",
            IdentityProblem::BadBirthDate => "bad_birth_date",
            IdentityProblem::ImplausibleBirthDate => "implausible_birth_date",
            IdentityProblem::CheckCharacterMismatch { .. } => "check_character_mismatch",
            IdentityProblem::NotAMobileNumber => "not_a_mobile_number",
        }
    }

    /// The problem in Simplified Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            IdentityProblem::WrongLength { expected, found } => format!("应为{expected}位,实际为{found}位"),
            IdentityProblem::FirstGenerationId => "这是15位一代身份证号,请填写18位号码".into(),
            IdentityProblem::BadCharacter { position, allowed } => format!("第{position}位字符无效(应为{})", allowed.0),
            IdentityProblem::UnknownRegion => "前两位不是有效的省级行政区划代码".into(),
            IdentityProblem::BadBirthDate => "第7-14位不是有效的出生日期".into(),
            IdentityProblem::ImplausibleBirthDate => "出生日期不合理(晚于今天或早于1800年)".into(),
            IdentityProblem::CheckCharacterMismatch { expected } => format!("校验码不符(按前17位应为{expected})"),
            IdentityProblem::NotAMobileNumber => "不是有效的手机号(应为以13-19开头的11位数字)".into(),
        }
    }

    /// The problem in English.
    pub fn message_en(&self) -> String {
        match self {
            IdentityProblem::WrongLength { expected, found } => {
                format!("must have {expected} characters, has {found}")
            }
            IdentityProblem::FirstGenerationId => "is a 15-digit first-generation ID; give the 18-digit number".into(),
            IdentityProblem::BadCharacter { position, allowed } => {
                format!("character {position} is not allowed there (expected {})", allowed.1)
            }
            IdentityProblem::UnknownRegion => "the first two digits name no province-level region".into(),
            IdentityProblem::BadBirthDate => "digits 7-14 are not a calendar date of birth".into(),
            IdentityProblem::ImplausibleBirthDate => "the date of birth is in the future or before 1800".into(),
            IdentityProblem::CheckCharacterMismatch { expected } => {
                format!("the check character does not match (the first 17 give {expected})")
            }
            IdentityProblem::NotAMobileNumber => "is not a mobile number (11 digits starting with 13-19)".into(),
        }
    }
}

/// Province-level codes of GB/T 2260, plus 71 (Taiwan) and 81-83 (residence permits of Hong
/// Kong, Macau and Taiwan residents, which use the same 18-character format).
const PROVINCE_CODES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
    62, 63, 64, 65, 71, 81, 82, 83,
];

/// ISO 7064 MOD 11-2 weights of the first 17 digits.
const RESIDENT_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder modulo 11.
const RESIDENT_ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Removes the spaces and hyphens people type between groups of digits.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// Checks an 18-digit resident ID (GB 11643): region, date of birth (not after `today`) and
/// the MOD 11-2 check character. Returns it upper-cased, without spaces.
pub fn check_resident_id(text: &str, today: NaiveDate) -> Result<String, IdentityProblem> {
    let id = compact(text).to_ascii_uppercase();
    let chars: Vec<char> = id.chars().collect();
    if chars.len() == 15 && chars.iter().all(char::is_ascii_digit) {
        return Err(IdentityProblem::FirstGenerationId);
    }
    if chars.len() != 18 {
        return Err(IdentityProblem::WrongLength { expected: 18, found: chars.len() });
    }
    if let Some(position) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
        return Err(IdentityProblem::BadCharacter { position: position + 1, allowed: ("数字", "a digit") });
    }
    if !(chars[17].is_ascii_digit() || chars[17] == 'X') {
        return Err(IdentityProblem::BadCharacter { position: 18, allowed: ("数字或X", "a digit or X") });
    }
    let digit = |index: usize| chars[index].to_digit(10).expect("checked to be a digit");
    let province = (digit(0) * 10 + digit(1)) as u8;
    if !PROVINCE_CODES.contains(&province) {
        return Err(IdentityProblem::UnknownRegion);
    }
    let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").map_err(|_| IdentityProblem::BadBirthDate)?;
    let earliest = NaiveDate::from_ymd_opt(1800, 1, 1).expect("a valid date");
    if birth > today || birth < earliest {
        return Err(IdentityProblem::ImplausibleBirthDate);
    }
    let sum: u32 = RESIDENT_ID_WEIGHTS.iter().enumerate().map(|(index, weight)| digit(index) * weight).sum();
    let expected = RESIDENT_ID_CHECK[(sum % 11) as usize];
    if chars[17] != expected {
        return Err(IdentityProblem::CheckCharacterMismatch { expected });
    }
    Ok(id)
}

/// The 31 characters of GB 32100 (no I, O, S, V, Z), in the order of their values.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the first 17 characters.
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A unified social credit code whose characters are well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsccReading {
    /// Upper-cased, without spaces.
    pub code: String,
    /// `None` when the check character matches; otherwise the character the first 17 give.
    /// Some real, registered codes fail this check, so a mismatch is a warning the manager
    /// may override with a reason, not a refusal.
    pub check_mismatch: Option<char>,
}

impl UsccReading {
    /// The check-character mismatch as a problem, if there is one.
    pub fn check_problem(&self) -> Option<IdentityProblem> {
        self.check_mismatch.map(|expected| IdentityProblem::CheckCharacterMismatch { expected })
    }
}

/// Checks a unified social credit code (GB 32100): 18 characters from its alphabet, digits
/// for the region (characters 3-8), and the check character (reported, not refused).
pub fn check_uscc(text: &str) -> Result<UsccReading, IdentityProblem> {
    let code = compact(text).to_ascii_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(IdentityProblem::WrongLength { expected: 18, found: chars.len() });
    }
    let mut values = Vec::with_capacity(18);
    for (index, c) in chars.iter().enumerate() {
        match USCC_ALPHABET.find(*c) {
            Some(value) => values.push(value as u32),
            None => {
                return Err(IdentityProblem::BadCharacter {
                    position: index + 1,
                    allowed: ("数字或除I、O、S、V、Z外的大写字母", "a digit or a capital letter other than I, O, S, V, Z"),
                });
            }
        }
    }
    if let Some(index) = (2..8).find(|index| !chars[*index].is_ascii_digit()) {
        return Err(IdentityProblem::BadCharacter {
            position: index + 1,
            allowed: ("数字(行政区划码)", "a digit (region code)"),
        });
    }
    let sum: u32 = USCC_WEIGHTS.iter().zip(&values).map(|(weight, value)| weight * value).sum();
    let check_value = (31 - sum % 31) % 31;
    let expected = USCC_ALPHABET.as_bytes()[check_value as usize] as char;
    let check_mismatch = (chars[17] != expected).then_some(expected);
    Ok(UsccReading { code, check_mismatch })
}

/// Checks a mainland mobile number: 11 digits starting with 13-19, optionally written with
/// +86, 0086 or 86 in front and spaces or hyphens between groups. Returns the 11 digits.
pub fn check_mobile(text: &str) -> Result<String, IdentityProblem> {
    let compacted = compact(text);
    let digits = compacted
        .strip_prefix("+86")
        .or_else(|| compacted.strip_prefix("0086"))
        .or_else(|| compacted.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&compacted);
    let bytes = digits.as_bytes();
    if bytes.len() == 11 && bytes.iter().all(u8::is_ascii_digit) && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1])
    {
        Ok(digits.to_string())
    } else {
        Err(IdentityProblem::NotAMobileNumber)
    }
}

/// Shows the first `keep_start` and last `keep_end` characters and stars for the rest, for
/// displaying personal numbers.
pub fn mask(text: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(index, c)| if index < keep_start || index >= chars.len() - keep_end { *c } else { '*' })
        .collect()
}
