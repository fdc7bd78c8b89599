//! Where values come from: what a read asks for ([`Fetch`]), what a store
//! answers ([`Fetched`]) and how it fails ([`FetchError`]), and the
//! [`Source`] trait that the AWS stores ([`AwsSource`](super::AwsSource)) and
//! the in-memory one ([`InMemory`](super::InMemory)) implement.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use secrecy::zeroize::Zeroize;

/// A name as the constructors take it: `&'static str` or `String`.
pub type Name = Cow<'static, str>;

/// What one read asks a store for; also the key of the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fetch {
    /// One SSM parameter (a `SecureString` decrypted).
    Ssm {
        /// The parameter's name.
        name: Name,
    },
    /// Several SSM parameters by name, keyed by their names.
    SsmNames {
        /// The parameters' names.
        names: Vec<Name>,
    },
    /// The SSM parameters under a path, keyed relative to it.
    SsmPath {
        /// The path, such as `/shop/`.
        path: Name,
        /// Whether the parameters of the path's sub-paths are read too.
        recursive: bool,
    },
    /// One Secrets Manager secret, its current version.
    Secret {
        /// The secret's name or ARN.
        name: Name,
    },
    /// An AppConfig configuration, read through an AppConfigData session.
    AppConfig {
        /// The application's name or id.
        application: Name,
        /// The environment's name or id.
        environment: Name,
        /// The configuration profile's name or id.
        profile: Name,
    },
    /// One item of a DynamoDB table in Powertools' layout: `id` (the
    /// partition key) and `value`.
    DynamoDb {
        /// The table's name.
        table: Name,
        /// The item's `id`.
        key: Name,
    },
    /// The items of one partition of a DynamoDB table in Powertools' layout
    /// with a sort key: `id`, `sk` and `value`, keyed by `sk`.
    DynamoDbMany {
        /// The table's name.
        table: Name,
        /// The items' `id`.
        key: Name,
    },
}

impl fmt::Display for Fetch {
    /// What was asked for, as error messages name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fetch::Ssm { name } => write!(f, "SSM parameter `{name}`"),
            Fetch::SsmNames { names } => {
                f.write_str("SSM parameters ")?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{name}`")?;
                }
                Ok(())
            }
            Fetch::SsmPath { path, .. } => write!(f, "SSM parameters under `{path}`"),
            Fetch::Secret { name } => write!(f, "secret `{name}`"),
            Fetch::AppConfig {
                application,
                environment,
                profile,
            } => write!(f, "AppConfig configuration `{application}/{environment}/{profile}`"),
            Fetch::DynamoDb { table, key } => write!(f, "DynamoDB value `{key}` of table `{table}`"),
            Fetch::DynamoDbMany { table, key } => write!(f, "DynamoDB values `{key}` of table `{table}`"),
        }
    }
}

/// What a store answered: one text, bytes, or several texts by key. Its
/// `Debug` shows the shape and the size, never the value, and its memory is
/// wiped when it is dropped: it may be a secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A text value (an SSM parameter, a string secret, a DynamoDB `value`).
    /// A binary secret is its bytes in base64, as the Secrets Manager API
    /// sends it: read it with `.base64()`.
    Text(String),
    /// A value that is bytes (an AppConfig configuration).
    Bytes(Vec<u8>),
    /// Several text values by key (a path, several names, a partition).
    Many(BTreeMap<String, String>),
}

impl fmt::Debug for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fetched::Text(text) => write!(f, "Text(<{} bytes>)", text.len()),
            Fetched::Bytes(bytes) => write!(f, "Bytes(<{} bytes>)", bytes.len()),
            Fetched::Many(values) => f.debug_list().entries(values.keys()).finish(),
        }
    }
}

impl Drop for Fetched {
    fn drop(&mut self) {
        match self {
            Fetched::Text(text) => text.zeroize(),
            Fetched::Bytes(bytes) => bytes.zeroize(),
            Fetched::Many(values) => values.values_mut().for_each(Zeroize::zeroize),
        }
    }
}

/// How a fetch failed, which decides what happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// The parameter, secret, configuration or item does not exist: a 404.
    NotFound,
    /// Throttling, a network failure, a store that failed on its side: tried
    /// again within the invocation's deadline, then a 502.
    Transient,
    /// Anything else (a permission denied, a bad request): a 502 at once.
    Failed,
}

/// A fetch that failed: its kind and, for the logs, what the store said.
#[derive(Debug)]
pub struct FetchError {
    kind: FetchErrorKind,
    /// The store's error code or a short reason, for the message.
    reason: Cow<'static, str>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The reason of [`FetchError::not_found`]: the read answers the plain
/// "does not exist" 404 for it.
pub(crate) const NOT_FOUND_REASON: &str = "not found";

impl FetchError {
    /// An error of `kind`; `reason` (the store's error code, say) goes into
    /// the message of the `PwError` the read answers.
    pub fn new(kind: FetchErrorKind, reason: impl Into<Cow<'static, str>>) -> Self {
        FetchError {
            kind,
            reason: reason.into(),
            source: None,
        }
    }

    /// Nothing by that name: a 404.
    pub fn not_found() -> Self {
        FetchError::new(FetchErrorKind::NotFound, NOT_FOUND_REASON)
    }

    /// Attaches the store's own error, kept for the logs.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same error with another reason.
    pub(crate) fn with_reason(mut self, reason: impl Into<Cow<'static, str>>) -> Self {
        self.reason = reason.into();
        self
    }

    /// How the fetch failed.
    pub fn kind(&self) -> FetchErrorKind {
        self.kind
    }

    /// The store's error code or a short reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// The future a [`Source`] answers with.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Fetched, FetchError>> + Send + 'a>>;

/// A store that values are read from. pypwext reads through one source per
/// process: the AWS services ([`AwsSource`](super::AwsSource), the default),
/// or another set with [`set_source`](super::set_source) before the first
/// read ([`InMemory`](super::InMemory) for tests and local runs, or your own).
///
/// A source makes one attempt per call: pypwext caches, shares concurrent
/// reads and retries a [`FetchErrorKind::Transient`] failure itself.
///
/// ```
/// use pypwext::parameters::{Fetch, FetchError, FetchFuture, Fetched, Source};
///
/// /// Every SSM parameter is its own name, upper-cased.
/// struct Shouting;
///
/// impl Source for Shouting {
///     fn fetch<'a>(&'a self, request: &'a Fetch) -> FetchFuture<'a> {
///         Box::pin(async move {
///             match request {
///                 Fetch::Ssm { name } => Ok(Fetched::Text(name.to_uppercase())),
///                 _ => Err(FetchError::not_found()),
///             }
///         })
///     }
/// }
/// ```
pub trait Source: Send + Sync + 'static {
    /// One attempt at fetching `request`.
    fn fetch<'a>(&'a self, request: &'a Fetch) -> FetchFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetched_values_never_show_in_debug() {
        let text = Fetched::Text("hunter2".into());
        let many = Fetched::Many(BTreeMap::from([("db/password".to_owned(), "hunter2".to_owned())]));
        assert_eq!(format!("{text:?}"), "Text(<7 bytes>)");
        assert_eq!(format!("{many:?}"), r#"["db/password"]"#);
        assert_eq!(format!("{:?}", Fetched::Bytes(vec![1, 2])), "Bytes(<2 bytes>)");
    }

    #[test]
    fn requests_name_what_they_ask_for() {
        let names = Fetch::SsmNames {
            names: vec!["/a".into(), "/b".into()],
        };
        assert_eq!(names.to_string(), "SSM parameters `/a`, `/b`");
        let config = Fetch::AppConfig {
            application: "shop".into(),
            environment: "prod".into(),
            profile: "flags".into(),
        };
        assert_eq!(config.to_string(), "AppConfig configuration `shop/prod/flags`");
        let item = Fetch::DynamoDb {
            table: "config".into(),
            key: "limit".into(),
        };
        assert_eq!(item.to_string(), "DynamoDB value `limit` of table `config`");
    }
}
