//! The `tracing-subscriber` layer that writes one Powertools JSON line per
//! event: it wires the filter, the field and span recording, the line
//! format, the hold buffer and the writer together.

use std::fmt;
use std::io::Write as _;

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::buffer::{self, BufferConfig};
use super::config::Settings;
use super::filter::Filter;
use super::line::LineFormat;
use super::scratch::{Scratch, with_scratch};
use super::spans;
use super::writer::LineWriter;
use crate::lambda::Invocation;

/// The layer behind [`builder`](super::builder): one JSON line per event.
pub struct PowertoolsLayer {
    filter: Filter,
    format: LineFormat,
    writer: LineWriter,
}

impl fmt::Debug for PowertoolsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PowertoolsLayer")
            .field("service", &self.format.service)
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
            format: LineFormat {
                service: settings.service,
                sample_rate: settings.sample_rate,
                dev: settings.dev,
            },
            writer: LineWriter(writer),
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
        if let Err(err) = self.format.write(line, meta, invocation, &spans, fields) {
            // Only a value's own `Serialize` can fail here, and none of ours does.
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a log line: {err}");
            return;
        }

        if let (Some(config), Some(invocation)) = (&self.filter.buffer, invocation) {
            if config.holds(meta.level()) {
                if buffer::hold(config, invocation, meta, line) {
                    return;
                }
            } else if *meta.level() == Level::ERROR && config.flush_on_error {
                self.flush(invocation);
            }
        }
        self.writer.write_line(meta, line);
    }

    /// Writes the lines `invocation` holds, oldest first, and says how many
    /// were evicted.
    pub(crate) fn flush(&self, invocation: &Invocation) {
        buffer::flush(invocation, &self.format, &self.writer);
    }

    /// Writes a line made elsewhere (an EMF line of `pypwext::metrics`) to
    /// this logger's writer, whatever the level: one write, as for a log line.
    #[cfg(feature = "metrics")]
    pub(crate) fn write_raw(&self, line: &[u8]) {
        self.writer.write_raw(line);
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
