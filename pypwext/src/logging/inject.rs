//! The runtime of `#[logged(inject_lambda_context)]`: the invocation scope
//! from the handler's event, and `log_event`.

use std::sync::{Arc, OnceLock};

use super::correlation::CorrelationPath;
use super::logged::TARGET;
use crate::lambda::{Invocation, LambdaEventSource};

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
    invocation: Option<Arc<Invocation>>,
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
            Some(Invocation::shared_from_context(context, correlation_id.as_deref()))
        }
        None => Invocation::current(),
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
