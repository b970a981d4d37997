//! The case model: the attributes of `domain.md` that drive the checklist, and the visit
//! data (merchant name, visit date, the premises' position) that the evidence checks use.
//!
//! Every enum has a stable `snake_case` spelling (the keys of `domain.md`), used alike in
//! the CLI flags, the JSON output, the database and the checklist rule file.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorKind, Result};

/// Declares a closed set of string values with its stable key, Chinese and English labels, as
/// the CLI, the wire, the database and the rule file spell them. Used for every such set in
/// the crate (case attributes here; stages, providers, marks, field kinds in `checklist`).
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($key:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize, ::ts_rs::TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($(#[$vmeta])* #[doc = $zh] #[doc = " "] #[doc = $en] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key (`domain.md`).
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The label in Simplified Chinese, the guide's own term.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The label in English.
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// The value with this key.
            pub fn from_key(key: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.key() == key)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::Error;
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                match s {
                    $($key => Ok($name::$variant),)+
                    other => Err($crate::error::Error::new(
                        $crate::error::ErrorKind::InvalidInput,
                        format!(
                            "'{other}' is not a {}; expected one of: {}",
                            stringify!($name),
                            [$($key),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

pub use crate::keyed_enum;

keyed_enum! {
    /// 商户类型.
    MerchantType {
        Enterprise => ("enterprise", "企业", "Enterprise"),
        IndividualBusiness => ("individual_business", "个体工商户", "Individual business"),
        Individual => ("individual", "个人(小微)", "Individual (micro, no licence)"),
        PublicInstitution => ("public_institution", "事业单位", "Public institution"),
    }
}

keyed_enum! {
    /// 业务场景: where the merchant takes payments.
    Channel {
        Offline => ("offline", "线下", "Offline"),
        OnlineWebsite => ("online_website", "线上-网站", "Online: website"),
        OnlineApp => ("online_app", "线上-APP/小程序", "Online: app / mini-program"),
    }
}

keyed_enum! {
    /// 产品版本: decides which service agreement is signed.
    Edition {
        Ka => ("ka", "KA客户版", "KA edition"),
        Jinxiaoman => ("jinxiaoman", "金小满", "Jinxiaoman"),
        Liansuotong => ("liansuotong", "连锁通", "Liansuotong (chains)"),
        ShangyingEdu => ("shangying_edu", "商赢教培", "Shangying Education"),
        ShangyingCommunity => ("shangying_community", "商赢社区", "Shangying Community"),
    }
}

keyed_enum! {
    /// 支付产品非标申请: each brings its own group of materials.
    NonstandardRequest {
        FundConsolidation => ("fund_consolidation", "资金归集", "Fund consolidation"),
        MonthlyFee => ("monthly_fee", "手续费月结", "Monthly fee settlement"),
        SameEntityWhitelist => ("same_entity_whitelist", "同主体白名单", "Same-entity whitelist"),
        MiniprogramCheckout => ("miniprogram_checkout", "小程序收银台", "Mini-program checkout"),
    }
}

keyed_enum! {
    /// The geodetic datum of a coordinate pair. EXIF GPS is WGS-84; Amap and Tencent maps
    /// show GCJ-02; Baidu shows BD-09.
    Datum {
        Wgs84 => ("wgs84", "WGS-84(GPS原始坐标)", "WGS-84 (GPS)"),
        Gcj02 => ("gcj02", "GCJ-02(高德/腾讯地图)", "GCJ-02 (Amap, Tencent)"),
        Bd09 => ("bd09", "BD-09(百度地图)", "BD-09 (Baidu)"),
    }
}

/// The attributes of a case that decide which materials it needs (`domain.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the fields are the keys of domain.md
pub struct CaseAttributes {
    pub merchant_type: MerchantType,
    /// A set: kept sorted and without repeats.
    pub channels: Vec<Channel>,
    pub edition: Edition,
    pub opens_payment: bool,
    pub opens_account: bool,
    pub syb: bool,
    pub syb_sft: bool,
    pub payout_or_custody: bool,
    pub regulated_industry: bool,
    pub remote_visit: bool,
    pub chain_or_franchise: bool,
    /// A set: kept sorted and without repeats.
    pub nonstandard: Vec<NonstandardRequest>,
    /// For `fund_consolidation`: parent and child merchants are the same legal entity (yes,
    /// no), or `None`: not yet answered. Unanswered, the stricter variant is listed and the
    /// case cannot be exported. Cases stored before it could be unanswered read as they
    /// were stored (`false` stays "no"); a document without it reads as unanswered.
    #[serde(default)]
    pub parent_child_same_entity: Option<bool>,
}

impl Default for CaseAttributes {
    /// An enterprise on the KA edition with nothing else chosen: the most common case.
    fn default() -> Self {
        CaseAttributes {
            merchant_type: MerchantType::Enterprise,
            channels: Vec::new(),
            edition: Edition::Ka,
            opens_payment: false,
            opens_account: false,
            syb: false,
            syb_sft: false,
            payout_or_custody: false,
            regulated_industry: false,
            remote_visit: false,
            chain_or_franchise: false,
            nonstandard: Vec::new(),
            parent_child_same_entity: None,
        }
    }
}

impl CaseAttributes {
    /// The first contradiction among the attributes, naming both of them: 收银宝, 收付通,
    /// 代付/收托抵用 and every 支付产品非标申请 are payment products or requests about them
    /// (`domain.md`), so a case that has one without `opens_payment` is refused rather than
    /// silently losing or keeping materials. Every place that creates or changes a case's
    /// attributes (`case new`, `case update`, the app's wizard) goes through it.
    pub fn check_consistent(&self) -> Result<()> {
        if self.opens_payment {
            return Ok(());
        }
        let flags: [(&str, &str, bool); 3] = [
            ("syb", "开通收银宝", self.syb),
            ("syb_sft", "开通收银宝收付通", self.syb_sft),
            ("payout_or_custody", "线上业务含代付或收托抵用", self.payout_or_custody),
        ];
        let contradiction =
            flags.iter().find(|(_, _, set)| *set).map(|(key, zh, _)| (key.to_string(), zh.to_string())).or_else(|| {
                self.nonstandard.first().map(|request| {
                    (format!("nonstandard={}", request.key()), format!("支付产品非标申请:{}", request.label_zh()))
                })
            });
        match contradiction {
            None => Ok(()),
            Some((key, zh)) => Err(Error::new(
                ErrorKind::ContradictoryCase,
                format!(
                    "{key}({zh})属于支付产品,须同时开通支付产品 opens_payment(开通支付产品) — {key} is a payment product or request, so it needs opens_payment; set opens_payment or drop {key}"
                ),
            )),
        }
    }

    /// Sorts and de-duplicates the set-valued attributes, so equal sets compare equal.
    pub fn normalized(mut self) -> Self {
        self.channels.sort();
        self.channels.dedup();
        self.nonstandard.sort();
        self.nonstandard.dedup();
        self
    }
}

/// The premises' position as the manager gave it, with its datum and the radius within
/// which site photos must have been taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // latitude, longitude, datum
pub struct Site {
    pub lat: f64,
    pub lon: f64,
    pub datum: Datum,
    /// The case's own radius in metres; `None` (not given) follows the installation's
    /// threshold `site_radius_m` ([`Site::radius_or`]), also when that changes later.
    #[serde(default)]
    pub radius_m: Option<f64>,
}

/// Why a premises position typed or pasted by the manager deserves a second look before the
/// case is made (the new-case wizard asks; nothing is refused, since a branch may onboard a
/// merchant anywhere the rules allow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PositionDoubt {
    /// Outside the rough box around China (latitude 3.8-53.6, longitude 73.5-135.1), and not
    /// inside it with the two numbers swapped either.
    OutsideChina,
    /// Inside China only with latitude and longitude swapped (`121.47, 31.23`): the map app's
    /// order was longitude first.
    Swapped,
}

/// Whether a latitude lies in the box around China (its southernmost islands to Mohe).
fn latitude_in_china(lat: f64) -> bool {
    (3.8..=53.6).contains(&lat)
}

/// Whether a longitude lies in the box around China (Pamirs to the Wusuli river).
fn longitude_in_china(lon: f64) -> bool {
    (73.5..=135.1).contains(&lon)
}

/// Questions a premises position: swapped latitude and longitude, or a place outside China.
/// A box, not a border: a position in a neighbouring country near the border passes, which is
/// fine for a question meant to catch typing and pasting mistakes. Any datum (WGS-84, GCJ-02,
/// BD-09 differ by at most a few hundred metres).
pub fn question_position(lat: f64, lon: f64) -> Option<PositionDoubt> {
    if latitude_in_china(lat) && longitude_in_china(lon) {
        None
    } else if latitude_in_china(lon) && longitude_in_china(lat) {
        Some(PositionDoubt::Swapped)
    } else {
        Some(PositionDoubt::OutsideChina)
    }
}

/// A position pasted as one text, split into its two numbers (in the order given).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the first and second number
pub struct PastedPosition {
    pub lat: f64,
    pub lon: f64,
}

/// Splits a position pasted as one text (`31.2304,121.4737`, `31.2304, 121.4737`, with a
/// full-width comma `31.2304，121.4737` or spaces between) into its two numbers, in the order
/// given. `None` when the text is not two decimal numbers.
pub fn split_pasted_position(text: &str) -> Option<PastedPosition> {
    let parts: Vec<&str> = text
        .trim()
        .split(|c: char| c == ',' || c == '，' || c == ';' || c == '；' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect();
    let [first, second] = parts.as_slice() else { return None };
    let number = |part: &str| part.parse::<f64>().ok().filter(|value| value.is_finite());
    Some(PastedPosition { lat: number(first)?, lon: number(second)? })
}

/// The default radius around the premises, in metres (`interfaces.md`), until an
/// installation sets its own (`Thresholds::site_radius_m`).
pub const DEFAULT_SITE_RADIUS_M: f64 = 200.0;

impl Site {
    /// The radius that applies: the case's own, else the installation's `default_m`.
    pub fn radius_or(&self, default_m: f64) -> f64 {
        self.radius_m.unwrap_or(default_m)
    }

    /// Checks the ranges: latitude -90..90, longitude -180..180, radius 1..100000 m.
    pub fn validated(self) -> Result<Self> {
        let bad = |what: &str| Err(Error::new(ErrorKind::InvalidInput, what.to_string()));
        if !(self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat)) {
            return bad(&format!("site latitude {} is outside -90..90", self.lat));
        }
        if !(self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon)) {
            return bad(&format!("site longitude {} is outside -180..180", self.lon));
        }
        if let Some(radius_m) = self.radius_m
            && !(radius_m.is_finite() && (1.0..=100_000.0).contains(&radius_m))
        {
            // The range of the threshold site_radius_m: under a metre no GPS fix can be inside;
            // a typo of a few zeros would switch the check off.
            return bad(&format!("site radius {radius_m} m must be from 1 to 100000 m"));
        }
        Ok(self)
    }
}

/// What the manager enters to open a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the fields are the keys of domain.md
pub struct NewCase {
    pub merchant_name: String,
    pub attributes: CaseAttributes,
    #[ts(type = "string | null")]
    pub visit_date: Option<NaiveDate>,
    pub site: Option<Site>,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the fields are the keys of domain.md
pub struct Case {
    pub id: String,
    pub merchant_name: String,
    pub attributes: CaseAttributes,
    /// `YYYY-MM-DD`.
    #[ts(type = "string | null")]
    pub visit_date: Option<NaiveDate>,
    pub site: Option<Site>,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC.
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the fields are the keys of domain.md
pub struct CaseSummary {
    pub id: String,
    pub merchant_name: String,
    pub merchant_type: MerchantType,
    pub edition: Edition,
    #[ts(type = "string | null")]
    pub visit_date: Option<NaiveDate>,
    /// How many evidence files the case holds.
    pub file_count: u32,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

/// Parses a `YYYY-MM-DD` date, naming the field in the error.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::new(ErrorKind::InvalidInput, format!("{field} '{text}' is not a date of the form YYYY-MM-DD"))
    })
}

/// Checks what a case needs before it is stored.
pub fn validate_new_case(new_case: NewCase) -> Result<NewCase> {
    let merchant_name = new_case.merchant_name.trim().to_string();
    if merchant_name.chars().count() > 200 {
        return Err(Error::new(ErrorKind::InvalidInput, "merchant name is longer than 200 characters"));
    }
    new_case.attributes.check_consistent()?;
    Ok(NewCase {
        merchant_name,
        attributes: new_case.attributes.normalized(),
        visit_date: new_case.visit_date,
        site: new_case.site.map(Site::validated).transpose()?,
    })
}

/// One value of a closed set, with its labels: what a front-end shows in a list or a badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct Term {
    pub key: String,
    pub zh: String,
    pub en: String,
}

/// Every closed set of the case model and the checklist with the guide's own terms, so a
/// front-end shows the domain's words from one place (the core) instead of copying them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct Vocabulary {
    pub merchant_types: Vec<Term>,
    pub channels: Vec<Term>,
    pub editions: Vec<Term>,
    pub nonstandard_requests: Vec<Term>,
    pub datums: Vec<Term>,
    /// The yes/no attributes of [`CaseAttributes`], by field name.
    pub flags: Vec<Term>,
    /// `parent_child_same_entity`, which may also be not yet answered: its label.
    pub parent_child_same_entity: Term,
    /// The answers it takes: `yes`, `no`, `unanswered`.
    pub answers: Vec<Term>,
    /// How an item an alternative stands in for only for now is shown (`to_follow`): the
    /// inspection video for the manager's photo with the storefront, which stays owed.
    pub to_follow: Term,
    /// How a go-live material not given yet is shown (`due_at_golive`): owed at go-live.
    pub due_at_golive: Term,
    pub stages: Vec<Term>,
    pub providers: Vec<Term>,
    pub marks: Vec<Term>,
    pub item_statuses: Vec<Term>,
}

macro_rules! terms {
    ($kind:ty) => {
        <$kind>::ALL
            .iter()
            .map(|value| Term { key: value.key().into(), zh: value.label_zh().into(), en: value.label_en().into() })
            .collect()
    };
}

/// The yes/no case attributes with their labels (`domain.md`).
const FLAGS: &[(&str, &str, &str)] = &[
    ("opens_payment", "开通支付产品", "Opens payment products"),
    ("opens_account", "开通账户产品", "Opens account products"),
    ("syb", "开通收银宝", "Opens Shouyinbao (SYB)"),
    ("syb_sft", "开通收银宝收付通", "Opens SYB Shoufutong"),
    ("payout_or_custody", "线上业务含代付或收托抵用", "Online business with payout or custody"),
    ("regulated_industry", "行业需资质许可", "Industry needs a qualification licence"),
    ("remote_visit", "异地商户(经营场所不在分公司辖区)", "Remote: premises outside the branch's area"),
    ("chain_or_franchise", "分账基于品牌授权/加盟关系", "Split settlement rests on a brand or franchise"),
];

/// The answers of `parent_child_same_entity` and how [`answer_key`] spells them.
const ANSWERS: &[(&str, &str, &str)] =
    &[("yes", "是", "Yes"), ("no", "否", "No"), ("unanswered", "尚未确认", "Not yet answered")];

/// The key of a yes / no / not-yet-answered value: `yes`, `no` or `unanswered`.
pub fn answer_key(answer: Option<bool>) -> &'static str {
    match answer {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unanswered",
    }
}

/// Reads `yes`/`no`/`unanswered` (also `true`/`false`, 是/否/尚未确认) into an answer.
pub fn parse_answer(flag: &str, text: &str) -> Result<Option<bool>> {
    match text.trim() {
        "yes" | "true" | "是" => Ok(Some(true)),
        "no" | "false" | "否" => Ok(Some(false)),
        "unanswered" | "" | "尚未确认" => Ok(None),
        other => Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{flag} '{other}' is not an answer; expected one of: yes, no, unanswered"),
        )),
    }
}

/// The vocabulary of the case model and the checklist.
pub fn vocabulary() -> Vocabulary {
    use crate::checklist::{ItemStatus, Mark, Provider, Stage};
    Vocabulary {
        merchant_types: terms!(MerchantType),
        channels: terms!(Channel),
        editions: terms!(Edition),
        nonstandard_requests: terms!(NonstandardRequest),
        datums: terms!(Datum),
        flags: FLAGS
            .iter()
            .map(|(key, zh, en)| Term { key: (*key).into(), zh: (*zh).into(), en: (*en).into() })
            .collect(),
        parent_child_same_entity: Term {
            key: "parent_child_same_entity".into(),
            zh: "资金归集:父子商户是否为同一主体".into(),
            en: "Fund consolidation: are parent and child the same entity?".into(),
        },
        to_follow: Term {
            key: "to_follow".into(),
            zh: "暂以视频代替".into(),
            en: "Video stands in for now; the photo is to follow".into(),
        },
        due_at_golive: Term {
            key: "due_at_golive".into(), zh: "上线投产时提供".into(), en: "Due at go-live".into()
        },
        answers: ANSWERS
            .iter()
            .map(|(key, zh, en)| Term { key: (*key).into(), zh: (*zh).into(), en: (*en).into() })
            .collect(),
        stages: terms!(Stage),
        providers: terms!(Provider),
        marks: terms!(Mark),
        item_statuses: ItemStatus::ALL
            .iter()
            .map(|status| Term { key: status.key().into(), zh: status.label_zh().into(), en: status.label_en().into() })
            .collect(),
    }
}

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn a_position_in_china_passes_a_swapped_one_and_one_abroad_are_questioned() {
        assert_eq!(question_position(31.2304, 121.4737), None, "Shanghai");
        assert_eq!(question_position(43.8, 87.6), None, "Ürümqi");
        assert_eq!(question_position(18.25, 109.5), None, "Sanya");
        assert_eq!(question_position(121.4737, 31.2304), Some(PositionDoubt::Swapped));
        assert_eq!(question_position(87.6, 43.8), Some(PositionDoubt::Swapped));
        assert_eq!(question_position(48.85, 2.35), Some(PositionDoubt::OutsideChina), "Paris");
        assert_eq!(question_position(-31.23, 121.47), Some(PositionDoubt::OutsideChina), "a sign lost");
        assert_eq!(question_position(31.23, -121.47), Some(PositionDoubt::OutsideChina));
        assert_eq!(question_position(0.0, 0.0), Some(PositionDoubt::OutsideChina));
    }

    #[test]
    fn a_pasted_position_is_split_at_its_comma_or_space() {
        assert_eq!(split_pasted_position("31.2304,121.4737"), Some(PastedPosition { lat: 31.2304, lon: 121.4737 }));
        assert_eq!(split_pasted_position(" 31.2304, 121.4737 "), Some(PastedPosition { lat: 31.2304, lon: 121.4737 }));
        assert_eq!(split_pasted_position("31.2304，121.4737"), Some(PastedPosition { lat: 31.2304, lon: 121.4737 }));
        assert_eq!(split_pasted_position("31.2304 121.4737"), Some(PastedPosition { lat: 31.2304, lon: 121.4737 }));
        assert_eq!(split_pasted_position("31.2304"), None);
        assert_eq!(split_pasted_position("31.2304,121.4737,5"), None);
        assert_eq!(split_pasted_position("北纬31度,东经121度"), None);
    }
}
