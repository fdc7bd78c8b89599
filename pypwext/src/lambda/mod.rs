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

#[cfg(feature = "local")]
mod local;
#[cfg(feature = "service")]
mod run;
#[cfg(any(feature = "service", feature = "batch"))]
mod runtime;
#[cfg(any(feature = "http", feature = "parameters"))]
mod time_left;

#[cfg(all(feature = "local", feature = "batch"))]
pub(crate) use local::local_addr;
#[cfg(feature = "local")]
pub use local::{DEFAULT_LOCAL_ADDR, LocalServer};
#[cfg(feature = "service")]
pub use run::run;
#[cfg(feature = "service")]
pub(crate) use run::set_header;
#[cfg(any(feature = "service", feature = "batch"))]
pub(crate) use runtime::check_before_run_concurrent;
#[cfg(any(feature = "http", feature = "parameters"))]
pub(crate) use time_left::TimeLeft;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::task::futures::TaskLocalFuture;

tokio::task_local! {
    // The running task's invocation, or `None` where a scope runs as none.
    static CURRENT: Option<Arc<Invocation>>;
}

/// Whether an invocation was already started in this process.
static STARTED: AtomicBool = AtomicBool::new(false);

/// Whether the invocation being made is the process's first.
fn next_cold_start() -> bool {
    !STARTED.swap(true, Ordering::Relaxed)
}

/// One Lambda invocation, as the log lines and the HTTP client see it.
#[derive(Debug)]
pub struct Invocation {
    request_id: String,
    function_name: Option<String>,
    function_memory_size: Option<u32>,
    function_arn: Option<String>,
    /// The trace id given, or `None` to read `_X_AMZN_TRACE_ID` when asked.
    xray_trace_id: Option<String>,
    /// `_X_AMZN_TRACE_ID`, read when a trace id is first asked for and none
    /// was given; `None` where the variable is not to be read at all.
    xray_from_env: Option<OnceLock<Option<String>>>,
    correlation_id: Option<String>,
    /// The tenant Lambda runs the invocation for, under tenant isolation.
    tenant_id: Option<String>,
    deadline: Option<SystemTime>,
    cold_start: bool,
    /// Whether this invocation logs at DEBUG (`POWERTOOLS_LOGGER_SAMPLE_RATE`);
    /// decided once, by the logger, at the invocation's first event.
    pub(crate) sampled: OnceLock<bool>,
    /// The keys `pypwext::logging::append_key` put on this invocation's lines.
    pub(crate) log_keys: Mutex<LogKeys>,
    /// The lines the logger holds back until the invocation fails
    /// (`pypwext::logging::BufferConfig`).
    pub(crate) log_buffer: Mutex<LineBuffer>,
}

/// The event's own `x-amzn-trace-id` header, kept by [`run`] as a request
/// extension: lambda_http replaces the header with the invocation's trace
/// id before the handler sees it, and the ALB correlation id (as Powertools
/// reads it) is the event's.
#[cfg(feature = "service")]
#[derive(Clone, Debug)]
pub(crate) struct EventTraceHeader(pub(crate) http::HeaderValue);

/// Finished log lines held for one invocation, oldest first, within a size.
#[derive(Debug, Default)]
pub(crate) struct LineBuffer {
    lines: std::collections::VecDeque<HeldLine>,
    bytes: usize,
    evicted: u64,
}

/// One finished log line and the event it was made of (a writer may choose
/// by the event's level).
#[derive(Debug, PartialEq)]
pub(crate) struct HeldLine {
    pub(crate) event: &'static tracing::Metadata<'static>,
    pub(crate) bytes: Vec<u8>,
}

impl LineBuffer {
    /// Holds `line`, evicting the oldest lines until all fit in `max_bytes`.
    /// A line larger than `max_bytes` on its own is given back.
    pub(crate) fn push(&mut self, line: HeldLine, max_bytes: usize) -> Result<(), HeldLine> {
        if line.bytes.len() > max_bytes {
            return Err(line);
        }
        while self.bytes + line.bytes.len() > max_bytes {
            let Some(oldest) = self.lines.pop_front() else { break };
            self.bytes -= oldest.bytes.len();
            self.evicted += 1;
        }
        self.bytes += line.bytes.len();
        self.lines.push_back(line);
        Ok(())
    }

    /// The held lines, oldest first, and how many were evicted; empties the
    /// buffer.
    pub(crate) fn take(&mut self) -> (std::collections::VecDeque<HeldLine>, u64) {
        let taken = (std::mem::take(&mut self.lines), self.evicted);
        *self = LineBuffer::default();
        taken
    }
}

/// Appended log keys as JSON, in the order they were appended; `None`
/// removes a key of the process for one invocation.
pub(crate) type LogKeys = Vec<(String, Option<Box<serde_json::value::RawValue>>)>;

/// A future that runs as an [`Invocation`]; made by [`Invocation::scope`].
pub type InvocationScope<F> = TaskLocalFuture<Option<Arc<Invocation>>, F>;

impl Invocation {
    /// A new invocation with its request id. The first one made in a process
    /// is the cold start; every later one is not. Without an explicit X-Ray
    /// trace id, the `_X_AMZN_TRACE_ID` environment variable (which the Lambda
    /// runtime sets for each invocation) is read when one is first asked for.
    pub fn new(request_id: impl Into<String>) -> Self {
        Invocation {
            request_id: request_id.into(),
            function_name: None,
            function_memory_size: None,
            function_arn: None,
            xray_trace_id: None,
            xray_from_env: Some(OnceLock::new()),
            correlation_id: None,
            tenant_id: None,
            deadline: None,
            cold_start: next_cold_start(),
            sampled: OnceLock::new(),
            log_keys: Mutex::new(Vec::new()),
            log_buffer: Mutex::new(LineBuffer::default()),
        }
    }

    /// The invocation a Lambda runtime context describes, with the
    /// correlation id found in its event. Without a trace id in the context
    /// it has none: the runtime sets `_X_AMZN_TRACE_ID` from the same context
    /// (and not at all when it runs invocations concurrently), so the
    /// variable could only be stale.
    pub(crate) fn from_context(context: &lambda_runtime::Context, correlation_id: Option<&str>) -> Self {
        let config = &context.env_config;
        let named = !config.function_name.is_empty();
        Invocation {
            function_name: named.then(|| config.function_name.clone()),
            function_memory_size: named.then(|| u32::try_from(config.memory).ok()).flatten(),
            function_arn: Some(context.invoked_function_arn.clone()).filter(|arn| !arn.is_empty()),
            xray_trace_id: context.xray_trace_id.clone().filter(|id| !id.is_empty()),
            xray_from_env: None,
            correlation_id: correlation_id.map(str::to_owned),
            tenant_id: context.tenant_id.clone().filter(|id| !id.is_empty()),
            deadline: (context.deadline > 0).then(|| UNIX_EPOCH + Duration::from_millis(context.deadline)),
            ..Invocation::new(context.request_id.clone())
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

    /// Sets the tenant the invocation runs for (Lambda's tenant isolation).
    #[must_use]
    pub fn with_tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
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
        self.function_name.as_deref().filter(|name| !name.is_empty())
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
        match &self.xray_trace_id {
            Some(id) => Some(id.as_str()).filter(|id| !id.is_empty()),
            None => self
                .xray_from_env
                .as_ref()?
                .get_or_init(|| std::env::var("_X_AMZN_TRACE_ID").ok().filter(|v| !v.is_empty()))
                .as_deref(),
        }
    }

    /// The correlation id, if any.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    /// The tenant the invocation runs for, if Lambda gave one.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
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

    /// Calls `f` with the invocation the calling code runs in, borrowed.
    pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Invocation>) -> R) -> R {
        f(Invocation::current().as_deref())
    }

    /// Runs `future` as this invocation.
    pub fn scope<F: Future>(self, future: F) -> InvocationScope<F> {
        scope_optional(Some(Arc::new(self)), future)
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
    CURRENT.scope(invocation, future)
}

/// Runs `f` as `invocation`, or as no invocation at all.
pub(crate) fn sync_scope_optional<R>(invocation: Option<Arc<Invocation>>, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(invocation, f)
}

impl From<&lambda_runtime::Context> for Invocation {
    /// The invocation a Lambda runtime context describes: request id,
    /// function name, memory, ARN, X-Ray trace id, tenant id and deadline. Without a
    /// trace id in the context it has none (the `_X_AMZN_TRACE_ID` variable
    /// is not read: the runtime sets it from the same context).
    fn from(context: &lambda_runtime::Context) -> Self {
        Invocation::from_context(context, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_buffer_evicts_the_oldest_and_counts_them() {
        struct Here;
        impl tracing::Callsite for Here {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &tracing::Metadata<'_> {
                &EVENT
            }
        }
        static EVENT: tracing::Metadata<'static> = tracing::metadata! {
            name: "event", target: "test", level: tracing::Level::DEBUG, fields: &[],
            callsite: &Here, kind: tracing::metadata::Kind::EVENT
        };
        let line = |text: &str| HeldLine {
            event: &EVENT,
            bytes: text.as_bytes().to_vec(),
        };
        let mut buffer = LineBuffer::default();
        for text in ["aaaa", "bbbb", "cccc"] {
            buffer.push(line(text), 10).unwrap();
        }
        assert_eq!(buffer.push(line("far too long"), 10), Err(line("far too long")));
        let (lines, evicted) = buffer.take();
        assert_eq!(lines, [line("bbbb"), line("cccc")]);
        assert_eq!(evicted, 1);
        assert_eq!(buffer.take(), (Default::default(), 0), "taking empties it");
    }

    #[test]
    fn an_invocation_from_a_context_takes_its_ids_and_no_stale_trace_id() {
        let mut context = lambda_runtime::Context::default();
        context.request_id = "req-1".to_owned();
        context.invoked_function_arn = "arn:aws:lambda:eu-west-1:1:function:f".to_owned();
        context.deadline = 1_700_000_000_000;
        context.env_config = Arc::new(lambda_runtime::Config {
            function_name: "f".to_owned(),
            memory: 512,
            ..lambda_runtime::Config::default()
        });
        context.tenant_id = Some("tenant-7".to_owned());
        let invocation = Invocation::from_context(&context, Some("corr-1"));
        assert_eq!(invocation.request_id(), "req-1");
        assert_eq!(invocation.tenant_id(), Some("tenant-7"));
        assert_eq!(invocation.function_name(), Some("f"));
        assert_eq!(invocation.function_memory_size(), Some(512));
        assert_eq!(invocation.function_arn(), Some("arn:aws:lambda:eu-west-1:1:function:f"));
        assert_eq!(invocation.correlation_id(), Some("corr-1"));
        assert_eq!(invocation.xray_trace_id(), None);
        assert_eq!(
            invocation.deadline(),
            Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_000))
        );

        let bare = Invocation::from(&lambda_runtime::Context::default());
        assert_eq!(bare.function_name(), None);
        assert_eq!(bare.function_memory_size(), None);
        assert_eq!(bare.deadline(), None);
        assert_eq!(bare.tenant_id(), None);
    }

    #[test]
    fn current_is_the_scope_s_invocation_and_nothing_outside() {
        assert!(Invocation::current().is_none());
        Invocation::new("outer").sync_scope(|| {
            let outer = Invocation::current().unwrap();
            assert_eq!(outer.request_id(), "outer");
            Invocation::new("inner").sync_scope(|| assert_eq!(Invocation::current().unwrap().request_id(), "inner"));
            // The same shared invocation, not a copy.
            assert!(Arc::ptr_eq(&outer, &Invocation::current().unwrap()));
            sync_scope_optional(None, || assert!(Invocation::current().is_none()));
        });
        assert!(Invocation::current().is_none());
    }

    #[tokio::test]
    async fn two_invocations_polled_in_turn_never_see_each_other() {
        async fn check(id: &str) {
            for _ in 0..3 {
                assert_eq!(Invocation::current().unwrap().request_id(), id);
                tokio::task::yield_now().await;
            }
        }
        tokio::join!(
            Invocation::new("a").scope(check("a")),
            Invocation::new("b").scope(check("b"))
        );
    }
}
