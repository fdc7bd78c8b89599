//! The per-process cache of fetched values, and the single flight: callers
//! that read the same value while it is being fetched share that one fetch.
//!
//! One map from request to entry, behind a `std::sync::Mutex` that is held
//! only to look at or update an entry, never across an await: a slow store
//! for one name never holds up the reads of another. An entry keeps the last
//! value fetched (and when) and the fetch in flight, if any, as a
//! [`Shared`] future that every caller awaits; the first to poll it drives
//! it, and it stores its own outcome when it ends. A failure is handed to the
//! callers that shared it and not stored: the next read fetches again.
//!
//! Values are stored as fetched, not transformed: one fetch serves every
//! transform of a name, a transform needs no `Clone` of its output, and a
//! secret stays in one buffer that is wiped when the entry is replaced.
//! Its tests are the module's (`parameters::tests`), against a stand-in store.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::future::Shared;

use super::retry::Retry;
use super::source::{Fetch, Fetched, Source};
use crate::PwError;
use crate::lambda::Invocation;

/// A fetch's outcome, as every caller that shared it sees it.
pub(crate) type Outcome = Result<Arc<Fetched>, PwError>;

type InFlight = Shared<Pin<Box<dyn Future<Output = Outcome> + Send>>>;

/// Fetched values by request, and the fetches in flight.
#[derive(Default)]
pub(crate) struct Cache {
    entries: Mutex<HashMap<Fetch, Entry>>,
}

#[derive(Default)]
struct Entry {
    stored: Option<Stored>,
    in_flight: Option<InFlight>,
}

struct Stored {
    value: Arc<Fetched>,
    at: Instant,
}

/// How one read goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadOptions {
    /// A stored value older than this is fetched again.
    pub(crate) max_age: Duration,
    /// Fetch (or join the fetch in flight) whatever is stored.
    pub(crate) force: bool,
    pub(crate) retry: Retry,
}

impl Cache {
    fn entries(&self) -> MutexGuard<'_, HashMap<Fetch, Entry>> {
        // The lock guards plain data, updated whole: a panic elsewhere cannot
        // leave it half-written.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value of `request`: stored and younger than the max age, else the
    /// fetch in flight, else a new fetch from `source` that later callers join.
    pub(crate) async fn read(&'static self, source: Arc<dyn Source>, request: Fetch, options: ReadOptions) -> Outcome {
        let in_flight = {
            let mut entries = self.entries();
            let entry = entries.entry(request.clone()).or_default();
            let young = entry
                .stored
                .as_ref()
                .filter(|stored| !options.force && stored.at.elapsed() < options.max_age);
            if let Some(stored) = young {
                return Ok(Arc::clone(&stored.value));
            }
            match &entry.in_flight {
                Some(in_flight) => in_flight.clone(),
                None => {
                    // The deadline of the invocation that starts the fetch.
                    let deadline = Invocation::current().and_then(|invocation| invocation.deadline());
                    let fetch: Pin<Box<dyn Future<Output = Outcome> + Send>> = Box::pin(async move {
                        let outcome = options.retry.fetch(&*source, &request, deadline).await.map(Arc::new);
                        self.finish(&request, &outcome);
                        outcome
                    });
                    let in_flight = fetch.shared();
                    entry.in_flight = Some(in_flight.clone());
                    in_flight
                }
            }
        };
        in_flight.await
    }

    /// Ends the fetch in flight for `request`, storing what it fetched.
    fn finish(&self, request: &Fetch, outcome: &Outcome) {
        let mut entries = self.entries();
        if let Some(entry) = entries.get_mut(request) {
            entry.in_flight = None;
            if let Ok(value) = outcome {
                entry.stored = Some(Stored {
                    value: Arc::clone(value),
                    at: Instant::now(),
                });
            }
        }
    }
}
