//! What a store does for the guard: one conditional write of an
//! `INPROGRESS` record (which gives back the record in the way, so a
//! repeated request costs one round trip), then `COMPLETED` or a delete.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use super::record::{Now, Record};

/// The future a [`Store`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What the conditional write of an `INPROGRESS` record found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The record was written: this call runs the body.
    Written,
    /// A record that may not be replaced is in the way (see
    /// [`Record::may_be_replaced`]); `None` when the store did not say which.
    Exists(Option<Record>),
}

/// A place idempotency records are kept: DynamoDB, Redis, memory, or your own.
///
/// Every method is one round trip. [`put_in_progress`](Store::put_in_progress)
/// must be atomic: of two concurrent calls for one id, at most one is
/// [`Claim::Written`].
pub trait Store: Send + Sync + 'static {
    /// What the store is, for messages: ``DynamoDB table `idempotency` ``.
    fn describe(&self) -> String;

    /// Writes `record` (`INPROGRESS`) unless a record with its id exists that
    /// may not be replaced at `now` ([`Record::may_be_replaced`]).
    fn put_in_progress<'a>(&'a self, record: &'a Record, now: Now) -> StoreFuture<'a, Claim>;

    /// Replaces the record with `record` (`COMPLETED`, with its data).
    fn complete<'a>(&'a self, record: &'a Record) -> StoreFuture<'a, ()>;

    /// Deletes the record `id`; an absent record is not an error.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;

    /// The record `id`, if there is one.
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Record>>;
}

/// A store that failed or could not be reached.
#[derive(Debug)]
pub struct StoreError {
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the error that caused it (its [`source`](StdError::source);
    /// the 502 that the guard answers writes the whole chain).
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}

/// The message alone: its causes are its `source` chain, which a reader of
/// the chain (a log line, the guard's 502) writes once.
impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|s| s as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Refused;
    impl fmt::Display for Refused {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("connection refused")
        }
    }
    impl StdError for Refused {}

    #[test]
    fn the_causes_are_the_source_chain_written_once() {
        let error = StoreError::new("PutItem failed").with_source(Refused);
        assert_eq!(error.to_string(), "PutItem failed");
        assert_eq!(
            crate::logging::fields::ErrorChain(&error).to_string(),
            "PutItem failed: connection refused"
        );
    }
}
