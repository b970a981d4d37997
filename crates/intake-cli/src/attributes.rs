//! The case-attribute flags shared by `case new` and `checklist`, named after `domain.md`.

use clap::Args;
use intake_core::case::{
    CaseAttributes, Channel, Datum, Edition, MerchantType, NewCase, NonstandardRequest, Site, parse_date,
};

/// A yes / no / not-yet-answered attribute as a flag value (a type of its own, so clap does
/// not read `Option<bool>` as "a flag that may be absent").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer(pub Option<bool>);

/// clap value parser for [`Answer`].
pub(crate) fn parse_answer(text: &str) -> std::result::Result<Answer, String> {
    intake_core::case::parse_answer("--parent-child-same-entity", text)
        .map(Answer)
        .map_err(|err| err.message().to_string())
}
use intake_core::{Error, ErrorKind, Result};

/// The attributes that decide which materials a case needs.
///
/// Yes/no flags may be given bare (`--opens-payment`) or with a value
/// (`--opens-payment=false`), so scripts can pass every flag explicitly.
#[derive(Debug, Clone, Args)]
pub struct CaseAttributeArgs {
    /// enterprise | individual_business | individual | public_institution
    #[arg(long, default_value = "enterprise", value_parser = parse_key::<MerchantType>)]
    pub merchant_type: MerchantType,
    /// Comma-separated: offline, online_website, online_app.
    #[arg(long, value_delimiter = ',', value_parser = parse_key::<Channel>)]
    pub channels: Vec<Channel>,
    /// ka | jinxiaoman | liansuotong | shangying_edu | shangying_community
    #[arg(long, default_value = "ka", value_parser = parse_key::<Edition>)]
    pub edition: Edition,
    /// Opens payment products (开通支付产品).
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub opens_payment: bool,
    /// Opens account products (开通账户产品).
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub opens_account: bool,
    /// Opens 收银宝.
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub syb: bool,
    /// Opens 收银宝收付通.
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub syb_sft: bool,
    /// Online business with 代付 or 收托抵用.
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub payout_or_custody: bool,
    /// The industry needs a qualification licence.
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub regulated_industry: bool,
    /// The premises are outside the branch's area (异地).
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub remote_visit: bool,
    /// Split settlement rests on a brand or franchise relationship.
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false, default_missing_value = "true")]
    pub chain_or_franchise: bool,
    /// Comma-separated: fund_consolidation, monthly_fee, same_entity_whitelist, miniprogram_checkout.
    #[arg(long, value_delimiter = ',', value_parser = parse_key::<NonstandardRequest>)]
    pub nonstandard: Vec<NonstandardRequest>,
    /// For fund_consolidation: parent and child merchants are the same legal entity: yes, no
    /// or unanswered (the default: the stricter variant is listed and export waits for the
    /// answer). Bare, it means yes; true/false are read as yes/no.
    #[arg(long, num_args = 0..=1, require_equals = true, default_value = "unanswered", default_missing_value = "yes",
          value_name = "yes|no|unanswered", value_parser = parse_answer)]
    pub parent_child_same_entity: Answer,
}

impl CaseAttributeArgs {
    /// The core's attributes.
    pub fn to_attributes(&self) -> CaseAttributes {
        CaseAttributes {
            merchant_type: self.merchant_type,
            channels: self.channels.clone(),
            edition: self.edition,
            opens_payment: self.opens_payment,
            opens_account: self.opens_account,
            syb: self.syb,
            syb_sft: self.syb_sft,
            payout_or_custody: self.payout_or_custody,
            regulated_industry: self.regulated_industry,
            remote_visit: self.remote_visit,
            chain_or_franchise: self.chain_or_franchise,
            nonstandard: self.nonstandard.clone(),
            parent_child_same_entity: self.parent_child_same_entity.0,
        }
        .normalized()
    }
}

/// The visit: who, when, where.
#[derive(Debug, Clone, Args)]
pub struct VisitArgs {
    /// The merchant's name as on its licence.
    #[arg(long, default_value = "")]
    pub merchant_name: String,
    /// The day of the site visit, YYYY-MM-DD.
    #[arg(long)]
    pub visit_date: Option<String>,
    /// Latitude of the premises, decimal degrees.
    #[arg(long, allow_hyphen_values = true, requires = "site_lon")]
    pub site_lat: Option<f64>,
    /// Longitude of the premises, decimal degrees.
    #[arg(long, allow_hyphen_values = true, requires = "site_lat")]
    pub site_lon: Option<f64>,
    /// The datum of --site-lat/--site-lon: wgs84 (GPS), gcj02 (Amap, Tencent) or bd09 (Baidu).
    #[arg(long, default_value = "wgs84", value_parser = parse_key::<Datum>)]
    pub site_crs: Datum,
    /// Site photos must be taken within this many metres of the premises. Without it the case
    /// follows the installation's threshold site_radius_m (default 200), also when it changes.
    #[arg(long)]
    pub site_radius_m: Option<f64>,
}

impl VisitArgs {
    /// The new case these flags describe.
    pub fn to_new_case(&self, attributes: CaseAttributes) -> Result<NewCase> {
        let visit_date = self.visit_date.as_deref().map(|text| parse_date("--visit-date", text)).transpose()?;
        let site = match (self.site_lat, self.site_lon) {
            (Some(lat), Some(lon)) => Some(Site { lat, lon, datum: self.site_crs, radius_m: self.site_radius_m }),
            (None, None) if self.site_radius_m.is_some() => {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    "--site-radius-m needs the premises' position (--site-lat and --site-lon)",
                ));
            }
            (None, None) => None,
            _ => return Err(Error::new(ErrorKind::InvalidInput, "--site-lat and --site-lon go together")),
        };
        Ok(NewCase { merchant_name: self.merchant_name.clone(), attributes, visit_date, site })
    }
}

/// clap value parser for the core's keyed enums.
fn parse_key<T: std::str::FromStr<Err = Error>>(text: &str) -> std::result::Result<T, String> {
    text.parse().map_err(|err: Error| err.message().to_string())
}
