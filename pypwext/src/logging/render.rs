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
        super::layer::ErrorChain(self.0).to_string()
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
    let mut out = String::with_capacity(full.len());
    // Where the path being read started in `out`.
    let mut path_start = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.truncate(path_start);
            continue;
        }
        out.push(c);
        // Punctuation and spaces end a path; letters of any script do not.
        if (c.is_ascii_punctuation() && c != '_') || c == ' ' {
            path_start = out.len();
        }
    }
    out
}

#[cfg(test)]
// The borrows are the point: they pick the impl, as in generated code.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::*;

    // The three probes exactly as `expand.rs` writes them (`&&&&Wrap`,
    // `&&ProbeOutcome`, `&&&&WrapError`): a macro, not a generic function, so
    // that each call is resolved on the concrete type, as in generated code.
    macro_rules! render {
        ($value:expr) => {
            rendered((&&&&Wrap($value)).pypwext_render())
        };
    }
    macro_rules! outcome {
        ($value:expr) => {
            (&&ProbeOutcome($value)).pypwext_outcome()
        };
    }
    macro_rules! exception {
        ($error:expr) => {{
            let error = $error;
            let shown = (&&&&WrapError(error)).pypwext_exception();
            (shown.exception_text(), shown.exception_name())
        }};
    }

    fn rendered(value: impl RenderValue) -> String {
        let mut buf = Vec::new();
        value.render_json(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    /// `LogView` only.
    struct ViewOnly;
    impl LogView for ViewOnly {
        fn log_view(&self) -> serde_json::Value {
            serde_json::json!({ "view": true })
        }
    }

    /// `LogView`, `Serialize` and `Debug`.
    #[derive(serde::Serialize, Debug)]
    struct Card {
        number: &'static str,
    }
    impl LogView for Card {
        fn log_view(&self) -> serde_json::Value {
            serde_json::json!({ "number": "****" })
        }
    }

    /// `Serialize` only.
    #[derive(serde::Serialize)]
    struct SerializeOnly {
        a: u8,
    }

    /// `Serialize` and `Debug`.
    #[derive(serde::Serialize, Debug)]
    struct Both {
        a: u8,
    }

    /// `Debug` only.
    #[derive(Debug)]
    struct DebugOnly {
        #[allow(dead_code)]
        b: u8,
    }

    /// Nothing at all.
    struct Opaque;

    // Render: LogView, else Serialize, else Debug, else a compile error.

    #[test]
    fn render_row_1_log_view() {
        assert_eq!(render!(&ViewOnly), r#"{"view":true}"#);
        // Beats the `Serialize` and `Debug` it also has.
        assert_eq!(render!(&Card { number: "4111" }), r#"{"number":"****"}"#);
    }

    #[test]
    fn render_row_2_serialize() {
        assert_eq!(render!(&SerializeOnly { a: 1 }), r#"{"a":1}"#);
        // Beats the `Debug` it also has.
        assert_eq!(render!(&Both { a: 1 }), r#"{"a":1}"#);
        assert_eq!(render!("text"), r#""text""#);
    }

    #[test]
    fn render_row_3_debug() {
        assert_eq!(render!(&DebugOnly { b: 2 }), r#""DebugOnly { b: 2 }""#);
    }

    #[test]
    fn render_fallback_is_a_marker_that_renders_nothing() {
        // `NotLoggable` implements no `RenderValue`: handing it to the writer
        // is the compile error of `ui-tests/ui/fail/logged_unrenderable.rs`.
        let _: NotLoggable<'_, Opaque> = (&&&&Wrap(&Opaque)).pypwext_render();
    }

    #[test]
    fn render_decides_on_the_type_as_written() {
        // A generic parameter is known by its bounds alone: `Both` is
        // `Serialize`, but behind `T: Debug` it is rendered by `Debug`.
        fn generic<T: fmt::Debug>(value: &T) -> String {
            render!(value)
        }
        assert_eq!(generic(&Both { a: 1 }), r#""Both { a: 1 }""#);
        // A reference has its referent's view: `&Card` and `&mut Card` are
        // masked as `Card` is, never shown by `Serialize`.
        let card = &Card { number: "4111" };
        assert_eq!(render!(&card), render!(&Card { number: "4111" }));
        assert!(!render!(&card).contains("4111"), "{}", render!(&card));
        let mut owned = Card { number: "4111" };
        let card = &mut owned;
        assert!(!render!(&card).contains("4111"), "{}", render!(&card));
    }

    // Outcome: a `Result` is split, anything else is a value.

    #[test]
    fn outcome_row_1_result() {
        let ok: Result<u8, String> = Ok(3);
        assert!(matches!(outcome!(&ok), Outcome::Value(3)));
        let err: Result<u8, String> = Err("bad".into());
        assert!(matches!(outcome!(&err), Outcome::Error(e) if e == "bad"));
        // An alias is the same type.
        type Answer = Result<u8, String>;
        let aliased: Answer = Err("aliased".into());
        assert!(matches!(outcome!(&aliased), Outcome::Error(e) if e == "aliased"));
    }

    #[test]
    fn outcome_fallback_value() {
        assert!(matches!(outcome!(&5u8), Outcome::Value(5)));
        let nested: Option<Result<u8, String>> = Some(Err("inner".into()));
        assert!(matches!(outcome!(&nested), Outcome::Value(Some(Err(e))) if e == "inner"));
    }

    #[test]
    fn outcome_decides_on_the_type_as_written() {
        // Behind a generic `R`, a `Result` is a plain value.
        fn generic<R>(value: &R) -> bool {
            matches!(outcome!(value), Outcome::Value(_))
        }
        assert!(generic(&Err::<u8, String>("bad".into())));
    }

    // Exception: std::error::Error (with sources), else Display, else Debug,
    // else the type's name.

    /// `Error` with a source; `Display` and `Debug` too.
    #[derive(Debug)]
    struct OrderFailed(std::io::Error);
    impl fmt::Display for OrderFailed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("order 7 failed")
        }
    }
    impl std::error::Error for OrderFailed {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    fn order_failed() -> OrderFailed {
        OrderFailed(std::io::Error::other("disk full"))
    }

    /// `Display` and `Debug`, no `Error`.
    #[derive(Debug)]
    struct Refusal;
    impl fmt::Display for Refusal {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("refused")
        }
    }

    /// `Debug` only.
    #[derive(Debug)]
    struct Code {
        #[allow(dead_code)]
        code: u16,
    }

    #[test]
    fn exception_row_1_std_error_with_its_sources() {
        let io = std::io::Error::other("disk full");
        assert_eq!(exception!(&io), ("disk full".to_owned(), "Error".to_owned()));
        // Beats the `Display` it also has, which would drop the source.
        assert_eq!(
            exception!(&order_failed()),
            ("order 7 failed: disk full".to_owned(), "OrderFailed".to_owned())
        );
    }

    #[test]
    fn exception_row_2_display() {
        let text = String::from("plain");
        assert_eq!(exception!(&text), ("plain".to_owned(), "String".to_owned()));
        // Beats the `Debug` it also has.
        assert_eq!(exception!(&Refusal), ("refused".to_owned(), "Refusal".to_owned()));
    }

    #[test]
    fn exception_row_3_debug() {
        assert_eq!(
            exception!(&Code { code: 409 }),
            ("Code { code: 409 }".to_owned(), "Code".to_owned())
        );
    }

    #[test]
    fn exception_fallback_type_name() {
        assert_eq!(exception!(&Opaque), ("Opaque".to_owned(), "Opaque".to_owned()));
    }

    #[test]
    fn exception_decides_on_the_type_as_written() {
        // Behind `E: Display`, an `Error` loses its sources.
        fn generic<E: fmt::Display>(error: &E) -> String {
            exception!(error).0
        }
        assert_eq!(generic(&order_failed()), "order 7 failed");
        // `Box<dyn Error>` does not implement `Error` (std has no such impl
        // for an unsized `dyn Error`): `Display`, so its sources are dropped.
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(order_failed());
        assert_eq!(
            exception!(&boxed),
            ("order 7 failed".to_owned(), "Box<dyn Error + Send + Sync>".to_owned())
        );
    }

    #[test]
    fn short_type_names() {
        assert_eq!(short_type_name("pypwext::errors::PwError"), "PwError");
        assert_eq!(
            short_type_name("alloc::boxed::Box<dyn core::error::Error + core::marker::Send>"),
            "Box<dyn Error + Send>"
        );
        assert_eq!(short_type_name("(u8, std::io::error::Error)"), "(u8, Error)");
        assert_eq!(short_type_name("u8"), "u8");
        assert_eq!(short_type_name("bestellung::Lieferfehler_ä"), "Lieferfehler_ä");
        assert_eq!(short_type_name("möbel::Tür<&[möbel::Griff; 2]>"), "Tür<&[Griff; 2]>");
    }
}
