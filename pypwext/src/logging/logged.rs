//! The runtime of `#[logged]`: the entry, exit and exception lines.

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::Level;

use super::json;
use super::render::{RenderError, RenderValue};
use crate::errors::{InfoClassification, LogEntryType};

/// The target of every `#[logged]` line, for filters.
pub const TARGET: &str = "pypwext::logged";

/// What `#[logged(...)]` was asked to do on one function; a `static` in the
/// generated code.
#[derive(Debug)]
pub struct Logged {
    /// The function's name.
    pub function: &'static str,
    /// The line of the function's name.
    pub line: u32,
    /// `function:line`, the `location` of every line.
    pub location: &'static str,
    /// The entry line's level.
    pub level: Level,
    /// The exit line's level.
    pub out_level: Level,
    /// The entry (and exception) line's classification.
    pub classification: InfoClassification,
    /// The entry (and exception) line's type.
    pub log_type: LogEntryType,
    /// The entry (and exception) line's operation.
    pub operation: Option<&'static str>,
    /// The exit line's classification.
    pub out_classification: InfoClassification,
    /// The exit line's type.
    pub out_log_type: LogEntryType,
    /// The exit line's operation.
    pub out_operation: Option<&'static str>,
    /// Log an `Err` or a panic at ERROR.
    pub log_exception: bool,
}

/// Whether an event at `level` with target [`TARGET`] would be written.
pub(crate) fn level_enabled(level: Level) -> bool {
    // `enabled!` needs its level as a constant: one callsite per level.
    match level {
        Level::TRACE => tracing::enabled!(target: TARGET, Level::TRACE),
        Level::DEBUG => tracing::enabled!(target: TARGET, Level::DEBUG),
        Level::INFO => tracing::enabled!(target: TARGET, Level::INFO),
        Level::WARN => tracing::enabled!(target: TARGET, Level::WARN),
        Level::ERROR => tracing::enabled!(target: TARGET, Level::ERROR),
    }
}

/// Whether an exit line (the return value, or the exception) may be
/// written: if not, the generated exit code is not even called.
fn exit_wanted(meta: &Logged) -> bool {
    level_enabled(meta.out_level) || (meta.log_exception && level_enabled(Level::ERROR))
}

/// One line of a `#[logged]` function.
struct Line<'a> {
    meta: &'static Logged,
    level: Level,
    message: &'a dyn fmt::Debug,
    classification: InfoClassification,
    log_type: LogEntryType,
    operation: Option<&'static str>,
    exception: Option<&'a str>,
    exception_name: Option<&'a str>,
}

impl Line<'_> {
    fn emit(&self) {
        let location = self.meta.location;
        macro_rules! at {
            ($level:expr) => {
                tracing::event!(
                    target: TARGET,
                    $level,
                    location = location,
                    // The defaults are left out of the line by the layer:
                    // not recording them saves two fields on most lines.
                    classification = (self.classification != InfoClassification::Na).then(|| self.classification.as_str()),
                    log_type = (self.log_type != LogEntryType::Std).then(|| self.log_type.as_str()),
                    operation = self.operation,
                    exception = self.exception,
                    exception_name = self.exception_name,
                    pypwext.message = ?self.message,
                )
            };
        }
        match self.level {
            Level::TRACE => at!(Level::TRACE),
            Level::DEBUG => at!(Level::DEBUG),
            Level::INFO => at!(Level::INFO),
            Level::WARN => at!(Level::WARN),
            Level::ERROR => at!(Level::ERROR),
        }
    }
}

/// Writes JSON that is already JSON through `Debug`, for `pypwext.message`.
struct RawJson<'a>(&'a [u8]);

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Made by `json::*` from `&str`s and serde_json: always UTF-8, so the
        // lossy path is never taken.
        match std::str::from_utf8(self.0) {
            Ok(text) => f.write_str(text),
            Err(_) => f.write_str(&String::from_utf8_lossy(self.0)),
        }
    }
}

/// The arguments, rendered at entry when a line may need them.
#[derive(Debug, Default)]
pub struct EntryArgs {
    /// The entry line's message, `{"msg":"Entering f","args":{…}}`, and where
    /// the arguments sit in it; `None` when nothing needs them.
    message: Option<(Vec<u8>, Range<usize>)>,
    /// Whether a panic would be logged: if not, the body is polled as is,
    /// with no unwinding guard around it.
    guard_panics: bool,
}

impl EntryArgs {
    /// `{"name":value,…}`.
    fn json(&self) -> &[u8] {
        match &self.message {
            Some((message, args)) => &message[args.clone()],
            None => b"{}",
        }
    }
}

/// Collects the rendered arguments of one call.
pub struct ArgsWriter {
    buf: Vec<u8>,
    empty: bool,
}

impl ArgsWriter {
    /// Adds an argument rendered with `Serialize` or `Debug`.
    pub fn arg(&mut self, name: &str, value: impl RenderValue) {
        self.key(name);
        value.render_json(&mut self.buf);
    }

    /// Adds an argument whose value must not be logged.
    pub fn redacted(&mut self, name: &str) {
        self.key(name);
        self.buf.extend_from_slice(b"\"*****\"");
    }

    fn key(&mut self, name: &str) {
        if !std::mem::take(&mut self.empty) {
            self.buf.push(b',');
        }
        json::write_str(&mut self.buf, name);
        self.buf.push(b':');
    }
}

/// Renders the arguments and writes the entry line, when either is needed.
pub fn logged_args(meta: &'static Logged, render: impl FnOnce(&mut ArgsWriter)) -> EntryArgs {
    let entry = level_enabled(meta.level);
    let for_exception = meta.log_exception && level_enabled(Level::ERROR);
    if !entry && !for_exception {
        return EntryArgs {
            message: None,
            guard_panics: false,
        };
    }
    // The arguments are written into the message itself: one buffer, no copy.
    let mut writer = ArgsWriter {
        buf: message_start("Entering ", meta.function, "args", 256),
        empty: true,
    };
    let start = writer.buf.len();
    writer.buf.push(b'{');
    render(&mut writer);
    writer.buf.push(b'}');
    let args = start..writer.buf.len();
    let mut message = writer.buf;
    message.push(b'}');
    if entry {
        Line {
            meta,
            level: meta.level,
            message: &RawJson(&message),
            classification: meta.classification,
            log_type: meta.log_type,
            operation: meta.operation,
            exception: None,
            exception_name: None,
        }
        .emit();
    }
    if !for_exception {
        // Only an exception line would read the arguments again.
        give_back(message);
        return EntryArgs {
            message: None,
            guard_panics: false,
        };
    }
    EntryArgs {
        message: Some((message, args)),
        guard_panics: true,
    }
}

thread_local! {
    // A message buffer whose line was written, for the thread's next one.
    static SPARE_MESSAGE: Cell<Option<Vec<u8>>> = const { Cell::new(None) };
}

/// An empty buffer for a message: the thread's spare one, or a new one (when
/// it is in use, by a line made while another is being made).
fn take_buffer(capacity: usize) -> Vec<u8> {
    match SPARE_MESSAGE.try_with(Cell::take) {
        Ok(Some(mut buffer)) => {
            buffer.clear();
            buffer.reserve(capacity);
            buffer
        }
        _ => Vec::with_capacity(capacity),
    }
}

/// Keeps a message's buffer for the thread's next line, unless a large
/// message (a big body, say) made it too big to keep around.
fn give_back(buffer: Vec<u8>) {
    const KEPT_AT_MOST: usize = 64 * 1024;
    if buffer.capacity() <= KEPT_AT_MOST {
        let _ = SPARE_MESSAGE.try_with(|spare| spare.set(Some(buffer)));
    }
}

/// `{"msg":"<verb><function>","<key>":`, the value and `}` to follow.
fn message_start(verb: &str, function: &str, key: &str, capacity: usize) -> Vec<u8> {
    let mut message = take_buffer(capacity);
    message.extend_from_slice(b"{\"msg\":\"");
    message.extend_from_slice(verb.as_bytes());
    json::escape_into(&mut message, function);
    message.extend_from_slice(b"\",");
    json::write_str(&mut message, key);
    message.push(b':');
    message
}

/// Writes the exit line, or the exception line for an `Err`.
pub struct ExitWriter<'a> {
    meta: &'static Logged,
    args: &'a EntryArgs,
}

impl ExitWriter<'_> {
    /// The function returned `value` (or `Ok(value)`).
    pub fn value(&mut self, value: impl RenderValue) {
        if !level_enabled(self.meta.out_level) {
            return;
        }
        let mut message = message_start("Exiting ", self.meta.function, "return", 256);
        value.render_json(&mut message);
        message.push(b'}');
        Line {
            meta: self.meta,
            level: self.meta.out_level,
            message: &RawJson(&message),
            classification: self.meta.out_classification,
            log_type: self.meta.out_log_type,
            operation: self.meta.out_operation,
            exception: None,
            exception_name: None,
        }
        .emit();
        give_back(message);
    }

    /// The function returned `Err(error)`.
    pub fn error(&mut self, error: impl RenderError) {
        if !self.meta.log_exception || !level_enabled(Level::ERROR) {
            return;
        }
        exception_line(self.meta, self.args, &error.exception_text(), &error.exception_name());
    }
}

fn exception_line(meta: &'static Logged, args: &EntryArgs, exception: &str, name: &str) {
    let args = args.json();
    let mut message = message_start("Exception in ", meta.function, "args", args.len() + 64);
    message.extend_from_slice(args);
    message.push(b'}');
    Line {
        meta,
        level: Level::ERROR,
        message: &RawJson(&message),
        classification: meta.classification,
        log_type: meta.log_type,
        operation: meta.operation,
        exception: Some(exception),
        exception_name: Some(name),
    }
    .emit();
    give_back(message);
}

/// The message a panic was raised with.
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic with a payload that is not a string")
}

fn panic_line(meta: &'static Logged, args: &EntryArgs, payload: &(dyn Any + Send)) {
    if !meta.log_exception || !level_enabled(Level::ERROR) {
        return;
    }
    exception_line(meta, args, panic_text(payload), "panic");
}

/// The `#[logged]` layer around a sync body.
pub fn logged_sync<R>(
    meta: &'static Logged,
    args: EntryArgs,
    body: impl FnOnce() -> R,
    exit: fn(&R, &mut ExitWriter<'_>),
) -> R {
    if !args.guard_panics {
        let ret = body();
        if exit_wanted(meta) {
            exit(&ret, &mut ExitWriter { meta, args: &args });
        }
        return ret;
    }
    // The panic is resumed below, so the body's state is never observed after it.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(ret) => {
            if exit_wanted(meta) {
                exit(&ret, &mut ExitWriter { meta, args: &args });
            }
            ret
        }
        Err(payload) => {
            panic_line(meta, &args, &*payload);
            resume_unwind(payload)
        }
    }
}

pin_project_lite::pin_project! {
    /// The `#[logged]` layer around an async body (a hand-written future, so
    /// that the body's future is held once; see `__private`).
    #[must_use = "futures do nothing unless awaited"]
    pub struct LoggedFuture<F: Future> {
        meta: &'static Logged,
        args: EntryArgs,
        exit: fn(&F::Output, &mut ExitWriter<'_>),
        #[pin]
        body: CatchUnwind<F>,
    }
}

impl<F: Future> Future for LoggedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let polled = if this.args.guard_panics {
            this.body.poll(cx)
        } else {
            this.body.poll_unguarded(cx).map(Ok)
        };
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(ret)) if !exit_wanted(this.meta) => Poll::Ready(ret),
            Poll::Ready(Ok(ret)) => {
                (this.exit)(
                    &ret,
                    &mut ExitWriter {
                        meta: this.meta,
                        args: this.args,
                    },
                );
                Poll::Ready(ret)
            }
            Poll::Ready(Err(payload)) => {
                panic_line(this.meta, this.args, &*payload);
                resume_unwind(payload)
            }
        }
    }
}

/// The `#[logged]` layer around an async body. `exit` is a fn pointer (the
/// generated closure captures nothing), so it is higher-ranked over the
/// borrows it gets and adds nothing to the future's `Send`-ness.
pub fn logged_async<F: Future>(
    meta: &'static Logged,
    args: EntryArgs,
    body: F,
    exit: fn(&F::Output, &mut ExitWriter<'_>),
) -> LoggedFuture<F> {
    LoggedFuture {
        meta,
        args,
        exit,
        body: CatchUnwind::new(body),
    }
}

pin_project_lite::pin_project! {
    /// Polls `inner`, turning a panic into an `Err` with its payload.
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        CatchUnwind { inner }
    }
}

impl<F: Future> CatchUnwind<F> {
    /// Polls `inner` without the guard: a panic unwinds through.
    pub(crate) fn poll_unguarded(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
