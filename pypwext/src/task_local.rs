//! Reading the task-locals pypwext installs (the invocation, the error
//! collector) without copying what they hold.

/// Calls `f` with the value `key` holds in the running task, borrowed; with
/// `None` outside a scope of `key` (or when the scope holds none).
pub(crate) fn with_borrowed<T: 'static, R>(
    key: &'static tokio::task::LocalKey<Option<T>>,
    f: impl FnOnce(Option<&T>) -> R,
) -> R {
    // `try_with` consumes its closure even when it cannot call it, so `f`
    // travels in an `Option` and is called here when the key is not set.
    let mut f = Some(f);
    match key.try_with(|value| f.take().map(|f| f(value.as_ref()))) {
        Ok(Some(result)) => result,
        _ => match f {
            Some(f) => f(None),
            None => unreachable!("`f` is called in exactly one of the two places"),
        },
    }
}
