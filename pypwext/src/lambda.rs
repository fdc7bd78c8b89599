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

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::SystemTime;

tokio::task_local! {
    static CURRENT: Arc<Invocation>;
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
    xray_trace_id: Option<String>,
    correlation_id: Option<String>,
    deadline: Option<SystemTime>,
    cold_start: bool,
    /// Whether this invocation logs at DEBUG (`POWERTOOLS_LOGGER_SAMPLE_RATE`);
    /// decided once, by the logger, at the invocation's first event.
    pub(crate) sampled: OnceLock<bool>,
}

impl Invocation {
    /// A new invocation with its request id. The first one made in a process
    /// is the cold start; every later one is not. The X-Ray trace id starts as
    /// the `_X_AMZN_TRACE_ID` environment variable, which the Lambda runtime
    /// sets for each invocation.
    pub fn new(request_id: impl Into<String>) -> Self {
        Invocation {
            request_id: request_id.into(),
            function_name: None,
            function_memory_size: None,
            function_arn: None,
            xray_trace_id: std::env::var("_X_AMZN_TRACE_ID").ok().filter(|v| !v.is_empty()),
            correlation_id: None,
            deadline: None,
            cold_start: !STARTED.swap(true, Ordering::Relaxed),
            sampled: OnceLock::new(),
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
        self.function_name.as_deref()
    }

    /// The function's memory size in MB, if known.
    pub fn function_memory_size(&self) -> Option<u32> {
        self.function_memory_size
    }

    /// The invoked function's ARN, if known.
    pub fn function_arn(&self) -> Option<&str> {
        self.function_arn.as_deref()
    }

    /// The X-Ray trace id, if any.
    pub fn xray_trace_id(&self) -> Option<&str> {
        self.xray_trace_id.as_deref()
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
        CURRENT.try_with(Arc::clone).ok()
    }

    /// Runs `future` as this invocation.
    pub fn scope<F: Future>(self, future: F) -> InvocationScope<F> {
        Arc::new(self).scope_shared(future)
    }

    /// Runs `future` as this (shared) invocation, for a task spawned during it.
    pub fn scope_shared<F: Future>(self: Arc<Self>, future: F) -> InvocationScope<F> {
        InvocationScope {
            inner: CURRENT.scope(self, future),
        }
    }

    /// Runs `f` as this invocation.
    pub fn sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(Arc::new(self), f)
    }
}

pin_project_lite::pin_project! {
    /// A future that runs as an [`Invocation`]; made by [`Invocation::scope`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct InvocationScope<F: Future> {
        #[pin]
        inner: tokio::task::futures::TaskLocalFuture<Arc<Invocation>, F>,
    }
}

impl<F: Future> Future for InvocationScope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}
