//! The values pypwext scopes to a task: the invocation and the error collector.
//!
//! As with tokio's `task_local!`, the value lives in a thread-local only while
//! the task's future is being polled (or while a sync scope runs), and is
//! swapped back out after: a multi-thread runtime may poll the task on another
//! thread next time, and two invocations on one thread never see each other's.
//! Unlike `task_local!`, a scope gives its value back when it ends, so the same
//! value can be scoped again (built in a sync scope, then polled in an async
//! one) without a clone, and the thread-local is `const`-initialized: no
//! first-use check on every access.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::LocalKey;

/// A thread-local that holds a task's value while the task runs.
pub(crate) type Key<T> = LocalKey<RefCell<Option<T>>>;

/// Calls `f` with the value `key` holds in the running task, borrowed; with
/// `None` outside a scope of `key` (or when the scope holds none).
pub(crate) fn with_borrowed<T: 'static, R>(key: &'static Key<T>, f: impl FnOnce(Option<&T>) -> R) -> R {
    // `try_with` consumes its closure even when it cannot call it (the thread
    // is exiting), so `f` travels in an `Option` and is called here then.
    let mut f = Some(f);
    let result = key.try_with(|cell| match cell.try_borrow() {
        Ok(value) => f.take().map(|f| f(value.as_ref())),
        // Only mutably borrowed for the instant of a swap, never around user code.
        Err(_) => None,
    });
    match (result, f) {
        (Ok(Some(result)), _) => result,
        (_, Some(f)) => f(None),
        (_, None) => unreachable!("`f` is called in exactly one of the two places"),
    }
}

/// Runs `f` with `value` in `key`; when `f` returns (or unwinds) the value
/// is back in `value`, and `key` holds what it held before.
#[inline(always)]
pub(crate) fn sync_scope<T: 'static, R>(key: &'static Key<T>, value: &mut Option<T>, f: impl FnOnce() -> R) -> R {
    match Swapped::enter(key, value) {
        Some(_swapped) => f(),
        // The thread's locals are being destroyed: nothing can be scoped any more.
        None => f(),
    }
}

/// A value swapped into its thread-local; swapped back out when dropped.
struct Swapped<'a, T: 'static> {
    key: &'static Key<T>,
    value: &'a mut Option<T>,
}

impl<'a, T: 'static> Swapped<'a, T> {
    fn enter(key: &'static Key<T>, value: &'a mut Option<T>) -> Option<Self> {
        // `borrow_mut` cannot fail: no borrow is ever held around code that
        // could enter a scope (as with tokio's task-locals).
        key.try_with(|cell| std::mem::swap(&mut *cell.borrow_mut(), value))
            .ok()?;
        Some(Swapped { key, value })
    }
}

impl<T: 'static> Drop for Swapped<'_, T> {
    fn drop(&mut self) {
        let _ = self
            .key
            .try_with(|cell| std::mem::swap(&mut *cell.borrow_mut(), self.value));
    }
}

pin_project_lite::pin_project! {
    /// A future polled with its value in `key`; see [`scope`].
    #[must_use = "futures do nothing unless awaited"]
    pub(crate) struct Scoped<T: 'static, F> {
        key: &'static Key<T>,
        value: Option<T>,
        // Taken out only when the scope is dropped, so that the future is
        // dropped inside its scope, as it ran.
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for Scoped<T, F> {
        fn drop(this: Pin<&mut Self>) {
            this.finish();
        }
    }
}

/// `future`, polled with `value` in `key`.
pub(crate) fn scope<T: 'static, F: Future>(key: &'static Key<T>, value: Option<T>, future: F) -> Scoped<T, F> {
    Scoped {
        key,
        value,
        future: Some(future),
    }
}

impl<T: 'static, F> Scoped<T, F> {
    /// Drops the future (inside its scope, if it is still there) and gives
    /// the value back.
    pub(crate) fn finish(self: Pin<&mut Self>) -> Option<T> {
        let mut this = self.project();
        if this.future.is_some() {
            sync_scope(this.key, this.value, || this.future.set(None));
        }
        this.value.take()
    }
}

impl<T: 'static, F: Future> Future for Scoped<T, F> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        sync_scope(this.key, this.value, || match future.as_pin_mut() {
            Some(future) => future.poll(cx),
            None => unreachable!("the future is only taken out when the scope is dropped"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SLOT: RefCell<Option<u32>> = const { RefCell::new(None) };
    }

    fn current() -> Option<u32> {
        with_borrowed(&SLOT, |value| value.copied())
    }

    #[test]
    fn a_sync_scope_nests_and_gives_its_value_back() {
        let mut outer = Some(1);
        let mut inner = Some(2);
        sync_scope(&SLOT, &mut outer, || {
            assert_eq!(current(), Some(1));
            sync_scope(&SLOT, &mut inner, || assert_eq!(current(), Some(2)));
            assert_eq!(current(), Some(1));
        });
        assert_eq!(current(), None);
        assert_eq!((outer, inner), (Some(1), Some(2)));
    }

    #[test]
    fn a_scope_is_left_when_its_code_unwinds() {
        let mut value = Some(3);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sync_scope(&SLOT, &mut value, || panic!("inside the scope"))
        }));
        assert!(unwound.is_err());
        assert_eq!(current(), None);
        assert_eq!(value, Some(3));
    }

    #[tokio::test]
    async fn a_future_sees_its_value_only_while_polled() {
        let scoped = scope(&SLOT, Some(4), async {
            assert_eq!(current(), Some(4));
            tokio::task::yield_now().await;
            assert_eq!(current(), Some(4));
            5
        });
        let other = async {
            // Polled between the scoped future's polls, on the same thread.
            assert_eq!(current(), None);
        };
        let (five, ()) = tokio::join!(scoped, other);
        assert_eq!(five, 5);
        assert_eq!(current(), None);
    }

    #[test]
    fn a_future_dropped_unfinished_is_dropped_inside_its_scope() {
        struct SeesSlotOnDrop(std::sync::Arc<std::sync::Mutex<Option<u32>>>);
        impl Drop for SeesSlotOnDrop {
            fn drop(&mut self) {
                *self.0.lock().unwrap() = current();
            }
        }
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let guard = SeesSlotOnDrop(seen.clone());
        let scoped = scope(&SLOT, Some(6), async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let mut scoped = Box::pin(scoped);
        let waker = std::task::Waker::noop();
        assert!(scoped.as_mut().poll(&mut Context::from_waker(waker)).is_pending());
        drop(scoped);
        assert_eq!(*seen.lock().unwrap(), Some(6));
        assert_eq!(current(), None);
    }
}
