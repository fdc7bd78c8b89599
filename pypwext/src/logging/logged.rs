//! The runtime of `#[logged]`: the entry, exit and exception lines.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use futures_util::FutureExt as _;
use tracing::Level;

use super::json::{self, RawJson};
use super::render::{RenderError, RenderValue};
use crate::errors::{InfoClassification, LogEntryType};

use crate::log_target::LOGGED as TARGET;

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

/// The arguments as the entry line rendered them; `None` when the entry line
/// was off, so that nothing was rendered.
#[derive(Debug, Default)]
pub struct EntryArgs {
    /// `{"name":value,…}`, kept for an exception line.
    args: Option<Vec<u8>>,
}

/// Collects the rendered arguments of one call.
pub struct ArgsWriter {
    buf: Vec<u8>,
    /// Parameters the body took by value and that were not rendered before.
    moved: Vec<&'static str>,
}

impl ArgsWriter {
    fn new() -> Self {
        ArgsWriter {
            buf: Vec::with_capacity(256),
            moved: Vec::new(),
        }
    }

    /// Adds an argument rendered with `Serialize` or `Debug`.
    pub fn arg(&mut self, name: &str, value: impl RenderValue) {
        self.key(name);
        value.render_json(&mut self.buf);
    }

    /// Adds an argument whose value must not be logged.
    pub fn redacted(&mut self, name: &str) {
        self.key(name);
        json::write_serialize(&mut self.buf, "*****");
    }

    /// Names an argument that the body took by value: an exception line
    /// written after the body ran cannot reach it any more.
    pub fn moved(&mut self, name: &'static str) {
        self.moved.push(name);
    }

    fn key(&mut self, name: &str) {
        self.buf.push(if self.buf.is_empty() { b'{' } else { b',' });
        json::write_serialize(&mut self.buf, name);
        self.buf.push(b':');
    }

    /// The arguments as one JSON object.
    fn finish(mut self) -> Vec<u8> {
        if self.buf.is_empty() {
            self.buf.push(b'{');
        }
        self.buf.push(b'}');
        self.buf
    }

    /// The arguments as one JSON object, then `,"moved_args":[…]` when the
    /// body took some of them.
    fn finish_with_moved(mut self) -> Vec<u8> {
        let moved = std::mem::take(&mut self.moved);
        let mut out = self.finish();
        if !moved.is_empty() {
            out.extend_from_slice(b",\"moved_args\":");
            json::write_serialize(&mut out, &moved);
        }
        out
    }
}

/// Writes the entry line, rendering the arguments only when it is written.
/// An exception line that comes later renders what it can still reach then
/// (see [`logged_sync`]), so a call whose entry line is off renders nothing.
pub fn logged_args(meta: &'static Logged, render: impl FnOnce(&mut ArgsWriter)) -> EntryArgs {
    if !level_enabled(meta.level) {
        return EntryArgs { args: None };
    }
    let mut writer = ArgsWriter::new();
    render(&mut writer);
    let args = writer.finish();
    let message = message("Entering ", meta.function, "args", args.len(), |out| {
        out.extend_from_slice(&args)
    });
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
    EntryArgs {
        args: (meta.log_exception && level_enabled(Level::ERROR)).then_some(args),
    }
}

/// `{"msg":"<verb><function>","<key>":<value>}`, the value written by
/// `write_value`; every string in it is written by serde_json.
fn message(verb: &str, function: &str, key: &str, value_len: usize, write_value: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    // Sized for the value, so that it is written without growing the buffer.
    let mut message = Vec::with_capacity(value_len + function.len() + 48);
    message.extend_from_slice(b"{\"msg\":");
    json::write_display(&mut message, &format_args!("{verb}{function}"));
    message.push(b',');
    json::write_serialize(&mut message, key);
    message.push(b':');
    write_value(&mut message);
    message.push(b'}');
    message
}

/// Renders, when a failure happens after the body ran, the arguments it can
/// still reach: those taken by reference (and plain numbers, `bool`,
/// `char`), the redacted ones as `*****`, and the names of the moved ones.
type LateArgs<'a> = &'a dyn Fn(&mut ArgsWriter);

/// Writes the exit line, or the exception line for an `Err`.
pub struct ExitWriter<'a> {
    meta: &'static Logged,
    args: &'a EntryArgs,
    late: LateArgs<'a>,
}

impl ExitWriter<'_> {
    /// The function returned `value` (or `Ok(value)`).
    pub fn value(&mut self, value: impl RenderValue) {
        if !level_enabled(self.meta.out_level) {
            return;
        }
        let message = message("Exiting ", self.meta.function, "return", 256, |out| {
            value.render_json(out)
        });
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
    }

    /// The function returned `Err(error)`.
    pub fn error(&mut self, error: impl RenderError) {
        if !self.meta.log_exception || !level_enabled(Level::ERROR) {
            return;
        }
        exception_line(
            self.meta,
            self.args,
            self.late,
            &error.exception_text(),
            &error.exception_name(),
        );
    }
}

fn exception_line(meta: &'static Logged, args: &EntryArgs, late: LateArgs<'_>, exception: &str, name: &str) {
    // The entry line's rendering when there was one (it saw every argument
    // before the body took any), else what can still be reached now.
    let rendered_late;
    let args = match &args.args {
        Some(args) => args.as_slice(),
        None => {
            let mut writer = ArgsWriter::new();
            late(&mut writer);
            rendered_late = writer.finish_with_moved();
            rendered_late.as_slice()
        }
    };
    let message = message("Exception in ", meta.function, "args", args.len(), |out| {
        out.extend_from_slice(args)
    });
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
}

/// The message a panic was raised with.
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic with a payload that is not a string")
}

/// Writes the exit line for what the body returned, or the panic line and
/// resumes the panic (the body's state is never observed after it).
fn finish<R>(
    meta: &'static Logged,
    args: &EntryArgs,
    late: LateArgs<'_>,
    exit: fn(&R, &mut ExitWriter<'_>),
    outcome: Result<R, Box<dyn Any + Send>>,
) -> R {
    match outcome {
        Ok(ret) => {
            if exit_wanted(meta) {
                exit(&ret, &mut ExitWriter { meta, args, late });
            }
            ret
        }
        Err(payload) => {
            if meta.log_exception && level_enabled(Level::ERROR) {
                exception_line(meta, args, late, panic_text(&*payload), "panic");
            }
            resume_unwind(payload)
        }
    }
}

/// The `#[logged]` layer around a sync body. `late` renders the arguments
/// for an exception line when the entry line did not.
pub fn logged_sync<R>(
    meta: &'static Logged,
    args: EntryArgs,
    late: impl Fn(&mut ArgsWriter),
    body: impl FnOnce() -> R,
    exit: fn(&R, &mut ExitWriter<'_>),
) -> R {
    finish(meta, &args, &late, exit, catch_unwind(AssertUnwindSafe(body)))
}

/// The `#[logged]` layer around an async body. `exit` is a fn pointer (the
/// generated closure captures nothing), so it is higher-ranked over the
/// borrows it gets and adds nothing to the future's `Send`-ness.
///
/// A combinator rather than an `async fn`: an `async fn` keeps its argument
/// `body` and the future it awaits side by side, doubling the size of the
/// handler's stack at each layer (the service layer's `start_handler` says
/// what that costs).
pub fn logged_async<F: Future>(
    meta: &'static Logged,
    args: EntryArgs,
    late: impl Fn(&mut ArgsWriter),
    body: F,
    exit: fn(&F::Output, &mut ExitWriter<'_>),
) -> impl Future<Output = F::Output> {
    AssertUnwindSafe(body)
        .catch_unwind()
        .map(move |outcome| finish(meta, &args, &late, exit, outcome))
}
