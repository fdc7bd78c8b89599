//! The guard `#[idempotent]` puts around a body: the semantics table of the
//! module docs, one call at a time. The generated code calls [`idempotent`]
//! with the key and payload values it computed from the parameters.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use futures_util::FutureExt;
use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Idempotency;
use super::hash::python_md5_hex;
use super::record::{Now, Record, Status};
use super::store::{Claim, StoreError};
use crate::errors::PwError;
use crate::lambda::Invocation;
use crate::log_target;

/// What one `#[idempotent]` function says of itself, in a `static`.
#[derive(Debug)]
pub struct Idempotent {
    function: &'static str,
    module_path: &'static str,
    key_prefix: Option<&'static str>,
    /// The record id's prefix, worked out at the first call.
    prefix: OnceLock<String>,
}

impl Idempotent {
    /// The settings of the function `function` in `module_path`.
    pub const fn new(function: &'static str, module_path: &'static str, key_prefix: Option<&'static str>) -> Self {
        Idempotent {
            function,
            module_path,
            key_prefix,
            prefix: OnceLock::new(),
        }
    }

    /// `key_prefix`, else `<AWS_LAMBDA_FUNCTION_NAME>.<module path with
    /// dots>.<fn name>` (`test-func` without the variable, as Powertools).
    pub fn prefix(&self) -> &str {
        self.prefix.get_or_init(|| match self.key_prefix {
            Some(prefix) => prefix.to_owned(),
            None => default_prefix(
                crate::env::process().lambda_function_name.as_deref(),
                self.module_path,
                self.function,
            ),
        })
    }
}

fn default_prefix(lambda_function: Option<&str>, module_path: &str, function: &str) -> String {
    format!(
        "{}.{}.{function}",
        lambda_function.unwrap_or("test-func"),
        module_path.replace("::", ".")
    )
}

/// How a return type `R` = `Result<T, E>` is split, its value stored and
/// loaded, and how the guard's own errors become `E`: fn pointers, so the
/// guard's future carries no bound that would be reported a second time.
pub struct Codec<R, T, E> {
    split: fn(R) -> Result<T, E>,
    join: fn(Result<T, E>) -> R,
    store: fn(&T) -> serde_json::Result<String>,
    load: fn(&str) -> serde_json::Result<T>,
    error: fn(PwError) -> E,
}

/// The return types `#[idempotent]` takes: `Result<T, E>` with a value that
/// can be stored and read back, and an error that a `PwError` converts into.
#[diagnostic::on_unimplemented(
    message = "an `#[idempotent]` function returns `Result<T, E>`, not `{Self}`",
    label = "return `Result<T, E>` with `T: Serialize + DeserializeOwned` and `E: From<PwError>`"
)]
pub trait IdempotentResult: Sized {
    /// The `Ok` type.
    type Ok;
    /// The `Err` type.
    type Err;
    /// How the value is stored and read back.
    const CODEC: Codec<Self, Self::Ok, Self::Err>;
}

impl<T: Serialize + DeserializeOwned, E: From<PwError>> IdempotentResult for Result<T, E> {
    type Ok = T;
    type Err = E;
    const CODEC: Codec<Self, T, E> = Codec {
        split: same::<Self>,
        join: same::<Self>,
        store: serde_json::to_string::<T>,
        load: load::<T>,
        error: E::from,
    };
}

fn same<R>(result: R) -> R {
    result
}

fn load<T: DeserializeOwned>(data: &str) -> serde_json::Result<T> {
    serde_json::from_str(data)
}

/// The value of `key = <expr>` (and of `validate = <expr>`), as JSON; a
/// key that cannot be written as JSON is a 500 (the body does not run). The
/// generated code names it spanned over the expression, so a value that is
/// not `Serialize` is reported there.
pub fn key<K: Serialize + ?Sized>(key: &K) -> Result<Value, PwError> {
    serde_json::to_value(key).map_err(|err| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "the idempotency key cannot be written as JSON: {err}; give `key = …` a value whose Serialize succeeds"
            ),
        )
    })
}

/// The key of a function with several parameters and no `key = …`: a JSON
/// object of them by name.
#[derive(Debug)]
pub struct KeyObject(Result<Map<String, Value>, PwError>);

impl KeyObject {
    /// An empty object.
    pub fn new() -> Self {
        KeyObject(Ok(Map::new()))
    }

    /// Adds the parameter `name`.
    #[must_use]
    pub fn field<V: Serialize + ?Sized>(self, name: &str, value: &V) -> Self {
        KeyObject(self.0.and_then(|mut map| {
            map.insert(name.to_owned(), key(value)?);
            Ok(map)
        }))
    }

    /// The object.
    pub fn finish(self) -> Result<Value, PwError> {
        self.0.map(Value::Object)
    }
}

impl Default for KeyObject {
    fn default() -> Self {
        KeyObject::new()
    }
}

/// The 409 of a request whose key is in progress elsewhere.
pub(crate) fn in_progress() -> PwError {
    PwError::new(
        StatusCode::CONFLICT,
        "a request with the same idempotency key is in progress; retry later",
    )
}

/// The 422 of a key used with another payload.
pub(crate) fn payload_mismatch() -> PwError {
    PwError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "the idempotency key was used with another payload",
    )
}

/// The 502 of a store that failed: the body did not run (or, after it ran,
/// its result could not be stored).
fn store_failed(idempotency: &Idempotency, doing: &str, error: StoreError) -> PwError {
    PwError::new(
        StatusCode::BAD_GATEWAY,
        format!(
            "the idempotency store ({}) failed to {doing}: {}; check that it is reachable and retry",
            idempotency.store().describe(),
            crate::logging::fields::ErrorChain(&error)
        ),
    )
    .with_source(error)
}

/// Runs `body` at most once per key: the table of the module docs.
///
/// `key` and `validate` are the values the generated code computed from the
/// parameters; `codec` is `<ReturnType as IdempotentResult>::CODEC`.
pub async fn idempotent<F: Future, T, E>(
    idempotency: &Idempotency,
    site: &Idempotent,
    key: Result<Value, PwError>,
    validate: Option<Result<Value, PwError>>,
    body: F,
    codec: Codec<F::Output, T, E>,
) -> F::Output {
    let join = codec.join;
    join(guard(idempotency, site, key, validate, body, &codec).await)
}

async fn guard<F: Future, T, E>(
    idempotency: &Idempotency,
    site: &Idempotent,
    key: Result<Value, PwError>,
    validate: Option<Result<Value, PwError>>,
    body: F,
    codec: &Codec<F::Output, T, E>,
) -> Result<T, E> {
    if let Some(problem) = &idempotency.problem {
        return Err((codec.error)(PwError::new(StatusCode::BAD_GATEWAY, problem.clone())));
    }
    let key = key.map_err(codec.error)?;
    let validation = match validate {
        Some(payload) => Some(python_md5_hex(&payload.map_err(codec.error)?)),
        None => None,
    };
    if key_is_missing(&key) {
        // Powertools runs the function unguarded when the key is missing
        // (null, or every part of it null), with a warning; so does pypwext.
        tracing::warn!(
            target: log_target::IDEMPOTENCY,
            function = site.function,
            "the idempotency key is null; the function runs without idempotency"
        );
        return (codec.split)(body.await);
    }
    let id = format!("{}#{}", site.prefix(), python_md5_hex(&key));
    let now = Now::current();

    if let Some(cache) = &idempotency.cache
        && let Some(record) = cache.get(&id, now)
    {
        return answer_existing(&record, validation.as_deref(), now, codec);
    }

    let record = Record {
        id,
        status: Status::InProgress,
        expiration: now.seconds.saturating_add(idempotency.expires_after.as_secs()),
        in_progress_expiration: Invocation::current()
            .and_then(|invocation| invocation.deadline())
            .map(|deadline| Now::at(deadline).millis),
        data: None,
        validation,
    };
    let existing = match idempotency.store().put_in_progress(&record, now).await {
        Ok(Claim::Written) => None,
        Ok(Claim::Exists(Some(existing))) => Some(existing),
        // The store did not give the record in the way: one read for it.
        Ok(Claim::Exists(None)) => match idempotency.store().get(&record.id).await {
            Ok(Some(existing)) => Some(existing),
            // Deleted in between: the other call failed; retrying runs again.
            Ok(None) => return Err((codec.error)(in_progress())),
            Err(error) => return Err((codec.error)(store_failed(idempotency, "read a record", error))),
        },
        Err(error) => {
            return Err((codec.error)(store_failed(
                idempotency,
                "write the in-progress record",
                error,
            )));
        }
    };
    if let Some(existing) = existing {
        // The cache keeps completed records only.
        if let Some(cache) = &idempotency.cache {
            cache.put(&existing);
        }
        return answer_existing(&existing, record.validation.as_deref(), now, codec);
    }

    match AssertUnwindSafe(body).catch_unwind().await.map(codec.split) {
        Ok(Ok(value)) => {
            let data = match (codec.store)(&value) {
                Ok(data) => data,
                Err(err) => {
                    delete(idempotency, &record.id).await;
                    return Err((codec.error)(PwError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!(
                            "the result cannot be stored as JSON: {err}; give the Ok type a Serialize that succeeds"
                        ),
                    )));
                }
            };
            let completed = Record {
                status: Status::Completed,
                expiration: Now::current()
                    .seconds
                    .saturating_add(idempotency.expires_after.as_secs()),
                in_progress_expiration: None,
                data: Some(data),
                ..record
            };
            if let Err(error) = idempotency.store().complete(&completed).await {
                return Err((codec.error)(store_failed(idempotency, "store the result", error)));
            }
            if let Some(cache) = &idempotency.cache {
                cache.put(&completed);
            }
            Ok(value)
        }
        Ok(Err(error)) => {
            delete(idempotency, &record.id).await;
            Err(error)
        }
        Err(panic) => {
            delete(idempotency, &record.id).await;
            std::panic::resume_unwind(panic)
        }
    }
}

/// Deletes the record after the body failed, so a retry runs again. The
/// body's own error (or panic) is the answer; a failed delete leaves the
/// record `INPROGRESS` until its in-progress expiry, and says so.
async fn delete(idempotency: &Idempotency, id: &str) {
    if let Some(cache) = &idempotency.cache {
        cache.remove(id);
    }
    if let Err(error) = idempotency.store().delete(id).await {
        tracing::error!(
            target: log_target::IDEMPOTENCY,
            record = id,
            "the idempotency record could not be deleted after the function failed: {error}; a retry gets 409 until the record's in-progress expiry"
        );
    }
}

/// The answer to a call whose key has a record that may not be replaced.
fn answer_existing<R, T, E>(
    existing: &Record,
    validation: Option<&str>,
    now: Now,
    codec: &Codec<R, T, E>,
) -> Result<T, E> {
    // As Powertools: the payload is checked first, whatever the status, and
    // only by a function that validates. A record stored without a payload
    // hash has nothing to check against: one written without `validate`, or
    // completed by Powertools' Redis layer, which drops the hash then.
    if let (Some(validation), Some(stored)) = (validation, existing.validation.as_deref())
        && stored != validation
    {
        return Err((codec.error)(payload_mismatch()));
    }
    match existing.status {
        // Expired or abandoned records are replaced by the conditional
        // write; one seen here changed in between: retrying settles it.
        _ if existing.may_be_replaced(now) => Err((codec.error)(in_progress())),
        Status::InProgress => Err((codec.error)(in_progress())),
        Status::Completed => {
            let data = existing.data.as_deref().unwrap_or("null");
            (codec.load)(data).map_err(|err| {
                (codec.error)(PwError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!(
                        "the stored result of idempotency record `{}` cannot be read back: {err}; \
                         the function's Ok type changed since it was stored, change `key_prefix` or delete the record",
                        existing.id
                    ),
                ))
            })
        }
    }
}

/// Powertools' test for a missing key: null, or an object or list whose
/// every part is null. (`false`, `0` and `""` are keys, except that
/// Powertools also skips an empty string, list or object.)
fn key_is_missing(key: &Value) -> bool {
    match key {
        Value::Null => true,
        Value::Object(map) => map.values().all(Value::is_null),
        Value::Array(items) => items.iter().all(Value::is_null),
        Value::String(text) => text.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
