//! Autoref specialization: how the macros pick a behaviour by the traits a
//! type implements. The six probe families below all work this way; this is
//! the one place that explains it, and the table is every family's order.
//!
//! # Why
//!
//! `#[logged]` has to render whatever a function takes and returns,
//! `#[service_response]` has to answer with whatever the handler returns,
//! `#[http_method]` has to send whatever body it is given and decode whatever
//! type the function returns. Two things stand in the way:
//!
//! - **The macros cannot see types.** A proc macro gets tokens: it reads
//!   `order: Order`, not whether `Order` implements `Serialize`. Where a name
//!   is enough the macros do decide by name (a `BodyStream` body parameter,
//!   a `response: HttpStream` parameter), but an alias or a re-export defeats
//!   a name. The type checker has to choose.
//! - **Stable Rust has no specialization.** `impl<T: Serialize> Render for T`
//!   and `impl<T: Debug> Render for T` overlap, and there is no stable way to
//!   say "the first where it applies".
//!
//! # How
//!
//! Each choice is a trait of its own, with one method of one name
//! (`pypwext_render`), implemented for a probe struct (`Wrap`) behind a
//! different number of `&`s: the first choice for `&&&Wrap<T>` where
//! `T: LogView`, the second for `&&Wrap<T>` where `T: Serialize`, the third
//! for `&Wrap<T>` where `T: Debug`, the fallback for `Wrap<T>` unconditionally.
//! The generated code imports every trait (`use ...::ViaLogView as _`) and
//! calls the method on the probe behind one `&` more than the first choice
//! has: `(&&&&Wrap(&value)).pypwext_render()`.
//!
//! Method lookup takes the receiver as written, then dereferences it one
//! step at a time; at each step it tries the receiver by value, then behind
//! one more `&`, and stops at the first step where some trait's method
//! applies, that is, where the impl's type matches **and its bounds hold**.
//! `&&&&Wrap<T>` by value is the `&self` of the impl for `&&&Wrap<T>`: if
//! `T: LogView`, that is the one. If not, the next step, `&&&Wrap<T>`, is the
//! `&self` of the impl for `&&Wrap<T>`, and so on down. The more `&`s an
//! impl is written for, the earlier it is tried: the count of `&`s is the
//! priority. A bound that fails is no error, only a step further down.
//!
//! ```
//! struct Wrap<'a, T>(&'a T);
//!
//! trait ViaSerialize { fn render(&self) -> String; }
//! impl<T: serde::Serialize> ViaSerialize for &Wrap<'_, T> {
//!     fn render(&self) -> String { serde_json::to_string(self.0).unwrap() }
//! }
//! trait ViaDebug { fn render(&self) -> String; }
//! impl<T: std::fmt::Debug> ViaDebug for Wrap<'_, T> {
//!     fn render(&self) -> String { format!("{:?}", self.0) }
//! }
//!
//! #[derive(serde::Serialize, Debug)]
//! struct Both { a: u8 }
//! #[derive(Debug)]
//! struct DebugOnly { a: u8 }
//!
//! assert_eq!((&&Wrap(&Both { a: 1 })).render(), r#"{"a":1}"#);
//! assert_eq!((&&Wrap(&DebugOnly { a: 1 })).render(), "DebugOnly { a: 1 }");
//! ```
//!
//! The count of `&`s in the call is part of the order: with one `&` fewer,
//! the first choice is only reached by the autoref of the first step, after
//! the second choice was tried by value, so `Serialize` would beat `LogView`.
//! The snapshots in `pypwext-macros/src/snapshots/` pin the calls the macros
//! write; each family's tests (in its own module, one per row, named
//! `<family>_row_<n>_…`, `<family>_fallback_…`, `<family>_decides_on_the_type_as_written`)
//! call the probe exactly as those snapshots do.
//!
//! A fallback row has no bound, so it always applies. For outcome and
//! exception it is a behaviour of its own. Where nothing fits (render,
//! answer) it returns a marker type (`NotLoggable`, `NotAnAnswer`) that the
//! next call refuses: that refusal's `#[diagnostic::on_unimplemented]`
//! message is what the user reads, on their own parameter or return type.
//! Body and decode have no fallback: rustc's own "no method named
//! `pypwext_…` found" is the error.
//!
//! # The families
//!
//! Every file is under `pypwext/src/`; generated code reaches them through
//! `__private` (`private.rs`). "`T` is X" rows match one type exactly; the
//! others match any type with the trait.
//!
//! | family | where, and the call the macro writes | what it chooses | priority | impl (trait, probe) | selected when | behaviour |
//! |---|---|---|---|---|---|---|
//! | render | `logging/render.rs`; `(&&&&Wrap(&value)).pypwext_render()` | how `#[logged]` writes an argument or a return value | 1 | `ViaLogView`, `&&&Wrap` | `T: LogView` | `LogView::write_log_view` |
//! | | | | 2 | `ViaSerialize`, `&&Wrap` | `T: Serialize` | serde's JSON |
//! | | | | 3 | `ViaDebug`, `&Wrap` | `T: Debug` | the `{:?}` text as a JSON string |
//! | | | | fallback | `ViaNothing`, `Wrap` | always | `NotLoggable`: "`#[logged]` cannot log this value" (`ui-tests/ui/fail/logged_unrenderable.rs`) |
//! | outcome | `logging/render.rs`; `(&&ProbeOutcome(ret)).pypwext_outcome()` | what the exit line reads from a return value | 1 | `OutcomeOfResult`, `&ProbeOutcome` | `R` is `Result<T, E>` | `Ok` is the returned value, `Err` the failure |
//! | | | | fallback | `OutcomeOfValue`, `ProbeOutcome` | always | the whole value is the returned value |
//! | exception | `logging/render.rs`; `(&&&&WrapError(error)).pypwext_exception()` | `exception` and `exception_name` of a failure line | 1 | `ErrorViaStd`, `&&&WrapError` | `E: std::error::Error + 'static` | its `Display`, then each source's, joined by `: ` |
//! | | | | 2 | `ErrorViaDisplay`, `&&WrapError` | `E: Display` | its `Display` |
//! | | | | 3 | `ErrorViaDebug`, `&WrapError` | `E: Debug` | its `Debug` |
//! | | | | fallback | `ErrorViaName`, `WrapError` | always | the type's name, as both |
//! | answer (`Ok`) | `service/handler.rs`; `(&&&Probe::new(OkValue(ok))).pypwext_handled()` | how `#[service_response]` answers the handler's `Ok` | 1 | `OkPwResponse`, `&&Probe` | `T` is `PwResponse` | `Handled::Response`: merged with the collected errors |
//! | | | | 2 | `OkIntoResponse`, `&Probe` | `T: lambda_http::IntoResponse` | `Handled::Passthrough`: sent as it is |
//! | | | | fallback | `NotHandled`, `Probe` | always | `NotAnAnswer`: "`#[service_response]` cannot answer with this value" (`ui-tests/ui/fail/service_response_types.rs`) |
//! | answer (`Err`) | `service/handler.rs`; `(&&&Probe::new(ErrValue(err))).pypwext_handled()` | how `#[service_response]` answers the handler's `Err` | 1 | `ErrPwError`, `&&Probe` | `E` is `PwError` | `Handled::Raised`: its status, its action, merged |
//! | | | | 2 | `ErrOther`, `&Probe` | `E: Into<lambda_http::Error>` | `Handled::Failed`: a 500 and an ERROR line |
//! | | | | fallback | `NotHandled`, `Probe` | always | `NotAnAnswer`, as for `Ok` |
//! | body | `http/probe.rs` (re-exported by `http/call.rs`); `(&&&&BodyProbe(&body)).pypwext_body()` | how `#[http_method]` sends its `body = …` argument | 1 | `BodyText`, `&&&BodyProbe` | `T: AsRef<str>` | the text as it is |
//! | | | | 2 | `BodyBytes`, `&&BodyProbe` | `T: AsRef<[u8]>` | the bytes as they are |
//! | | | | 3 | `BodyJson`, `&BodyProbe` | `T: Serialize` | serde's JSON |
//! | | | | fallback | none | — | "no method named `pypwext_body` found" (no UI test) |
//! | decode | `http/probe.rs` (re-exported by `http/call.rs`); `(&&&&DecodeProbe::<T>::new()).pypwext_decode(answer, name)` | how `#[http_method]` makes its `Ok` value of the answer | 1 | `DecodeLambda` / `DecodeResponse` / `DecodeStream`, `&&&DecodeProbe` | `T` is `LambdaResponse` / `HttpResponse` / `HttpStream` | the answer itself (`LambdaResponse`: whatever the status; `HttpStream`: its body unread) |
//! | | | | 2 | `DecodeText` / `DecodeUnit`, `&&DecodeProbe` | `T` is `String` / `()` | the body's text / nothing |
//! | | | | 3 | `DecodeJson`, `&DecodeProbe` | `T: DeserializeOwned` | the body parsed as JSON |
//! | | | | fallback | none | — | "no method named `pypwext_decode` found" (no UI test) |
//!
//! Every decode row but `LambdaResponse`'s answers a status of 300 or more
//! (or a Lambda function error) with a `PwError`, before any decoding.
//!
//! # Limits
//!
//! - **The type as written at the call site decides**, when the generated
//!   code is type-checked: inside the user's function, not where it is
//!   called. A generic parameter is known by its bounds alone, so it gets
//!   the highest row its bounds prove, usually a low one: `T: Debug` is
//!   rendered by `Debug` even when the caller's `T` is `Serialize`; a generic
//!   `R` return value is never split into `Ok` and `Err`; an `E: Display`
//!   error loses its sources; a generic `E` that is a `PwError` is a 500; a
//!   generic `T: Serialize` body that is a `String` is sent as a JSON string;
//!   a generic `T: DeserializeOwned` that is a `String` is parsed as JSON.
//!   An alias (`type Answer = Result<…>`) is the same type and changes
//!   nothing; a newtype is a type of its own.
//! - **A reference is probed as the reference.** `#[logged]` probes a
//!   parameter `x: &T` as `&T`. serde and std forward `Serialize`, `Debug`,
//!   `Display` and `Error` through `&T`, and pypwext forwards `LogView`
//!   through `&T` and `&mut T`, so a reference is rendered as its referent
//!   (a view that masks a secret masks it however the value is passed).
//!   Other wrappers (`Box<T>`, `Arc<T>`) do not forward `LogView`.
//! - **What std does not implement is not there.** `Box<dyn Error>` (so
//!   `lambda_runtime::Error` and `lambda_http::Error`) does not implement
//!   `std::error::Error`: it falls to `Display`, and its sources are not shown.
//! - **Adding a trait impl changes the choice, silently.** Deriving
//!   `Serialize` on a type that was logged by `Debug` changes its log lines
//!   from `"Order { id: 7 }"` to `{"id":7}`; an `AsRef<str>` impl on a body
//!   type sends it as text instead of JSON. No error, no warning: the tests
//!   of each row are what notices. The user-facing half of this is said on
//!   `pypwext::logging::LogView`.
