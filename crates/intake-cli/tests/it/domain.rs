//! Issue 17 through the command line: contradictory cases refused (exit 2,
//! `contradictory_case`) by `checklist`, `case new` and `case update`; the yes / no /
//! unanswered `--parent-child-same-entity`; the legal representative's ID type through
//! `case set`; and `intake checklist` printing exactly the core's checklist (which the core's
//! exhaustive test holds against domain.md for every combination of attributes).

use intake_core::case::{CaseAttributes, Channel, Edition, MerchantType, NonstandardRequest};
use intake_core::checklist::Rules;

use crate::harness::Sandbox;

fn assert_contradictory(run: &crate::harness::Run, attribute: &str) {
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(run.json()["error"]["code"], "contradictory_case");
    let message = run.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains(attribute) && message.contains("opens_payment"), "{message}");
    assert!(!message.contains("  "), "one line, no runs of spaces: {message:?}");
    assert!(run.stderr.contains(attribute), "{}", run.stderr);
}

#[test]
fn a_payment_product_without_opens_payment_is_refused_everywhere_with_exit_2() {
    let sandbox = Sandbox::new();
    for (flags, attribute) in [
        (&["--syb"][..], "syb"),
        (&["--syb-sft"][..], "syb_sft"),
        (&["--channels", "online_app", "--payout-or-custody"][..], "payout_or_custody"),
        (&["--nonstandard", "monthly_fee"][..], "monthly_fee"),
    ] {
        let mut checklist = vec!["checklist", "--json"];
        checklist.extend_from_slice(flags);
        assert_contradictory(&sandbox.run(&checklist), attribute);
        let mut new = vec!["case", "new", "--json"];
        new.extend_from_slice(flags);
        assert_contradictory(&sandbox.run(&new), attribute);
    }
    let list = sandbox.run(["case", "list", "--json"]);
    assert_eq!(list.json()["cases"].as_array().unwrap().len(), 0, "nothing was stored: {}", list.stdout);

    let id = sandbox.new_case(&["--opens-payment", "--syb"]);
    assert_contradictory(&sandbox.run(["case", "update", &id, "--opens-payment=false", "--json"]), "syb");
    let shown = sandbox.run(["case", "show", &id, "--json"]).json();
    assert_eq!(shown["attributes"]["opens_payment"], true, "the case did not change");
}

#[test]
fn parent_child_same_entity_is_unanswered_until_the_flag_answers_it() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&["--opens-payment", "--nonstandard", "fund_consolidation"]);
    let answer = |sandbox: &Sandbox| {
        sandbox.run(["case", "show", &id, "--json"]).json()["attributes"]["parent_child_same_entity"].clone()
    };
    assert!(answer(&sandbox).is_null(), "the default is unanswered, not no");
    let check = sandbox.run(["check", "--case", &id, "--json"]);
    assert_eq!(check.status, 1);
    let fields = check.json()["fields"].as_array().unwrap().clone();
    let question = fields.iter().find(|field| field["key"] == "fund_consolidation.parent_child_same_entity").unwrap();
    assert_eq!(question["status"], "missing");
    assert_eq!(question["required"], true);

    for (flag, expected) in
        [("no", serde_json::json!(false)), ("yes", serde_json::json!(true)), ("unanswered", serde_json::Value::Null)]
    {
        let run = sandbox.run(["case", "update", &id, &format!("--parent-child-same-entity={flag}"), "--json"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert_eq!(answer(&sandbox), expected, "{flag}");
    }
    let bad = sandbox.run(["case", "update", &id, "--parent-child-same-entity=maybe"]);
    assert_eq!(bad.status, 2);
    assert!(bad.stderr.contains("yes, no, unanswered"), "{}", bad.stderr);
    // `case new` takes it too; bare means yes.
    let id =
        sandbox.new_case(&["--opens-payment", "--nonstandard", "fund_consolidation", "--parent-child-same-entity=no"]);
    assert_eq!(sandbox.run(["case", "show", &id, "--json"]).json()["attributes"]["parent_child_same_entity"], false);
}

#[test]
fn the_legal_representatives_id_type_goes_through_case_set() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[]);
    // A passport number is no resident ID…
    let refused = sandbox.run(["case", "set", &id, "--field", "legal_rep_id_number=E12345678"]);
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    // …until the type says so (given in the same command, the type is recorded first).
    let run = sandbox.run([
        "case",
        "set",
        &id,
        "--field",
        "legal_rep_id_number=E12345678",
        "--field",
        "legal_rep_id_type=passport",
        "--json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Full-width digits typed through an input method are normalised.
    let run = sandbox.run(["case", "set", &id, "--field", "legal_rep_mobile=１３９１２３４５６７８", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn intake_checklist_prints_the_cores_checklist_for_cases_across_the_attribute_space() {
    let sandbox = Sandbox::new();
    let rules = Rules::embedded().unwrap();
    // A spread of cases (the core's test walks all of them): every merchant type and edition,
    // each flag on and off, every request, each answer.
    for index in 0..12usize {
        let bit = |n: usize| (index >> (n % 4)) & 1 == 1 || (index + n).is_multiple_of(5);
        let attributes = CaseAttributes {
            merchant_type: MerchantType::ALL[index % 4],
            channels: Channel::ALL.iter().copied().filter(|_| bit(1)).take(1 + index % 3).collect(),
            edition: Edition::ALL[index % 5],
            opens_payment: true,
            opens_account: bit(2),
            syb: bit(3),
            syb_sft: bit(4),
            payout_or_custody: bit(5),
            regulated_industry: bit(6),
            remote_visit: bit(7),
            chain_or_franchise: bit(8),
            nonstandard: NonstandardRequest::ALL.iter().copied().skip(index % 4).collect(),
            parent_child_same_entity: [None, Some(false), Some(true)][index % 3],
        }
        .normalized();
        let mut args: Vec<String> = vec![
            "checklist".into(),
            "--json".into(),
            format!("--merchant-type={}", attributes.merchant_type.key()),
            format!("--edition={}", attributes.edition.key()),
            "--opens-payment".into(),
            format!("--opens-account={}", attributes.opens_account),
            format!("--syb={}", attributes.syb),
            format!("--syb-sft={}", attributes.syb_sft),
            format!("--payout-or-custody={}", attributes.payout_or_custody),
            format!("--regulated-industry={}", attributes.regulated_industry),
            format!("--remote-visit={}", attributes.remote_visit),
            format!("--chain-or-franchise={}", attributes.chain_or_franchise),
            format!(
                "--parent-child-same-entity={}",
                intake_core::case::answer_key(attributes.parent_child_same_entity)
            ),
        ];
        if !attributes.channels.is_empty() {
            args.push(format!(
                "--channels={}",
                attributes.channels.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
            ));
        }
        if !attributes.nonstandard.is_empty() {
            args.push(format!(
                "--nonstandard={}",
                attributes.nonstandard.iter().map(|r| r.key()).collect::<Vec<_>>().join(",")
            ));
        }
        let run = sandbox.run(&args);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.json(), serde_json::to_value(rules.checklist(&attributes)).unwrap(), "{args:?}");
    }
}
