//! The runtime of `#[traced]`: each call of the annotated function is a
//! subsegment, a child of the traced call it runs in, or (for the outermost
//! one) of the invocation's Lambda segment; it is sent when the call ends —
//! `Ok`, `Err`, a panic (which goes on after it is sent) or a future
//! dropped unfinished.

use std::future::Future;
use std::sync::Arc;

use futures_util::FutureExt as _;
use serde_json::value::RawValue;

use super::context::{self, Settings, Span, Trace};
use super::document::Document;
use crate::lambda::Invocation;
use crate::logging::render::{DebugValue, NotLoggable, RenderError, RenderValue, SerializeValue, ViewValue};

/// What `#[traced(...)]` was asked to do on one function; a `static` in the
/// generated code.
#[derive(Debug)]
pub struct Traced {
    /// The annotated function's name: `## <function>`, and the metadata
    /// keys `<function> response` / `<function> error`.
    pub function: &'static str,
    /// `name = "…"`: the subsegment's name instead of `## <function>`.
    pub name: Option<&'static str>,
    /// `capture_response = …`; else `POWERTOOLS_TRACER_CAPTURE_RESPONSE`, else on.
    pub capture_response: Option<bool>,
    /// `capture_error = …`; else `POWERTOOLS_TRACER_CAPTURE_ERROR`, else on.
    pub capture_error: Option<bool>,
}

/// What a traced call returned, as the generated code hands it over: its
/// value or its error, rendered only when the call is recorded.
pub struct Capture<'a> {
    doc: &'a mut Document,
    opts: &'static Traced,
    settings: &'static Settings,
}

impl Capture<'_> {
    /// The call returned a value: `<function> response` metadata, unless
    /// turned off.
    pub fn value(&mut self, value: impl CaptureValue) {
        if self.opts.capture_response.unwrap_or(self.settings.capture_response) {
            let mut json = Vec::new();
            // Checked once more as JSON: a `LogView` of the user's may write anything.
            if value.capture_json(&mut json)
                && let Ok(text) = String::from_utf8(json)
                && let Ok(raw) = RawValue::from_string(text)
            {
                let key = format!("{} response", self.opts.function);
                self.doc.metadata.put(&self.settings.service, &key, raw);
            }
        }
    }

    /// The call failed: `fault` with the error in `cause`, and
    /// `<function> error` metadata unless turned off.
    pub fn error(&mut self, error: impl RenderError) {
        let text = error.exception_text();
        if self.opts.capture_error.unwrap_or(self.settings.capture_error)
            && let Ok(raw) = serde_json::value::to_raw_value(&text)
        {
            let key = format!("{} error", self.opts.function);
            self.doc.metadata.put(&self.settings.service, &key, raw);
        }
        self.doc.fail(text, error.exception_name());
    }
}

/// A renderer of `#[logged]`'s probes that a traced call's value can be
/// captured with. A value with no rendering at all is not captured (where
/// `#[logged]` would refuse to compile: a trace never stops a build).
pub trait CaptureValue {
    /// Appends the value as JSON; `false` when there is nothing to capture.
    fn capture_json(&self, buf: &mut Vec<u8>) -> bool;
}

impl<T: crate::logging::LogView + ?Sized> CaptureValue for ViewValue<'_, T> {
    fn capture_json(&self, buf: &mut Vec<u8>) -> bool {
        self.render_json(buf);
        true
    }
}

impl<T: serde::Serialize + ?Sized> CaptureValue for SerializeValue<'_, T> {
    fn capture_json(&self, buf: &mut Vec<u8>) -> bool {
        self.render_json(buf);
        true
    }
}

impl<T: std::fmt::Debug + ?Sized> CaptureValue for DebugValue<'_, T> {
    fn capture_json(&self, buf: &mut Vec<u8>) -> bool {
        self.render_json(buf);
        true
    }
}

impl<T: ?Sized> CaptureValue for NotLoggable<'_, T> {
    fn capture_json(&self, _: &mut Vec<u8>) -> bool {
        false
    }
}

/// One traced call: its subsegment (when recorded) and whether it is the
/// outermost of its trace.
struct Call {
    opts: &'static Traced,
    span: Option<Arc<Span>>,
    outermost: bool,
}

impl Call {
    /// Opens the call where it runs: under the traced call it is in, or as
    /// the outermost one of the running invocation's trace.
    fn open(opts: &'static Traced, settings: &'static Settings) -> Call {
        let name = || opts.name.map_or_else(|| format!("## {}", opts.function), str::to_owned);
        match context::current() {
            Ok(parent) => Call {
                opts,
                span: parent.map(|parent| parent.child(name())),
                outermost: false,
            },
            Err(()) => {
                let span = Trace::of_invocation(settings).map(|trace| {
                    let span = Span::root(&trace, name());
                    let cold_start = Invocation::current().is_none_or(|invocation| invocation.cold_start());
                    span.edit(|doc| {
                        doc.annotations.insert("ColdStart".into(), cold_start.into());
                        doc.annotations
                            .insert("Service".into(), settings.service.clone().into());
                    });
                    span
                });
                Call {
                    opts,
                    span,
                    outermost: true,
                }
            }
        }
    }

    /// Ends the call: the outcome recorded, the subsegment sent, and for the
    /// outermost call whatever its children left open.
    fn finish<R>(&self, outcome: Option<&R>, exit: fn(&R, &mut Capture<'_>)) {
        let Some(span) = &self.span else { return };
        let settings = span.trace.settings;
        span.close(|doc| match outcome {
            Some(value) => exit(
                value,
                &mut Capture {
                    doc,
                    opts: self.opts,
                    settings,
                },
            ),
            // Unwinding through the call: a fault, as the SDKs record an
            // exception (the panic's message goes to stderr, as always).
            None if std::thread::panicking() => doc.fail("the function panicked".into(), "panic".into()),
            // Dropped before it finished: ended where it stopped, no outcome.
            None => {}
        });
        if self.outermost {
            span.trace.send_open();
        }
    }
}

/// Sends the call's subsegment if it does not finish: its future dropped
/// unfinished, or a panic unwinding through it (no `catch_unwind`: a
/// wrapper less keeps deep handlers' futures under the compiler's
/// recursion limit; see [`traced_async`]).
struct FinishOnDrop<R> {
    call: Option<Call>,
    exit: fn(&R, &mut Capture<'_>),
}

impl<R> FinishOnDrop<R> {
    fn finish(mut self, outcome: &R) {
        if let Some(call) = self.call.take() {
            call.finish(Some(outcome), self.exit);
        }
    }
}

impl<R> Drop for FinishOnDrop<R> {
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            call.finish(None, self.exit);
        }
    }
}

/// The `#[traced]` layer around a sync body. `exit` hands the return value
/// to [`Capture`]; it runs only for a recorded call.
pub fn traced_sync<R>(opts: &'static Traced, body: impl FnOnce() -> R, exit: fn(&R, &mut Capture<'_>)) -> R {
    traced_sync_in(Settings::process(), opts, body, exit)
}

fn traced_sync_in<R>(
    settings: &'static Settings,
    opts: &'static Traced,
    body: impl FnOnce() -> R,
    exit: fn(&R, &mut Capture<'_>),
) -> R {
    let call = Call::open(opts, settings);
    let span = call.span.clone();
    let guard = FinishOnDrop { call: Some(call), exit };
    let value = context::sync_scope(span, body);
    guard.finish(&value);
    value
}

/// The `#[traced]` layer around an async body. The call opens here, where
/// it is made: generated code makes it at the first poll of the annotated
/// function's future, so a traced function awaited or joined inside another
/// is its child.
///
/// Two wrappers and nothing more (no `lazy` step, no `catch_unwind`): each
/// level of future type counts toward the compiler's recursion limit when a
/// handler's future is checked for `Send`, and the order-service example
/// (a traced handler awaiting a traced `#[http_method]` call) went over it
/// with a deeper layer.
pub fn traced_async<F: Future>(
    opts: &'static Traced,
    body: F,
    exit: fn(&F::Output, &mut Capture<'_>),
) -> impl Future<Output = F::Output> {
    traced_async_in(Settings::process(), opts, body, exit)
}

/// [`traced_async`] with the settings given (the tests' own daemon). Its
/// type is written out so that `traced_async`'s is the only opaque level.
#[allow(clippy::type_complexity)]
fn traced_async_in<F: Future>(
    settings: &'static Settings,
    opts: &'static Traced,
    body: F,
    exit: fn(&F::Output, &mut Capture<'_>),
) -> futures_util::future::Map<
    tokio::task::futures::TaskLocalFuture<Option<Arc<Span>>, F>,
    impl FnOnce(F::Output) -> F::Output,
> {
    let call = Call::open(opts, settings);
    let span = call.span.clone();
    let guard = FinishOnDrop { call: Some(call), exit };
    context::scope(span, body).map(move |value| {
        guard.finish(&value);
        value
    })
}

#[cfg(test)]
#[path = "traced_tests.rs"]
mod tests;
