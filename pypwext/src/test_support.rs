//! Helpers the unit tests of several modules share.

/// The message of a caught panic: a `&str` or a formatted `String` (the
/// compile-time checks' `const fn`s panic; their tests call them at run time).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default()
}
