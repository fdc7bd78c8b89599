//! The Lambda invocation a piece of code runs in: the keys every log line of
//! the invocation carries (`function_request_id`, `cold_start`, …), and the
//! deadline.
//!
//! [`Invocation::scope`] is the one entry point: the handler layers of
//! pypwext call it, and so can your own code:
//!
//! ```
//! use pypwext::lambda::Invocation;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let invocation = Invocation::new("52fdfc07-2182-154f-163f-5f0f9a621d72")
//!     .with_function("order-service", 512, "arn:aws:lambda:eu-west-1:123456789012:function:order-service")
//!     .with_correlation_id("corr-1");
//! invocation
//!     .scope(async {
//!         // Every line logged here carries function_request_id, correlation_id, cold_start, ….
//!         let current = Invocation::current().unwrap();
//!         assert_eq!(current.request_id(), "52fdfc07-2182-154f-163f-5f0f9a621d72");
//!     })
//!     .await;
//! # });
//! ```

mod local;
pub(crate) mod view;

pub use local::{DEFAULT_LOCAL_ADDR, LocalServer, run};

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::SystemTime;

tokio::task_local! {
    static CURRENT: Option<Arc<Invocation>>;
}

/// Whether an invocation was already started in this process.
static STARTED: AtomicBool = AtomicBool::new(false);

/// One Lambda invocation, as the log lines and the HTTP client see it.
#[derive(Debug)]
pub struct Invocation {
    request_id: String,
    function_name: Option<String>,
    function_memory_size: Option<u32>,
    function_arn: Option<String>,
    /// The runtime's configuration, shared, when made from a `Context`: the
    /// function's name and memory are read from it, not copied per invocation.
    config: Option<std::sync::Arc<lambda_runtime::Config>>,
    xray_trace_id: Option<String>,
    /// `_X_AMZN_TRACE_ID`, read when a trace id is first asked for and none was given.
    xray_from_env: OnceLock<Option<String>>,
    correlation_id: Option<String>,
    deadline: Option<SystemTime>,
    cold_start: bool,
    /// Whether this invocation logs at DEBUG (`POWERTOOLS_LOGGER_SAMPLE_RATE`);
    /// decided once, by the logger, at the invocation's first event.
    pub(crate) sampled: OnceLock<bool>,
    /// The invocation's keys as they appear in every log line, written once.
    pub(crate) log_keys: OnceLock<Box<[u8]>>,
}

impl Invocation {
    /// A new invocation with its request id. The first one made in a process
    /// is the cold start; every later one is not. Without an explicit X-Ray
    /// trace id, the `_X_AMZN_TRACE_ID` environment variable (which the Lambda
    /// runtime sets for each invocation) is read when one is first asked for.
    pub fn new(request_id: impl Into<String>) -> Self {
        Invocation::with_trace_id(request_id.into(), None)
    }

    fn with_trace_id(request_id: String, xray_trace_id: Option<String>) -> Self {
        Invocation {
            request_id,
            function_name: None,
            function_memory_size: None,
            function_arn: None,
            config: None,
            xray_trace_id: xray_trace_id.filter(|v| !v.is_empty()),
            xray_from_env: OnceLock::new(),
            correlation_id: None,
            deadline: None,
            cold_start: !STARTED.swap(true, Ordering::Relaxed),
            sampled: OnceLock::new(),
            log_keys: OnceLock::new(),
        }
    }

    /// Sets the function's name, memory size in MB and invoked ARN.
    #[must_use]
    pub fn with_function(mut self, name: impl Into<String>, memory_size_mb: u32, arn: impl Into<String>) -> Self {
        self.function_name = Some(name.into());
        self.function_memory_size = Some(memory_size_mb);
        self.function_arn = Some(arn.into());
        self
    }

    /// Sets the X-Ray trace id.
    #[must_use]
    pub fn with_xray_trace_id(mut self, trace_id: impl Into<String>) -> Self {
        self.xray_trace_id = Some(trace_id.into());
        self
    }

    /// Sets the correlation id that ties this invocation's lines to a request.
    #[must_use]
    pub fn with_correlation_id(mut self, correlation_id: impl Into<String>) -> Self {
        self.correlation_id = Some(correlation_id.into());
        self
    }

    /// Sets when the invocation times out.
    #[must_use]
    pub fn with_deadline(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The invocation's request id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The function's name, if known.
    pub fn function_name(&self) -> Option<&str> {
        self.function_name
            .as_deref()
            .or_else(|| self.config.as_ref().map(|c| c.function_name.as_str()))
            .filter(|name| !name.is_empty())
    }

    /// The function's memory size in MB, if known.
    pub fn function_memory_size(&self) -> Option<u32> {
        self.function_memory_size
            .or_else(|| self.config.as_ref().and_then(|c| u32::try_from(c.memory).ok()))
            .filter(|_| self.function_name().is_some() || self.function_memory_size.is_some())
    }

    /// The invoked function's ARN, if known.
    pub fn function_arn(&self) -> Option<&str> {
        self.function_arn.as_deref()
    }

    /// The X-Ray trace id, if any.
    pub fn xray_trace_id(&self) -> Option<&str> {
        match &self.xray_trace_id {
            Some(id) => Some(id),
            None => self
                .xray_from_env
                .get_or_init(|| std::env::var("_X_AMZN_TRACE_ID").ok().filter(|v| !v.is_empty()))
                .as_deref(),
        }
    }

    /// The correlation id, if any.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    /// When the invocation times out, if known.
    pub fn deadline(&self) -> Option<SystemTime> {
        self.deadline
    }

    /// `true` for the first invocation of the process.
    pub fn cold_start(&self) -> bool {
        self.cold_start
    }

    /// The invocation the calling code runs in, if any.
    pub fn current() -> Option<Arc<Invocation>> {
        CURRENT.try_with(Option::clone).ok().flatten()
    }

    /// Runs `future` as this invocation.
    pub fn scope<F: Future>(self, future: F) -> InvocationScope<F> {
        Arc::new(self).scope_shared(future)
    }

    /// Runs `future` as this (shared) invocation, for a task spawned during it.
    pub fn scope_shared<F: Future>(self: Arc<Self>, future: F) -> InvocationScope<F> {
        scope_optional(Some(self), future)
    }

    /// Runs `f` as this invocation.
    pub fn sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(Some(Arc::new(self)), f)
    }
}

/// Runs `future` as `invocation`, or as no invocation at all.
pub(crate) fn scope_optional<F: Future>(invocation: Option<Arc<Invocation>>, future: F) -> InvocationScope<F> {
    InvocationScope {
        inner: CURRENT.scope(invocation, future),
    }
}

/// Runs `f` as `invocation`, or as no invocation at all.
pub(crate) fn sync_scope_optional<R>(invocation: Option<Arc<Invocation>>, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(invocation, f)
}

pin_project_lite::pin_project! {
    /// A future that runs as an [`Invocation`]; made by [`Invocation::scope`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct InvocationScope<F: Future> {
        #[pin]
        inner: tokio::task::futures::TaskLocalFuture<Option<Arc<Invocation>>, F>,
    }
}

impl<F: Future> Future for InvocationScope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl From<&lambda_runtime::Context> for Invocation {
    /// The invocation a Lambda runtime context describes: request id,
    /// function name, memory, ARN, X-Ray trace id and deadline.
    fn from(context: &lambda_runtime::Context) -> Self {
        // The context's trace id is the invocation's; without one, the
        // environment variable is read if a log line asks for it.
        let mut invocation = Invocation::with_trace_id(context.request_id.clone(), context.xray_trace_id.clone());
        invocation.config = Some(context.env_config.clone());
        if !context.invoked_function_arn.is_empty() {
            invocation.function_arn = Some(context.invoked_function_arn.clone());
        }
        if context.deadline > 0 {
            invocation =
                invocation.with_deadline(std::time::UNIX_EPOCH + std::time::Duration::from_millis(context.deadline));
        }
        invocation
    }
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

    /// The value at `path` in the event, as text.
    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<String>;

    /// The event as JSON, for `log_event`; secrets in headers are redacted.
    fn event_json(&self) -> serde_json::Value;
}

impl<T: serde::Serialize> LambdaEventSource for lambda_runtime::LambdaEvent<T> {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        Some(&self.context)
    }

    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<String> {
        path.find_in(&serde_json::to_value(&self.payload).ok()?)
    }

    fn event_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.payload)
            .unwrap_or_else(|err| serde_json::Value::String(format!("<event not serializable: {err}>")))
    }
}

impl<E: LambdaEventSource + ?Sized> LambdaEventSource for &E {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        (**self).lambda_context()
    }

    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<String> {
        (**self).correlation_id(path)
    }

    fn event_json(&self) -> serde_json::Value {
        (**self).event_json()
    }
}

/// Headers whose values never reach a log line.
pub(crate) const REDACTED_HEADERS: &[&str] = &["authorization", "cookie", "set-cookie", "x-amz-security-token"];

impl LambdaEventSource for lambda_http::Request {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        lambda_http::RequestExt::lambda_context_ref(self)
    }

    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<String> {
        use lambda_http::RequestExt as _;
        let mut keys = path.keys();
        match (keys.next()?, keys.next(), keys.next()) {
            ("headers", Some(name), None) => self.headers().get(name)?.to_str().ok().map(str::to_owned),
            ("queryStringParameters", Some(name), None) => {
                self.query_string_parameters_ref()?.first(name).map(str::to_owned)
            }
            ("pathParameters", Some(name), None) => self.path_parameters_ref()?.first(name).map(str::to_owned),
            ("requestContext", Some("requestId"), None) => match self.request_context_ref()? {
                // The common correlation path, read without serializing the context.
                lambda_http::request::RequestContext::ApiGatewayV1(context) => context.request_id.clone(),
                lambda_http::request::RequestContext::ApiGatewayV2(context) => context.request_id.clone(),
                _ => None,
            },
            ("requestContext", Some(_), _) => {
                let context = serde_json::to_value(self.request_context_ref()?).ok()?;
                let mut value = &context;
                for key in path.keys().skip(1) {
                    value = value.get(key)?;
                }
                crate::logging::correlation::scalar_text(value)
            }
            _ => None,
        }
    }

    fn event_json(&self) -> serde_json::Value {
        request_json(self)
    }
}

/// A header map as a log line shows it.
pub(crate) fn headers_json(headers: &http::HeaderMap) -> serde_json::Value {
    serde_json::to_value(view::HeadersView(headers)).unwrap_or_default()
}

/// A response as a log line shows it: status, headers (secrets redacted), body.
pub(crate) fn response_json(response: &http::Response<lambda_http::Body>) -> serde_json::Value {
    serde_json::to_value(view::ResponseView(response)).unwrap_or_default()
}

/// A request as a log line shows it: method, path, query, headers (secrets
/// redacted) and body.
pub(crate) fn request_json(request: &lambda_http::Request) -> serde_json::Value {
    serde_json::to_value(view::RequestView(request)).unwrap_or_default()
}
