//! The runtime of `#[logged(inject_lambda_context)]`: the invocation scope
//! from the handler's event, and `log_event`.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use super::correlation::CorrelationPath;
use super::logged::TARGET;
use crate::lambda::{Held, Invocation, LambdaEventSource};

/// What `inject_lambda_context` was asked to do on one handler; a `static`
/// in the generated code.
#[derive(Debug)]
pub struct InjectLambdaContext {
    function: &'static str,
    line: u32,
    correlation_id_paths: &'static [&'static str],
    log_event: bool,
    parsed_paths: OnceLock<Vec<CorrelationPath>>,
}

impl InjectLambdaContext {
    /// The settings of one handler.
    pub const fn new(
        function: &'static str,
        line: u32,
        correlation_id_paths: &'static [&'static str],
        log_event: bool,
    ) -> Self {
        InjectLambdaContext {
            function,
            line,
            correlation_id_paths,
            log_event,
            parsed_paths: OnceLock::new(),
        }
    }

    /// The correlation paths, tried in order, parsed on first use. A path that
    /// does not parse is reported once, at ERROR, and left out.
    fn paths(&self) -> &[CorrelationPath] {
        self.parsed_paths.get_or_init(|| {
            self.correlation_id_paths
                .iter()
                .filter_map(|raw| {
                    CorrelationPath::parse(raw)
                        .inspect_err(|err| {
                            tracing::error!(
                                target: TARGET,
                                location = %format_args!("{}:{}", self.function, self.line),
                                "{err}"
                            );
                        })
                        .ok()
                })
                .collect()
        })
    }
}

/// What the handler runs as: the invocation, and the event to log first.
#[derive(Debug)]
pub struct Injection {
    invocation: Option<Held>,
    /// The event as JSON, when `log_event` is on and INFO is written.
    event: Option<serde_json::Value>,
}

/// Reads the handler's event before the handler takes it: the invocation
/// from the event's Lambda context with its correlation id (an event without a
/// context, such as a request built by hand, keeps the invocation that is
/// current, if any), and the event itself for `log_event`.
pub fn prepare_injection<E: LambdaEventSource + ?Sized>(event: &E, opts: &InjectLambdaContext) -> Injection {
    let invocation = match event.lambda_context() {
        Some(context) => {
            let correlation_id = opts.paths().iter().find_map(|path| event.correlation_id(path));
            Some(Invocation::held_from_context(context, correlation_id.as_deref()))
        }
        None => Invocation::current().map(Held::Shared),
    };
    let log_event = opts.log_event && tracing::enabled!(target: TARGET, tracing::Level::INFO);
    Injection {
        invocation,
        event: log_event.then(|| event.event_json()),
    }
}

fn log_event(opts: &InjectLambdaContext, event: Option<serde_json::Value>) {
    if let Some(event) = event {
        tracing::info!(
            target: TARGET,
            location = %format_args!("{}:{}", opts.function, opts.line),
            pypwext.message = ?super::DisplayJson(&event)
        );
    }
}

/// Runs the future `build` makes as the handler's invocation: the event is
/// logged and the future built (the entry lines of the layers above the
/// handler are written then) inside the invocation, then the future runs in it.
pub fn inject_async<F: std::future::Future>(
    opts: &'static InjectLambdaContext,
    injection: Injection,
    build: impl FnOnce() -> F,
) -> crate::lambda::InvocationScope<F> {
    let Injection { mut invocation, event } = injection;
    // The same invocation for building and for running: handed back, not cloned.
    let future = crate::lambda::sync_scope_optional(&mut invocation, || {
        log_event(opts, event);
        build()
    });
    crate::lambda::scope_optional(invocation, future)
}

/// Runs `f` as the handler's invocation, logging the event first.
pub fn inject_sync<R>(opts: &InjectLambdaContext, injection: Injection, f: impl FnOnce() -> R) -> R {
    let Injection { mut invocation, event } = injection;
    crate::lambda::sync_scope_optional(&mut invocation, || {
        log_event(opts, event);
        f()
    })
}

pin_project_lite::pin_project! {
    /// The future a `#[service_response]` handler returns: the request until
    /// the first poll, which reads the invocation from it, then builds the
    /// handler's stack in place inside that invocation (entry lines included)
    /// and polls it there.
    ///
    /// The generated handler is a plain `fn` returning this, not an `async fn`:
    /// an `async fn` keeps its argument twice (as the argument and as the local
    /// it is moved into) beside the stack that holds it a third time, and the
    /// stack would be moved through every layer that builds it.
    #[must_use = "futures do nothing unless awaited"]
    pub struct HandlerFuture<S, F> {
        opts: &'static InjectLambdaContext,
        invocation: Option<Held>,
        #[pin]
        state: HandlerState<S, F>,
    }

    impl<S, F> PinnedDrop for HandlerFuture<S, F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // Dropped where it ran: inside its invocation.
            if let HandlerProj::Running { .. } = this.state.as_mut().project() {
                crate::lambda::sync_scope_optional(this.invocation, || this.state.set(HandlerState::Done));
            }
            if let Some(invocation) = this.invocation.take() {
                invocation.recycle();
            }
        }
    }
}

pin_project_lite::pin_project! {
    #[project = HandlerProj]
    #[project_replace = HandlerTaken]
    enum HandlerState<S, F> {
        Waiting { request: lambda_http::Request, start: S },
        Running { #[pin] stack: F },
        Done,
    }
}

/// See [`HandlerFuture`]: `start(request)` builds the stack, at the first poll.
pub fn start_handler<S, F>(
    opts: &'static InjectLambdaContext,
    request: lambda_http::Request,
    start: S,
) -> HandlerFuture<S, F>
where
    S: FnOnce(lambda_http::Request) -> F,
    F: Future,
{
    HandlerFuture {
        opts,
        invocation: None,
        state: HandlerState::Waiting { request, start },
    }
}

impl<S, F> Future for HandlerFuture<S, F>
where
    S: FnOnce(lambda_http::Request) -> F,
    F: Future,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut state = this.state;
        if let HandlerProj::Waiting { .. } = state.as_mut().project() {
            let HandlerTaken::Waiting { request, start } = state.as_mut().project_replace(HandlerState::Done) else {
                unreachable!("the state was `Waiting` one line above")
            };
            let Injection { invocation, event } = prepare_injection(&request, this.opts);
            *this.invocation = invocation;
            let opts = *this.opts;
            return crate::lambda::sync_scope_optional(this.invocation, || {
                log_event(opts, event);
                state.set(HandlerState::Running { stack: start(request) });
                poll_stack(state, cx)
            });
        }
        crate::lambda::sync_scope_optional(this.invocation, || poll_stack(state, cx))
    }
}

/// Polls the stack of a started handler.
fn poll_stack<S, F: Future>(state: Pin<&mut HandlerState<S, F>>, cx: &mut Context<'_>) -> Poll<F::Output> {
    match state.project() {
        HandlerProj::Running { stack } => stack.poll(cx),
        // `Waiting` is replaced before the first `poll_stack`; `Done` only
        // stands in for a moment there, and when the future is dropped.
        HandlerProj::Waiting { .. } | HandlerProj::Done => unreachable!("the stack was started at the first poll"),
    }
}
