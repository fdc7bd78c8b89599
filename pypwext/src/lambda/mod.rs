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
/// The views moved to `logging::view`; this keeps `http`'s import working
/// until it names the new place.
pub(crate) mod view {
    pub(crate) use crate::logging::view::HeadersText;
}

pub use local::{DEFAULT_LOCAL_ADDR, LocalServer, run};

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::SystemTime;

thread_local! {
    // The running task's invocation; see `crate::task_local`.
    static CURRENT: RefCell<Option<Held>> = const { RefCell::new(None) };
    // The allocation of the thread's last invocation, for its next one.
    static SPARE: Cell<Option<Box<Invocation>>> = const { Cell::new(None) };
}

/// Whether an invocation was already started in this process.
static STARTED: AtomicBool = AtomicBool::new(false);

/// One Lambda invocation, as the log lines and the HTTP client see it.
#[derive(Debug)]
pub struct Invocation {
    /// The invocation's ids side by side in one buffer (one allocation, not
    /// one per id): the request id, then whichever of the others are known.
    text: String,
    request_id: Slice,
    function_name: Option<Slice>,
    function_memory_size: Option<u32>,
    function_arn: Option<Slice>,
    xray_trace_id: Option<Slice>,
    /// `_X_AMZN_TRACE_ID`, read when a trace id is first asked for and none
    /// was given; `None` where the variable is not to be read at all.
    xray_from_env: Option<OnceLock<Option<String>>>,
    correlation_id: Option<Slice>,
    deadline: Option<SystemTime>,
    cold_start: bool,
    /// Whether this invocation logs at DEBUG (`POWERTOOLS_LOGGER_SAMPLE_RATE`);
    /// decided once, by the logger, at the invocation's first event.
    pub(crate) sampled: OnceLock<bool>,
    /// Which invocation this is, for the logger's cache of its keys as they
    /// appear in every line: new whenever the ids are set.
    pub(crate) serial: Serial,
}

/// An invocation's identity, unique in the process without an atomic
/// operation per invocation: the thread that made it, and a count on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Serial {
    thread: u64,
    count: u64,
}

impl Serial {
    fn next() -> Serial {
        static THREADS: AtomicU64 = AtomicU64::new(0);
        thread_local! {
            // Numbered on first use: one atomic operation per thread, not per invocation.
            static THREAD: u64 = THREADS.fetch_add(1, Ordering::Relaxed);
            static COUNT: Cell<u64> = const { Cell::new(0) };
        }
        let count = COUNT.with(|count| {
            count.set(count.get() + 1);
            count.get()
        });
        Serial {
            thread: THREAD.with(|thread| *thread),
            count,
        }
    }
}

/// Whether the invocation being made is the process's first.
fn next_cold_start() -> bool {
    // Read first: after the first invocation, no atomic write at all.
    !STARTED.load(Ordering::Relaxed) && !STARTED.swap(true, Ordering::Relaxed)
}

/// Where one id sits in [`Invocation::text`].
#[derive(Debug, Clone, Copy)]
struct Slice {
    start: usize,
    end: usize,
}

impl Invocation {
    /// A new invocation with its request id. The first one made in a process
    /// is the cold start; every later one is not. Without an explicit X-Ray
    /// trace id, the `_X_AMZN_TRACE_ID` environment variable (which the Lambda
    /// runtime sets for each invocation) is read when one is first asked for.
    pub fn new(request_id: impl Into<String>) -> Self {
        let text = request_id.into();
        let request_id = Slice {
            start: 0,
            end: text.len(),
        };
        Invocation::with_text(text, request_id)
    }

    fn with_text(text: String, request_id: Slice) -> Self {
        Invocation {
            request_id,
            cold_start: next_cold_start(),
            ..Invocation::blank(text)
        }
    }

    /// An invocation with no ids yet, not counted as the cold start (not
    /// counted at all: [`Invocation::fill_from_context`] does that).
    fn blank(text: String) -> Self {
        Invocation {
            text,
            request_id: Slice { start: 0, end: 0 },
            function_name: None,
            function_memory_size: None,
            function_arn: None,
            xray_trace_id: None,
            xray_from_env: Some(OnceLock::new()),
            correlation_id: None,
            deadline: None,
            cold_start: false,
            sampled: OnceLock::new(),
            serial: Serial::next(),
        }
    }

    /// [`Invocation::from_context`], owned by the scope that will hold it,
    /// in the allocation (and the id buffer) the thread's previous invocation
    /// left: no allocation, and no reference count to touch (an atomic
    /// operation costs more than the rest of setting up the invocation).
    pub(crate) fn held_from_context(context: &lambda_runtime::Context, correlation_id: Option<&str>) -> Held {
        match SPARE.take() {
            Some(mut spare) => {
                // Filled in place: a new value moved in would be copied whole.
                spare.fill_from_context(context, correlation_id);
                Held::Owned(spare)
            }
            None => Held::Owned(Box::new(Invocation::from_context(context, correlation_id))),
        }
    }

    /// The invocation a Lambda runtime context describes, with the
    /// correlation id found in its event: every id copied into one buffer.
    pub(crate) fn from_context(context: &lambda_runtime::Context, correlation_id: Option<&str>) -> Self {
        let mut invocation = Invocation::blank(String::new());
        invocation.fill_from_context(context, correlation_id);
        invocation
    }

    /// Makes `self` the invocation `context` describes, keeping only the
    /// capacity of its id buffer.
    fn fill_from_context(&mut self, context: &lambda_runtime::Context, correlation_id: Option<&str>) {
        // Every field is named: one added later cannot be left out here.
        let Invocation {
            text,
            request_id,
            function_name,
            function_memory_size,
            function_arn,
            xray_trace_id,
            xray_from_env,
            correlation_id: correlation,
            deadline,
            cold_start,
            sampled,
            serial,
        } = self;
        let name = Some(context.env_config.function_name.as_str()).filter(|name| !name.is_empty());
        let arn = Some(context.invoked_function_arn.as_str()).filter(|arn| !arn.is_empty());
        let trace_id = context.xray_trace_id.as_deref().filter(|id| !id.is_empty());
        let len = [Some(context.request_id.as_str()), name, arn, trace_id, correlation_id]
            .iter()
            .flatten()
            .map(|id| id.len())
            .sum();
        text.clear();
        text.reserve(len);
        *request_id = push(text, &context.request_id);
        // Copied, not shared: a few bytes cost less than the two atomic
        // operations of holding the runtime's `Arc<Config>`.
        *function_name = name.map(|name| push(text, name));
        *function_memory_size = name.and(u32::try_from(context.env_config.memory).ok());
        *function_arn = arn.map(|arn| push(text, arn));
        *xray_trace_id = trace_id.map(|id| push(text, id));
        // The runtime sets `_X_AMZN_TRACE_ID` from the context (and not at all
        // in concurrent mode): a context without a trace id means there is
        // none, and the variable could only be stale.
        // (`None`, not an initialized `OnceLock`: initializing one is an
        // atomic operation.)
        *xray_from_env = None;
        *correlation = correlation_id.map(|id| push(text, id));
        *deadline =
            (context.deadline > 0).then(|| std::time::UNIX_EPOCH + std::time::Duration::from_millis(context.deadline));
        *cold_start = next_cold_start();
        sampled.take();
        *serial = Serial::next();
    }

    fn slice(&self, slice: Slice) -> &str {
        self.text.get(slice.start..slice.end).unwrap_or_default()
    }

    /// Sets the function's name, memory size in MB and invoked ARN.
    #[must_use]
    pub fn with_function(mut self, name: impl AsRef<str>, memory_size_mb: u32, arn: impl AsRef<str>) -> Self {
        self.function_name = Some(push(&mut self.text, name.as_ref()));
        self.function_memory_size = Some(memory_size_mb);
        self.function_arn = Some(push(&mut self.text, arn.as_ref()));
        self.serial = Serial::next();
        self
    }

    /// Sets the X-Ray trace id.
    #[must_use]
    pub fn with_xray_trace_id(mut self, trace_id: impl AsRef<str>) -> Self {
        self.xray_trace_id = Some(push(&mut self.text, trace_id.as_ref()));
        self.serial = Serial::next();
        self
    }

    /// Sets the correlation id that ties this invocation's lines to a request.
    #[must_use]
    pub fn with_correlation_id(mut self, correlation_id: impl AsRef<str>) -> Self {
        self.correlation_id = Some(push(&mut self.text, correlation_id.as_ref()));
        self.serial = Serial::next();
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
        self.slice(self.request_id)
    }

    /// The function's name, if known.
    pub fn function_name(&self) -> Option<&str> {
        self.function_name
            .map(|name| self.slice(name))
            .filter(|name| !name.is_empty())
    }

    /// The function's memory size in MB, if known.
    pub fn function_memory_size(&self) -> Option<u32> {
        self.function_memory_size
    }

    /// The invoked function's ARN, if known.
    pub fn function_arn(&self) -> Option<&str> {
        self.function_arn.map(|arn| self.slice(arn))
    }

    /// The X-Ray trace id, if any.
    pub fn xray_trace_id(&self) -> Option<&str> {
        match self.xray_trace_id {
            Some(id) => Some(self.slice(id)).filter(|id| !id.is_empty()),
            None => self
                .xray_from_env
                .as_ref()?
                .get_or_init(|| std::env::var("_X_AMZN_TRACE_ID").ok().filter(|v| !v.is_empty()))
                .as_deref(),
        }
    }

    /// The correlation id, if any.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.map(|id| self.slice(id))
    }

    /// When the invocation times out, if known.
    pub fn deadline(&self) -> Option<SystemTime> {
        self.deadline
    }

    /// `true` for the first invocation of the process.
    pub fn cold_start(&self) -> bool {
        self.cold_start
    }

    /// The invocation the calling code runs in, if any. From then on the
    /// invocation is shared (an `Arc`), for as long as its scope lasts.
    pub fn current() -> Option<Arc<Invocation>> {
        let shared = CURRENT.try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            let arc = match slot.take()? {
                Held::Shared(arc) => arc,
                Held::Owned(owned) => Arc::from(owned),
            };
            *slot = Some(Held::Shared(Arc::clone(&arc)));
            Some(arc)
        });
        match shared {
            Ok(Some(arc)) => Some(arc),
            // Asked while the invocation is borrowed (by a log line being
            // written): a copy, rather than a panic.
            _ => Invocation::with_current(|current| current.map(|invocation| Arc::new(invocation.copy()))),
        }
    }

    /// A copy with the same ids, deadline and cold start, and the logger's
    /// decisions as they stand.
    fn copy(&self) -> Invocation {
        Invocation {
            text: self.text.clone(),
            request_id: self.request_id,
            function_name: self.function_name,
            function_memory_size: self.function_memory_size,
            function_arn: self.function_arn,
            xray_trace_id: self.xray_trace_id,
            xray_from_env: self.xray_from_env.clone(),
            correlation_id: self.correlation_id,
            deadline: self.deadline,
            cold_start: self.cold_start,
            sampled: self.sampled.clone(),
            serial: self.serial,
        }
    }

    /// Calls `f` with the invocation the calling code runs in, borrowed: no
    /// reference count is touched (the logger does this for every line).
    pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Invocation>) -> R) -> R {
        crate::task_local::with_borrowed(&CURRENT, |current| f(current.map(|held| &**held)))
    }

    /// Runs `future` as this invocation.
    pub fn scope<F: Future>(self, future: F) -> InvocationScope<F> {
        scope_optional(Some(Held::Owned(Box::new(self))), future)
    }

    /// Runs `future` as this (shared) invocation, for a task spawned during it.
    pub fn scope_shared<F: Future>(self: Arc<Self>, future: F) -> InvocationScope<F> {
        scope_optional(Some(Held::Shared(self)), future)
    }

    /// Runs `f` as this invocation.
    pub fn sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        sync_scope_optional(&mut Some(Held::Owned(Box::new(self))), f)
    }
}

/// The invocation a scope holds: its own (the common case, with no reference
/// count to touch), or one shared with other tasks or handed out by
/// [`Invocation::current`].
#[derive(Debug)]
pub(crate) enum Held {
    Owned(Box<Invocation>),
    Shared(Arc<Invocation>),
}

impl std::ops::Deref for Held {
    type Target = Invocation;

    fn deref(&self) -> &Invocation {
        match self {
            Held::Owned(owned) => owned,
            Held::Shared(shared) => shared,
        }
    }
}

impl Held {
    /// Keeps an owned invocation's allocation for the thread's next one.
    pub(crate) fn recycle(self) {
        if let Held::Owned(owned) = self {
            SPARE.set(Some(owned));
        }
    }
}

/// Runs `future` as `invocation`, or as no invocation at all.
pub(crate) fn scope_optional<F: Future>(invocation: Option<Held>, future: F) -> InvocationScope<F> {
    InvocationScope {
        inner: crate::task_local::scope(&CURRENT, invocation, future),
    }
}

/// Runs `f` as `invocation`, or as no invocation at all; the invocation is
/// back in `invocation` after, to be scoped again without a clone.
pub(crate) fn sync_scope_optional<R>(invocation: &mut Option<Held>, f: impl FnOnce() -> R) -> R {
    crate::task_local::sync_scope(&CURRENT, invocation, f)
}

pin_project_lite::pin_project! {
    /// A future that runs as an [`Invocation`]; made by [`Invocation::scope`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct InvocationScope<F: Future> {
        #[pin]
        inner: crate::task_local::Scoped<Held, F>,
    }

    impl<F: Future> PinnedDrop for InvocationScope<F> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(invocation) = this.project().inner.finish() {
                invocation.recycle();
            }
        }
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
    /// function name, memory, ARN, X-Ray trace id and deadline. Without a
    /// trace id in the context it has none (the `_X_AMZN_TRACE_ID` variable
    /// is not read: the runtime sets it from the same context).
    fn from(context: &lambda_runtime::Context) -> Self {
        Invocation::from_context(context, None)
    }
}

/// Appends `id` to `text`; where it now sits.
fn push(text: &mut String, id: &str) -> Slice {
    let start = text.len();
    text.push_str(id);
    Slice { start, end: text.len() }
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
    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<Cow<'_, str>>;

    /// The event as JSON, for `log_event`; secrets in headers are redacted.
    fn event_json(&self) -> serde_json::Value;
}

impl<T: serde::Serialize> LambdaEventSource for lambda_runtime::LambdaEvent<T> {
    fn lambda_context(&self) -> Option<&lambda_runtime::Context> {
        Some(&self.context)
    }

    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<Cow<'_, str>> {
        path.find_in(&serde_json::to_value(&self.payload).ok()?).map(Cow::Owned)
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

    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<Cow<'_, str>> {
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

    fn correlation_id(&self, path: &crate::logging::CorrelationPath) -> Option<Cow<'_, str>> {
        use lambda_http::RequestExt as _;
        let mut keys = path.keys();
        match (keys.next()?, keys.next(), keys.next()) {
            ("headers", Some(name), None) => self.headers().get(name)?.to_str().ok().map(Cow::Borrowed),
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
            ("requestContext", Some(_), _) => {
                let context = serde_json::to_value(self.request_context_ref()?).ok()?;
                let mut value = &context;
                for key in path.keys().skip(1) {
                    value = value.get(key)?;
                }
                crate::logging::correlation::scalar_text(value).map(Cow::Owned)
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
    crate::logging::view::headers_json(headers)
}

/// A request as a log line shows it: method, path, query, headers (secrets
/// redacted) and body.
pub(crate) fn request_json(request: &lambda_http::Request) -> serde_json::Value {
    crate::logging::view::request_json(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(request_id: &str) -> lambda_runtime::Context {
        let mut context = lambda_runtime::Context::default();
        context.request_id = request_id.to_owned();
        context
    }

    #[test]
    fn a_recycled_invocation_keeps_nothing_of_the_previous_one() {
        let mut busy = context("req-1");
        busy.xray_trace_id = Some("Root=1-abc".to_owned());
        busy.invoked_function_arn = "arn:aws:lambda:eu-west-1:1:function:f".to_owned();
        busy.deadline = 1_700_000_000_000;
        busy.env_config = Arc::new(lambda_runtime::Config {
            function_name: "f".to_owned(),
            memory: 512,
            ..lambda_runtime::Config::default()
        });
        let first = Invocation::held_from_context(&busy, Some("corr-1"));
        assert_eq!(first.function_name(), Some("f"));
        first.sampled.get_or_init(|| true);
        let address: *const Invocation = &*first;
        let first_serial = first.serial;
        // The scope ends unpolled; its invocation is kept for the next one.
        drop(scope_optional(Some(first), async {}));

        let second = Invocation::held_from_context(&context("req-2"), None);
        assert!(std::ptr::eq(&*second, address), "the allocation is reused");
        assert_eq!(second.request_id(), "req-2");
        assert_eq!(second.function_name(), None);
        assert_eq!(second.function_memory_size(), None);
        assert_eq!(second.function_arn(), None);
        assert_eq!(second.xray_trace_id(), None);
        assert_eq!(second.correlation_id(), None);
        assert_eq!(second.deadline(), None);
        assert!(!second.cold_start());
        assert_ne!(second.serial, first_serial);
        assert!(second.sampled.get().is_none());
    }

    #[test]
    fn an_invocation_handed_out_by_current_is_shared_and_not_recycled() {
        let held = Invocation::held_from_context(&context("held"), Some("corr"));
        let (kept, again) = sync_scope_optional(&mut Some(held), || {
            (Invocation::current().unwrap(), Invocation::current().unwrap())
        });
        // One `Arc`, shared from the first `current()` on.
        assert!(Arc::ptr_eq(&kept, &again));
        drop(scope_optional(Some(Held::Shared(again)), async {}));
        let next = Invocation::held_from_context(&context("next"), None);
        assert!(!std::ptr::eq(&*next, Arc::as_ptr(&kept)));
        assert_eq!(kept.request_id(), "held");
        assert_eq!(kept.correlation_id(), Some("corr"));
        assert_eq!(next.request_id(), "next");
    }

    #[test]
    fn current_while_a_line_borrows_the_invocation_is_a_copy() {
        let mut held = Some(Held::Owned(Box::new(Invocation::new("borrowed"))));
        sync_scope_optional(&mut held, || {
            Invocation::with_current(|outer| {
                let copy = Invocation::current().unwrap();
                assert_eq!(copy.request_id(), outer.unwrap().request_id());
            });
        });
        assert!(
            matches!(held, Some(Held::Owned(_))),
            "the scope's own invocation stays its own"
        );
    }
}
