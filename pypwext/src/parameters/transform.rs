//! What a fetched value becomes: its text, a type read from JSON, bytes
//! from base64, or (Powertools' `auto`) one of those by the name's suffix.
//!
//! The markers below are type parameters of [`Parameter`](super::Parameter):
//! `.json()`, `.base64()` and `.auto()` choose one, and the kind of read
//! (one value, a secret, several values) decides what `.get()` answers:
//!
//! | transform | one value | a secret | several values |
//! |---|---|---|---|
//! | [`Text`] (none chosen) | `String` | [`SecretString`] | `BTreeMap<String, String>` |
//! | [`Json<T>`] (`.json()`) | `T` | `T` | `BTreeMap<String, T>` |
//! | [`Base64`] (`.base64()`) | `Vec<u8>` | `SecretSlice<u8>` | `BTreeMap<String, Vec<u8>>` |
//! | [`Auto`] (`.auto()`) | [`AutoValue`] | — | `BTreeMap<String, AutoValue>` |
//!
//! A value that does not transform is a `PwError` 500 (a deployment error)
//! naming the value and, for JSON, the field. The message never quotes the
//! value: it may be a secret, and a 500's message may reach the caller.
//!
//! A transform that does not apply to a read is a compile error on `.get()`:
//!
//! ```compile_fail
//! # async fn f() {
//! // `.auto()` goes by the names of several values; a secret is one value.
//! let _ = pypwext::parameters::secret("shop/api-key").auto().get().await;
//! # }
//! ```

use std::collections::BTreeMap;
use std::marker::PhantomData;

use base64::Engine as _;
use secrecy::{SecretSlice, SecretString};
use serde::de::DeserializeOwned;

use super::source::{Fetch, Fetched};
use crate::PwError;
use crate::logging::render::short_type_name;

/// A read of one value ([`ssm`](super::ssm), [`app_config`](super::app_config),
/// [`dynamodb`](super::dynamodb)).
#[derive(Debug, Clone, Copy)]
pub enum One {}

/// A read of one secret ([`secret`](super::secret)): its text comes back as a
/// [`SecretString`].
#[derive(Debug, Clone, Copy)]
pub enum Secret {}

/// A read of several values by key ([`ssm_names`](super::ssm_names),
/// [`dynamodb_many`](super::dynamodb_many)).
#[derive(Debug, Clone, Copy)]
pub enum Many {}

/// A read of the parameters under an SSM path ([`ssm_path`](super::ssm_path)):
/// several values, and `.recursive()`.
#[derive(Debug, Clone, Copy)]
pub enum Path {}

/// The value as it is stored: text. The transform of a read that chose none.
#[derive(Debug, Clone, Copy)]
pub enum Text {}

/// The value read as JSON into `T` (`.json()`).
#[derive(Debug, Clone, Copy)]
pub struct Json<T>(PhantomData<fn() -> T>);

/// The value decoded from base64, standard alphabet with padding (`.base64()`).
#[derive(Debug, Clone, Copy)]
pub enum Base64 {}

/// Powertools' `auto` (`.auto()`): a name ending in `.json` is read as JSON,
/// one ending in `.binary` decoded from base64, any other kept as text.
#[derive(Debug, Clone, Copy)]
pub enum Auto {}

/// One value as [`Auto`] transformed it, by its name's suffix.
#[derive(Debug, Clone, PartialEq)]
pub enum AutoValue {
    /// A name with no known suffix: the text as stored.
    Text(String),
    /// A name ending in `.json`: the JSON it holds.
    Json(serde_json::Value),
    /// A name ending in `.binary`: the bytes its base64 decodes to.
    Bytes(Vec<u8>),
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Text {}
    impl<T> Sealed for super::Json<T> {}
    impl Sealed for super::Base64 {}
    impl Sealed for super::Auto {}
}

/// How a transform turns what a read of kind `K` fetched into what `.get()`
/// answers; see the [module](self)'s table.
#[diagnostic::on_unimplemented(
    message = "`.get()` cannot transform this read: `{Self}` does not apply to a read of kind `{K}`",
    label = "no such transform for this read",
    note = "a secret takes `.json()` or `.base64()` (not `.auto()`); see the table in `pypwext::parameters::transform`"
)]
pub trait Decode<K>: sealed::Sealed {
    /// What `.get()` answers.
    type Output: Send + 'static;

    /// Transforms `fetched`, the answer to `request`; an error names it.
    #[doc(hidden)]
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<Self::Output, PwError>;
}

/// A value in a read: the request and, in a read of several, the key.
#[derive(Clone, Copy)]
struct Named<'a> {
    request: &'a Fetch,
    key: Option<&'a str>,
}

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.key {
            Some(key) => write!(f, "`{key}` of the {}", self.request),
            None => write!(f, "{}", self.request),
        }
    }
}

/// The one value of a read of one, as bytes.
fn one<'a>(request: &Fetch, fetched: &'a Fetched) -> Result<&'a [u8], PwError> {
    match fetched {
        Fetched::Text(text) => Ok(text.as_bytes()),
        Fetched::Bytes(bytes) => Ok(bytes),
        Fetched::Many(_) => Err(shape_error(request, "several values", "one")),
    }
}

/// The values of a read of several.
fn many<'a>(request: &Fetch, fetched: &'a Fetched) -> Result<&'a BTreeMap<String, String>, PwError> {
    match fetched {
        Fetched::Many(values) => Ok(values),
        _ => Err(shape_error(request, "one value", "several")),
    }
}

/// A source that answered the wrong shape: its bug, not the value's.
fn shape_error(request: &Fetch, got: &str, wanted: &str) -> PwError {
    PwError::new(
        http::StatusCode::BAD_GATEWAY,
        format!("the parameters source answered {got} for the {request}, which asks for {wanted}; fix the source"),
    )
}

fn text(named: Named<'_>, bytes: &[u8]) -> Result<String, PwError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        PwError::new(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the {named} is not UTF-8 text; store text, or read it with `.base64()`"),
        )
    })
}

fn base64(named: Named<'_>, bytes: &[u8]) -> Result<Vec<u8>, PwError> {
    base64::engine::general_purpose::STANDARD
        .decode(bytes.trim_ascii())
        .map_err(|_| {
            PwError::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                format!("the {named} is not base64 (the standard alphabet, padded); store the bytes base64-encoded"),
            )
        })
}

/// Reads `T` from JSON; the error names the field and never quotes the value.
fn json_named<T: DeserializeOwned>(named: Named<'_>, bytes: &[u8]) -> Result<T, PwError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (path, err) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        // Trailing characters after the value are a syntax error too.
        Ok(value) => match deserializer.end() {
            Ok(()) => return Ok(value),
            Err(err) => (".".to_owned(), err),
        },
        Err(err) => (err.path().to_string(), err.into_inner()),
    };
    let message = if matches!(
        err.classify(),
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof
    ) {
        format!(
            "the {named} is not JSON (line {}, column {}); store a JSON document in it",
            err.line(),
            err.column()
        )
    } else {
        let type_name = short_type_name(std::any::type_name::<T>());
        let field = if path == "." {
            "as a whole".to_owned()
        } else {
            format!("at `{path}`")
        };
        format!(
            "the {named} does not fit `{type_name}` {field}: {}; fix the value or the type",
            data_reason(&err)
        )
    };
    Err(PwError::new(http::StatusCode::INTERNAL_SERVER_ERROR, message))
}

/// What serde said, when it says it with names only: `missing field `port``.
/// Other messages quote the value (`invalid type: string "hunter2"`), so
/// they become a sentence of their own.
fn data_reason(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]);
    let quotes_names_only = ["missing field", "unknown field", "duplicate field", "invalid length"]
        .iter()
        .any(|prefix| message.starts_with(prefix));
    if quotes_names_only {
        message.to_owned()
    } else {
        "a value of the wrong type or out of range".to_owned()
    }
}

fn auto(named: Named<'_>, name: &str, bytes: &[u8]) -> Result<AutoValue, PwError> {
    if name.ends_with(".json") {
        json_named(named, bytes).map(AutoValue::Json)
    } else if name.ends_with(".binary") {
        base64(named, bytes).map(AutoValue::Bytes)
    } else {
        text(named, bytes).map(AutoValue::Text)
    }
}

/// The name a read of one goes by, for [`Auto`]'s suffixes.
fn request_name(request: &Fetch) -> &str {
    match request {
        Fetch::Ssm { name } | Fetch::Secret { name } => name,
        Fetch::AppConfig { profile, .. } => profile,
        Fetch::DynamoDb { key, .. } => key,
        Fetch::SsmPath { path, .. } => path,
        Fetch::DynamoDbMany { key, .. } => key,
        Fetch::SsmNames { .. } => "",
    }
}

fn unnamed(request: &Fetch) -> Named<'_> {
    Named { request, key: None }
}

impl Decode<One> for Text {
    type Output = String;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<String, PwError> {
        text(unnamed(request), one(request, fetched)?)
    }
}

impl Decode<Secret> for Text {
    type Output = SecretString;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<SecretString, PwError> {
        text(unnamed(request), one(request, fetched)?).map(SecretString::from)
    }
}

impl<T: DeserializeOwned + Send + 'static> Decode<One> for Json<T> {
    type Output = T;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<T, PwError> {
        json_named(unnamed(request), one(request, fetched)?)
    }
}

impl<T: DeserializeOwned + Send + 'static> Decode<Secret> for Json<T> {
    type Output = T;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<T, PwError> {
        json_named(unnamed(request), one(request, fetched)?)
    }
}

impl Decode<One> for Base64 {
    type Output = Vec<u8>;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<Vec<u8>, PwError> {
        base64(unnamed(request), one(request, fetched)?)
    }
}

impl Decode<Secret> for Base64 {
    type Output = SecretSlice<u8>;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<SecretSlice<u8>, PwError> {
        base64(unnamed(request), one(request, fetched)?).map(SecretSlice::from)
    }
}

impl Decode<One> for Auto {
    type Output = AutoValue;
    fn decode(request: &Fetch, fetched: &Fetched) -> Result<AutoValue, PwError> {
        auto(unnamed(request), request_name(request), one(request, fetched)?)
    }
}

/// Several values: each transformed as one, the error naming its key.
fn decode_many<T>(
    request: &Fetch,
    fetched: &Fetched,
    each: impl Fn(Named<'_>, &str, &[u8]) -> Result<T, PwError>,
) -> Result<BTreeMap<String, T>, PwError> {
    many(request, fetched)?
        .iter()
        .map(|(key, value)| {
            let named = Named {
                request,
                key: Some(key),
            };
            Ok((key.clone(), each(named, key, value.as_bytes())?))
        })
        .collect()
}

macro_rules! several {
    ($kind:ty) => {
        impl Decode<$kind> for Text {
            type Output = BTreeMap<String, String>;
            fn decode(request: &Fetch, fetched: &Fetched) -> Result<Self::Output, PwError> {
                decode_many(request, fetched, |named, _, bytes| text(named, bytes))
            }
        }

        impl<T: DeserializeOwned + Send + 'static> Decode<$kind> for Json<T> {
            type Output = BTreeMap<String, T>;
            fn decode(request: &Fetch, fetched: &Fetched) -> Result<Self::Output, PwError> {
                decode_many(request, fetched, |named, _, bytes| json_named(named, bytes))
            }
        }

        impl Decode<$kind> for Base64 {
            type Output = BTreeMap<String, Vec<u8>>;
            fn decode(request: &Fetch, fetched: &Fetched) -> Result<Self::Output, PwError> {
                decode_many(request, fetched, base64_each)
            }
        }

        impl Decode<$kind> for Auto {
            type Output = BTreeMap<String, AutoValue>;
            fn decode(request: &Fetch, fetched: &Fetched) -> Result<Self::Output, PwError> {
                decode_many(request, fetched, auto)
            }
        }
    };
}

fn base64_each(named: Named<'_>, _key: &str, bytes: &[u8]) -> Result<Vec<u8>, PwError> {
    base64(named, bytes)
}

several!(Many);
several!(Path);

#[cfg(test)]
#[path = "transform_tests.rs"]
mod tests;
