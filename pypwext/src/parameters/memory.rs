//! [`InMemory`]: values held in the process, for tests and local runs.

use std::collections::BTreeMap;
use std::fmt;

use super::source::{Fetch, FetchError, FetchFuture, Fetched, Source};

/// A [`Source`] that answers from values given in code: for tests, and for
/// local runs without AWS. It follows the AWS stores' rules: a path is read
/// one level unless recursive, its keys relative to it; a missing name is a
/// 404. Its `Debug` shows names, never values.
///
/// ```
/// use pypwext::parameters::{self, InMemory, Source, Fetch, Fetched};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = InMemory::new()
///     .with_ssm("/shop/db/host", "db.local")
///     .with_ssm("/shop/stage", "dev");
/// let fetched = store.fetch(&parameters::ssm_path("/shop/").request().clone()).await.unwrap();
/// assert_eq!(fetched, Fetched::Many([("stage".to_owned(), "dev".to_owned())].into()));
/// # });
/// ```
#[derive(Default, Clone)]
pub struct InMemory {
    ssm: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    app_configs: BTreeMap<(String, String, String), Vec<u8>>,
    /// By table and `id`: the value without a sort key, and those with one.
    items: BTreeMap<(String, String), Items>,
}

#[derive(Default, Clone)]
struct Items {
    value: Option<String>,
    sorted: BTreeMap<String, String>,
}

impl fmt::Debug for InMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemory")
            .field("ssm", &self.ssm.keys().collect::<Vec<_>>())
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("app_configs", &self.app_configs.keys().collect::<Vec<_>>())
            .field("items", &self.items.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl InMemory {
    /// An empty store: every read is a 404.
    pub fn new() -> Self {
        InMemory::default()
    }

    /// Adds an SSM parameter.
    #[must_use]
    pub fn with_ssm(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.ssm.insert(name.into(), value.into());
        self
    }

    /// Adds a Secrets Manager secret.
    #[must_use]
    pub fn with_secret(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.secrets.insert(name.into(), value.into());
        self
    }

    /// Adds an AppConfig configuration.
    #[must_use]
    pub fn with_app_config(
        mut self,
        application: impl Into<String>,
        environment: impl Into<String>,
        profile: impl Into<String>,
        configuration: impl Into<Vec<u8>>,
    ) -> Self {
        self.app_configs.insert(
            (application.into(), environment.into(), profile.into()),
            configuration.into(),
        );
        self
    }

    /// Adds a DynamoDB item `{id: key, value}`.
    #[must_use]
    pub fn with_dynamodb(mut self, table: impl Into<String>, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.items.entry((table.into(), key.into())).or_default().value = Some(value.into());
        self
    }

    /// Adds a DynamoDB item with a sort key `{id: key, sk, value}`.
    #[must_use]
    pub fn with_dynamodb_sorted(
        mut self,
        table: impl Into<String>,
        key: impl Into<String>,
        sort_key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.items
            .entry((table.into(), key.into()))
            .or_default()
            .sorted
            .insert(sort_key.into(), value.into());
        self
    }

    fn answer(&self, request: &Fetch) -> Result<Fetched, FetchError> {
        let found = |value: Option<&String>| value.cloned().map(Fetched::Text).ok_or_else(FetchError::not_found);
        match request {
            Fetch::Ssm { name } => found(self.ssm.get(name.as_ref())),
            Fetch::Secret { name } => found(self.secrets.get(name.as_ref())),
            Fetch::SsmNames { names } => {
                let missing: Vec<&str> = names
                    .iter()
                    .filter(|name| !self.ssm.contains_key(name.as_ref()))
                    .map(AsRef::as_ref)
                    .collect();
                if !missing.is_empty() {
                    return Err(super::ssm::missing_names(&missing));
                }
                Ok(Fetched::Many(
                    names
                        .iter()
                        .filter_map(|name| Some((name.to_string(), self.ssm.get(name.as_ref())?.clone())))
                        .collect(),
                ))
            }
            Fetch::SsmPath { path, recursive } => Ok(Fetched::Many(
                self.ssm
                    .iter()
                    .filter_map(|(name, value)| {
                        let key = super::ssm::relative_key(path, name)?;
                        (*recursive || !key.contains('/')).then(|| (key.to_owned(), value.clone()))
                    })
                    .collect(),
            )),
            Fetch::AppConfig {
                application,
                environment,
                profile,
            } => self
                .app_configs
                .get(&(application.to_string(), environment.to_string(), profile.to_string()))
                .cloned()
                .map(Fetched::Bytes)
                .ok_or_else(FetchError::not_found),
            Fetch::DynamoDb { table, key } => found(
                self.items
                    .get(&(table.to_string(), key.to_string()))
                    .and_then(|items| items.value.as_ref()),
            ),
            Fetch::DynamoDbMany { table, key } => Ok(Fetched::Many(
                self.items
                    .get(&(table.to_string(), key.to_string()))
                    .map(|items| items.sorted.clone())
                    .unwrap_or_default(),
            )),
        }
    }
}

impl Source for InMemory {
    fn fetch<'a>(&'a self, request: &'a Fetch) -> FetchFuture<'a> {
        Box::pin(std::future::ready(self.answer(request)))
    }
}
