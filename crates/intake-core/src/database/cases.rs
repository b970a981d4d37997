//! The `cases` table (migrations 1 and 7): a case's attributes and visit data.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params_from_iter};

use super::Database;
use super::audit::{append_audit, audit_details};
use super::columns::{conversion_error, optional_date, parse_json, parse_key, parse_timestamp, timestamp, to_json};
use crate::audit::AuditAction;
use crate::case::{Case, CaseAttributes, CaseSummary, Datum, NewCase, Site};
use crate::error::{Error, ErrorKind, Result};

impl Database {
    /// Stores a new case under `id`.
    pub fn insert_case(&mut self, id: &str, new_case: &NewCase, now: DateTime<Utc>) -> Result<Case> {
        let manager = self.audit_manager.borrow().clone();
        let attributes = &new_case.attributes;
        let site = new_case.site;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO cases (id, merchant_name, merchant_type, edition, channels,
                    opens_payment, opens_account, syb, syb_sft, payout_or_custody,
                    regulated_industry, remote_visit, chain_or_franchise, nonstandard,
                    parent_child_same_entity, visit_date, site_lat, site_lon, site_datum,
                    site_radius_m, created_at, updated_at, parent_child_answered)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)",
                params_from_iter(case_columns(id, new_case, now)),
            )?;
            // The merchant's name may be a person's name (个人 merchants): logged as recorded,
            // not in clear.
            let details = audit_details(&[
                ("attributes", to_json(attributes)),
                ("merchant_name", "recorded".into()),
                ("visit_date", new_case.visit_date.map_or("none".into(), |date| date.to_string())),
                ("site", if site.is_some() { "recorded" } else { "none" }.into()),
            ]);
            append_audit(tx, id, &manager, AuditAction::CaseCreated, details, now)?;
            Ok(())
        })?;
        self.case(id)
    }

    /// The case with this id.
    pub fn case(&self, id: &str) -> Result<Case> {
        self.connection
            .query_row("SELECT * FROM cases WHERE id = ?1", [id], case_from_row)
            .optional()?
            .ok_or_else(|| Error::new(ErrorKind::CaseNotFound, format!("no case with id '{id}'")))
    }

    /// Every case, most recently changed first.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>> {
        let mut statement = self.connection.prepare(
            "SELECT c.id, c.merchant_name, c.merchant_type, c.edition, c.visit_date,
                    (SELECT count(*) FROM evidence e WHERE e.case_id = c.id AND e.withdrawn_at IS NULL
                        AND e.material_key <> 'unsorted'),
                    c.created_at, c.updated_at
             FROM cases c ORDER BY c.updated_at DESC, c.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(CaseSummary {
                id: row.get(0)?,
                merchant_name: row.get(1)?,
                merchant_type: parse_key(row, 2)?,
                edition: parse_key(row, 3)?,
                visit_date: optional_date(row, 4)?,
                file_count: row.get(5)?,
                created_at: parse_timestamp(row, 6)?,
                updated_at: parse_timestamp(row, 7)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Replaces the attributes of a case; its files, attestations and fields are untouched.
    pub(crate) fn update_case_attributes(
        &mut self,
        id: &str,
        attributes: &CaseAttributes,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        let stored = self.case(id)?;
        let after = NewCase {
            merchant_name: stored.merchant_name,
            attributes: attributes.clone(),
            visit_date: stored.visit_date,
            site: stored.site,
        };
        let before = stored.attributes;
        let manager = self.audit_manager.borrow().clone();
        self.with_tx(|tx| {
            // The case's columns are bound as for a whole update (`case_columns`); this one
            // sets the attributes alone.
            tx.execute(
                "UPDATE cases SET merchant_type = ?3, edition = ?4, channels = ?5, opens_payment = ?6,
                    opens_account = ?7, syb = ?8, syb_sft = ?9, payout_or_custody = ?10,
                    regulated_industry = ?11, remote_visit = ?12, chain_or_franchise = ?13,
                    nonstandard = ?14, parent_child_same_entity = ?15, updated_at = ?21,
                    parent_child_answered = ?22
                 WHERE id = ?1",
                params_from_iter(case_columns(id, &after, now)),
            )?;
            let old = serde_json::to_value(&before).expect("attributes serialise");
            let new = serde_json::to_value(attributes).expect("attributes serialise");
            let changed: Vec<&str> = match (&old, &new) {
                (serde_json::Value::Object(old), serde_json::Value::Object(new)) => new
                    .iter()
                    .filter(|(key, value)| old.get(*key) != Some(value))
                    .map(|(key, _)| key.as_str())
                    .collect(),
                _ => Vec::new(),
            };
            let details = audit_details(&[("changed", changed.join(",")), ("attributes", to_json(attributes))]);
            append_audit(tx, id, &manager, AuditAction::AttributesChanged, details, now)?;
            Ok(())
        })?;
        self.case(id)
    }

    /// Replaces every attribute and the visit data of a case (validated by the caller).
    /// Returns the case as stored and the names of what changed; nothing is written (no
    /// audit entry either) when nothing changed.
    pub(crate) fn update_case(&mut self, id: &str, case: &NewCase, now: DateTime<Utc>) -> Result<(Case, Vec<String>)> {
        let before = self.case(id)?;
        let mut changed: Vec<String> = Vec::new();
        if before.merchant_name != case.merchant_name {
            changed.push("merchant_name".into());
        }
        let old = serde_json::to_value(&before.attributes).expect("attributes serialise");
        let new = serde_json::to_value(&case.attributes).expect("attributes serialise");
        if let (serde_json::Value::Object(old), serde_json::Value::Object(new)) = (&old, &new) {
            changed.extend(new.iter().filter(|(key, value)| old.get(*key) != Some(value)).map(|(key, _)| key.clone()));
        }
        if before.visit_date != case.visit_date {
            changed.push("visit_date".into());
        }
        let (old_site, new_site) = (before.site, case.site);
        if old_site.map(|site| (site.lat, site.lon)) != new_site.map(|site| (site.lat, site.lon)) {
            changed.push("site".into());
        }
        if old_site.map(|site| site.datum) != new_site.map(|site| site.datum) {
            changed.push("site_datum".into());
        }
        if old_site.and_then(|site| site.radius_m) != new_site.and_then(|site| site.radius_m) {
            changed.push("site_radius_m".into());
        }
        if changed.is_empty() {
            return Ok((before, changed));
        }
        let manager = self.audit_manager.borrow().clone();
        let attributes = &case.attributes;
        let site = case.site;
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE cases SET merchant_name = ?2, merchant_type = ?3, edition = ?4, channels = ?5,
                    opens_payment = ?6, opens_account = ?7, syb = ?8, syb_sft = ?9, payout_or_custody = ?10,
                    regulated_industry = ?11, remote_visit = ?12, chain_or_franchise = ?13, nonstandard = ?14,
                    parent_child_same_entity = ?15, visit_date = ?16, site_lat = ?17, site_lon = ?18,
                    site_datum = ?19, site_radius_m = ?20, updated_at = ?21, parent_child_answered = ?22
                 WHERE id = ?1",
                params_from_iter(case_columns(id, case, now)),
            )?;
            // As at creation: the merchant's name and the premises' position are personal or
            // close to it, logged as recorded, not in clear.
            let details = audit_details(&[
                ("changed", changed.join(",")),
                ("attributes", to_json(attributes)),
                ("merchant_name", "recorded".into()),
                ("visit_date", case.visit_date.map_or("none".into(), |date| date.to_string())),
                ("site", if site.is_some() { "recorded" } else { "none" }.into()),
            ]);
            append_audit(tx, id, &manager, AuditAction::CaseUpdated, details, now)?;
            Ok(())
        })?;
        Ok((self.case(id)?, changed))
    }
}

/// A case's columns as the statements of `cases` bind them: ?1 `id`, ?2 `merchant_name`, ?3 to
/// ?15 its attributes (`merchant_type` … `parent_child_same_entity`, in the table's order), ?16
/// `visit_date`, ?17 to ?20 its site (`site_lat`, `site_lon`, `site_datum`, `site_radius_m`),
/// ?21 the time of the change and ?22 `parent_child_answered`.
fn case_columns(id: &str, case: &NewCase, now: DateTime<Utc>) -> Vec<Box<dyn ToSql>> {
    let attributes = &case.attributes;
    let site = case.site;
    vec![
        Box::new(id.to_string()),
        Box::new(case.merchant_name.clone()),
        Box::new(attributes.merchant_type.key()),
        Box::new(attributes.edition.key()),
        Box::new(to_json(&attributes.channels)),
        Box::new(attributes.opens_payment),
        Box::new(attributes.opens_account),
        Box::new(attributes.syb),
        Box::new(attributes.syb_sft),
        Box::new(attributes.payout_or_custody),
        Box::new(attributes.regulated_industry),
        Box::new(attributes.remote_visit),
        Box::new(attributes.chain_or_franchise),
        Box::new(to_json(&attributes.nonstandard)),
        // Not yet answered is stored as "no" with parent_child_answered = 0 (migration 7).
        Box::new(attributes.parent_child_same_entity == Some(true)),
        Box::new(case.visit_date.map(|date| date.to_string())),
        Box::new(site.map(|site| site.lat)),
        Box::new(site.map(|site| site.lon)),
        Box::new(site.map(|site| site.datum.key())),
        Box::new(site.and_then(|site| site.radius_m)),
        Box::new(timestamp(now)),
        Box::new(attributes.parent_child_same_entity.is_some()),
    ]
}

fn case_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let site = match (row.get::<_, Option<f64>>("site_lat")?, row.get::<_, Option<f64>>("site_lon")?) {
        (Some(lat), Some(lon)) => {
            let datum_text: Option<String> = row.get("site_datum")?;
            let datum = match datum_text {
                Some(text) => text.parse::<Datum>().map_err(|err| conversion_error(0, err.message().to_string()))?,
                None => Datum::Wgs84,
            };
            let radius_m: Option<f64> = row.get("site_radius_m")?;
            Some(Site { lat, lon, datum, radius_m })
        }
        _ => None,
    };
    let merchant_type_index = row.as_ref().column_index("merchant_type")?;
    let edition_index = row.as_ref().column_index("edition")?;
    Ok(Case {
        id: row.get("id")?,
        merchant_name: row.get("merchant_name")?,
        attributes: CaseAttributes {
            merchant_type: parse_key(row, merchant_type_index)?,
            channels: parse_json(row, "channels")?,
            edition: parse_key(row, edition_index)?,
            opens_payment: row.get("opens_payment")?,
            opens_account: row.get("opens_account")?,
            syb: row.get("syb")?,
            syb_sft: row.get("syb_sft")?,
            payout_or_custody: row.get("payout_or_custody")?,
            regulated_industry: row.get("regulated_industry")?,
            remote_visit: row.get("remote_visit")?,
            chain_or_franchise: row.get("chain_or_franchise")?,
            nonstandard: parse_json(row, "nonstandard")?,
            parent_child_same_entity: if row.get::<_, bool>("parent_child_answered")? {
                Some(row.get("parent_child_same_entity")?)
            } else {
                None
            },
        },
        visit_date: optional_date(row, "visit_date")?,
        site,
        created_at: parse_timestamp(row, "created_at")?,
        updated_at: parse_timestamp(row, "updated_at")?,
    })
}
