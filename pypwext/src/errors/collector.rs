//! The per-invocation error collector and the task-local that holds it.

use std::cell::Cell;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::task::futures::TaskLocalFuture;

use super::PwError;

tokio::task_local! {
    // The running task's collector, or `None` where a scope installs none.
    // Task-local: a multi-thread runtime moves a task between threads, and two
    // invocations on one thread must never see each other's errors.
    //
    // An empty cell is a collector not made yet ([`fresh_scope`],
    // [`start_fresh`]): each batch record gets its own collector, and most
    // records never use it. Making each only when asked for, and one scope
    // for the records of a batch that run one at a time rather than one scope
    // per record, cut the per-record overhead of `#[batch_response]` against
    // a hand-written loop (`cargo bench -p pypwext-tests --bench batch`
    // measures it; BENCHMARKS.md, "Batches", has the current figure).
    static CURRENT: Option<Cell<Option<ErrorCollector>>>;
}

/// The errors collected during one invocation.
///
/// An `ErrorCollector` is a cheap handle: clones share the same list. One is
/// installed for the duration of a `#[collect_errors(root)]` function (or by
/// [`ErrorCollector::scope`]) and is visible to everything that runs in that
/// call, in the same task: nested calls, sync or async, and futures joined with
/// `join_all` or `tokio::join!`. A task started with `tokio::spawn` does not
/// inherit it; hand it over with [`CollectorFutureExt::with_current_collector`]:
///
/// ```
/// use pypwext::{CollectorFutureExt, ErrorAction, ErrorCollector, PwError, StatusCode};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let collector = ErrorCollector::new();
/// collector
///     .scope(async {
///         let spawned = tokio::spawn(
///             async {
///                 let err = PwError::new(StatusCode::CONFLICT, "seen in a spawned task")
///                     .with_action(ErrorAction::Continue);
///                 pypwext::current_collector().expect("carried over").add(err);
///             }
///             .with_current_collector(),
///         );
///         spawned.await.unwrap();
///     })
///     .await;
/// assert_eq!(collector.len(), 1);
/// # });
/// ```
#[derive(Clone, Default)]
pub struct ErrorCollector {
    /// The list every clone of this handle shares.
    errors: Arc<Mutex<Vec<PwError>>>,
}

impl ErrorCollector {
    /// An empty collector, not yet installed anywhere.
    pub fn new() -> Self {
        ErrorCollector::default()
    }

    // A panic while the lock was held cannot leave a `Vec` half-written, so a
    // poisoned lock is still a good list: never turn it into a second panic.
    fn lock(&self) -> MutexGuard<'_, Vec<PwError>> {
        self.errors.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of the collected errors, oldest first.
    pub fn errors(&self) -> Vec<PwError> {
        self.lock().clone()
    }

    /// `true` when at least one error was collected.
    pub fn has_errors(&self) -> bool {
        !self.is_empty()
    }

    /// How many errors were collected.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// `true` when no error was collected.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The error with the highest status code; the oldest of them on a tie.
    pub fn highest(&self) -> Option<PwError> {
        let errors = self.lock();
        let mut highest: Option<&PwError> = None;
        for err in errors.iter() {
            if highest.is_none_or(|h| err.code() > h.code()) {
                highest = Some(err);
            }
        }
        highest.cloned()
    }

    /// The collected errors for which `predicate` is true, oldest first.
    pub fn matching(&self, mut predicate: impl FnMut(&PwError) -> bool) -> Vec<PwError> {
        self.lock().iter().filter(|e| predicate(e)).cloned().collect()
    }

    /// Adds an error.
    pub fn add(&self, err: PwError) {
        self.lock().push(err);
    }

    /// Removes every collected error.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Removes and returns every collected error, oldest first.
    pub fn take(&self) -> Vec<PwError> {
        std::mem::take(&mut *self.lock())
    }

    /// `true` when `self` and `other` are handles to the same list.
    pub fn same_as(&self, other: &ErrorCollector) -> bool {
        Arc::ptr_eq(&self.errors, &other.errors)
    }

    /// Runs `future` with this collector installed as the current one.
    pub fn scope<F: Future>(&self, future: F) -> CollectorScope<F> {
        CURRENT.scope(Some(Cell::new(Some(self.clone()))), future)
    }

    /// Runs `f` with this collector installed as the current one.
    pub fn sync_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(Some(Cell::new(Some(self.clone()))), f)
    }
}

impl std::fmt::Debug for ErrorCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorCollector").field("errors", &*self.lock()).finish()
    }
}

/// The collector installed for the code that is running now, if any.
///
/// `None` outside a `#[collect_errors(root)]` function or an
/// [`ErrorCollector::scope`]; then `#[collect_errors]` lets every error through.
pub fn current_collector() -> Option<ErrorCollector> {
    let made = |cell: &Cell<Option<ErrorCollector>>| {
        let collector = cell.take().unwrap_or_default();
        cell.set(Some(collector.clone()));
        collector
    };
    CURRENT.try_with(|slot| slot.as_ref().map(made)).ok().flatten()
}

/// Runs `future` with a collector of its own, made when the code in it first
/// asks for the current one; the errors it collects are not read afterwards.
#[cfg(feature = "batch")]
pub(crate) fn fresh_scope<F: Future>(future: F) -> CollectorScope<F> {
    CURRENT.scope(Some(Cell::new(None)), future)
}

/// Inside a [`fresh_scope`]: from here on, the code asks for a new collector,
/// as if a new scope had begun (the errors collected so far are dropped).
#[cfg(feature = "batch")]
pub(crate) fn start_fresh() {
    let _ = CURRENT.try_with(|slot| slot.as_ref().map(|cell| cell.set(None)));
}

/// A future that runs with an [`ErrorCollector`] installed (or with none);
/// made by [`ErrorCollector::scope`] and [`CollectorFutureExt`].
pub type CollectorScope<F> = TaskLocalFuture<Option<Cell<Option<ErrorCollector>>>, F>;

/// Carries an [`ErrorCollector`] into a future that runs elsewhere, such as a
/// task started with `tokio::spawn`.
pub trait CollectorFutureExt: Future + Sized {
    /// Runs the future with `collector` installed.
    fn with_collector(self, collector: ErrorCollector) -> CollectorScope<Self> {
        collector.scope(self)
    }

    /// Runs the future with the collector that is current here and now
    /// installed, or with none when none is current.
    fn with_current_collector(self) -> CollectorScope<Self> {
        CURRENT.scope(current_collector().map(|c| Cell::new(Some(c))), self)
    }
}

impl<F: Future> CollectorFutureExt for F {}

#[cfg(all(test, feature = "batch"))]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_scope_makes_its_collector_when_asked_and_anew_after_start_fresh() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(fresh_scope(async {
            let first = current_collector().expect("a fresh scope has a collector");
            assert!(
                current_collector().unwrap().same_as(&first),
                "asked twice, one collector"
            );
            start_fresh();
            let second = current_collector().unwrap();
            assert!(!second.same_as(&first), "started afresh, a new collector");
            // A handle taken before keeps its list.
            first.add(PwError::new(http::StatusCode::CONFLICT, "kept"));
            assert_eq!((first.len(), second.len()), (1, 0));
        }));
        assert!(current_collector().is_none(), "none outside a scope");
    }
}
