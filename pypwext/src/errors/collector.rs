//! The per-invocation error collector and the task-local that holds it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll};

use super::PwError;

thread_local! {
    // The running task's collector, swapped in only while the task is polled
    // (see `crate::task_local`): a multi-thread runtime moves a task between
    // threads, and two invocations on one thread must never see each other's errors.
    static CURRENT: RefCell<Option<ErrorCollector>> = const { RefCell::new(None) };
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
#[derive(Default)]
pub struct ErrorCollector {
    /// The shared list, made when first needed: most invocations collect
    /// nothing, and then no allocation is made at all.
    errors: OnceLock<Arc<Mutex<Vec<PwError>>>>,
}

impl Clone for ErrorCollector {
    /// A handle to the same list.
    fn clone(&self) -> Self {
        ErrorCollector {
            errors: OnceLock::from(Arc::clone(self.shared())),
        }
    }
}

impl ErrorCollector {
    /// An empty collector, not yet installed anywhere.
    pub fn new() -> Self {
        ErrorCollector::default()
    }

    // A panic while the lock was held cannot leave a `Vec` half-written, so a
    // poisoned lock is still a good list: never turn it into a second panic.
    fn lock(&self) -> MutexGuard<'_, Vec<PwError>> {
        self.shared().lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn shared(&self) -> &Arc<Mutex<Vec<PwError>>> {
        self.errors.get_or_init(Arc::default)
    }

    /// Whether the list was ever made: a collector that was never added to
    /// nor shared is empty, and stays unallocated when read.
    fn is_made(&self) -> bool {
        self.errors.get().is_some()
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
        if self.is_made() { self.lock().len() } else { 0 }
    }

    /// `true` when no error was collected.
    pub fn is_empty(&self) -> bool {
        !self.is_made() || self.lock().is_empty()
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
        if !self.is_made() {
            return Vec::new();
        }
        std::mem::take(&mut *self.lock())
    }

    /// `true` when `self` and `other` are handles to the same list.
    pub fn same_as(&self, other: &ErrorCollector) -> bool {
        Arc::ptr_eq(self.shared(), other.shared())
    }

    /// Runs `future` with this collector installed as the current one.
    pub fn scope<F: Future>(&self, future: F) -> CollectorScope<F> {
        CollectorScope {
            inner: crate::task_local::scope(&CURRENT, Some(self.clone()), future),
        }
    }

    /// Runs `future` with this collector installed, the collector moved in
    /// rather than shared: nothing is allocated for a collector that is never
    /// added to.
    pub(crate) fn into_scope<F: Future>(self, future: F) -> CollectorScope<F> {
        CollectorScope {
            inner: crate::task_local::scope(&CURRENT, Some(self), future),
        }
    }

    /// Runs `f` with this collector installed, moved in.
    pub(crate) fn into_sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        crate::task_local::sync_scope(&CURRENT, &mut Some(self), f)
    }

    /// Runs `f` with this collector installed as the current one.
    pub fn sync_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        crate::task_local::sync_scope(&CURRENT, &mut Some(self.clone()), f)
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
    with_current(|current| current.cloned())
}

/// Runs `f` with `collector` installed; it is back in `collector` after.
pub(crate) fn sync_scope<R>(collector: &mut Option<ErrorCollector>, f: impl FnOnce() -> R) -> R {
    crate::task_local::sync_scope(&CURRENT, collector, f)
}

/// Calls `f` with the current collector, borrowed: nothing is shared or
/// allocated to look at it.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&ErrorCollector>) -> R) -> R {
    crate::task_local::with_borrowed(&CURRENT, f)
}

pin_project_lite::pin_project! {
    /// A future that runs with an [`ErrorCollector`] installed (or with none);
    /// made by [`ErrorCollector::scope`] and [`CollectorFutureExt`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct CollectorScope<F: Future> {
        #[pin]
        inner: crate::task_local::Scoped<ErrorCollector, F>,
    }
}

impl<F: Future> Future for CollectorScope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

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
        CollectorScope {
            inner: crate::task_local::scope(&CURRENT, current_collector(), self),
        }
    }
}

impl<F: Future> CollectorFutureExt for F {}
