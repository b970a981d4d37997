//! Whether a new passphrase is strong enough: judged by zxcvbn (the estimator of Dropbox,
//! which finds dictionary words, keyboard walks, repeats, sequences and dates, and estimates
//! the guesses an attacker needs), with what it does not know about Chinese passwords added:
//! common pinyin words and names, the number words (5201314 "I love you for ever"), and
//! whatever in the passphrase is a mainland mobile number, a resident ID number or a date of
//! birth, each given to it as a known word so that it counts for almost nothing.
//!
//! The bar is zxcvbn's score 3 ("safely unguessable": about 10^10 guesses), which with the
//! folder's Argon2id (about 0.25 s per guess here) is centuries of one machine's work; a
//! passphrase under it is refused (`weak_passphrase`) with zxcvbn's own warning and advice.

use crate::error::{Error, ErrorKind, Result};

/// The least zxcvbn score a new passphrase must have (0 to 4).
pub const MIN_SCORE: u8 = 3;

/// Words Chinese passwords are made of that zxcvbn's English dictionaries lack: pinyin of
/// love and luck, the commonest surnames and given names, places, apps, the company and the
/// job, and the number words. Lower case; zxcvbn matches case-insensitively and l33t.
const CHINESE_WORDS: &[&str] = &[
    "woaini",
    "aini",
    "woaini1314",
    "5201314",
    "1314520",
    "520520",
    "5211314",
    "1314",
    "521",
    "520",
    "iloveyou",
    "nihao",
    "baobei",
    "laopo",
    "laogong",
    "qinqin",
    "xiaobao",
    "tiantian",
    "kuaile",
    "xingfu",
    "mima",
    "mimamima",
    "zhongguo",
    "china",
    "beijing",
    "shanghai",
    "guangzhou",
    "shenzhen",
    "hangzhou",
    "nanjing",
    "wuhan",
    "chengdu",
    "tianjin",
    "chongqing",
    "tonglian",
    "allinpay",
    "tonglianzhifu",
    "shanghu",
    "ruwang",
    "kehujingli",
    "jingli",
    "fengongsi",
    "zhifu",
    "yinhang",
    "weixin",
    "wechat",
    "zhifubao",
    "alipay",
    "taobao",
    "huawei",
    "xiaomi",
    "baidu",
    "tencent",
    "qq",
    "qqqq",
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "lin",
    "luo",
    "gao",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
    "han",
    "feng",
    "deng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "pan",
    "yuan",
    "cai",
    "jiang",
    "yu",
    "du",
    "ye",
    "cheng",
    "wei",
    "su",
    "lu",
    "ding",
    "ren",
    "shen",
    "yao",
    "jiang",
    "zhangwei",
    "wangwei",
    "wangfang",
    "liwei",
    "lina",
    "zhangmin",
    "lijing",
    "wangjing",
    "liuwei",
    "wangmin",
    "lijun",
    "zhangli",
    "zhangjing",
    "wangli",
    "wangqiang",
    "wangjun",
    "liqiang",
    "liyang",
    "zhangyong",
    "ming",
    "hong",
    "hua",
    "jun",
    "qiang",
    "ping",
    "gang",
    "jie",
    "lei",
    "jing",
    "fang",
    "min",
    "yan",
    "yong",
    "xin",
    "hui",
    "long",
    "long",
    "feifei",
    "lili",
    "tingting",
    "xiaoming",
    "xiaohong",
    "dragon",
    "88888888",
    "66666666",
    "168168",
    "518518",
    "888888",
    "666666",
    "147258369",
    "123qwe",
    "1qaz2wsx",
    "qwe123",
    "aa123456",
    "a123456",
    "qq123456",
    "abc123456",
    "123456789a",
    "zxcvbnm",
    "asdfghjkl",
];

/// `Ok` when `passphrase` is hard enough to guess; `weak_passphrase` with zxcvbn's reason
/// otherwise. `user_inputs` are words of this installation (the branch, the manager) that a
/// passphrase must not lean on.
pub fn check(passphrase: &str, user_inputs: &[&str]) -> Result<()> {
    let found = personal_patterns(passphrase);
    let mut inputs: Vec<&str> = CHINESE_WORDS.to_vec();
    inputs.extend(user_inputs.iter().copied().filter(|input| !input.trim().is_empty()));
    inputs.extend(found.iter().map(|(text, _)| text.as_str()));
    let estimate = zxcvbn::zxcvbn(passphrase, &inputs);
    let score = u8::from(estimate.score());
    if score >= MIN_SCORE {
        return Ok(());
    }
    let mut reasons: Vec<String> = found.iter().map(|(_, what)| what.to_string()).collect();
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            reasons.push(warning.to_string());
        }
        reasons.extend(feedback.suggestions().iter().map(|suggestion| suggestion.to_string()));
    }
    if reasons.is_empty() {
        reasons.push("Add more words that are not common.".into());
    }
    Err(Error::new(
        ErrorKind::WeakPassphrase,
        format!(
            "密码太容易被猜到 / the passphrase is too easy to guess (strength {score} of 4, at least {MIN_SCORE} needed): {}",
            reasons.join(" ")
        ),
    ))
}

/// The parts of a passphrase that are someone's phone number, ID number or birthday: known
/// to whoever knows the manager or the merchant, whatever their length.
fn personal_patterns(passphrase: &str) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    let characters: Vec<char> = passphrase.chars().collect();
    let mut index = 0;
    while index < characters.len() {
        if !characters[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let start = index;
        while index < characters.len()
            && (characters[index].is_ascii_digit() || characters[index] == 'X' || characters[index] == 'x')
        {
            index += 1;
        }
        let run: String = characters[start..index].iter().collect();
        let digits = run.trim_end_matches(['X', 'x']);
        if run.len() == 18 {
            found.push((run.clone(), "It contains a resident ID number (身份证号)."));
        } else if digits.len() == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9') {
            found.push((digits.to_string(), "It contains a mobile phone number (手机号)."));
        } else if (digits.len() == 8 && is_date(digits)) || (digits.len() == 6 && is_date(&format!("19{digits}"))) {
            found.push((digits.to_string(), "It contains a date, such as a birthday (生日)."));
        }
    }
    found
}

/// `YYYYMMDD` from 1900 to 2099.
fn is_date(digits: &str) -> bool {
    chrono::NaiveDate::parse_from_str(digits, "%Y%m%d")
        .is_ok_and(|date| (1900..2100).contains(&chrono::Datelike::year(&date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(passphrase: &str) -> String {
        let err = check(passphrase, &[]).expect_err(passphrase);
        assert_eq!(err.kind(), ErrorKind::WeakPassphrase);
        err.message().to_string()
    }

    #[test]
    fn the_usual_weak_ones_are_refused_with_a_reason() {
        for weak in
            ["12345678", "password", "11111111", "qwertyuiop", "woaini1314", "5201314520", "zhangwei1990", "iloveyou!"]
        {
            let message = refused(weak);
            assert!(message.contains("too easy to guess"), "{weak}: {message}");
        }
        assert!(refused("13812345678").contains("mobile phone number"));
        assert!(refused("19900101").contains("birthday"));
        assert!(refused("wang19900101").contains("birthday"));
        assert!(refused("11010519491231002X").contains("ID number"));
    }

    #[test]
    fn long_or_unusual_passphrases_pass() {
        for strong in
            ["门头照片 correct horse", "测试密码 e2e passphrase", "staple battery horse orbit", "Kq7#vLz!9pWd"]
        {
            assert!(check(strong, &[]).is_ok(), "{strong}: {:?}", check(strong, &[]).err());
        }
    }

    #[test]
    fn the_installation_own_words_count_for_little() {
        assert!(check("zhangsan2026", &["上海分公司", "zhangsan"]).is_err());
    }
}
