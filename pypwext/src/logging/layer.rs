//! The `tracing-subscriber` layer that writes one Powertools JSON line per
//! event, straight into a reused buffer: no maps, no per-event `String`s.

use std::cell::RefCell;
use std::fmt;
use std::io::Write as _;
use std::ops::Range;
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::config::Settings;
use super::json;
use super::time::{push_num, write_timestamp};
use crate::lambda::Invocation;

/// Field names with a place of their own in the line. An event field with
/// one of these names goes there instead of among the event's other keys.
pub(crate) mod field {
    /// The message, as text.
    pub(crate) const MESSAGE: &str = "message";
    /// The message, already JSON (an object from `#[logged]`): written as is.
    pub(crate) const MESSAGE_JSON: &str = "pypwext.message";
    /// Overrides the computed `location`.
    pub(crate) const LOCATION: &str = "location";
    pub(crate) const CLASSIFICATION: &str = "classification";
    /// The log entry type; `type` in the line.
    pub(crate) const LOG_TYPE: &str = "log_type";
    pub(crate) const OPERATION: &str = "operation";
    pub(crate) const EXCEPTION: &str = "exception";
    pub(crate) const EXCEPTION_NAME: &str = "exception_name";
}

/// Keys the line writes itself; an event field of the same name is renamed
/// `event_<name>` so that no key appears twice.
const RESERVED: &[&str] = &[
    "level",
    "timestamp",
    "service",
    "type",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "correlation_id",
    "xray_trace_id",
];

/// The layer behind [`builder`](super::builder): one JSON line per event.
pub struct PowertoolsLayer {
    /// The service name, already a JSON string.
    service: Box<[u8]>,
    level: LevelFilter,
    sample_rate: f64,
    writer: BoxMakeWriter,
}

impl fmt::Debug for PowertoolsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PowertoolsLayer")
            .field("service", &String::from_utf8_lossy(&self.service))
            .field("level", &self.level)
            .field("sample_rate", &self.sample_rate)
            .finish_non_exhaustive()
    }
}

impl PowertoolsLayer {
    pub(crate) fn new(settings: Settings, writer: BoxMakeWriter) -> Self {
        let mut service = Vec::with_capacity(settings.service.len() + 2);
        json::write_str(&mut service, &settings.service);
        PowertoolsLayer {
            service: service.into_boxed_slice(),
            level: settings.level,
            sample_rate: settings.sample_rate,
            writer,
        }
    }

    /// The most verbose level any event can be written at.
    fn max_level(&self) -> LevelFilter {
        if self.sample_rate > 0.0 {
            self.level.max(LevelFilter::DEBUG)
        } else {
            self.level
        }
    }

    /// Whether an event at `level` is written now, in this invocation.
    fn enabled_now(&self, level: &Level) -> bool {
        if *level <= self.level {
            return true;
        }
        if self.sample_rate <= 0.0 || *level > LevelFilter::DEBUG {
            return false;
        }
        Invocation::with_current(|inv| {
            inv.is_some_and(|inv| *inv.sampled.get_or_init(|| crate::random::unit() < self.sample_rate))
        })
    }

    fn write_event<S>(&self, buffers: &mut Buffers, event: &Event<'_>, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Buffers { line, scratch, extra } = buffers;
        line.clear();
        scratch.clear();
        extra.clear();
        let meta = event.metadata();

        let mut visitor = FieldVisitor {
            scratch,
            extra,
            specials: Specials::default(),
        };
        event.record(&mut visitor);
        let FieldVisitor {
            scratch,
            extra,
            specials,
        } = visitor;
        let special = |range: &Option<Range<usize>>| range.clone().map(|r| &scratch[r]);

        line.extend_from_slice(b"{\"level\":\"");
        line.extend_from_slice(level_name(meta.level()).as_bytes());
        line.extend_from_slice(b"\",\"location\":");
        match special(&specials.location) {
            Some(location) => line.extend_from_slice(location),
            None => {
                line.push(b'"');
                let scope = ctx.event_span(event).map(|span| span.name());
                json::escape_into(line, scope.or(meta.module_path()).unwrap_or_else(|| meta.target()));
                line.push(b':');
                push_num(line, u64::from(meta.line().unwrap_or(0)), 1);
                line.push(b'"');
            }
        }
        line.extend_from_slice(b",\"message\":");
        line.extend_from_slice(special(&specials.message).unwrap_or(b"\"\""));
        line.extend_from_slice(b",\"timestamp\":\"");
        write_timestamp(line, SystemTime::now());
        line.extend_from_slice(b"\",\"service\":");
        line.extend_from_slice(&self.service);
        if let Some(classification) = special(&specials.classification)
            && classification != b"\"NA\""
        {
            line.extend_from_slice(b",\"classification\":");
            line.extend_from_slice(classification);
        }
        if let Some(log_type) = special(&specials.log_type)
            && log_type != b"\"STD\""
        {
            line.extend_from_slice(b",\"type\":");
            line.extend_from_slice(log_type);
        }
        if let Some(operation) = special(&specials.operation) {
            line.extend_from_slice(b",\"operation\":");
            line.extend_from_slice(operation);
        }
        Invocation::with_current(|invocation| {
            if let Some(invocation) = invocation {
                write_invocation(line, invocation);
            }
        });
        if let Some(exception) = special(&specials.exception) {
            line.extend_from_slice(b",\"exception\":");
            line.extend_from_slice(exception);
        }
        if let Some(name) = special(&specials.exception_name) {
            line.extend_from_slice(b",\"exception_name\":");
            line.extend_from_slice(name);
        }
        line.extend_from_slice(extra);
        line.extend_from_slice(b"}\n");

        // One write per line, so that lines from two threads never interleave
        // on writers that serialize writes (stdout, a file, a pipe).
        let mut writer = self.writer.make_writer_for(meta);
        if let Err(err) = writer.write_all(line) {
            // The log sink itself failed: stderr is the only place left to say so.
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a log line: {err}");
        }
    }
}

fn write_invocation(line: &mut Vec<u8>, invocation: &Invocation) {
    line.extend_from_slice(b",\"cold_start\":");
    line.extend_from_slice(if invocation.cold_start() { b"true" } else { b"false" });
    if let Some(name) = invocation.function_name() {
        line.extend_from_slice(b",\"function_name\":");
        json::write_str(line, name);
    }
    if let Some(memory) = invocation.function_memory_size() {
        line.extend_from_slice(b",\"function_memory_size\":");
        push_num(line, u64::from(memory), 1);
    }
    if let Some(arn) = invocation.function_arn() {
        line.extend_from_slice(b",\"function_arn\":");
        json::write_str(line, arn);
    }
    line.extend_from_slice(b",\"function_request_id\":");
    json::write_str(line, invocation.request_id());
    if let Some(correlation_id) = invocation.correlation_id() {
        line.extend_from_slice(b",\"correlation_id\":");
        json::write_str(line, correlation_id);
    }
    if let Some(trace_id) = invocation.xray_trace_id() {
        line.extend_from_slice(b",\"xray_trace_id\":");
        json::write_str(line, trace_id);
    }
}

/// Powertools' level names.
pub(crate) fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "VERBOSE",
        Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARNING",
        Level::ERROR => "ERROR",
    }
}

/// The buffers one thread reuses for every line it writes.
#[derive(Default)]
struct Buffers {
    line: Vec<u8>,
    /// The special fields' JSON, addressed by `Specials`.
    scratch: Vec<u8>,
    /// The event's other fields, as `,"key":value` pairs.
    extra: Vec<u8>,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

/// Where each special field's JSON sits in the scratch buffer.
#[derive(Default)]
struct Specials {
    message: Option<Range<usize>>,
    location: Option<Range<usize>>,
    classification: Option<Range<usize>>,
    log_type: Option<Range<usize>>,
    operation: Option<Range<usize>>,
    exception: Option<Range<usize>>,
    exception_name: Option<Range<usize>>,
}

impl Specials {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Range<usize>>> {
        Some(match name {
            field::MESSAGE | field::MESSAGE_JSON => &mut self.message,
            field::LOCATION => &mut self.location,
            field::CLASSIFICATION => &mut self.classification,
            field::LOG_TYPE => &mut self.log_type,
            field::OPERATION => &mut self.operation,
            field::EXCEPTION => &mut self.exception,
            field::EXCEPTION_NAME => &mut self.exception_name,
            _ => return None,
        })
    }
}

struct FieldVisitor<'a> {
    scratch: &'a mut Vec<u8>,
    extra: &'a mut Vec<u8>,
    specials: Specials,
}

impl FieldVisitor<'_> {
    /// Writes one field's value with `write`, into its special slot or among
    /// the other keys.
    fn field(&mut self, field: &Field, write: impl FnOnce(&mut Vec<u8>)) {
        let name = field.name();
        if let Some(slot) = self.specials.slot(name) {
            let start = self.scratch.len();
            write(self.scratch);
            *slot = Some(start..self.scratch.len());
            return;
        }
        self.extra.extend_from_slice(b",\"");
        if RESERVED.contains(&name) {
            self.extra.extend_from_slice(b"event_");
        }
        json::escape_into(self.extra, name);
        self.extra.extend_from_slice(b"\":");
        write(self.extra);
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == field::MESSAGE_JSON {
            // Already JSON, made by pypwext itself; `Debug` writes it verbatim.
            let start = self.scratch.len();
            let _ = fmt::write(&mut ByteWriter(self.scratch), format_args!("{value:?}"));
            self.specials.message = Some(start..self.scratch.len());
            return;
        }
        self.field(field, |buf| json::write_debug(buf, value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |buf| json::write_str(buf, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |buf| json::write_serialize(buf, &value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |buf| json::write_serialize(buf, &value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.field(field, |buf| json::write_serialize(buf, &value));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.field(field, |buf| json::write_serialize(buf, &value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.field(field, |buf| json::write_serialize(buf, &value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |buf| json::write_serialize(buf, &value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.field(field, |buf| json::write_display(buf, &ErrorChain(value)));
    }
}

/// An error and its sources, `outer: cause: root cause`.
pub(crate) struct ErrorChain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// `fmt::Write` into a byte buffer, unescaped (for JSON that is already JSON).
struct ByteWriter<'a>(&'a mut Vec<u8>);

impl fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl<S> tracing_subscriber::Layer<S> for PowertoolsLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if *metadata.level() <= self.level {
            Interest::always()
        } else if *metadata.level() <= self.max_level() {
            // Only a sampled invocation writes this one: decide per event.
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.enabled_now(metadata.level())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max_level())
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        BUFFERS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffers) => self.write_event(&mut buffers, event, &ctx),
            // An event logged while a line is being written (by a writer that
            // logs, say) gets buffers of its own.
            Err(_) => self.write_event(&mut Buffers::default(), event, &ctx),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chain_lists_every_source() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("saving the order failed")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = Outer(std::io::Error::other("disk full"));
        assert_eq!(ErrorChain(&err).to_string(), "saving the order failed: disk full");
    }
}
