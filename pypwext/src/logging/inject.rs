//! The runtime of `#[logged(inject_lambda_context)]`: the invocation scope
//! from the handler's event, and `log_event`.

use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use super::correlation::CorrelationPath;
use crate::lambda::Invocation;
use crate::log_target::LOGGED as TARGET;

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
    /// The event as JSON text, when `log_event` is on and INFO is written.
    event: Option<Vec<u8>>,
}

/// Reads the handler's event before the handler takes it: the invocation
/// from the event's Lambda context with its correlation id (an event without a
/// context, such as a request built by hand, keeps the invocation that is
/// current, if any), and the event itself for `log_event`.
///
/// The correlation id is looked up in the event's fields only
/// ([`LambdaEventSource::correlation_id_in_fields`]): the generated code calls
/// this for the paths pypwext chooses, and [`prepare_injection_anywhere`] for a
/// handler's own `correlation_id_path`.
pub fn prepare_injection<E: LambdaEventSource + ?Sized>(event: &E, opts: &InjectLambdaContext) -> Injection {
    prepare(event, opts, E::correlation_id_in_fields)
}

/// [`prepare_injection`] for a handler that names its own `correlation_id_path`:
/// the path may reach anywhere in the event
/// ([`LambdaEventSource::correlation_id`]). A separate function so that the
/// code that serializes an event to find such a path is built only into
/// functions that name one (an API Gateway request context's serializer
/// would show in the size of the service-only binary that
/// `scripts/build-cost.sh` measures).
pub fn prepare_injection_anywhere<E: LambdaEventSource + ?Sized>(event: &E, opts: &InjectLambdaContext) -> Injection {
    prepare(event, opts, E::correlation_id)
}

/// The invocation of a `#[traced]` handler that takes a `LambdaEvent` and
/// has no layer that sets the invocation: the invocation already running (a
/// caller such as `pypwext::lambda::run` set it), else the one the event's
/// context describes, so that the trace is the event's own. Logs nothing.
#[cfg(feature = "tracer")]
pub fn prepare_trace_injection<T>(event: &lambda_runtime::LambdaEvent<T>, _opts: &InjectLambdaContext) -> Injection {
    Injection {
        invocation: Invocation::current().or_else(|| Some(Arc::new(Invocation::from(&event.context)))),
        event: None,
    }
}

fn prepare<'e, E: LambdaEventSource + ?Sized>(
    event: &'e E,
    opts: &InjectLambdaContext,
    correlation_id: impl Fn(&'e E, &CorrelationPath) -> Option<Cow<'e, str>>,
) -> Injection {
    let invocation = match event.lambda_context() {
        Some(context) => {
            let correlation_id = opts.paths().iter().find_map(|path| correlation_id(event, path));
            Some(Arc::new(Invocation::from_context(context, correlation_id.as_deref())))
        }
        None => Invocation::current(),
    };
    let log_event = opts.log_event && tracing::enabled!(target: TARGET, tracing::Level::INFO);
    Injection {
        invocation,
        event: log_event.then(|| {
            let mut json = Vec::new();
            event.write_event_json(&mut json);
            json
        }),
    }
}

fn log_event(opts: &InjectLambdaContext, event: Option<Vec<u8>>) {
    if let Some(event) = event {
        tracing::info!(
            target: TARGET,
            location = %format_args!("{}:{}", opts.function, opts.line),
            pypwext.message = ?super::json::RawJson(&event)
        );
    }
}

/// Runs the future `build` makes as the handler's invocation: the event is
/// logged and the future built (the entry lines of the layers above the
/// handler are written then) inside the invocation, then the future runs in it.
pub fn inject_async<F: Future>(
    opts: &'static InjectLambdaContext,
    injection: Injection,
    build: impl FnOnce() -> F,
) -> impl Future<Output = F::Output> {
    let Injection { invocation, event } = injection;
    let future = crate::lambda::sync_scope_optional(invocation.clone(), || {
        log_event(opts, event);
        build()
    });
    crate::lambda::scope_optional(invocation, future)
}

/// Runs `f` as the handler's invocation, logging the event first.
pub fn inject_sync<R>(opts: &InjectLambdaContext, injection: Injection, f: impl FnOnce() -> R) -> R {
    let Injection { invocation, event } = injection;
    crate::lambda::sync_scope_optional(invocation, || {
        log_event(opts, event);
        f()
    })
}

/// A handler's event that carries the Lambda context: what
/// `#[logged(inject_lambda_context)]` reads the invocation from.
#[diagnostic::on_unimplemented(
    message = "`inject_lambda_context` cannot read the Lambda context from `{Self}`",
    label = "not a Lambda event",
    note = "the handler's first parameter must be a `lambda_http::Request` or a `lambda_runtime::LambdaEvent<T>` with `T: Serialize`"
)]
pub trait LambdaEventSource {
    /// The runtime's context of the invocation, if the event carries one.
    fn lambda_context(&self) -> Option<&lambda_runtime::Context>;

    /// The value at `path` in the event, as text, when the event has it as a
    /// field of its own: for an API Gateway or ALB request, a header, a query
    /// string or path parameter, or `requestContext.requestId`. `None` for
    /// every other path, even one the event has.
    fn correlation_id_in_fields(&self, path: &CorrelationPath) -> Option<Cow<'_, str>>;

    /// The value at `path` anywhere in the event, as text. Serializes the
    /// event (or the part `path` goes into) for what
    /// [`correlation_id_in_fields`](Self::correlation_id_in_fields) does not
    /// read.
    fn correlation_id(&self, path: &CorrelationPath) -> Option<Cow<'_, str>>;

    /// Appends the event as JSON, for `log_event`; secrets in headers are
    /// redacted.
    fn write_event_json(&self, out: &mut Vec<u8>);
}

impl<T: serde::Serialize> LambdaEventSource for lambda_runtime::LambdaEvent<T> {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        Some(&self.context)
    }

    /// `None`: a payload of type `T` has no fields pypwext reads directly.
    fn correlation_id_in_fields(&self, _path: &CorrelationPath) -> Option<Cow<'_, str>> {
        None
    }

    fn correlation_id(&self, path: &CorrelationPath) -> Option<Cow<'_, str>> {
        path.find_in(&serde_json::to_value(&self.payload).ok()?).map(Cow::Owned)
    }

    fn write_event_json(&self, out: &mut Vec<u8>) {
        super::json::write_serialize(out, &self.payload);
    }
}

impl<E: LambdaEventSource + ?Sized> LambdaEventSource for &E {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        (**self).lambda_context()
    }

    fn correlation_id_in_fields(&self, path: &CorrelationPath) -> Option<Cow<'_, str>> {
        (**self).correlation_id_in_fields(path)
    }

    fn correlation_id(&self, path: &CorrelationPath) -> Option<Cow<'_, str>> {
        (**self).correlation_id(path)
    }

    fn write_event_json(&self, out: &mut Vec<u8>) {
        (**self).write_event_json(out);
    }
}

#[cfg(feature = "service")]
impl LambdaEventSource for lambda_http::Request {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        lambda_http::RequestExt::lambda_context_ref(self)
    }

    fn correlation_id_in_fields(&self, path: &CorrelationPath) -> Option<Cow<'_, str>> {
        use lambda_http::RequestExt as _;
        let mut keys = path.keys();
        match (keys.next()?, keys.next(), keys.next()) {
            ("headers", Some(name), None) => {
                // The event's own trace header, not the invocation's that
                // lambda_http put in its place (see `pypwext::lambda::run`).
                let own = self
                    .extensions()
                    .get::<crate::lambda::EventTraceHeader>()
                    .filter(|_| name.eq_ignore_ascii_case("x-amzn-trace-id"))
                    .map(|crate::lambda::EventTraceHeader(value)| value);
                own.or_else(|| self.headers().get(name))?
                    .to_str()
                    .ok()
                    .map(Cow::Borrowed)
            }
            ("queryStringParameters", Some(name), None) => {
                self.query_string_parameters_ref()?.first(name).map(Cow::Borrowed)
            }
            ("pathParameters", Some(name), None) => self.path_parameters_ref()?.first(name).map(Cow::Borrowed),
            ("requestContext", Some("requestId"), None) => match self.request_context_ref()? {
                // The common correlation path, read without serializing the context.
                lambda_http::request::RequestContext::ApiGatewayV1(context) => {
                    context.request_id.as_deref().map(Cow::Borrowed)
                }
                lambda_http::request::RequestContext::ApiGatewayV2(context) => {
                    context.request_id.as_deref().map(Cow::Borrowed)
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn correlation_id(&self, path: &CorrelationPath) -> Option<Cow<'_, str>> {
        use lambda_http::RequestExt as _;
        if let Some(id) = self.correlation_id_in_fields(path) {
            return Some(id);
        }
        let mut keys = path.keys();
        if keys.next()? != "requestContext" {
            return None;
        }
        let context = serde_json::to_value(self.request_context_ref()?).ok()?;
        let mut value = &context;
        for key in keys {
            value = value.get(key)?;
        }
        super::correlation::scalar_text(value).map(Cow::Owned)
    }

    fn write_event_json(&self, out: &mut Vec<u8>) {
        super::view::write_request(out, self);
    }
}
