//! Issue 17, point 10: the legal representative's ID types, the USCC's organisation code and
//! its positions 1-2, full-width input. The check characters are compared with worked
//! examples computed by an independent implementation: a few lines of Python below, written
//! from the standards' formulas in another form (MOD 11-2 weights as 2^(17-i) mod 11, GB 32100
//! weights as 3^i mod 31, GB 11714 values by `int(c, 36)`), never with our own code. Plus the
//! standards' own published examples.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, MerchantType, NewCase};
use intake_core::checklist::FieldStatus;
use intake_core::identity::{
    IdType, IdentityProblem, check_id_number, check_resident_id, check_uscc, organisation_code_check,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

/// For each line `kind base`, the check character Python computes: `mod11-2` (GB 11643, 17
/// digits), `gb11714` (organisation code, 8 characters), `gb32100` (USCC, 17 characters).
const PYTHON: &str = r#"
import sys
USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
for line in sys.stdin:
    kind, base = line.split()
    if kind == "mod11-2":
        total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(base))
        value = (12 - total % 11) % 11
        print("X" if value == 10 else str(value))
    elif kind == "gb11714":
        total = sum(int(c, 36) * w for c, w in zip(base, [3, 7, 9, 10, 5, 8, 4, 2]))
        value = 11 - total % 11
        print({10: "X", 11: "0"}.get(value, str(value)))
    elif kind == "gb32100":
        total = sum(USCC.index(c) * (3 ** i % 31) for i, c in enumerate(base))
        print(USCC[(31 - total % 31) % 31])
"#;

fn python_checks(requests: &[(&str, String)]) -> Vec<char> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is needed to compute the worked examples");
    let input: String = requests.iter().map(|(kind, base)| format!("{kind} {base}\n")).collect();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let lines: Vec<char> =
        String::from_utf8(output.stdout).unwrap().lines().map(|line| line.chars().next().unwrap()).collect();
    assert_eq!(lines.len(), requests.len());
    lines
}

/// A small deterministic generator, so the examples are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
    fn digits(&mut self, count: usize) -> String {
        (0..count).map(|_| char::from(b'0' + self.next(10) as u8)).collect()
    }
}

#[test]
fn the_published_examples() {
    // GB 11643's example, and GB 32100's as quoted in guides (its organisation code
    // M000100Y4 ends in its own GB 11714 check character 4).
    assert!(check_resident_id("11010519491231002X", today()).is_ok());
    let reading = check_uscc("91350100M000100Y43").unwrap();
    assert_eq!((reading.check_mismatch, reading.organisation_code_mismatch), (None, None));
    assert_eq!(reading.authority_category, Some("企业"));
    assert_eq!(organisation_code_check("M000100Y"), '4');
}

#[test]
fn eighteen_digit_ids_of_every_type_agree_with_an_independent_mod_11_2() {
    let mut random = Lcg(17);
    // (type, leading digits): resident IDs of Beijing, Guangdong; residence permits 81/82/83;
    // 2023 foreign permanent resident IDs (9, then the accepting province 31 / 44).
    let kinds = [
        (IdType::ResidentId, "110105"),
        (IdType::ResidentId, "440524"),
        (IdType::ResidencePermit, "810000"),
        (IdType::ResidencePermit, "820000"),
        (IdType::ResidencePermit, "830000"),
        (IdType::ForeignPermanentResident, "931156"),
        (IdType::ForeignPermanentResident, "944840"),
    ];
    let mut bases = Vec::new();
    for (id_type, lead) in kinds {
        for _ in 0..30 {
            let birth = format!("19{:02}{:02}{:02}", 50 + random.next(50), 1 + random.next(12), 1 + random.next(28));
            bases.push((id_type, format!("{lead}{birth}{}", random.digits(3))));
        }
    }
    let requests: Vec<(&str, String)> = bases.iter().map(|(_, base)| ("mod11-2", base.clone())).collect();
    let checks = python_checks(&requests);
    let mut x_seen = false;
    for ((id_type, base), check) in bases.iter().zip(checks) {
        x_seen |= check == 'X';
        let id = format!("{base}{check}");
        assert_eq!(check_id_number(*id_type, &id, today()), Ok(id.clone()), "{id_type:?} {id}");
        let wrong = if check == '0' { '1' } else { '0' };
        assert!(
            matches!(
                check_id_number(*id_type, &format!("{base}{wrong}"), today()),
                Err(IdentityProblem::CheckCharacterMismatch { .. })
            ),
            "{id_type:?} {base}{wrong}"
        );
    }
    assert!(x_seen, "the examples include a check character X");
}

#[test]
fn the_organisation_code_inside_a_uscc_agrees_with_an_independent_gb_11714() {
    const USCC: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut random = Lcg(11714);
    let bodies: Vec<String> =
        (0..120).map(|_| (0..8).map(|_| USCC[random.next(USCC.len() as u64) as usize] as char).collect()).collect();
    let organisation_checks = python_checks(&bodies.iter().map(|body| ("gb11714", body.clone())).collect::<Vec<_>>());
    let mut values_seen = std::collections::BTreeSet::new();
    let mut codes = Vec::new();
    for (body, check) in bodies.iter().zip(&organisation_checks) {
        values_seen.insert(*check);
        assert_eq!(organisation_code_check(body), *check, "{body}");
        // A good code, and one whose organisation check is wrong (its USCC check made right).
        let wrong = if *check == '1' { '2' } else { '1' };
        codes.push(format!("91350100{body}{check}"));
        codes.push(format!("91350100{body}{wrong}"));
    }
    assert!(
        values_seen.contains(&'X') && values_seen.contains(&'0'),
        "10 → X and 11 → 0 are exercised: {values_seen:?}"
    );
    let uscc_checks = python_checks(&codes.iter().map(|code| ("gb32100", code.clone())).collect::<Vec<_>>());
    for (index, (code, check)) in codes.iter().zip(uscc_checks).enumerate() {
        let reading = check_uscc(&format!("{code}{check}")).unwrap();
        assert_eq!(reading.check_mismatch, None, "{code}{check}");
        if index % 2 == 0 {
            assert_eq!(reading.organisation_code_mismatch, None, "{code}{check}");
        } else {
            assert_eq!(reading.organisation_code_mismatch, Some(organisation_checks[index / 2]), "{code}{check}");
        }
    }
}

#[test]
fn formats_of_the_permits_and_passports_and_what_is_not_a_resident_id() {
    let ok = |id_type, text: &str| check_id_number(id_type, text, today());
    assert_eq!(ok(IdType::HongKongMacauPermit, "h12345678"), Ok("H12345678".into()));
    assert_eq!(ok(IdType::HongKongMacauPermit, "M1234567890"), Ok("M1234567890".into()));
    assert!(ok(IdType::HongKongMacauPermit, "A12345678").is_err());
    assert!(ok(IdType::HongKongMacauPermit, "H1234567").is_err());
    assert_eq!(ok(IdType::TaiwanPermit, "12345678"), Ok("12345678".into()));
    assert!(ok(IdType::TaiwanPermit, "1234567A").is_err());
    assert_eq!(ok(IdType::Passport, "e12345678"), Ok("E12345678".into()));
    assert_eq!(ok(IdType::Passport, "X1234567"), Ok("X1234567".into()));
    assert!(ok(IdType::Passport, "AB1").is_err());
    assert!(ok(IdType::Passport, "AB-12 34/5").is_err());
    // Region 71 (Taiwan) issues no resident ID card; 81-83 are residence permits.
    let with_check = |base: &str| {
        let check = python_checks(&[("mod11-2", base.to_string())])[0];
        format!("{base}{check}")
    };
    let taiwan = with_check("71000019800101001");
    assert_eq!(check_resident_id(&taiwan, today()), Err(IdentityProblem::UnknownRegion));
    let permit = with_check("81000019800101001");
    assert_eq!(check_resident_id(&permit, today()), Err(IdentityProblem::UnknownRegion));
    assert!(check_id_number(IdType::ResidencePermit, &permit, today()).is_ok());
    assert_eq!(
        check_id_number(IdType::ResidencePermit, &with_check("11010519800101001"), today()),
        Err(IdentityProblem::UnknownRegion)
    );
    // A foreign permanent resident ID of the 2023 format begins with 9.
    assert!(matches!(
        check_id_number(IdType::ForeignPermanentResident, &with_check("11010519800101001"), today()),
        Err(IdentityProblem::BadFormat { .. })
    ));
    // Full-width digits, as typed through an input method.
    assert_eq!(check_resident_id("１１０１０５１９４９１２３１００２Ｘ", today()), Ok("11010519491231002X".into()));
    assert_eq!(check_uscc("９１３５０１００Ｍ０００１００Ｙ４３").unwrap().code, "91350100M000100Y43");
    assert_eq!(intake_core::identity::check_mobile("１３９１２３４５６７８"), Ok("13912345678".into()));
}

#[test]
fn the_legal_representatives_id_type_is_recorded_and_decides_the_check_and_a_foreigner_can_be_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "外资商户".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();
    let field = |folder: &DataFolder, key: &str| {
        folder.check_case(&case.id).unwrap().fields.into_iter().find(|field| field.field.key == key).unwrap()
    };
    // Until another type is recorded the legal representative holds a 居民身份证.
    let id_type = field(&folder, "legal_rep_id_type");
    assert_eq!(id_type.status, FieldStatus::Ok);
    assert_eq!(id_type.display_value.as_deref(), Some("居民身份证"), "the manager sees the option's name, not its key");
    assert!(folder.set_case_field(&case.id, "legal_rep_id_number", "E12345678", None).is_err(), "not a resident ID");
    // A foreign legal representative: a passport.
    folder.set_case_field(&case.id, "legal_rep_id_type", "passport", None).unwrap();
    folder.set_case_field(&case.id, "legal_rep_name", "John SMITH", None).unwrap();
    folder.set_case_field(&case.id, "legal_rep_id_number", "e12345678", None).unwrap();
    assert_eq!(field(&folder, "legal_rep_id_number").status, FieldStatus::Ok);
    // By its Chinese name too.
    folder.set_case_field(&case.id, "legal_rep_id_type", "港澳居民来往内地通行证", None).unwrap();
    assert_eq!(
        field(&folder, "legal_rep_id_number").status,
        FieldStatus::Invalid,
        "the passport number is no permit number"
    );
}

#[test]
fn a_uscc_whose_first_two_characters_disagree_with_the_merchant_type_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let make = |folder: &mut DataFolder, merchant_type| {
        folder
            .create_case(NewCase {
                merchant_name: "商户".into(),
                attributes: CaseAttributes { merchant_type, ..CaseAttributes::default() },
                visit_date: None,
                site: None,
            })
            .unwrap()
            .id
    };
    let enterprise = make(&mut folder, MerchantType::Enterprise);
    let shop = make(&mut folder, MerchantType::IndividualBusiness);
    // 91… is an enterprise's code: fine for the enterprise, a warning for an individual business.
    folder.set_case_field(&enterprise, "uscc", "91350100M000100Y43", None).unwrap();
    let err = folder.set_case_field(&shop, "uscc", "91350100M000100Y43", None).unwrap_err();
    assert!(err.message().contains("uscc_type_mismatch") || err.message().contains("个体工商户"), "{}", err.message());
    folder.set_case_field(&shop, "uscc", "91350100M000100Y43", Some("营业执照上即为此代码")).unwrap();
    // Unknown positions 1-2 are a warning too.
    let check = python_checks(&[("gb32100", "Z1350100M000100Y4".replace('Z', "X"))])[0];
    let unknown = format!("X1350100M000100Y4{check}");
    let problems = folder.validate_case_field(&enterprise, "uscc", &unknown).unwrap().problems;
    assert!(problems.iter().any(|problem| problem.code == "unknown_authority_category"), "{problems:?}");
}
