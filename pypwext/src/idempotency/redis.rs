//! The Redis store, in Powertools' Redis layout: the record id is the key,
//! the value is the record's attributes as a JSON object, and the key
//! expires with the record. The `INPROGRESS` write is `SET … NX EX`; a
//! record in the way that may be replaced (expired, or abandoned past its
//! in-progress expiry) is taken over under the lock `<id>:lock`, as
//! Powertools does, so two processes never both take it.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::{Map, Value};
use tokio::sync::OnceCell;

use super::record::{Attributes, Now, Record, Status};
use super::store::{Claim, Store, StoreError, StoreFuture};

/// How long a Redis connection or answer may take: a store that does not
/// answer is a 502 well inside a Lambda timeout.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(3);

/// How long the lock that takes over an abandoned record lives (Powertools'
/// default orphan lock timeout).
const ORPHAN_LOCK_SECONDS: u64 = 10;

/// Records in Redis (or Valkey) at a `redis://` URL, in Powertools' layout.
/// The connection is made on first use and remade after a failure.
pub struct RedisStore {
    url: String,
    attributes: Attributes,
    connection: OnceCell<ConnectionManager>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.describe())
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// The Redis server at `url` (`redis://host:6379/0`, `rediss://…` is not
    /// built in).
    pub fn new(url: impl Into<String>) -> Self {
        RedisStore {
            url: url.into(),
            attributes: Attributes::default(),
            connection: OnceCell::new(),
        }
    }

    /// Renames the attributes of the stored JSON object, as Powertools'
    /// `RedisCachePersistenceLayer` does.
    #[must_use]
    pub fn attributes(mut self, attributes: Attributes) -> Self {
        self.attributes = attributes;
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        self.connection
            .get_or_try_init(|| async {
                let client = redis::Client::open(self.url.as_str()).map_err(|error| self.failed("the URL", error))?;
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(DEFAULT_REDIS_TIMEOUT))
                    .set_response_timeout(Some(DEFAULT_REDIS_TIMEOUT))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(client, config)
                    .await
                    .map_err(|error| self.failed("connect", error))
            })
            .await
            .cloned()
    }

    fn failed(&self, operation: &str, error: redis::RedisError) -> StoreError {
        StoreError::new(format!("{operation} at {}", self.describe())).with_source(error)
    }

    /// The record as the JSON object Powertools stores.
    fn encode(&self, record: &Record) -> String {
        let names = &self.attributes;
        let mut map = Map::new();
        map.insert(names.status.clone(), record.status.as_str().into());
        map.insert(names.expiry.clone(), record.expiration.into());
        if let Some(millis) = record.in_progress_expiration {
            map.insert(names.in_progress_expiry.clone(), millis.into());
        }
        if let Some(data) = &record.data {
            map.insert(names.data.clone(), data.as_str().into());
        }
        if let Some(validation) = &record.validation {
            map.insert(names.validation.clone(), validation.as_str().into());
        }
        Value::Object(map).to_string()
    }

    fn decode(&self, id: &str, text: &str) -> Result<Record, StoreError> {
        let names = &self.attributes;
        let not_a_record = |why: &str| {
            StoreError::new(format!(
                "the value of `{id}` at {} is not an idempotency record in Powertools' layout ({why}); check the key prefix and the attribute names",
                self.describe()
            ))
        };
        let value: Value = serde_json::from_str(text).map_err(|_| not_a_record("not a JSON object"))?;
        let status = value[&names.status]
            .as_str()
            .and_then(Status::parse)
            .ok_or_else(|| not_a_record(&format!("`{}` is not INPROGRESS or COMPLETED", names.status)))?;
        let expiration = value[&names.expiry]
            .as_u64()
            .ok_or_else(|| not_a_record(&format!("`{}` is not a whole number", names.expiry)))?;
        Ok(Record {
            id: id.to_owned(),
            status,
            expiration,
            in_progress_expiration: value[&names.in_progress_expiry].as_u64(),
            data: value[&names.data].as_str().map(str::to_owned),
            validation: value[&names.validation].as_str().map(str::to_owned),
        })
    }

    /// `SET id value EX ttl` (and `NX` when asked): whether it was set.
    async fn set(&self, record: &Record, only_if_absent: bool) -> Result<bool, StoreError> {
        let mut connection = self.connection().await?;
        // Seconds left until the record's expiry, as Powertools computes them; at least 1.
        let ttl = record.expiration.saturating_sub(Now::current().seconds).max(1);
        let mut command = redis::cmd("SET");
        command.arg(&record.id).arg(self.encode(record)).arg("EX").arg(ttl);
        if only_if_absent {
            command.arg("NX");
        }
        let answer: Option<String> = command
            .query_async(&mut connection)
            .await
            .map_err(|error| self.failed("SET", error))?;
        Ok(answer.is_some())
    }

    async fn read(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let mut connection = self.connection().await?;
        let text: Option<String> = redis::cmd("GET")
            .arg(id)
            .query_async(&mut connection)
            .await
            .map_err(|error| self.failed("GET", error))?;
        text.map(|text| self.decode(id, &text)).transpose()
    }
}

impl Store for RedisStore {
    fn describe(&self) -> String {
        // The URL without its password.
        let shown = match self.url.split_once('@') {
            Some((scheme_and_user, host)) => {
                let scheme = scheme_and_user.split_once("://").map_or("redis", |(scheme, _)| scheme);
                format!("{scheme}://…@{host}")
            }
            None => self.url.clone(),
        };
        format!("Redis at `{shown}`")
    }

    fn put_in_progress<'a>(&'a self, record: &'a Record, now: Now) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            if self.set(record, true).await? {
                return Ok(Claim::Written);
            }
            let Some(existing) = self.read(&record.id).await? else {
                // Gone in between (expired or deleted): one more try.
                return Ok(if self.set(record, true).await? {
                    Claim::Written
                } else {
                    Claim::Exists(None)
                });
            };
            if !existing.may_be_replaced(now) {
                return Ok(Claim::Exists(Some(existing)));
            }
            // An orphan: whoever holds the lock takes it over; the lock is
            // left to expire, so no one else treats the new record as one.
            let mut connection = self.connection().await?;
            let locked: Option<String> = redis::cmd("SET")
                .arg(format!("{}:lock", record.id))
                .arg("True")
                .arg("EX")
                .arg(ORPHAN_LOCK_SECONDS)
                .arg("NX")
                .query_async(&mut connection)
                .await
                .map_err(|error| self.failed("SET (lock)", error))?;
            if locked.is_none() {
                return Ok(Claim::Exists(Some(existing)));
            }
            self.set(record, false).await?;
            Ok(Claim::Written)
        })
    }

    fn complete<'a>(&'a self, record: &'a Record) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.set(record, false).await.map(drop) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            redis::cmd("DEL")
                .arg(id)
                .query_async::<i64>(&mut connection)
                .await
                .map(drop)
                .map_err(|error| self.failed("DEL", error))
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Record>> {
        Box::pin(self.read(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_powertools_json_objects_and_read_back() {
        let store = RedisStore::new("redis://user:secret@127.0.0.1:6379/0");
        let record = Record {
            id: "f#1".to_owned(),
            status: Status::InProgress,
            expiration: 100,
            in_progress_expiration: Some(5_000),
            data: None,
            validation: Some("abc".to_owned()),
        };
        let text = store.encode(&record);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            serde_json::json!({"status": "INPROGRESS", "expiration": 100, "in_progress_expiration": 5000, "validation": "abc"})
        );
        assert_eq!(store.decode("f#1", &text).unwrap(), record);
        assert!(
            store
                .decode("f#1", "[1]")
                .unwrap_err()
                .to_string()
                .contains("not an idempotency record")
        );
        assert_eq!(
            store.describe(),
            "Redis at `redis://…@127.0.0.1:6379/0`",
            "no password shown"
        );
    }
}
