//! Parameters and secrets: SSM Parameter Store, Secrets Manager, AppConfig
//! and DynamoDB values, typed, cached, and secrets never shown (Powertools'
//! Parameters utility).
//!
//! ```no_run
//! use std::collections::BTreeMap;
//! use std::time::Duration;
//!
//! use pypwext::parameters::{self, SecretString};
//! # #[derive(serde::Deserialize)] struct ShopConfig {}
//! # #[derive(serde::Deserialize)] struct Flags {}
//!
//! # async fn f() -> Result<(), pypwext::PwError> {
//! let url: String = parameters::ssm("/shop/api-url").get().await?;                     // cached 5 s
//! let cfg: ShopConfig = parameters::ssm("/shop/config").json().get().await?;           // typed, from JSON
//! let logo: Vec<u8> = parameters::ssm("/shop/logo").base64().get().await?;             // bytes
//! let fresh: String = parameters::ssm("/shop/api-url").force_fetch().get().await?;     // past the cache
//! let slow: String = parameters::ssm("/shop/motd").max_age(Duration::from_secs(60)).get().await?;
//! let key: SecretString = parameters::secret("shop/api-key").get().await?;             // never shown
//! let all: BTreeMap<String, String> = parameters::ssm_path("/shop/").recursive().get().await?;
//! let flags: Flags = parameters::app_config("shop", "prod", "flags").json().get().await?;
//! let limit: String = parameters::dynamodb("config-table", "order-limit").get().await?;
//! # Ok(()) }
//! ```
//!
//! Each constructor makes a [`Parameter`]; `.json()`, `.base64()`,
//! `.auto()`, `.max_age(..)`, `.force_fetch()` and (for a path)
//! `.recursive()` chain in any order, and `.get()` reads. Its future is
//! `Send + 'static`. What `.get()` answers is in [`transform`]'s table.
//!
//! # The cache
//!
//! Values are kept per process, per request, for 5 seconds
//! (`POWERTOOLS_PARAMETERS_MAX_AGE` in seconds, or `.max_age(..)` for one
//! read); `.force_fetch()` reads past the cache and stores what it fetched.
//! Callers that read the same value while it is being fetched (concurrent
//! invocations under `AWS_LAMBDA_MAX_CONCURRENCY`, say) share that one
//! request; reads of other values never wait for it. A failed fetch is not
//! stored: the next read fetches again.
//!
//! # Errors
//!
//! Every error is a [`PwError`]: a parameter, secret, configuration or item
//! that does not exist is a 404 naming it; a value that does not transform a
//! 500 naming it and, for JSON, the field (a deployment error; the message
//! never quotes the value); throttling and network failures are tried again
//! within the invocation's deadline, then a 502, as is any other failure of
//! the store.
//!
//! # Secrets
//!
//! A secret is a [`SecretString`] (secrecy's): its `Debug`, `#[logged]`
//! and any log line show `[REDACTED]`, and its memory is wiped on drop. Use
//! the value where it is needed with [`ExposeSecret::expose_secret`]. A JSON
//! secret can be read into a type whose secret fields are `SecretString`s:
//!
//! ```no_run
//! use pypwext::parameters::{self, ExposeSecret, SecretString};
//!
//! #[derive(serde::Deserialize)]
//! struct Database { username: String, password: SecretString }
//!
//! # async fn f() -> Result<(), pypwext::PwError> {
//! let db: Database = parameters::secret("shop/db").json().get().await?;
//! let _connect = format!("postgres://{}:{}@db", db.username, db.password.expose_secret());
//! # Ok(()) }
//! ```
//!
//! # Where values come from
//!
//! From the AWS services, through the AWS SDK with the configuration
//! `aws-config` reads from the environment ([`AwsSource`], the default), or
//! clients you build; from memory ([`InMemory`], for tests and local runs);
//! or from any [`Source`] given to [`set_source`] before the first read.

mod appconfig;
mod aws;
mod builder;
mod cache;
mod dynamodb;
mod memory;
mod retry;
mod secrets;
mod source;
mod ssm;
pub mod transform;

use std::sync::{Arc, LazyLock, OnceLock};

pub use secrecy::{ExposeSecret, SecretSlice, SecretString};

pub use aws::AwsSource;
pub use builder::{DEFAULT_MAX_AGE, Parameter};
pub use memory::InMemory;
pub use source::{Fetch, FetchError, FetchErrorKind, FetchFuture, Fetched, Name, Source};
pub use transform::AutoValue;
use transform::{Many, One, Path, Secret};

use crate::PwError;
use crate::logging::LogView;

/// One SSM parameter by name; a `SecureString` is decrypted.
///
/// ```no_run
/// # async fn f() -> Result<(), pypwext::PwError> {
/// let url: String = pypwext::parameters::ssm("/shop/api-url").get().await?;
/// # Ok(()) }
/// ```
pub fn ssm(name: impl Into<Name>) -> Parameter<One> {
    Parameter::new(Fetch::Ssm { name: name.into() })
}

/// Several SSM parameters by name, keyed by their names; one missing is a
/// 404 naming it.
///
/// ```no_run
/// use std::collections::BTreeMap;
///
/// # async fn f() -> Result<(), pypwext::PwError> {
/// let both: BTreeMap<String, String> = pypwext::parameters::ssm_names(["/shop/a", "/shop/b"]).get().await?;
/// # Ok(()) }
/// ```
pub fn ssm_names<N: Into<Name>>(names: impl IntoIterator<Item = N>) -> Parameter<Many> {
    Parameter::new(Fetch::SsmNames {
        names: names.into_iter().map(Into::into).collect(),
    })
}

/// The SSM parameters under a path, keyed relative to it as Powertools keys
/// them (`/shop/db/host` under `/shop/` is `db/host`): one level, or every
/// level with [`.recursive()`](Parameter::recursive).
pub fn ssm_path(path: impl Into<Name>) -> Parameter<Path> {
    Parameter::new(Fetch::SsmPath {
        path: path.into(),
        recursive: false,
    })
}

/// A Secrets Manager secret (its current version) as a [`SecretString`];
/// with `.json()` into a type, with `.base64()` as bytes (a binary secret's
/// own bytes).
pub fn secret(name: impl Into<Name>) -> Parameter<Secret> {
    Parameter::new(Fetch::Secret { name: name.into() })
}

/// An AppConfig configuration, through the AppConfigData session API: the
/// session's token is kept between fetches, so a fetch after the first asks
/// only for what changed (an unchanged configuration comes back empty, and
/// the last one is used).
pub fn app_config(
    application: impl Into<Name>,
    environment: impl Into<Name>,
    profile: impl Into<Name>,
) -> Parameter<One> {
    Parameter::new(Fetch::AppConfig {
        application: application.into(),
        environment: environment.into(),
        profile: profile.into(),
    })
}

/// The `value` of the item whose `id` is `key` in a DynamoDB table laid out
/// as Powertools lays it out (`id` partition key, `value` string).
pub fn dynamodb(table: impl Into<Name>, key: impl Into<Name>) -> Parameter<One> {
    Parameter::new(Fetch::DynamoDb {
        table: table.into(),
        key: key.into(),
    })
}

/// The items whose `id` is `key` in a DynamoDB table with Powertools' sort
/// key layout (`id`, `sk`, `value`), keyed by `sk`.
pub fn dynamodb_many(table: impl Into<Name>, key: impl Into<Name>) -> Parameter<Many> {
    Parameter::new(Fetch::DynamoDbMany {
        table: table.into(),
        key: key.into(),
    })
}

static SOURCE: OnceLock<Arc<dyn Source>> = OnceLock::new();

/// Sets where every read of the process fetches from, instead of
/// [`AwsSource::from_env`]: call it once, before the first read.
///
/// ```
/// use pypwext::parameters::{self, InMemory};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// parameters::set_source(InMemory::new().with_ssm("/shop/api-url", "http://localhost:3000")).unwrap();
/// let url: String = parameters::ssm("/shop/api-url").get().await.unwrap();
/// assert_eq!(url, "http://localhost:3000");
/// # });
/// ```
///
/// # Errors
///
/// A `PwError` 500 when the source was already set, by an earlier call or
/// by a first read.
pub fn set_source(source: impl Source) -> Result<(), PwError> {
    SOURCE.set(Arc::new(source)).map_err(|_| {
        PwError::new(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "the parameters source is already set (by an earlier set_source or the first read); call set_source once, before any read",
        )
    })
}

/// The process's source: the one set, else the AWS services.
fn source() -> Arc<dyn Source> {
    Arc::clone(SOURCE.get_or_init(|| Arc::new(AwsSource::from_env())))
}

/// The process's cache.
fn cache() -> &'static cache::Cache {
    static CACHE: LazyLock<cache::Cache> = LazyLock::new(cache::Cache::default);
    &CACHE
}

/// A secret in a `#[logged]` line: `"[REDACTED]"`, however it is passed.
impl<S: secrecy::zeroize::Zeroize + ?Sized> LogView for secrecy::SecretBox<S> {
    fn log_view(&self) -> serde_json::Value {
        serde_json::Value::String(REDACTED.to_owned())
    }

    fn write_log_view(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"[REDACTED]\"");
    }
}

/// What a log line shows in place of a secret.
const REDACTED: &str = "[REDACTED]";

#[cfg(test)]
mod test_source;
#[cfg(test)]
mod tests;
