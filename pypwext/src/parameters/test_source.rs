//! A stand-in store for the unit tests: values in a map, every fetch
//! counted, failures and a held fetch on demand. It stands in for the AWS
//! stores only where the cache, the single flight, the retries and the
//! transforms are tested; the integration tests (`tests/tests/parameters_*.rs`)
//! read moto's real SSM, Secrets Manager and DynamoDB.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::cache::Cache;
use super::source::{Fetch, FetchError, FetchErrorKind, FetchFuture, Fetched, Source};

#[derive(Default)]
pub(crate) struct TestSource {
    values: Mutex<HashMap<Fetch, Fetched>>,
    fetches: AtomicUsize,
    failures: Mutex<VecDeque<FetchErrorKind>>,
    /// A fetch of this request waits for a permit.
    held: Mutex<Option<(Fetch, Arc<tokio::sync::Semaphore>)>>,
}

impl TestSource {
    pub(crate) fn new() -> Arc<TestSource> {
        Arc::new(TestSource::default())
    }

    pub(crate) fn set(&self, request: &Fetch, value: Fetched) {
        self.values.lock().unwrap().insert(request.clone(), value);
    }

    /// How many fetches were made.
    pub(crate) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// The next fetches fail with these kinds, in order.
    pub(crate) fn fail_next(&self, kinds: impl IntoIterator<Item = FetchErrorKind>) {
        self.failures.lock().unwrap().extend(kinds);
    }

    /// Fetches of `request` wait until the semaphore gives them a permit.
    pub(crate) fn hold(&self, request: &Fetch) -> Arc<tokio::sync::Semaphore> {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        *self.held.lock().unwrap() = Some((request.clone(), Arc::clone(&gate)));
        gate
    }
}

impl Source for TestSource {
    fn fetch<'a>(&'a self, request: &'a Fetch) -> FetchFuture<'a> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let gate = self
                .held
                .lock()
                .unwrap()
                .as_ref()
                .filter(|(held, _)| held == request)
                .map(|(_, gate)| Arc::clone(gate));
            if let Some(gate) = gate {
                gate.acquire().await.unwrap().forget();
            }
            if let Some(kind) = self.failures.lock().unwrap().pop_front() {
                return Err(FetchError::new(kind, "InjectedFailure"));
            }
            self.values
                .lock()
                .unwrap()
                .get(request)
                .cloned()
                .ok_or_else(FetchError::not_found)
        })
    }
}

/// A cache of the test's own, so tests never share entries.
pub(crate) fn fresh_cache() -> &'static Cache {
    Box::leak(Box::default())
}
