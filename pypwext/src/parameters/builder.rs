//! The read being set up: [`Parameter`], made by the constructors of
//! [`parameters`](super) and finished by [`.get()`](Parameter::get).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::cache::{Cache, ReadOptions};
use super::retry::Retry;
use super::source::{Fetch, Source};
use super::transform::{Auto, Base64, Decode, Json, Path, Text};
use crate::PwError;

/// How long a value is kept when neither `.max_age(..)` nor
/// `POWERTOOLS_PARAMETERS_MAX_AGE` says otherwise: Powertools' 5 seconds.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

/// One read: what to fetch (`K`, the kind: one value, a secret, several),
/// how to transform it (`T`), how old a cached value may be. The options
/// chain in any order; [`get`](Parameter::get) reads.
///
/// ```no_run
/// use std::time::Duration;
/// use pypwext::parameters;
///
/// #[derive(serde::Deserialize)]
/// struct Limits { max_items: u32 }
///
/// # async fn f() -> Result<(), pypwext::PwError> {
/// let limits: Limits = parameters::ssm("/shop/limits")
///     .max_age(Duration::from_secs(60))
///     .json()
///     .get()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a parameter is read by `.get().await`"]
pub struct Parameter<K, T = Text> {
    request: Fetch,
    max_age: Option<Duration>,
    force: bool,
    marker: PhantomData<fn() -> (K, T)>,
}

impl<K, T> fmt::Debug for Parameter<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parameter")
            .field("request", &self.request)
            .field(
                "transform",
                &crate::logging::render::short_type_name(std::any::type_name::<T>()),
            )
            .field("max_age", &self.max_age)
            .field("force_fetch", &self.force)
            .finish()
    }
}

impl<K> Parameter<K> {
    pub(crate) fn new(request: Fetch) -> Self {
        Parameter {
            request,
            max_age: None,
            force: false,
            marker: PhantomData,
        }
    }
}

impl<K, T> Parameter<K, T> {
    fn transform<U>(self) -> Parameter<K, U> {
        Parameter {
            request: self.request,
            max_age: self.max_age,
            force: self.force,
            marker: PhantomData,
        }
    }

    /// Reads the value as JSON into `U` (any `serde::de::DeserializeOwned`),
    /// usually inferred from where the value goes. A value that does not fit
    /// is a `PwError` 500 naming the value and the field.
    pub fn json<U>(self) -> Parameter<K, Json<U>> {
        self.transform()
    }

    /// Decodes the value from base64 (the standard alphabet, padded) into
    /// bytes; a secret's into `SecretSlice<u8>`.
    pub fn base64(self) -> Parameter<K, Base64> {
        self.transform()
    }

    /// Powertools' `auto`: each value by its name's suffix, `.json` as JSON,
    /// `.binary` from base64, any other as text.
    pub fn auto(self) -> Parameter<K, Auto> {
        self.transform()
    }

    /// Keeps the value this long instead of `POWERTOOLS_PARAMETERS_MAX_AGE`
    /// (else [`DEFAULT_MAX_AGE`]); `Duration::ZERO` fetches on every read.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Fetches past the cache, and stores what it fetched. A fetch of the
    /// same value already in flight is joined rather than doubled.
    pub fn force_fetch(mut self) -> Self {
        self.force = true;
        self
    }

    /// What this read fetches.
    pub fn request(&self) -> &Fetch {
        &self.request
    }

    /// Reads the value: from the cache when it is young enough, else from
    /// the process's [`Source`](super::Source), sharing a fetch in flight.
    ///
    /// A missing value is a `PwError` 404 naming it; a value that does not
    /// transform a 500; throttling and network failures are tried again
    /// within the invocation's deadline, then a 502. The future owns the
    /// read (`Send + 'static`): it may be spawned.
    pub fn get(self) -> impl Future<Output = Result<T::Output, PwError>> + Send + 'static
    where
        T: Decode<K>,
    {
        self.get_from(super::cache(), super::source(), Retry::default())
    }

    /// [`get`](Parameter::get) through `cache` and `source`, retrying by `retry`.
    pub(crate) fn get_from(
        self,
        cache: &'static Cache,
        source: Arc<dyn Source>,
        retry: Retry,
    ) -> impl Future<Output = Result<T::Output, PwError>> + Send + 'static
    where
        T: Decode<K>,
    {
        let options = ReadOptions {
            max_age: self
                .max_age
                .or(crate::env::process().parameters_max_age)
                .unwrap_or(DEFAULT_MAX_AGE),
            force: self.force,
            retry,
        };
        async move {
            let fetched = cache.read(source, self.request.clone(), options).await?;
            T::decode(&self.request, &fetched)
        }
    }
}

impl<T> Parameter<Path, T> {
    /// Reads the parameters of the path's sub-paths too (keys like
    /// `db/host` under `/shop/`), not only its own level.
    pub fn recursive(mut self) -> Self {
        if let Fetch::SsmPath { recursive, .. } = &mut self.request {
            *recursive = true;
        }
        self
    }
}
