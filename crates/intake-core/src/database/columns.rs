//! Values to and from their column text: JSON, timestamps, dates and keys, read with an error
//! that names the column rather than a panic.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Error;

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("a list of keys always serialises")
}

pub(super) fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(super) fn conversion_error(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

pub(super) fn parse_key<T: std::str::FromStr<Err = Error>>(
    row: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    text.parse().map_err(|err: Error| conversion_error(column, err.message().to_string()))
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, column: &str) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    let index = row.as_ref().column_index(column)?;
    serde_json::from_str(&text).map_err(|err| conversion_error(index, err.to_string()))
}

pub(super) fn parse_timestamp(
    row: &rusqlite::Row<'_>,
    column: impl rusqlite::RowIndex,
) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|err| conversion_error(0, format!("bad timestamp '{text}': {err}")))
}

pub(super) fn optional_date(
    row: &rusqlite::Row<'_>,
    column: impl rusqlite::RowIndex,
) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(column)?;
    text.map(|text| {
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|err| conversion_error(0, format!("bad date '{text}': {err}")))
    })
    .transpose()
}
