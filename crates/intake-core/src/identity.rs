//! Identity numbers the onboarding file records: the 18-digit resident ID (GB 11643), the other
//! identity documents a legal representative may hold ([`IdType`]: the residence permit of Hong
//! Kong, Macau and Taiwan residents, the 2023 foreign permanent resident ID card, the two
//! travel permits, a passport), the unified social credit code (GB 32100, whose positions 9-17
//! are a GB 11714 organisation code) and mainland mobile numbers.
//!
//! Full-width characters typed through a Chinese input method (１２３, Ｘ) are read as their
//! ASCII forms.
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
    /// The organisation code (USCC positions 9-17, GB 11714) fails its own check character.
    OrganisationCodeMismatch {
        /// The check character positions 9-16 give.
        expected: char,
    },
    /// USCC positions 1-2 name no registration authority and category of GB 32100.
    UnknownAuthorityCategory,
    /// Not in the format of this kind of document.
    BadFormat {
        /// The format, in Chinese and in English.
        expected: (&'static str, &'static str),
    },
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
            IdentityProblem::OrganisationCodeMismatch { .. } => "organisation_code_mismatch",
            IdentityProblem::UnknownAuthorityCategory => "unknown_authority_category",
            IdentityProblem::BadFormat { .. } => "bad_format",
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
            IdentityProblem::OrganisationCodeMismatch { expected } => {
                format!("第9-17位组织机构代码的校验码不符(按第9-16位应为{expected})")
            }
            IdentityProblem::UnknownAuthorityCategory => "前两位不是已知的登记管理部门码和机构类别码".into(),
            IdentityProblem::BadFormat { expected } => format!("格式不符(应为{})", expected.0),
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
            IdentityProblem::OrganisationCodeMismatch { expected } => {
                format!("the organisation code (characters 9-17) fails its check (characters 9-16 give {expected})")
            }
            IdentityProblem::UnknownAuthorityCategory => {
                "the first two characters name no known registration authority and category".into()
            }
            IdentityProblem::BadFormat { expected } => format!("is not in the expected format ({})", expected.1),
        }
    }
}

/// Province-level codes of GB/T 2260 that issue resident ID cards. Not 71 (Taiwan: GB/T 2260
/// lists it, but no resident ID card is issued there) nor 81-83, which begin the residence
/// permits of Hong Kong, Macau and Taiwan residents ([`IdType::ResidencePermit`]).
const PROVINCE_CODES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65,
];

/// The first two digits of a residence permit of Hong Kong (81), Macau (82) and Taiwan (83)
/// residents.
const RESIDENCE_PERMIT_CODES: &[u8] = &[81, 82, 83];

/// ISO 7064 MOD 11-2 weights of the first 17 digits.
const RESIDENT_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder modulo 11.
const RESIDENT_ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Full-width forms (U+FF01-FF5E, what a Chinese input method types: １２３, Ｘ, －) as ASCII,
/// and the ideographic space as a space.
pub fn to_half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Removes the spaces and hyphens people type between groups of digits, full-width ones too.
fn compact(text: &str) -> String {
    to_half_width(text).chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// The kind of identity document a number belongs to (the legal representative's, the
/// whitelist's): the key of the rule file's ID-type choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdType {
    /// 居民身份证 (GB 11643).
    ResidentId,
    /// 港澳台居民居住证: 18 digits, region 81/82/83, the same check.
    ResidencePermit,
    /// 外国人永久居留身份证, 2023 format: 18 digits beginning with 9, the same check.
    ForeignPermanentResident,
    /// 港澳居民来往内地通行证: H or M and 8 digits (older cards 10).
    HongKongMacauPermit,
    /// 台湾居民来往大陆通行证: 8 digits (older booklets 10).
    TaiwanPermit,
    /// 护照: 5-17 letters and digits.
    Passport,
}

impl IdType {
    /// The type with this rule-file key, if any.
    pub fn from_key(key: &str) -> Option<IdType> {
        Some(match key {
            "resident_id" => IdType::ResidentId,
            "residence_permit" => IdType::ResidencePermit,
            "foreign_permanent_resident" => IdType::ForeignPermanentResident,
            "hk_macao_permit" => IdType::HongKongMacauPermit,
            "taiwan_permit" => IdType::TaiwanPermit,
            "passport" => IdType::Passport,
            _ => return None,
        })
    }
}

/// Checks a number of this kind of document; returns its normal form.
pub fn check_id_number(id_type: IdType, text: &str, today: NaiveDate) -> Result<String, IdentityProblem> {
    match id_type {
        IdType::ResidentId => check_resident_id(text, today),
        IdType::ResidencePermit => check_eighteen_digit_id(text, today, |chars| {
            let region = two_digits(chars);
            if RESIDENCE_PERMIT_CODES.contains(&region) { Ok(()) } else { Err(IdentityProblem::UnknownRegion) }
        }),
        IdType::ForeignPermanentResident => check_eighteen_digit_id(text, today, |chars| {
            // 2023 format: 9, then the accepting province's code (positions 2-3).
            if chars[0] != '9' {
                return Err(IdentityProblem::BadFormat {
                    expected: ("以9开头的18位号码(2023年版)", "18 digits beginning with 9 (2023 format)"),
                });
            }
            let province = two_digits(&chars[1..]);
            if PROVINCE_CODES.contains(&province) { Ok(()) } else { Err(IdentityProblem::UnknownRegion) }
        }),
        IdType::HongKongMacauPermit => {
            let id = compact(text).to_ascii_uppercase();
            let bytes = id.as_bytes();
            let digits = bytes.len().checked_sub(1).filter(|count| *count == 8 || *count == 10);
            if matches!(bytes.first(), Some(b'H' | b'M'))
                && digits.is_some()
                && bytes[1..].iter().all(u8::is_ascii_digit)
            {
                Ok(id)
            } else {
                Err(IdentityProblem::BadFormat {
                    expected: ("H或M加8位数字(旧版10位)", "H or M and 8 digits (older cards 10)"),
                })
            }
        }
        IdType::TaiwanPermit => {
            let id = compact(text).to_ascii_uppercase();
            if matches!(id.len(), 8 | 10) && id.bytes().all(|byte| byte.is_ascii_digit()) {
                Ok(id)
            } else {
                Err(IdentityProblem::BadFormat {
                    expected: ("8位数字(旧版10位)", "8 digits (older booklets 10)")
                })
            }
        }
        IdType::Passport => {
            let id = compact(text).to_ascii_uppercase();
            if (5..=17).contains(&id.len()) && id.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
                Ok(id)
            } else {
                Err(IdentityProblem::BadFormat { expected: ("5-17位字母或数字", "5-17 letters and digits") })
            }
        }
    }
}

fn two_digits(chars: &[char]) -> u8 {
    let digit = |index: usize| chars[index].to_digit(10).unwrap_or(0) as u8;
    digit(0) * 10 + digit(1)
}

/// Checks an 18-digit resident ID (GB 11643): region, date of birth (not after `today`) and
/// the MOD 11-2 check character. Returns it upper-cased, without spaces. A residence permit
/// (81-83) or Taiwan's code 71 is not a resident ID card: `unknown_region`.
pub fn check_resident_id(text: &str, today: NaiveDate) -> Result<String, IdentityProblem> {
    check_eighteen_digit_id(text, today, |chars| {
        if PROVINCE_CODES.contains(&two_digits(chars)) { Ok(()) } else { Err(IdentityProblem::UnknownRegion) }
    })
}

/// The 18-character layout of GB 11643, shared by the resident ID, the residence permit and
/// the 2023 foreign permanent resident ID: 17 digits, a check character (digit or X) by MOD
/// 11-2, the date of birth at 7-14; `region` judges the leading digits.
fn check_eighteen_digit_id(
    text: &str,
    today: NaiveDate,
    region: impl Fn(&[char]) -> Result<(), IdentityProblem>,
) -> Result<String, IdentityProblem> {
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
    region(&chars)?;
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

/// GB 11714 weights of the organisation code's first 8 characters.
const ORGANISATION_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Registration authority (position 1) and category (position 2) codes of GB 32100, with the
/// kind of body each names.
const AUTHORITY_CATEGORIES: &[(&str, &str)] = &[
    ("11", "机关"),
    ("12", "事业单位"),
    ("13", "中央编办直接管理机构编制的群众团体"),
    ("19", "其他(机构编制)"),
    ("21", "外国常驻新闻机构"),
    ("29", "其他(外交)"),
    ("31", "律师执业机构"),
    ("32", "公证处"),
    ("33", "基层法律服务所"),
    ("34", "司法鉴定机构"),
    ("35", "仲裁委员会"),
    ("39", "其他(司法行政)"),
    ("41", "外国在华文化中心"),
    ("49", "其他(文化)"),
    ("51", "社会团体"),
    ("52", "民办非企业单位"),
    ("53", "基金会"),
    ("59", "其他(民政)"),
    ("61", "外国旅游部门常驻代表机构"),
    ("62", "港澳台地区旅游部门常驻内地(大陆)代表机构"),
    ("69", "其他(旅游)"),
    ("71", "宗教活动场所"),
    ("72", "宗教院校"),
    ("79", "其他(宗教)"),
    ("81", "基层工会"),
    ("89", "其他(工会)"),
    ("91", "企业"),
    ("92", "个体工商户"),
    ("93", "农民专业合作社"),
    ("A1", "军队事业单位"),
    ("A9", "其他(军队)"),
    ("N1", "组级集体经济组织"),
    ("N2", "村级集体经济组织"),
    ("N3", "乡镇级集体经济组织"),
    ("N9", "其他(农业)"),
    ("Y1", "其他"),
];

/// What positions 1-2 of a unified social credit code say the body is, if they are known.
pub fn uscc_authority_category(code: &str) -> Option<&'static str> {
    let prefix = code.get(..2)?;
    AUTHORITY_CATEGORIES.iter().find(|(key, _)| *key == prefix).map(|(_, name)| *name)
}

/// The GB 11714 value of an organisation-code character: digits 0-9, letters A-Z 10-35.
fn organisation_code_value(c: char) -> u32 {
    match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='Z' => c as u32 - 'A' as u32 + 10,
        _ => 0,
    }
}

/// The GB 11714 check character of an organisation code's first 8 characters: 11 minus the
/// weighted sum modulo 11, with 10 written X and 11 written 0.
pub fn organisation_code_check(first_eight: &str) -> char {
    let sum: u32 =
        first_eight.chars().zip(ORGANISATION_CODE_WEIGHTS).map(|(c, weight)| organisation_code_value(c) * weight).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        value => char::from_digit(value, 10).expect("a single digit"),
    }
}

/// A unified social credit code whose characters are well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsccReading {
    /// Upper-cased, without spaces.
    pub code: String,
    /// `None` when the check character matches; otherwise the character the first 17 give.
    /// Some real, registered codes fail this check, so a mismatch is a warning the manager
    /// may override with a reason, not a refusal.
    pub check_mismatch: Option<char>,
    /// `None` when the organisation code (positions 9-17) passes its GB 11714 check;
    /// otherwise the check character positions 9-16 give. A warning, like `check_mismatch`.
    pub organisation_code_mismatch: Option<char>,
    /// What positions 1-2 name (91 企业, 92 个体工商户, 12 事业单位, …); `None` when unknown.
    pub authority_category: Option<&'static str>,
}

impl UsccReading {
    /// The check-character mismatch as a problem, if there is one.
    pub fn check_problem(&self) -> Option<IdentityProblem> {
        self.check_mismatch.map(|expected| IdentityProblem::CheckCharacterMismatch { expected })
    }

    /// Every problem of the code that is a warning: check characters, unknown positions 1-2.
    pub fn warnings(&self) -> Vec<IdentityProblem> {
        let mut problems: Vec<IdentityProblem> = self.check_problem().into_iter().collect();
        if let Some(expected) = self.organisation_code_mismatch {
            problems.push(IdentityProblem::OrganisationCodeMismatch { expected });
        }
        if self.authority_category.is_none() {
            problems.push(IdentityProblem::UnknownAuthorityCategory);
        }
        problems
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
                    allowed: (
                        "数字或除I、O、S、V、Z外的大写字母",
                        "a digit or a capital letter other than I, O, S, V, Z",
                    ),
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
    let organisation_check = organisation_code_check(&code[8..16]);
    let organisation_code_mismatch = (chars[16] != organisation_check).then_some(organisation_check);
    let authority_category = uscc_authority_category(&code);
    Ok(UsccReading { code, check_mismatch, organisation_code_mismatch, authority_category })
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
    if bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
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
