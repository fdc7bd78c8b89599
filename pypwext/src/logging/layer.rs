//! The `tracing-subscriber` layer that writes one Powertools JSON line per
//! event, serialized by serde_json in the contract's key order.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::time::SystemTime;

use serde::ser::{SerializeMap as _, Serializer as _};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::buffer::{self, BufferConfig};
use super::config::Settings;
use super::fields::{FieldValue, Fields};
use super::filter::Filter;
use super::keys::LINE_KEYS;
use super::scratch::{Scratch, with_scratch};
use super::spans;
use super::time::Timestamp;
use crate::lambda::{HeldLine, Invocation};

// Where `render`, `service` and `batch` name it.
pub(crate) use super::fields::ErrorChain;

/// The layer behind [`builder`](super::builder): one JSON line per event.
pub struct PowertoolsLayer {
    filter: Filter,
    service: String,
    /// Lines indented (`POWERTOOLS_DEV`).
    dev: bool,
    writer: BoxMakeWriter,
}

impl fmt::Debug for PowertoolsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PowertoolsLayer")
            .field("service", &self.service)
            .field("level", &self.filter.level)
            .field("sample_rate", &self.filter.sample_rate)
            .field("buffer", &self.filter.buffer)
            .finish_non_exhaustive()
    }
}

impl PowertoolsLayer {
    pub(crate) fn new(settings: Settings, writer: BoxMakeWriter) -> Self {
        PowertoolsLayer {
            filter: Filter {
                level: settings.level,
                sample_rate: settings.sample_rate,
                buffer: settings.buffer,
            },
            service: settings.service,
            dev: settings.dev,
            writer,
        }
    }

    /// What the layer holds back per invocation, if anything.
    pub(crate) fn buffer(&self) -> Option<&BufferConfig> {
        self.filter.buffer.as_ref()
    }

    fn write_event<S>(&self, scratch: &mut Scratch, event: &Event<'_>, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Scratch { fields, line } = scratch;
        let meta = event.metadata();
        fields.record(event);

        line.clear();
        let spans = spans::span_fields(event, ctx);
        let invocation = Invocation::current();
        let invocation = invocation.as_deref();
        let written = self.serialize_line(
            &mut serde_json::Serializer::new(&mut *line),
            meta,
            invocation,
            &spans,
            fields,
        );
        if let Err(err) = written {
            // Only a value's own `Serialize` can fail here, and none of ours does.
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a log line: {err}");
            return;
        }
        self.end_line(line);

        if let (Some(config), Some(invocation)) = (&self.filter.buffer, invocation) {
            if config.holds(meta.level()) {
                let held = HeldLine {
                    event: meta,
                    bytes: line.clone(),
                };
                let held = lock_buffer(invocation).push(held, config.max_bytes);
                // A line longer than the whole buffer is written now, not lost.
                if held.is_ok() {
                    return;
                }
            } else if *meta.level() == Level::ERROR && config.flush_on_error {
                self.flush(invocation);
            }
        }
        self.write_line(meta, line);
    }

    /// Writes one finished line. One write per line, so that lines from two
    /// threads never interleave on writers that serialize writes (stdout, a
    /// file, a pipe).
    fn write_line(&self, event: &Metadata<'_>, line: &[u8]) {
        if let Err(err) = self.writer.make_writer_for(event).write_all(line) {
            // The log sink itself failed: stderr is the only place left to say so.
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a log line: {err}");
        }
    }

    /// Writes the lines `invocation` holds, oldest first, and says how many
    /// were evicted.
    pub(crate) fn flush(&self, invocation: &Invocation) {
        let (lines, evicted) = lock_buffer(invocation).take();
        for line in &lines {
            self.write_line(line.event, &line.bytes);
        }
        if evicted > 0 {
            self.write_evicted(invocation, evicted);
        }
    }

    /// The WARNING line after a flush that lost lines. Written here rather
    /// than through `tracing`: a flush runs while an event is dispatched (an
    /// ERROR line) or inside `get_default`, where tracing drops new events.
    fn write_evicted(&self, invocation: &Invocation, evicted: u64) {
        let mut fields = Fields::default();
        fields.reset(true);
        let message = fields.text(|text| {
            let _ = write!(
                text,
                "{evicted} buffered log lines were evicted because the buffer was full; raise BufferConfig::max_bytes to keep more"
            );
        });
        fields.message = Some(FieldValue::Text(message));
        fields.others.push(("buffer_evicted_lines", FieldValue::U64(evicted)));
        let mut line = Vec::new();
        let mut serializer = serde_json::Serializer::new(&mut line);
        if self
            .serialize_line(&mut serializer, &buffer::EVICTED, Some(invocation), &[], &fields)
            .is_ok()
        {
            self.end_line(&mut line);
            self.write_line(&buffer::EVICTED, &line);
        }
    }

    /// Ends a serialized line: indented for people reading a terminal
    /// (`POWERTOOLS_DEV`), then the newline. The line's text is indented as
    /// it stands, so the indentation reaches inside the JSON messages of
    /// pypwext too; the line writer itself is compiled once. (Re-reading the
    /// line into serde_json's pretty serializer did the same with 13 KB more
    /// in every function's binary: `scripts/build-cost.sh`.)
    fn end_line(&self, line: &mut Vec<u8>) {
        if self.dev {
            let mut indented = Vec::with_capacity(line.len() * 2);
            if jsonformat::format_reader_writer(&mut &line[..], &mut indented, jsonformat::Indentation::FourSpace)
                .is_ok()
            {
                // jsonformat ends the text with a newline of its own.
                if indented.last() == Some(&b'\n') {
                    indented.pop();
                }
                *line = indented;
            }
        }
        line.push(b'\n');
    }

    /// Writes a line made elsewhere (an EMF line of `pypwext::metrics`) to
    /// this logger's writer, whatever the level: one write, as for a log line.
    #[cfg(feature = "metrics")]
    pub(crate) fn write_raw(&self, line: &[u8]) {
        let mut writer = self.writer.make_writer();
        if let Err(err) = writer.write_all(line) {
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a metrics line: {err}");
        }
    }

    /// Serializes the line's keys, in the contract's order, into `line`.
    fn serialize_line<W, F>(
        &self,
        serializer: &mut serde_json::Serializer<W, F>,
        meta: &Metadata<'_>,
        invocation: Option<&Invocation>,
        spans: &[(&'static str, serde_json::Value)],
        fields: &Fields,
    ) -> Result<(), serde_json::Error>
    where
        W: std::io::Write,
        F: serde_json::ser::Formatter,
    {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("level", level_name(meta.level()))?;
        match &fields.location {
            Some(location) => map.serialize_entry("location", &fields.shown(location))?,
            None => {
                // Never a span's name: a span is not where the line was written.
                let place = meta.module_path().unwrap_or_else(|| meta.target());
                let line_number = meta.line().unwrap_or(0);
                map.serialize_entry("location", &format_args!("{place}:{line_number}"))?;
            }
        }
        match &fields.message {
            Some(message) => map.serialize_entry("message", &fields.shown(message))?,
            None => map.serialize_entry("message", "")?,
        }
        map.serialize_entry("timestamp", &format_args!("{}", Timestamp::at(SystemTime::now())))?;
        map.serialize_entry("service", &self.service)?;
        if self.filter.sample_rate > 0.0 {
            // As Powertools: the configured share of invocations logged at DEBUG.
            map.serialize_entry("sampling_rate", &self.filter.sample_rate)?;
        }
        if let Some(classification) = &fields.classification
            && !fields.is_text(classification, "NA")
        {
            map.serialize_entry("classification", &fields.shown(classification))?;
        }
        if let Some(log_type) = &fields.log_type
            && !fields.is_text(log_type, "STD")
        {
            map.serialize_entry("type", &fields.shown(log_type))?;
        }
        if let Some(operation) = &fields.operation {
            map.serialize_entry("operation", &fields.shown(operation))?;
        }
        // The invocation's keys now; its appended keys after the exception.
        if let Some(invocation) = invocation {
            serialize_invocation(&mut map, invocation)?;
        }
        if let Some(exception) = &fields.exception {
            map.serialize_entry("exception", &fields.shown(exception))?;
        }
        if let Some(name) = &fields.exception_name {
            map.serialize_entry("exception_name", &fields.shown(name))?;
        }
        // Each name once, the innermost value winning: the event's own field,
        // then the innermost span's, then an appended key.
        let event_has = |name: &str| {
            fields
                .others
                .iter()
                .any(|(own, _)| !LINE_KEYS.contains(own) && *own == name)
        };
        super::keys::serialize_appended(&mut map, invocation, |name| {
            event_has(name) || spans.iter().any(|(span, _)| *span == name)
        })?;
        for (name, value) in spans {
            if LINE_KEYS.contains(name) {
                map.serialize_entry(&format_args!("span_{name}"), value)?;
            } else if !event_has(name) {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &fields.others {
            if LINE_KEYS.contains(name) {
                map.serialize_entry(&format_args!("event_{name}"), &fields.shown(value))?;
            } else {
                map.serialize_entry(name, &fields.shown(value))?;
            }
        }
        map.end()
    }
}

/// Runs `f` with the pypwext layer of the current subscriber, if it has one
/// (the buffer's flush and the metrics lines write through it).
pub(crate) fn with_current_layer<R>(f: impl FnOnce(&PowertoolsLayer) -> R) -> Option<R> {
    let mut f = Some(f);
    tracing::dispatcher::get_default(|dispatch| {
        let layer = dispatch.downcast_ref::<PowertoolsLayer>()?;
        f.take().map(|f| f(layer))
    })
}

// A panic while the lock was held cannot leave the buffer half-written.
fn lock_buffer(invocation: &Invocation) -> std::sync::MutexGuard<'_, crate::lambda::LineBuffer> {
    invocation
        .log_buffer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The invocation's keys, read from it for each line.
fn serialize_invocation<M: serde::ser::SerializeMap>(map: &mut M, invocation: &Invocation) -> Result<(), M::Error> {
    map.serialize_entry("cold_start", &invocation.cold_start())?;
    if let Some(name) = invocation.function_name() {
        map.serialize_entry("function_name", name)?;
    }
    if let Some(memory) = invocation.function_memory_size() {
        map.serialize_entry("function_memory_size", &memory)?;
    }
    if let Some(arn) = invocation.function_arn() {
        map.serialize_entry("function_arn", arn)?;
    }
    map.serialize_entry("function_request_id", invocation.request_id())?;
    if let Some(correlation_id) = invocation.correlation_id() {
        map.serialize_entry("correlation_id", correlation_id)?;
    }
    if let Some(tenant_id) = invocation.tenant_id() {
        map.serialize_entry("tenant_id", tenant_id)?;
    }
    if let Some(trace_id) = invocation.xray_trace_id() {
        map.serialize_entry("xray_trace_id", xray_root_id(trace_id))?;
    }
    Ok(())
}

/// The trace's root id, as Powertools writes `xray_trace_id`: from
/// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`,
/// `1-5759e988-bd862e3fe1be46a994272793`. A header without a `Root=` part is
/// written as it is.
fn xray_root_id(header: &str) -> &str {
    header
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))
        .unwrap_or(header)
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

impl<S> tracing_subscriber::Layer<S> for PowertoolsLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        self.filter.interest(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.filter.enabled_now(metadata.level())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.filter.max_level())
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        spans::on_new_span(attrs, id, &ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        spans::on_record(id, values, &ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        with_scratch(|scratch| self.write_event(scratch, event, &ctx));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_lines_are_indented_as_serde_json_indents_them() {
        let line = |text: &str| {
            let layer =
                super::super::builder().layer_with_env(|name| (name == "POWERTOOLS_DEV").then(|| "true".to_owned()));
            let mut line = text.as_bytes().to_vec();
            layer.end_line(&mut line);
            String::from_utf8(line).unwrap()
        };
        let serde_json_pretty = |text: &str| {
            let mut indented = Vec::new();
            let pretty = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut indented, pretty);
            serde_transcode::transcode(&mut serde_json::Deserializer::from_str(text), &mut serializer).unwrap();
            String::from_utf8(indented).unwrap() + "\n"
        };
        for text in [
            r#"{"level":"INFO","message":"a","n":1}"#,
            r#"{"a":{},"b":[],"c":[{}],"d":[[]],"e":{"f":[1,2,{"g":null}]}}"#,
            r#"{"quotes":"say \"{x}\", [y]: z","slash":"a\\","u":"é\n\u0001","s":"é,:{["}"#,
            r#"{"num":-1.5e-7,"t":true,"f":false,"z":null,"big":18446744073709551615}"#,
            r#"{"message":{"msg":"Entering f","args":{"a":[1,{"b":"}"}]}}}"#,
        ] {
            assert_eq!(line(text), serde_json_pretty(text), "{text}");
        }
    }

    #[test]
    fn powertools_dev_indents_every_line_and_its_json_message() {
        use tracing_subscriber::layer::SubscriberExt as _;
        let sink = super::super::MemoryWriter::new();
        let layer = super::super::builder()
            .service("svc")
            .writer(sink.clone())
            .layer_with_env(|name| (name == "POWERTOOLS_DEV").then(|| "true".to_owned()));
        let subscriber = tracing_subscriber::registry::Registry::default().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            // From inside pypwext, so the message is taken as JSON.
            tracing::info!(pypwext.message = %r#"{"msg":"Entering f","args":{"a":1}}"#, n = 2);
        });
        // The sink splits what was written at line ends.
        let text = &sink.lines().join("\n");
        assert!(text.starts_with("{\n    \"level\": \"INFO\","), "{text}");
        assert!(
            text.contains("\n    \"message\": {\n        \"msg\": \"Entering f\","),
            "{text}"
        );
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(value["message"]["args"]["a"], 1);
        assert_eq!(value["n"], 2);
    }

    #[test]
    fn the_trace_header_is_written_as_its_root_id() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(xray_root_id(header), "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(xray_root_id("Parent=53995c3f42cd8ad8; Root=1-abc"), "1-abc");
        assert_eq!(xray_root_id("Root=1-abc"), "1-abc");
        // Not a header: the id as given.
        assert_eq!(
            xray_root_id("1-5759e988-bd862e3fe1be46a994272793"),
            "1-5759e988-bd862e3fe1be46a994272793"
        );
    }
}
