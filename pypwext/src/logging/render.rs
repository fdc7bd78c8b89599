//! How `#[logged]` renders arguments and return values (the type's
//! [`LogView`], else `Serialize`, else `Debug`), splits a return value into
//! a value and an error (a `Result`, else a value), and shows an error
//! (`std::error::Error` with its sources, else `Display`, else `Debug`, else
//! its type's name): three probe families chosen at compile time by autoref
//! specialization, which [`crate::probe`] explains, with each family's order.

use std::fmt;

use super::json;

/// How a type appears in `#[logged]` lines, when neither its `Serialize` nor
/// its `Debug` is right for a log: a request whose `Debug` shows the
/// `Authorization` header, say. Beats both.
///
/// A value's rendering is chosen by the traits its type implements:
/// `LogView`, else `Serialize`, else `Debug` (a type with none of them is a
/// compile error). The choice is made at compile time and silently:
/// deriving `Serialize` later on a type that was logged by `Debug` changes
/// its lines from `"Order { id: 7 }"` to `{"id":7}`, and implementing
/// `LogView` changes them again. It is made on the type as written in the
/// function's signature: a generic `T: Debug` is rendered by `Debug`
/// whatever `T` is. A reference (`order: &Order`, `&mut Order`) has its
/// referent's `LogView`, so a view that hides a secret hides it however the
/// value is passed.
///
/// ```
/// use pypwext::logging::LogView;
///
/// struct Card { number: String, holder: String }
///
/// impl LogView for Card {
///     fn log_view(&self) -> serde_json::Value {
///         let last4 = &self.number[self.number.len().saturating_sub(4)..];
///         serde_json::json!({ "holder": self.holder, "number": format!("**** {last4}") })
///     }
/// }
/// ```
pub trait LogView {
    /// The JSON a log line shows for this value.
    fn log_view(&self) -> serde_json::Value;

    /// Appends the view as JSON. The default serializes [`log_view`](LogView::log_view);
    /// override it to write straight from `self`, with no intermediate value.
    fn write_log_view(&self, out: &mut Vec<u8>) {
        json::write_serialize(out, &self.log_view());
    }
}

/// A borrowed value shows its referent's view: without this, `&T` would fall
/// to `T`'s `Serialize` or `Debug` and show what the view hides.
impl<T: LogView + ?Sized> LogView for &T {
    fn log_view(&self) -> serde_json::Value {
        (**self).log_view()
    }

    fn write_log_view(&self, out: &mut Vec<u8>) {
        (**self).write_log_view(out);
    }
}

impl<T: LogView + ?Sized> LogView for &mut T {
    fn log_view(&self) -> serde_json::Value {
        (**self).log_view()
    }

    fn write_log_view(&self, out: &mut Vec<u8>) {
        (**self).write_log_view(out);
    }
}

#[cfg(feature = "service")]
impl LogView for lambda_http::Request {
    /// Method, path, query, headers (`Authorization`, `Cookie` and
    /// `X-Amz-Security-Token` redacted) and body.
    fn log_view(&self) -> serde_json::Value {
        super::view::request_json(self)
    }

    fn write_log_view(&self, out: &mut Vec<u8>) {
        super::view::write_request(out, self);
    }
}

#[cfg(feature = "service")]
impl LogView for http::Response<lambda_http::Body> {
    /// Status, headers (`Set-Cookie` redacted) and body.
    fn log_view(&self) -> serde_json::Value {
        super::view::response_json(self)
    }

    fn write_log_view(&self, out: &mut Vec<u8>) {
        super::view::write_response(out, self);
    }
}

impl<T: serde::Serialize> LogView for lambda_runtime::LambdaEvent<T> {
    /// The payload and the request id; the rest of the context stays out.
    fn log_view(&self) -> serde_json::Value {
        serde_json::json!({
            "payload": serde_json::to_value(&self.payload).unwrap_or_else(|err| format!("<not serializable: {err}>").into()),
            "request_id": self.context.request_id,
        })
    }
}

/// Something `#[logged]` can write into a log line as a JSON value.
#[diagnostic::on_unimplemented(
    message = "`#[logged]` cannot log this value: its type implements none of `pypwext::logging::LogView`, `serde::Serialize`, `std::fmt::Debug`",
    label = "not loggable",
    note = "derive `Debug` or `Serialize` for the type, implement `LogView`, or, for an argument, leave it out of the log with `#[logged(skip(name))]`"
)]
pub trait RenderValue {
    /// Appends the value as JSON.
    fn render_json(&self, buf: &mut Vec<u8>);
}

/// The probe the generated code calls `.pypwext_render()` on.
pub struct Wrap<'a, T: ?Sized>(pub &'a T);

/// Renders through the type's [`LogView`].
pub struct ViewValue<'a, T: ?Sized>(&'a T);

impl<T: LogView + ?Sized> RenderValue for ViewValue<'_, T> {
    fn render_json(&self, buf: &mut Vec<u8>) {
        self.0.write_log_view(buf);
    }
}

/// First choice: the type's own log view.
pub trait ViaLogView<'a, T: ?Sized> {
    /// The renderer for this value.
    fn pypwext_render(&self) -> ViewValue<'a, T>;
}

impl<'a, T: LogView + ?Sized> ViaLogView<'a, T> for &&&Wrap<'a, T> {
    fn pypwext_render(&self) -> ViewValue<'a, T> {
        ViewValue(self.0)
    }
}

/// Renders with `Serialize`.
pub struct SerializeValue<'a, T: ?Sized>(&'a T);
/// Renders with `Debug`, as a JSON string.
pub struct DebugValue<'a, T: ?Sized>(&'a T);
/// A value of a type that has neither; it implements no [`RenderValue`], so
/// using it is a compile error at the user's parameter.
pub struct NotLoggable<'a, T: ?Sized>(#[allow(dead_code)] &'a T);

impl<T: serde::Serialize + ?Sized> RenderValue for SerializeValue<'_, T> {
    fn render_json(&self, buf: &mut Vec<u8>) {
        json::write_serialize(buf, self.0);
    }
}

impl<T: fmt::Debug + ?Sized> RenderValue for DebugValue<'_, T> {
    fn render_json(&self, buf: &mut Vec<u8>) {
        json::write_debug(buf, &self.0);
    }
}

/// Second choice: `Serialize`.
pub trait ViaSerialize<'a, T: ?Sized> {
    /// The renderer for this value.
    fn pypwext_render(&self) -> SerializeValue<'a, T>;
}

impl<'a, T: serde::Serialize + ?Sized> ViaSerialize<'a, T> for &&Wrap<'a, T> {
    fn pypwext_render(&self) -> SerializeValue<'a, T> {
        SerializeValue(self.0)
    }
}

/// Third choice: `Debug`.
pub trait ViaDebug<'a, T: ?Sized> {
    /// The renderer for this value.
    fn pypwext_render(&self) -> DebugValue<'a, T>;
}

impl<'a, T: fmt::Debug + ?Sized> ViaDebug<'a, T> for &Wrap<'a, T> {
    fn pypwext_render(&self) -> DebugValue<'a, T> {
        DebugValue(self.0)
    }
}

/// Last resort: a marker that fails to compile where it is used.
pub trait ViaNothing<'a, T: ?Sized> {
    /// The marker for this value.
    fn pypwext_render(&self) -> NotLoggable<'a, T>;
}

impl<'a, T: ?Sized> ViaNothing<'a, T> for Wrap<'a, T> {
    fn pypwext_render(&self) -> NotLoggable<'a, T> {
        NotLoggable(self.0)
    }
}

/// What a function returned, as `#[logged]` sees it: a value, or (for a
/// `Result`) an error.
pub enum Outcome<'a, T: ?Sized, E: ?Sized> {
    /// An `Ok` value, or the whole return value when it is not a `Result`.
    Value(&'a T),
    /// An `Err` value.
    Error(&'a E),
}

/// The probe the generated code calls `.pypwext_outcome()` on.
pub struct ProbeOutcome<'a, R: ?Sized>(pub &'a R);

/// A `Result`: `Ok` is a value, `Err` an error.
pub trait OutcomeOfResult<'a, T, E> {
    /// Splits the result.
    fn pypwext_outcome(&self) -> Outcome<'a, T, E>;
}

impl<'a, T, E> OutcomeOfResult<'a, T, E> for &ProbeOutcome<'a, Result<T, E>> {
    fn pypwext_outcome(&self) -> Outcome<'a, T, E> {
        match self.0 {
            Ok(value) => Outcome::Value(value),
            Err(err) => Outcome::Error(err),
        }
    }
}

/// Any other type: always a value.
pub trait OutcomeOfValue<'a, R: ?Sized> {
    /// The value.
    fn pypwext_outcome(&self) -> Outcome<'a, R, std::convert::Infallible>;
}

impl<'a, R: ?Sized> OutcomeOfValue<'a, R> for ProbeOutcome<'a, R> {
    fn pypwext_outcome(&self) -> Outcome<'a, R, std::convert::Infallible> {
        Outcome::Value(self.0)
    }
}

/// An error as the `exception` and `exception_name` keys show it.
pub trait RenderError {
    /// The error's text, with its sources for a `std::error::Error`.
    fn exception_text(&self) -> String;
    /// The error's type, without module paths.
    fn exception_name(&self) -> String;
}

/// The probe the generated code calls `.pypwext_exception()` on.
pub struct WrapError<'a, E: ?Sized>(pub &'a E);

/// An error rendered through `std::error::Error`, sources included.
pub struct StdError<'a, E: ?Sized>(&'a E);
/// An error rendered through `Display`.
pub struct DisplayError<'a, E: ?Sized>(&'a E);
/// An error rendered through `Debug`.
pub struct DebugError<'a, E: ?Sized>(&'a E);
/// An error type with none of those; logged by its type name alone.
pub struct OpaqueError<'a, E: ?Sized>(#[allow(dead_code)] &'a E);

impl<E: std::error::Error + 'static> RenderError for StdError<'_, E> {
    fn exception_text(&self) -> String {
        super::fields::ErrorChain(self.0).to_string()
    }
    fn exception_name(&self) -> String {
        short_type_name(std::any::type_name::<E>())
    }
}

impl<E: fmt::Display + ?Sized> RenderError for DisplayError<'_, E> {
    fn exception_text(&self) -> String {
        self.0.to_string()
    }
    fn exception_name(&self) -> String {
        short_type_name(std::any::type_name::<E>())
    }
}

impl<E: fmt::Debug + ?Sized> RenderError for DebugError<'_, E> {
    fn exception_text(&self) -> String {
        format!("{:?}", self.0)
    }
    fn exception_name(&self) -> String {
        short_type_name(std::any::type_name::<E>())
    }
}

impl<E: ?Sized> RenderError for OpaqueError<'_, E> {
    fn exception_text(&self) -> String {
        short_type_name(std::any::type_name::<E>())
    }
    fn exception_name(&self) -> String {
        short_type_name(std::any::type_name::<E>())
    }
}

/// First choice for errors: `std::error::Error`, with sources.
pub trait ErrorViaStd<'a, E: ?Sized> {
    /// The renderer.
    fn pypwext_exception(&self) -> StdError<'a, E>;
}
impl<'a, E: std::error::Error + 'static> ErrorViaStd<'a, E> for &&&WrapError<'a, E> {
    fn pypwext_exception(&self) -> StdError<'a, E> {
        StdError(self.0)
    }
}

/// Second choice for errors: `Display`.
pub trait ErrorViaDisplay<'a, E: ?Sized> {
    /// The renderer.
    fn pypwext_exception(&self) -> DisplayError<'a, E>;
}
impl<'a, E: fmt::Display + ?Sized> ErrorViaDisplay<'a, E> for &&WrapError<'a, E> {
    fn pypwext_exception(&self) -> DisplayError<'a, E> {
        DisplayError(self.0)
    }
}

/// Third choice for errors: `Debug`.
pub trait ErrorViaDebug<'a, E: ?Sized> {
    /// The renderer.
    fn pypwext_exception(&self) -> DebugError<'a, E>;
}
impl<'a, E: fmt::Debug + ?Sized> ErrorViaDebug<'a, E> for &WrapError<'a, E> {
    fn pypwext_exception(&self) -> DebugError<'a, E> {
        DebugError(self.0)
    }
}

/// Last resort for errors: the type's name.
pub trait ErrorViaName<'a, E: ?Sized> {
    /// The renderer.
    fn pypwext_exception(&self) -> OpaqueError<'a, E>;
}
impl<'a, E: ?Sized> ErrorViaName<'a, E> for WrapError<'a, E> {
    fn pypwext_exception(&self) -> OpaqueError<'a, E> {
        OpaqueError(self.0)
    }
}

/// `alloc::boxed::Box<dyn core::error::Error>` to `Box<dyn Error>`: every
/// path in a type name cut to its last segment.
pub(crate) fn short_type_name(full: &str) -> String {
    // Byte by byte: `::`, punctuation and spaces are ASCII, so the cuts fall
    // between characters. (By `char` it linked a kilobyte more into every
    // function: the service-only binary guard, `scripts/build-cost.sh`.)
    let bytes = full.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    // Where the path being read started in `out`.
    let mut path_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b':' && bytes.get(i + 1) == Some(&b':') {
            out.truncate(path_start);
            i += 2;
            continue;
        }
        out.push(b);
        // Punctuation and spaces end a path; letters of any script do not.
        if (b.is_ascii_punctuation() && b != b'_') || b == b' ' {
            path_start = out.len();
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| full.to_owned())
}

#[cfg(test)]
// The borrows are the point: they pick the impl, as in generated code.
#[allow(clippy::needless_borrow)]
#[path = "render_tests.rs"]
mod tests;
