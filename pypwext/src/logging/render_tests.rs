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
