//! DynamoDB in Powertools' layout: an item per value, `id` its partition
//! key and `value` its text; with a sort key, `id`, `sk` and `value`, the
//! items of one `id` read together and keyed by `sk`.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use super::aws::fetch_error;
use super::source::{FetchError, FetchErrorKind, Fetched};

/// Powertools' attribute names.
const ID: &str = "id";
const SORT_KEY: &str = "sk";
const VALUE: &str = "value";

/// The code of a table that does not exist.
const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

/// The error of a call: a table that does not exist says so.
fn call_error<E>(err: SdkError<E, HttpResponse>, table: &str) -> FetchError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let err = fetch_error(err, NOT_FOUND);
    match err.kind() {
        FetchErrorKind::NotFound => err.with_reason(format!("the table `{table}` does not exist")),
        _ => err,
    }
}

pub(crate) async fn one(client: &Client, table: &str, key: &str) -> Result<Fetched, FetchError> {
    let output = client
        .get_item()
        .table_name(table)
        .key(ID, AttributeValue::S(key.to_owned()))
        .send()
        .await
        .map_err(|err| call_error(err, table))?;
    let item = output.item.ok_or_else(FetchError::not_found)?;
    text(&item, VALUE).map(Fetched::Text)
}

pub(crate) async fn many(client: &Client, table: &str, key: &str) -> Result<Fetched, FetchError> {
    let mut values = BTreeMap::new();
    let mut start = None;
    loop {
        let output = client
            .query()
            .table_name(table)
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", ID)
            .expression_attribute_values(":id", AttributeValue::S(key.to_owned()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|err| call_error(err, table))?;
        for item in output.items.unwrap_or_default() {
            values.insert(text(&item, SORT_KEY)?, text(&item, VALUE)?);
        }
        start = output.last_evaluated_key.filter(|last| !last.is_empty());
        if start.is_none() {
            return Ok(Fetched::Many(values));
        }
    }
}

/// A string attribute of an item; another type, or none, is a failure that
/// names the attribute (never its value).
fn text(item: &HashMap<String, AttributeValue>, attribute: &str) -> Result<String, FetchError> {
    match item.get(attribute) {
        Some(AttributeValue::S(text)) => Ok(text.clone()),
        Some(_) => Err(FetchError::new(
            FetchErrorKind::Failed,
            format!("the item's `{attribute}` is not a string; store it as a string (S)"),
        )),
        None => Err(FetchError::new(
            FetchErrorKind::Failed,
            format!("the item has no `{attribute}` attribute; store it in Powertools' layout (id, sk, value)"),
        )),
    }
}
