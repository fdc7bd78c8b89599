//! SSM Parameter Store: one parameter, several by name, a path. Every read
//! asks for decryption, so a `SecureString` comes back as its text.

use std::collections::BTreeMap;

use aws_sdk_ssm::Client;

use super::aws::fetch_error;
use super::source::{FetchError, FetchErrorKind, Fetched, Name};

/// The codes of a parameter that does not exist.
const NOT_FOUND: &[&str] = &["ParameterNotFound", "ParameterVersionNotFound"];

/// `GetParameters` takes at most this many names.
const NAMES_PER_CALL: usize = 10;

pub(crate) async fn one(client: &Client, name: &str) -> Result<Fetched, FetchError> {
    let output = client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|err| fetch_error(err, NOT_FOUND))?;
    output
        .parameter
        .and_then(|parameter| parameter.value)
        .map(Fetched::Text)
        .ok_or_else(|| FetchError::new(FetchErrorKind::Failed, "the answer holds no value"))
}

pub(crate) async fn names(client: &Client, names: &[Name]) -> Result<Fetched, FetchError> {
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for chunk in names.chunks(NAMES_PER_CALL) {
        let output = client
            .get_parameters()
            .set_names(Some(chunk.iter().map(ToString::to_string).collect()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|err| fetch_error(err, NOT_FOUND))?;
        missing.extend(output.invalid_parameters.unwrap_or_default());
        for parameter in output.parameters.unwrap_or_default() {
            if let (Some(name), Some(value)) = (parameter.name, parameter.value) {
                values.insert(name, value);
            }
        }
    }
    if !missing.is_empty() {
        return Err(missing_names(&missing));
    }
    Ok(Fetched::Many(values))
}

/// A 404 naming the parameters that do not exist.
pub(crate) fn missing_names(missing: &[impl AsRef<str>]) -> FetchError {
    let list: Vec<String> = missing.iter().map(|name| format!("`{}`", name.as_ref())).collect();
    let verb = if list.len() == 1 { "does" } else { "do" };
    FetchError::new(
        FetchErrorKind::NotFound,
        format!("{} {verb} not exist", list.join(", ")),
    )
}

pub(crate) async fn path(client: &Client, path: &str, recursive: bool) -> Result<Fetched, FetchError> {
    let mut values = BTreeMap::new();
    let mut next_token = None;
    loop {
        let output = client
            .get_parameters_by_path()
            .path(path)
            .recursive(recursive)
            .with_decryption(true)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|err| fetch_error(err, NOT_FOUND))?;
        for parameter in output.parameters.unwrap_or_default() {
            if let (Some(name), Some(value)) = (parameter.name, parameter.value) {
                let key = relative_key(path, &name).unwrap_or(&name).to_owned();
                values.insert(key, value);
            }
        }
        next_token = output.next_token.filter(|token| !token.is_empty());
        if next_token.is_none() {
            return Ok(Fetched::Many(values));
        }
    }
}

/// `name`'s key under `path`, as Powertools keys it: the path cut off, then
/// any leading `/` (`/shop/db/host` under `/shop` or `/shop/` is `db/host`);
/// `None` when `name` is not under `path`.
pub(crate) fn relative_key<'a>(path: &str, name: &'a str) -> Option<&'a str> {
    let rest = name.strip_prefix(path)?;
    // `/shopping/x` is not under `/shop`.
    if !path.ends_with('/') && !rest.starts_with('/') {
        return None;
    }
    Some(rest.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_to_the_path_as_powertools_makes_them() {
        assert_eq!(relative_key("/shop/", "/shop/stage"), Some("stage"));
        assert_eq!(relative_key("/shop", "/shop/db/host"), Some("db/host"));
        assert_eq!(relative_key("/shop", "/shopping/cart"), None);
        assert_eq!(relative_key("/shop/", "/other/stage"), None);
    }

    #[test]
    fn missing_names_are_named() {
        let err = missing_names(&["/a", "/b"]);
        assert_eq!(err.kind(), FetchErrorKind::NotFound);
        assert_eq!(err.reason(), "`/a`, `/b` do not exist");
        assert_eq!(missing_names(&["/a"]).reason(), "`/a` does not exist");
    }
}
