//! Secrets Manager: a secret's current version, its text, or its bytes in
//! base64 as the API sends them (so `.base64()` reads a binary secret).

use aws_sdk_secretsmanager::Client;
use base64::Engine as _;

use super::aws::fetch_error;
use super::source::{FetchError, FetchErrorKind, Fetched};

/// The code of a secret that does not exist (or has no current version).
const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

pub(crate) async fn one(client: &Client, name: &str) -> Result<Fetched, FetchError> {
    let output = client
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|err| fetch_error(err, NOT_FOUND))?;
    if let Some(text) = output.secret_string {
        return Ok(Fetched::Text(text));
    }
    match output.secret_binary {
        Some(blob) => Ok(Fetched::Text(
            base64::engine::general_purpose::STANDARD.encode(blob.into_inner()),
        )),
        None => Err(FetchError::new(FetchErrorKind::Failed, "the answer holds no value")),
    }
}
