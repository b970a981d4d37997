//! Identity numbers, with the worked examples of the standards (`notes/tech-facts.md`).

use chrono::NaiveDate;
use intake_core::identity::{IdentityProblem, check_mobile, check_resident_id, check_uscc, mask};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

#[test]
fn resident_ids_of_the_standard() {
    assert_eq!(check_resident_id("11010519491231002X", today()).unwrap(), "11010519491231002X");
    assert_eq!(check_resident_id("11010519491231002x", today()).unwrap(), "11010519491231002X");
    assert_eq!(check_resident_id("440524188001010014", today()).unwrap(), "440524188001010014");
    assert_eq!(check_resident_id(" 110105 19491231 002X ", today()).unwrap(), "11010519491231002X");
    assert_eq!(
        check_resident_id("110105194912310021", today()).unwrap_err(),
        IdentityProblem::CheckCharacterMismatch { expected: 'X' }
    );
    assert_eq!(check_resident_id("110105194902310026", today()).unwrap_err(), IdentityProblem::BadBirthDate);
}

#[test]
fn resident_id_shape_region_and_date_are_checked_before_the_check_digit() {
    let problem = |id: &str| check_resident_id(id, today()).unwrap_err().code();
    assert_eq!(problem("11010519491231002"), "wrong_length");
    assert_eq!(problem("110105491231002"), "first_generation_id");
    assert_eq!(problem("1101051949123100AX"), "bad_character");
    assert_eq!(problem("11010519491231002Y"), "bad_character");
    assert_eq!(problem("99010519491231002X"), "unknown_region");
    assert_eq!(problem("110105203001010011"), "implausible_birth_date");
    assert_eq!(problem("110105179901010011"), "implausible_birth_date");
}

#[test]
fn resident_id_messages_never_repeat_the_number() {
    let problem = check_resident_id("110105194912310021", today()).unwrap_err();
    for message in [problem.message_zh(), problem.message_en()] {
        assert!(!message.contains("11010519491231"), "{message}");
    }
}

#[test]
fn unified_social_credit_codes_of_the_standard() {
    let good = check_uscc("91350100M000100Y43").unwrap();
    assert_eq!(good.code, "91350100M000100Y43");
    assert_eq!(good.check_mismatch, None);
    // A character outside the alphabet (Z) is refused outright.
    assert_eq!(check_uscc("91350100M000100Y4Z").unwrap_err().code(), "bad_character");
    // A well-formed code whose check character differs is read, with the mismatch reported:
    // some registered codes fail the check, so this is the manager's call.
    let odd = check_uscc("91350100m000100y44").unwrap();
    assert_eq!(odd.code, "91350100M000100Y44");
    assert_eq!(odd.check_mismatch, Some('3'));
    assert_eq!(check_uscc("91350100M000100Y4").unwrap_err().code(), "wrong_length");
    assert_eq!(check_uscc("91350100M00O100Y43").unwrap_err().code(), "bad_character");
    assert_eq!(check_uscc("9135A100M000100Y43").unwrap_err().code(), "bad_character");
}

#[test]
fn mobile_numbers() {
    assert_eq!(check_mobile("13800138000").unwrap(), "13800138000");
    assert_eq!(check_mobile("+86 138-0013-8000").unwrap(), "13800138000");
    assert_eq!(check_mobile("0086 19912345678").unwrap(), "19912345678");
    assert_eq!(check_mobile("8613800138000").unwrap(), "13800138000");
    for bad in ["1380013800", "12800138000", "23800138000", "138001380001", "1380013800a", ""] {
        assert_eq!(check_mobile(bad).unwrap_err(), IdentityProblem::NotAMobileNumber, "{bad}");
    }
}

#[test]
fn masking_keeps_only_the_ends() {
    assert_eq!(mask("11010519491231002X", 6, 4), "110105********002X");
    assert_eq!(mask("13800138000", 3, 4), "138****8000");
    assert_eq!(mask("张三", 1, 0), "张*");
    assert_eq!(mask("ab", 3, 4), "**");
}
