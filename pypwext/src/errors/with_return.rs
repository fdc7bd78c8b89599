//! [`ErrorWithReturn`]: a collected error that carries the value the function
//! returns in its place (the Python pypwext's `PyPwExtErrorWithReturn`).

use std::fmt;

use serde::{Serialize, Serializer};

use super::{ErrorAction, PwError};

/// A [`PwError`] with the value a `#[collect_errors]` function returns in its
/// place when the error is collected: the Python pypwext's
/// `PyPwExtErrorWithReturn`, checked by the compiler.
///
/// A function that returns `Result<Option<T>, ErrorWithReturn<T>>` under
/// `#[collect_errors]` answers `Ok(Some(value))` for a collected error that
/// carries `value`, and `Ok(None)` for one that carries none (a `PwError`
/// converted with `?` or `From`). The value is a `T`, the function's own:
/// a value of another type is a compile error (`expected String, found u32`),
/// and so is an `ErrorWithReturn<U>` in a function whose `Ok` side is
/// `Option<T>`. Where nothing collects the error (a `Raise` error, or no
/// collector installed) it comes back to the caller unchanged, and `?` turns
/// it into its `PwError` in a function that returns one.
///
/// [`PwError::with_return`] makes one; its action becomes
/// [`ErrorAction::Continue`], since a value in place of the error only means
/// something when the caller goes on. The value is not part of the error's
/// JSON, its `Debug` or its log lines (the Python original keeps it opaque
/// too).
///
/// The Python pypwext's `send_offer`: an offer the customer already has is
/// reported, and the customer still counts as done.
///
/// ```
/// use pypwext::{collect_errors, current_collector, ErrorWithReturn, PwError, StatusCode};
///
/// #[collect_errors]
/// fn send_offer(email: &str, status: StatusCode) -> Result<Option<String>, ErrorWithReturn<String>> {
///     if status == StatusCode::CONFLICT {
///         // Collected, and the function returns `Ok(Some(email))` in its place.
///         return Err(PwError::new(StatusCode::CONFLICT, format!("{email} already has the offer"))
///             .with_return(email.to_owned()));
///     }
///     if !status.is_success() {
///         // A plain `PwError`: nothing to return in its place (`Ok(None)` once collected).
///         return Err(PwError::new(status, format!("failed to send the offer to {email}")).into());
///     }
///     Ok(Some(email.to_owned()))
/// }
///
/// #[collect_errors(root)]
/// fn send_offers(answers: &[(&str, StatusCode)]) -> Result<Option<(Vec<String>, usize)>, PwError> {
///     let mut updated = Vec::new();
///     for (email, status) in answers {
///         updated.extend(send_offer(email, *status)?); // `?`: a `Raise` error stops here as a `PwError`
///     }
///     Ok(Some((updated, current_collector().map_or(0, |c| c.len()))))
/// }
///
/// let (updated, collected) = send_offers(&[
///     ("ada@example.com", StatusCode::OK),
///     ("bob@example.com", StatusCode::CONFLICT),
/// ])
/// .unwrap()
/// .unwrap();
/// assert_eq!(updated, ["ada@example.com", "bob@example.com"]);
/// assert_eq!(collected, 1);
///
/// // Outside a collector the error comes back, value and all.
/// let err = send_offer("bob@example.com", StatusCode::CONFLICT).unwrap_err();
/// assert_eq!(err.value().map(String::as_str), Some("bob@example.com"));
/// assert_eq!(err.error().code(), StatusCode::CONFLICT);
/// ```
///
/// A value of another type than the function's `T` does not compile:
///
/// ```compile_fail,E0308
/// use pypwext::{collect_errors, ErrorWithReturn, PwError, StatusCode};
///
/// #[collect_errors]
/// fn send_offer(email: &str) -> Result<Option<String>, ErrorWithReturn<String>> {
///     Err(PwError::new(StatusCode::CONFLICT, "already sent").with_return(email.len()))
/// }
/// ```
pub struct ErrorWithReturn<T> {
    error: PwError,
    value: Option<T>,
}

impl<T> ErrorWithReturn<T> {
    /// `error` with `value` to return in its place when collected; the error's
    /// action becomes [`ErrorAction::Continue`].
    pub fn new(error: PwError, value: T) -> Self {
        ErrorWithReturn {
            error: error.with_action(ErrorAction::Continue),
            value: Some(value),
        }
    }

    /// The error.
    pub fn error(&self) -> &PwError {
        &self.error
    }

    /// The value returned in the error's place, if it carries one.
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// The error and the value.
    pub fn into_parts(self) -> (PwError, Option<T>) {
        (self.error, self.value)
    }
}

impl PwError {
    /// This error with `value` for a `#[collect_errors]` function to return
    /// in its place when the error is collected; its action becomes
    /// [`ErrorAction::Continue`]. See [`ErrorWithReturn`].
    pub fn with_return<T>(self, value: T) -> ErrorWithReturn<T> {
        ErrorWithReturn::new(self, value)
    }
}

/// A `PwError` as is, with no value: `Ok(None)` when collected. So `?` on a
/// `Result<_, PwError>` works in a function returning `ErrorWithReturn<T>`.
impl<T> From<PwError> for ErrorWithReturn<T> {
    fn from(error: PwError) -> Self {
        ErrorWithReturn { error, value: None }
    }
}

/// The error without its value: `?` in a function returning `PwError`.
impl<T> From<ErrorWithReturn<T>> for PwError {
    fn from(error: ErrorWithReturn<T>) -> Self {
        error.error
    }
}

impl<T: Clone> Clone for ErrorWithReturn<T> {
    fn clone(&self) -> Self {
        ErrorWithReturn {
            error: self.error.clone(),
            value: self.value.clone(),
        }
    }
}

impl<T> fmt::Display for ErrorWithReturn<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// The error, and whether a value is carried (not the value: it stays out
/// of logs, as in the Python original).
impl<T> fmt::Debug for ErrorWithReturn<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorWithReturn")
            .field("error", &self.error)
            .field("has_value", &self.value.is_some())
            .finish()
    }
}

impl<T> std::error::Error for ErrorWithReturn<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.error)
    }
}

/// Serialized as its [`PwError`]; the value is not part of the JSON.
impl<T> Serialize for ErrorWithReturn<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.error.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn the_value_stays_out_of_json_and_debug() {
        let err = PwError::new(StatusCode::CONFLICT, "already sent").with_return("secret@example.com".to_owned());
        assert_eq!(err.error().action(), ErrorAction::Continue);
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::to_value(err.error()).unwrap()
        );
        assert!(!format!("{err:?}").contains("secret"), "{err:?}");
        assert_eq!(err.to_string(), "already sent");
    }

    #[test]
    fn a_plain_error_converts_both_ways_without_a_value() {
        let raised = PwError::new(StatusCode::BAD_GATEWAY, "down");
        let with: ErrorWithReturn<u8> = raised.into();
        assert_eq!(with.value(), None);
        assert_eq!(with.error().action(), ErrorAction::Raise, "the action is kept");
        let back: PwError = PwError::new(StatusCode::CONFLICT, "x").with_return(7u8).into();
        assert_eq!(back.code(), StatusCode::CONFLICT);
    }
}
