//! Idempotency: a repeated request or record returns the stored result
//! instead of running again. [`#[idempotent]`](macro@crate::idempotent) is
//! the attribute; [`Idempotency`] is the store it names.
//!
//! Records follow Powertools' layout (partition key `id` =
//! `<prefix>#<md5 of the key>`, `expiration` in epoch seconds,
//! `in_progress_expiration` in epoch milliseconds, `status`, `data`,
//! `validation`) and its hash (the key's JSON as Python's
//! `json.dumps(key, sort_keys=True)` writes it), so a Rust function given
//! the `key_prefix` of a Python function honours its records, and the other
//! way round.
//!
//! | situation | what happens |
//! |---|---|
//! | first call | the record is written `INPROGRESS` with a conditional write, the body runs; `Ok` stores `COMPLETED` with the value before the call returns, `Err` or a panic deletes the record |
//! | the same key again, completed, not expired | the body does not run; the stored value is returned |
//! | the same key while in progress | `Err(PwError)` 409, action `Raise` |
//! | in progress past its in-progress expiry (the invocation's deadline) | runs again |
//! | expired record | runs again |
//! | `validate` differs from the stored one | `Err(PwError)` 422, action `Raise` |
//! | the store fails or cannot be reached | `Err(PwError)` 502, action `Raise`; the body does not run |
//!
//! ```
//! use std::sync::LazyLock;
//! use std::time::Duration;
//! use pypwext::idempotency::Idempotency;
//!
//! static PAYMENTS: LazyLock<Idempotency> = LazyLock::new(|| {
//!     Idempotency::in_memory().expires_after(Duration::from_secs(600)).local_cache(64)
//! });
//! # let _ = &*PAYMENTS;
//! ```
//!
//! # Stores
//!
//! - [`Idempotency::dynamodb`]: a DynamoDB table with the partition key `id`
//!   (a string), as Powertools documents it (turn on its TTL on
//!   `expiration` to have expired records swept; expiry itself is decided
//!   from the stored timestamps). The client comes from the environment on
//!   first use (`aws-config`: credentials, region, `AWS_ENDPOINT_URL`), or
//!   from [`Idempotency::client`]. The function needs `dynamodb:PutItem`,
//!   `GetItem`, `UpdateItem` and `DeleteItem` on the table.
//! - `Idempotency::redis` (feature `idempotency-redis`): Redis or Valkey,
//!   in Powertools' Redis layout.
//! - [`Idempotency::in_memory`]: this process's memory, for tests and local
//!   runs (in Lambda it holds one execution environment's records only).
//! - [`Idempotency::with_store`]: your own [`Store`].
//!
//! # Sharing records with a Powertools Python function
//!
//! Give the Rust function the Python function's prefix (`key_prefix`, or the
//! default `<function name>.<module>.<qualname>` Python made), a `key` that
//! has the value Python's `event_key_jmespath` selects, and a `validate`
//! with the value of its `payload_validation_jmespath`. The stored `data`
//! is the value as JSON text both ways, so the `Ok` type must read what the
//! Python function returns.
//!
//! # What is stored, and what is not
//!
//! The value the function returns. Below `#[service_response]` that is the
//! `PwResponse` (status, headers, content type, body, its errors); the
//! errors a `#[collect_errors(root)]` above the response layer collected
//! during the first call are merged into that call's answer only. A call
//! whose future is dropped before it finishes (a timeout of its caller)
//! leaves its record `INPROGRESS` until the in-progress expiry, as a
//! timed-out Lambda invocation does.

mod cache;
mod dynamodb;
pub(crate) mod guard;
pub(crate) mod hash;
mod memory;
mod record;
#[cfg(feature = "idempotency-redis")]
mod redis;
mod store;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::errors::PwError;

pub use dynamodb::{DEFAULT_DYNAMODB_TIMEOUT, DynamoDbStore};
pub use memory::MemoryStore;
pub use record::{Attributes, Now, Record, Status};
#[cfg(feature = "idempotency-redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "idempotency-redis")))]
pub use redis::{DEFAULT_REDIS_TIMEOUT, RedisStore};
pub use store::{Claim, Store, StoreError, StoreFuture};

use cache::LocalCache;

/// How long a record holds by default: one hour, as in Powertools.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(3600);

/// An idempotency store and its settings: what `#[idempotent(store = …)]`
/// names, usually from a `static` `LazyLock`.
///
/// Builders take and give the value. A builder that does not apply to the
/// store (a DynamoDB client for the in-memory store) is kept as a problem,
/// and every guarded call then answers it as a 502 without running the body:
/// never a silent default.
pub struct Idempotency {
    store: Backend,
    expires_after: Duration,
    cache: Option<LocalCache>,
    problem: Option<String>,
}

impl std::fmt::Debug for Idempotency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idempotency")
            .field("store", &self.store().describe())
            .field("expires_after", &self.expires_after)
            .field("local_cache", &self.cache.is_some())
            .finish_non_exhaustive()
    }
}

impl Idempotency {
    /// Records in this process's memory ([`MemoryStore`]): for tests and
    /// local runs.
    pub fn in_memory() -> Self {
        Idempotency::with_store(MemoryStore::new())
    }

    /// Records in the DynamoDB table `table`, in Powertools' layout
    /// ([`DynamoDbStore`]); the client is built from the environment on first
    /// use unless [`client`](Idempotency::client) gives one.
    ///
    /// ```
    /// use std::sync::LazyLock;
    /// use std::time::Duration;
    /// use pypwext::idempotency::Idempotency;
    ///
    /// static ORDERS: LazyLock<Idempotency> = LazyLock::new(|| {
    ///     Idempotency::dynamodb("idempotency").expires_after(Duration::from_secs(3600)).local_cache(256)
    /// });
    /// # let _ = &*ORDERS;
    /// ```
    pub fn dynamodb(table: impl Into<String>) -> Self {
        Idempotency::with_backend(Backend::DynamoDb(DynamoDbStore::new(table)))
    }

    /// Records in Redis (or Valkey) at `url` (`redis://host:6379/0`), in
    /// Powertools' Redis layout ([`RedisStore`]); connected on first use.
    #[cfg(feature = "idempotency-redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "idempotency-redis")))]
    pub fn redis(url: impl Into<String>) -> Self {
        Idempotency::with_backend(Backend::Redis(RedisStore::new(url)))
    }

    /// Records in a store of your own.
    pub fn with_store(store: impl Store) -> Self {
        Idempotency::with_shared_store(Arc::new(store))
    }

    /// Records in a store shared with other code (a test that looks at it).
    pub fn with_shared_store(store: Arc<dyn Store>) -> Self {
        Idempotency::with_backend(Backend::Shared(store))
    }

    fn with_backend(store: Backend) -> Self {
        Idempotency {
            store,
            expires_after: DEFAULT_EXPIRY,
            cache: None,
            problem: None,
        }
    }

    /// The DynamoDB client of [`dynamodb`](Idempotency::dynamodb), instead of
    /// one built from the environment. On another store it is a
    /// configuration mistake that every guarded call answers with a 502.
    pub fn client(mut self, client: aws_sdk_dynamodb::Client) -> Self {
        match self.store {
            Backend::DynamoDb(store) => self.store = Backend::DynamoDb(store.client(client)),
            other => {
                self.store = other;
                self.note_problem(misapplied("client", "Idempotency::dynamodb"));
            }
        }
        self
    }

    /// Renames the record's attributes, as Powertools' `key_attr`,
    /// `expiry_attr`, … (DynamoDB and Redis stores).
    pub fn attributes(mut self, attributes: Attributes) -> Self {
        match self.store {
            Backend::DynamoDb(store) => self.store = Backend::DynamoDb(store.attributes(attributes)),
            #[cfg(feature = "idempotency-redis")]
            Backend::Redis(store) => self.store = Backend::Redis(store.attributes(attributes)),
            other => {
                self.store = other;
                self.note_problem(misapplied("attributes", "Idempotency::dynamodb and Idempotency::redis"));
            }
        }
        self
    }

    /// How long a record holds (default one hour): a repeat after that runs
    /// again. Written on the `INPROGRESS` record too.
    pub fn expires_after(mut self, expiry: Duration) -> Self {
        self.expires_after = expiry;
        self
    }

    /// Keeps the `records` most recently used `COMPLETED` records in memory,
    /// so a repeat in the same execution environment costs no round trip.
    pub fn local_cache(mut self, records: usize) -> Self {
        self.cache = (records > 0).then(|| LocalCache::new(records));
        self
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        match &self.store {
            Backend::DynamoDb(store) => store,
            #[cfg(feature = "idempotency-redis")]
            Backend::Redis(store) => store,
            Backend::Shared(store) => store.as_ref(),
        }
    }

    fn note_problem(&mut self, problem: String) {
        self.problem.get_or_insert(problem);
    }
}

/// The stores a builder may configure further, and the others.
// One per store, in a `static`: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
enum Backend {
    DynamoDb(DynamoDbStore),
    #[cfg(feature = "idempotency-redis")]
    Redis(RedisStore),
    Shared(Arc<dyn Store>),
}

fn misapplied(builder: &str, store: &str) -> String {
    format!(
        "the idempotency store is configured with `.{builder}(…)`, which applies to `{store}` only; remove it or use that store"
    )
}

/// The hash Powertools gives `key`: the MD5 (hex) of its JSON as Python's
/// `json.dumps(key, sort_keys=True)` writes it. A record's id is
/// `<prefix>#<hash>`.
///
/// ```
/// let hash = pypwext::idempotency::key_hash(&serde_json::json!({"order": 1})).unwrap();
/// assert_eq!(hash.len(), 32);
/// ```
pub fn key_hash(key: &(impl Serialize + ?Sized)) -> Result<String, PwError> {
    let value = guard::key(key)?;
    Ok(hash::python_md5_hex(&value))
}
