//! The runtime of `#[service_response]`: run the handler, turn what it
//! returned (or how it failed) into an HTTP response. How an `Ok` or `Err`
//! value is answered is chosen by the answer probes ([`Probe`]) with autoref
//! specialization, which [`crate::probe`] explains, with their order.

use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures_util::FutureExt as _;
use futures_util::future::{self, Either};

use http::StatusCode;
use lambda_http::Body;

use super::extract::RequestSlot;
use super::response::{MergeOptions, PwResponse};
use crate::errors::{ErrorAction, ErrorCollector, PwError, current_collector};
use crate::logging::inject::{InjectLambdaContext, Injection, inject_async};
use crate::logging::render::short_type_name;

use crate::log_target::SERVICE as TARGET;

/// The most a synchronous Lambda response may carry: 6 MB.
pub const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024;

/// What `#[service_response(...)]` was asked to do on one handler; a
/// `static` in the generated code.
#[derive(Debug)]
pub struct ServiceResponse {
    /// The handler's name.
    pub function: &'static str,
    /// `<function>:<line>`, the line of the handler's name: the `location`
    /// of its lines.
    pub location: &'static str,
    /// Collected errors set the status code only.
    pub just_status_code: bool,
    /// A 200 becomes the highest collected error's code.
    pub code_from_error: bool,
    /// Every failure becomes a response; `false` lets `Raise` errors, other
    /// errors and panics fail the invocation.
    pub always_return: bool,
    /// `#[collect_errors(root)]` stands above: install a collector for the
    /// call when none is current. Done here rather than by a layer of its own,
    /// so that the handler's future enters one scope fewer on every poll.
    pub collect_root: bool,
}

/// How one call of the handler ended.
pub enum Handled {
    /// It returned `Ok(PwResponse)`.
    Response(PwResponse),
    /// It returned `Ok` of something else that is `IntoResponse`: passed through.
    Passthrough(std::pin::Pin<Box<dyn Future<Output = http::Response<Body>> + Send>>),
    /// It returned `Err(PwError)`, or an extractor refused the request.
    Raised(PwError),
    /// It returned another error.
    Failed {
        /// The error's text with its sources.
        text: String,
        /// The error's type.
        name: String,
    },
}

impl std::fmt::Debug for Handled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handled::Response(response) => f.debug_tuple("Response").field(response).finish(),
            Handled::Passthrough(_) => f.write_str("Passthrough(..)"),
            Handled::Raised(error) => f.debug_tuple("Raised").field(error).finish(),
            Handled::Failed { text, name } => f
                .debug_struct("Failed")
                .field("text", text)
                .field("name", name)
                .finish(),
        }
    }
}

/// Makes a [`Handled`] of what a `#[service_response]` probe gave; the
/// compile error for a value that cannot be an answer is reported here.
#[diagnostic::on_unimplemented(
    message = "`#[service_response]` cannot answer with this value",
    label = "not a `PwResponse`, nor `lambda_http::IntoResponse`, nor an error that converts into `lambda_http::Error`",
    note = "a `#[service_response]` handler returns `Result<R, E>`: `R` is `PwResponse` or implements `lambda_http::IntoResponse`, `E` is `PwError` or converts into `lambda_http::Error`"
)]
pub trait Answer {
    /// The outcome.
    fn into_handled(self) -> Handled;
}

impl Answer for Handled {
    fn into_handled(self) -> Handled {
        self
    }
}

/// A value that is neither kind of answer; it implements no [`Answer`].
pub struct NotAnAnswer<T>(#[allow(dead_code)] T);

/// Turns a probe's result into the outcome.
pub fn answer(value: impl Answer) -> Handled {
    value.into_handled()
}

/// The return type of a `#[service_response]` handler: a `Result`.
#[diagnostic::on_unimplemented(
    message = "a `#[service_response]` handler returns `Result<R, E>`, not `{Self}`",
    label = "return `Result<PwResponse, PwError>`, or `R: lambda_http::IntoResponse`, `E: Into<lambda_http::Error>`"
)]
pub trait HandlerResult {
    /// The `Ok` type.
    type Ok;
    /// The `Err` type.
    type Err;
    /// The result.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
}

impl<T, E> HandlerResult for Result<T, E> {
    type Ok = T;
    type Err = E;
    fn into_result(self) -> Self {
        self
    }
}

/// Awaits the handler's body and splits its result. `split` is
/// `<ReturnType as HandlerResult>::into_result`, named in the generated code
/// over the user's return type: the one place a return type that is not a
/// `Result` is reported. (A fn pointer, so this future's type carries no bound.)
pub fn split_result<F: Future, T, E>(
    body: F,
    split: fn(F::Output) -> Result<T, E>,
) -> impl Future<Output = Result<T, E>> {
    body.map(split)
}

/// The probe the generated code calls `.pypwext_handled()` on, for an `Ok`
/// value or an `Err` value.
pub struct Probe<T>(Cell<Option<T>>);

impl<T> Probe<T> {
    /// A probe holding `value`.
    pub fn new(value: T) -> Self {
        Probe(Cell::new(Some(value)))
    }

    /// The value; a probe is asked once.
    fn take(&self) -> Option<T> {
        self.0.take()
    }
}

fn asked_twice() -> Handled {
    Handled::Failed {
        text: "a response probe was asked twice".to_owned(),
        name: "pypwext".to_owned(),
    }
}

/// `Ok(PwResponse)`.
pub trait OkPwResponse {
    /// The outcome.
    fn pypwext_handled(&self) -> Handled;
}

impl OkPwResponse for &&Probe<OkValue<PwResponse>> {
    fn pypwext_handled(&self) -> Handled {
        self.take()
            .map_or_else(asked_twice, |OkValue(response)| Handled::Response(response))
    }
}

/// `Ok(impl IntoResponse)`.
pub trait OkIntoResponse {
    /// The outcome.
    fn pypwext_handled(&self) -> Handled;
}

impl<T: lambda_http::IntoResponse> OkIntoResponse for &Probe<OkValue<T>> {
    fn pypwext_handled(&self) -> Handled {
        self.take().map_or_else(asked_twice, |OkValue(value)| {
            Handled::Passthrough(value.into_response())
        })
    }
}

/// `Err(PwError)`.
pub trait ErrPwError {
    /// The outcome.
    fn pypwext_handled(&self) -> Handled;
}

impl ErrPwError for &&Probe<ErrValue<PwError>> {
    fn pypwext_handled(&self) -> Handled {
        self.take()
            .map_or_else(asked_twice, |ErrValue(error)| Handled::Raised(error))
    }
}

/// `Err(impl Into<lambda_http::Error>)`.
pub trait ErrOther {
    /// The outcome.
    fn pypwext_handled(&self) -> Handled;
}

impl<E: Into<lambda_http::Error>> ErrOther for &Probe<ErrValue<E>> {
    fn pypwext_handled(&self) -> Handled {
        self.take().map_or_else(asked_twice, |ErrValue(error)| {
            let name = short_type_name(std::any::type_name::<E>());
            let boxed: lambda_http::Error = error.into();
            Handled::Failed {
                text: crate::logging::fields::ErrorChain(&*boxed).to_string(),
                name,
            }
        })
    }
}

/// Anything else: a marker that is no [`Answer`].
pub trait NotHandled<T> {
    /// The marker.
    fn pypwext_handled(&self) -> NotAnAnswer<Option<T>>;
}

impl<T> NotHandled<T> for Probe<T> {
    fn pypwext_handled(&self) -> NotAnAnswer<Option<T>> {
        NotAnAnswer(self.take())
    }
}

/// Marks an `Ok` value for the probe.
pub struct OkValue<T>(pub T);
/// Marks an `Err` value for the probe.
pub struct ErrValue<E>(pub E);

/// Extracts one parameter.
pub fn extract<T: super::FromRequest>(slot: &mut RequestSlot) -> Result<T, PwError> {
    T::from_request(slot)
}

/// The future a `#[service_response]` handler returns: nothing happens until
/// it is first polled; then it reads the invocation (and the correlation id)
/// from the request, logs the event if asked, and `start(request)` builds the
/// handler's stack inside that invocation (entry lines included) and runs it
/// there. The stack is the layers above the response layer around
/// [`service_response`]. `prepare` is `prepare_injection`, or
/// `prepare_injection_anywhere` for a handler's own correlation path.
///
/// The layers are combinators (`lazy`, `flatten`, `map`, `then`) rather than
/// `async` blocks: an `async` block keeps what it was given (the request, the
/// inner layer's future) beside the future it awaits, so each layer doubled
/// the stack, and the whole stack was moved into a fresh allocation every
/// invocation (`the_stack_holds_the_request_once_not_once_per_layer` keeps it
/// small). The combinators made the full stack faster with logging off and
/// with its INFO lines (`cargo bench -p pypwext-tests --bench service`;
/// BENCHMARKS.md, "The response stack"); the end-to-end bench did not tell
/// the two forms apart.
pub fn start_handler<P, S, F>(
    opts: &'static InjectLambdaContext,
    prepare: P,
    request: lambda_http::Request,
    start: S,
) -> Pin<Box<impl Future<Output = F::Output>>>
where
    P: FnOnce(&lambda_http::Request, &InjectLambdaContext) -> Injection,
    S: FnOnce(lambda_http::Request) -> F,
    F: Future,
{
    // Boxed: lambda_http moves the future it gets; one allocation per
    // invocation keeps that a pointer
    // (`the_handler_future_starts_at_its_first_poll_and_holds_the_request_once`).
    Box::pin(
        future::lazy(move |_| {
            let injection = prepare(&request, opts);
            inject_async(opts, injection, move || start(request))
        })
        .flatten(),
    )
}

/// The `#[service_response]` layer: extracts the handler's arguments from the
/// request, runs the handler, and answers.
///
/// `handler` is the generated closure: it takes every argument out of the
/// request (or refuses it with a `PwError`), then returns the handler's future,
/// which holds the arguments only. Nothing runs before the first poll: the
/// collector of a `#[collect_errors(root)]` above is the one current *then*.
pub fn service_response<H, Fut>(
    opts: &'static ServiceResponse,
    request: lambda_http::Request,
    handler: H,
) -> impl Future<Output = Result<http::Response<Body>, lambda_http::Error>>
where
    H: FnOnce(RequestSlot) -> Result<Fut, PwError>,
    Fut: Future<Output = Handled>,
{
    future::lazy(move |_| {
        // `#[collect_errors(root)]` above is no layer of its own: this one
        // installs the collector when none is current.
        match (opts.collect_root && current_collector().is_none()).then(ErrorCollector::new) {
            Some(collector) => Either::Left(collector.scope(respond(opts, request, handler))),
            None => Either::Right(respond(opts, request, handler)),
        }
    })
    .flatten()
}

/// Extracts, runs the handler (a panic in either is caught) and answers.
/// Nothing runs before the first poll, inside the collector's scope.
fn respond<H, Fut>(
    opts: &'static ServiceResponse,
    request: lambda_http::Request,
    handler: H,
) -> impl Future<Output = Result<http::Response<Body>, lambda_http::Error>>
where
    H: FnOnce(RequestSlot) -> Result<Fut, PwError>,
    Fut: Future<Output = Handled>,
{
    future::lazy(
        move |_| match std::panic::catch_unwind(AssertUnwindSafe(|| handler(RequestSlot::new(request)))) {
            Ok(Ok(body)) => Either::Left(AssertUnwindSafe(body).catch_unwind()),
            Ok(Err(refused)) => Either::Right(future::ready(Ok(Handled::Raised(refused)))),
            Err(payload) => Either::Right(future::ready(Err(payload))),
        },
    )
    .flatten()
    .then(move |outcome| {
        if matches!(outcome, Ok(Handled::Raised(_) | Handled::Failed { .. }) | Err(_)) {
            // The handler failed: the lines held back for this case come first.
            crate::logging::flush_buffer_on_failure();
        }
        match answer_outcome(opts, outcome) {
            Answered::Now(result) => Either::Left(future::ready(result)),
            Answered::Later(response) => Either::Right(response.map(move |response| Ok(check_size(opts, response)))),
        }
    })
}

/// What a finished handler gives: the answer, or a response still to await.
enum Answered {
    Now(Result<http::Response<Body>, lambda_http::Error>),
    Later(std::pin::Pin<Box<dyn Future<Output = http::Response<Body>> + Send>>),
}

/// Turns how the handler ended into the answer.
fn answer_outcome(opts: &ServiceResponse, outcome: Result<Handled, Box<dyn std::any::Any + Send>>) -> Answered {
    // Taken, not copied: every collected error reaches one response once.
    let collected = current_collector().map(|current| current.take()).unwrap_or_default();
    let merge = |raised| MergeOptions {
        just_status_code: opts.just_status_code,
        code_from_error: opts.code_from_error,
        raised,
    };
    let response = match outcome {
        Ok(Handled::Response(response)) => finish(opts, response.into_http(collected, &merge(false))),
        Ok(Handled::Passthrough(future)) => {
            not_merged_lines(opts, &collected);
            return Answered::Later(future);
        }
        Ok(Handled::Raised(error)) => {
            if !opts.always_return && error.action() == ErrorAction::Raise {
                return Answered::Now(Err(Box::new(error)));
            }
            finish(opts, PwResponse::from_error(error).into_http(collected, &merge(true)))
        }
        Ok(Handled::Failed { text, name }) => {
            failure_line(opts, &text, &name);
            if !opts.always_return {
                return Answered::Now(Err(text.into()));
            }
            internal_server_error()
        }
        Err(payload) => {
            let text = crate::logging::logged::panic_text(&*payload);
            failure_line(opts, text, "panic");
            if !opts.always_return {
                return Answered::Now(Err(format!("the handler panicked: {text}").into()));
            }
            internal_server_error()
        }
    };
    Answered::Now(Ok(check_size(opts, response)))
}

fn finish(opts: &ServiceResponse, response: Result<http::Response<Body>, String>) -> http::Response<Body> {
    response.unwrap_or_else(|problem| {
        failure_line(opts, &format!("the response cannot be built: {problem}"), "PwResponse");
        internal_server_error()
    })
}

/// A response over Lambda's limit would fail the invocation; answer 500 and say why.
fn check_size(opts: &ServiceResponse, response: http::Response<Body>) -> http::Response<Body> {
    let bytes = match response.body() {
        Body::Empty => 0,
        Body::Text(text) => text.len(),
        // Sent base64-encoded: four bytes for every three.
        Body::Binary(bytes) => bytes.len().div_ceil(3) * 4,
        _ => 0,
    };
    if bytes <= MAX_RESPONSE_BYTES {
        return response;
    }
    failure_line(
        opts,
        &format!(
            "the response body is {bytes} bytes, over Lambda's limit of {MAX_RESPONSE_BYTES}; answer less, or page it"
        ),
        "ResponseTooLarge",
    );
    internal_server_error()
}

/// The ERROR line for a failure the caller only sees as a 500.
fn failure_line(opts: &ServiceResponse, text: &str, name: &str) {
    tracing::error!(
        target: TARGET,
        location = opts.location,
        exception = text,
        exception_name = name,
        "Internal Server Error in {}",
        opts.function
    );
}

/// A response the handler built itself is passed through as it is, so the
/// errors collected meanwhile cannot be merged into it: each is written as a
/// WARNING line instead, rather than lost.
fn not_merged_lines(opts: &ServiceResponse, collected: &[PwError]) {
    for error in collected {
        tracing::warn!(
            target: TARGET,
            location = opts.location,
            code = error.code().as_u16(),
            classification = error.classification().as_str(),
            "a collected error is not in the response {} passed through: {}; return a PwResponse to merge collected errors",
            opts.function,
            error.message()
        );
    }
}

/// 500 `{"error":"Internal Server Error"}`: nothing of the cause leaks.
pub(crate) fn internal_server_error() -> http::Response<Body> {
    let mut response = http::Response::new(Body::Text(r#"{"error":"Internal Server Error"}"#.to_owned()));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    super::response::set_content_type(&mut response, super::response::APPLICATION_JSON_VALUE);
    response
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
