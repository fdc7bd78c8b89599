//! The runtime of `#[collect_errors]`: a `Continue` error goes into the
//! current collector and the function returns "no value" (or the value an
//! [`ErrorWithReturn`] carries) instead.

use std::future::Future;

use futures_util::FutureExt as _;
use futures_util::future::{self, Either};

use super::collector::current_collector;
use super::{ErrorCollector, ErrorWithReturn, PwError};

/// What `#[collect_errors(...)]` was asked to do on one function; a `static`
/// in the generated code.
#[derive(Debug)]
pub struct CollectErrors {
    /// The annotated function's name, for the log line.
    pub function: &'static str,
    /// The line of the function's name, for the log line.
    pub line: u32,
    /// Install a fresh collector when none is current.
    pub root: bool,
    /// Log each collected error at WARNING.
    pub log: bool,
}

/// A return type that `#[collect_errors]` can put a collected error into.
///
/// Implemented for `Result<Option<T>, PwError>` (a collected error becomes
/// `Ok(None)`), `Result<Option<T>, ErrorWithReturn<T>>` (it becomes
/// `Ok(Some(value))` with the value it carries, else `Ok(None)`) and
/// `Result<(), PwError>` (it becomes `Ok(())`).
#[diagnostic::on_unimplemented(
    message = "`#[collect_errors]` cannot collect errors from a function returning `{Self}`",
    label = "`#[collect_errors]` needs `Result<Option<T>, PwError>`, `Result<Option<T>, ErrorWithReturn<T>>` or `Result<(), PwError>` here",
    note = "a collected error makes the function return `Ok(None)` (or `Ok(())`, or `Ok(Some(value))` for an `ErrorWithReturn<T>` carrying a value), so the `Ok` side must have room for \"no value\", the error must be a `PwError` or an `ErrorWithReturn<T>`, and its `T` must be the one in `Option<T>`"
)]
pub trait Collectable: Sized {
    /// Splits off the error and the value to return in its place when the
    /// error is one to collect (`ErrorAction::Continue`); gives `self` back
    /// otherwise.
    fn into_continue_error(self) -> Result<(PwError, Self), Self>;
}

impl<T> Collectable for Result<Option<T>, PwError> {
    fn into_continue_error(self) -> Result<(PwError, Self), Self> {
        match self {
            Err(err) if err.is_continue() => Ok((err, Ok(None))),
            other => Err(other),
        }
    }
}

impl<T> Collectable for Result<Option<T>, ErrorWithReturn<T>> {
    fn into_continue_error(self) -> Result<(PwError, Self), Self> {
        match self {
            Err(err) if err.error().is_continue() => {
                let (err, value) = err.into_parts();
                Ok((err, Ok(value)))
            }
            other => Err(other),
        }
    }
}

impl Collectable for Result<(), PwError> {
    fn into_continue_error(self) -> Result<(PwError, Self), Self> {
        match self {
            Err(err) if err.is_continue() => Ok((err, Ok(()))),
            other => Err(other),
        }
    }
}

/// The collector a root should install: `None` when one is already current.
fn fresh_root_collector(opts: &CollectErrors) -> Option<ErrorCollector> {
    (opts.root && current_collector().is_none()).then(ErrorCollector::new)
}

/// Collects `result`'s error into the current collector when it is a
/// `Continue` error and a collector is installed; logs it unless told not to.
///
/// The only item here bounded by [`Collectable`]: generated code names it as
/// `absorb::<ReturnType>`, spanned over the user's return type, so a return
/// type that does not fit is reported once, there.
pub fn absorb<R: Collectable>(opts: &CollectErrors, result: R) -> R {
    let Some(collector) = current_collector() else {
        return result;
    };
    match result.into_continue_error() {
        Ok((err, in_its_place)) => {
            if opts.log {
                collected_error_line(opts, &err);
            }
            collector.add(err);
            in_its_place
        }
        Err(result) => result,
    }
}

/// The WARNING line for a collected error: the error's JSON as the message,
/// its classification as the line's.
fn collected_error_line(opts: &CollectErrors, err: &PwError) {
    // Emitted here, inside pypwext: the logger takes `pypwext.message` as JSON
    // only from pypwext's own callsites.
    tracing::warn!(
        target: crate::log_target::ERRORS,
        location = %format_args!("{}:{}", opts.function, opts.line),
        classification = err.classification().as_str(),
        pypwext.message = %serde_json::to_string(err).unwrap_or_default(),
    );
}

/// The `#[collect_errors]` layer around a sync body; `absorb` is [`absorb`].
///
/// `absorb` is a fn pointer, not a generic: the future of the async twin then
/// does not carry `absorb::<R>`'s bound in its type, which would report a wrong
/// return type a second time, at the attribute.
pub fn collect_errors_sync<R>(opts: &CollectErrors, body: impl FnOnce() -> R, absorb: fn(&CollectErrors, R) -> R) -> R {
    match fresh_root_collector(opts) {
        Some(collector) => collector.sync_scope(|| absorb(opts, body())),
        None => absorb(opts, body()),
    }
}

/// The `#[collect_errors]` layer around an async body; `absorb` is [`absorb`].
///
/// Whether a root installs a collector is decided when the future is first
/// polled: a `#[collect_errors]` future may be made in one place and awaited
/// under another root.
pub fn collect_errors_async<F: Future>(
    opts: &'static CollectErrors,
    body: F,
    absorb: fn(&CollectErrors, F::Output) -> F::Output,
) -> impl Future<Output = F::Output> {
    // The result is absorbed inside the root's scope: a root collects its own
    // `Continue` error too. (Combinators, not `async` blocks, so that `body`
    // is held once: see `start_handler` in the service layer.)
    let absorbed = body.map(move |output| absorb(opts, output));
    future::lazy(move |_| match fresh_root_collector(opts) {
        Some(collector) => Either::Left(collector.scope(absorbed)),
        None => Either::Right(absorbed),
    })
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorAction;
    use http::StatusCode;

    const ROOT: CollectErrors = CollectErrors {
        function: "root",
        line: 1,
        root: true,
        log: false,
    };
    const PLAIN: CollectErrors = CollectErrors {
        function: "plain",
        line: 2,
        root: false,
        log: false,
    };

    fn continue_error() -> PwError {
        PwError::new(StatusCode::CONFLICT, "later").with_action(ErrorAction::Continue)
    }

    #[test]
    fn without_a_collector_errors_pass_through() {
        let out: Result<Option<u8>, PwError> = collect_errors_sync(&PLAIN, || Err(continue_error()), absorb);
        assert_eq!(out.unwrap_err().code(), StatusCode::CONFLICT);
    }

    #[test]
    fn root_collects_and_is_gone_afterwards() {
        let seen = collect_errors_sync(
            &ROOT,
            || -> Result<Option<usize>, PwError> {
                let inner: Result<(), PwError> = collect_errors_sync(&PLAIN, || Err(continue_error()), absorb);
                assert!(inner.is_ok());
                Ok(Some(current_collector().unwrap().len()))
            },
            absorb,
        );
        assert_eq!(seen.unwrap(), Some(1));
        assert!(current_collector().is_none());
    }

    #[test]
    fn raise_errors_are_never_collected() {
        let out = collect_errors_sync(
            &ROOT,
            || -> Result<Option<u8>, PwError> {
                let raised: Result<Option<u8>, PwError> =
                    collect_errors_sync(&PLAIN, || Err(PwError::new(StatusCode::BAD_GATEWAY, "stop")), absorb);
                assert_eq!(raised.unwrap_err().code(), StatusCode::BAD_GATEWAY);
                assert!(current_collector().unwrap().is_empty());
                Ok(None)
            },
            absorb,
        );
        assert!(out.is_ok());
    }

    #[test]
    fn nested_root_reuses_the_current_collector() {
        let outer = ErrorCollector::new();
        outer.sync_scope(|| {
            let _: Result<(), PwError> = collect_errors_sync(
                &ROOT,
                || {
                    assert!(current_collector().unwrap().same_as(&outer));
                    Err(continue_error())
                },
                absorb,
            );
        });
        assert_eq!(outer.len(), 1);
    }

    #[tokio::test]
    async fn async_root_collects_across_awaits() {
        let out = collect_errors_async(
            &ROOT,
            async {
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                    let _: Result<(), PwError> =
                        collect_errors_async(&PLAIN, async { Err(continue_error()) }, absorb).await;
                }
                Ok::<_, PwError>(Some(current_collector().unwrap().len()))
            },
            absorb,
        )
        .await;
        assert_eq!(out.unwrap(), Some(3));
        assert!(current_collector().is_none());
    }

    #[tokio::test]
    async fn async_root_decides_at_the_first_poll() {
        // Made outside any collector, awaited inside one: it joins that one.
        let made = collect_errors_async(&ROOT, async { Err::<(), _>(continue_error()) }, absorb);
        let outer = ErrorCollector::new();
        outer.scope(made).await.unwrap();
        assert_eq!(outer.len(), 1);
    }

    #[test]
    fn a_collected_error_with_return_gives_its_value() {
        let collector = ErrorCollector::new();
        let out: Result<Option<u8>, ErrorWithReturn<u8>> =
            collector.sync_scope(|| collect_errors_sync(&PLAIN, || Err(continue_error().with_return(7)), absorb));
        assert_eq!(out.unwrap(), Some(7));
        let plain: Result<Option<u8>, ErrorWithReturn<u8>> =
            collector.sync_scope(|| collect_errors_sync(&PLAIN, || Err(continue_error().into()), absorb));
        assert_eq!(plain.unwrap(), None);
        assert_eq!(collector.len(), 2);
        // Raised: comes back whole; no collector: comes back with its value.
        let raised: Result<Option<u8>, ErrorWithReturn<u8>> = collector.sync_scope(|| {
            collect_errors_sync(
                &PLAIN,
                || Err(PwError::new(StatusCode::BAD_GATEWAY, "stop").into()),
                absorb,
            )
        });
        assert_eq!(raised.unwrap_err().error().code(), StatusCode::BAD_GATEWAY);
        let alone: Result<Option<u8>, ErrorWithReturn<u8>> =
            collect_errors_sync(&PLAIN, || Err(continue_error().with_return(9)), absorb);
        assert_eq!(alone.unwrap_err().value(), Some(&9));
        assert_eq!(collector.len(), 2);
    }
}
