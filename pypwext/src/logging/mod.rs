//! Structured logging: one Powertools-compatible JSON line per `tracing` event.
//!
//! ```
//! use pypwext::logging;
//!
//! let sink = logging::MemoryWriter::new();
//! let subscriber = logging::builder()
//!     .service("order-service")
//!     .level(tracing::Level::INFO)
//!     .writer(sink.clone())
//!     .build();
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!(order_id = 42, "order accepted");
//!     tracing::debug!("not written: below INFO");
//! });
//! let lines = sink.lines();
//! assert_eq!(lines.len(), 1);
//! let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
//! assert_eq!(line["level"], "INFO");
//! assert_eq!(line["message"], "order accepted");
//! assert_eq!(line["service"], "order-service");
//! assert_eq!(line["order_id"], 42);
//! ```
//!
//! A line has these keys, in this order: `level` (`VERBOSE` for TRACE,
//! `DEBUG`, `INFO`, `WARNING`, `ERROR`), `location` (`<fn>:<line>`), `message`,
//! `timestamp` (`2021-11-24 13:38:50,673+0000`, UTC), `service`; then, when
//! present, `classification` (left out for `NA`), `type` (left out for `STD`),
//! `operation`, the invocation's `cold_start`, `function_name`,
//! `function_memory_size`, `function_arn`, `function_request_id`,
//! `correlation_id`, `tenant_id` (under Lambda's tenant isolation), `xray_trace_id` (the trace's root id, as Powertools writes it; see [`crate::lambda::Invocation`]),
//! `exception`, `exception_name`; then the keys added with [`append_key`]
//! (see there for how long they last); then the fields of the `tracing` spans
//! the event is in (outermost first; of two of the same name, the innermost;
//! not the Lambda runtime's own spans, whose request id and trace id the line
//! has already);
//! then the event's other fields. Each name once: the event's own field beats
//! a span's, which beats an appended key. `location` is where the line was
//! written (`#[logged]`'s function, else the module path), never a span's
//! name. An event field
//! named `classification`, `log_type`, `operation`, `location`, `exception` or
//! `exception_name` fills that key; one named like another key of the line is
//! written as `event_<name>`.
//!
//! Settings, first found wins:
//!
//! | setting | sources |
//! |---|---|
//! | service | `.service()`, `POWERTOOLS_SERVICE_NAME`, `SERVICE_NAME`, `service_undefined` |
//! | level | `AWS_LAMBDA_LOG_LEVEL`, `.level()`, `POWERTOOLS_LOG_LEVEL`, `LOG_LEVEL`, `INFO` |
//! | sampling | `.sample_rate()`, `POWERTOOLS_LOGGER_SAMPLE_RATE` (a number from 0 to 1 as JSON writes it, `0.1` not `.1`: that share of invocations logs at DEBUG; the line then carries `sampling_rate` after `service`) |
//! | indentation | `POWERTOOLS_DEV=true`: each line indented by four spaces, for people reading a terminal (one write per line still) |
//!
//! A variable that is set but not valid is reported on stderr when the logger
//! is built, and the next source is used.

mod buffer;
mod config;
pub(crate) mod correlation;
pub(crate) mod fields;
mod filter;
mod indent;
pub(crate) mod inject;
pub(crate) mod json;
mod keys;
pub(crate) mod layer;
mod line;
pub(crate) mod logged;
pub(crate) mod render;
mod scratch;
mod spans;
mod time;
#[cfg(any(feature = "service", feature = "http"))]
pub(crate) mod view;
mod writer;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::{Layered, SubscriberExt as _};
use tracing_subscriber::registry::Registry;

pub use buffer::BufferConfig;
pub use correlation::{BadCorrelationPath, CorrelationPath, correlation_paths};
pub use inject::LambdaEventSource;
pub use keys::{append_key, remove_keys};
pub use layer::PowertoolsLayer;
/// The target of every line `#[logged]` writes, for filters.
pub use render::LogView;
pub use writer::MemoryWriter;

/// Writes the lines the current invocation holds, oldest first, then (when
/// some were evicted) a WARNING line saying how many. Outside an invocation,
/// or without [`BufferConfig`], it does nothing.
///
/// ```
/// use pypwext::lambda::Invocation;
/// use pypwext::logging::{self, BufferConfig, MemoryWriter};
///
/// let sink = MemoryWriter::new();
/// let subscriber = logging::builder()
///     .level(tracing::Level::INFO)
///     .buffer(BufferConfig::default())
///     .writer(sink.clone())
///     .build();
/// tracing::subscriber::with_default(subscriber, || {
///     Invocation::new("req-1").sync_scope(|| {
///         tracing::debug!("held: the level is INFO, but the buffer keeps DEBUG lines");
///         assert!(sink.lines().is_empty());
///         logging::flush_buffer();
///     });
/// });
/// assert_eq!(sink.lines().len(), 1);
/// ```
pub fn flush_buffer() {
    flush_current(|_| true);
}

/// Flushes the current invocation's buffer when the logger flushes on errors:
/// the handler failed.
#[cfg(feature = "service")]
pub(crate) fn flush_buffer_on_failure() {
    flush_current(|config| config.flush_on_error);
}

fn flush_current(when: impl FnOnce(&BufferConfig) -> bool) {
    layer::with_current_layer(|layer| {
        if layer.buffer().is_some_and(when) {
            crate::lambda::Invocation::with_current(|invocation| {
                if let Some(invocation) = invocation {
                    layer.flush(invocation);
                }
            });
        }
    });
}

/// Writes `line` (with its newline) to the writer of the pypwext logger of
/// the current subscriber, or to stdout when there is none.
#[cfg(feature = "metrics")]
pub(crate) fn write_raw_line(line: &[u8]) {
    let written = layer::with_current_layer(|layer| layer.write_raw(line));
    if written.is_none() {
        use std::io::Write as _;
        if let Err(err) = std::io::stdout().lock().write_all(line) {
            eprintln!("pypwext: cannot write a metrics line: {err}");
        }
    }
}

/// The subscriber [`LoggerBuilder::build`] makes.
pub type PowertoolsSubscriber = Layered<PowertoolsLayer, Registry>;

/// Starts configuring the logger; see the [module docs](self).
pub fn builder() -> LoggerBuilder {
    LoggerBuilder {
        requested: config::Requested::default(),
        writer: None,
    }
}

/// Configures the Powertools JSON logger.
#[must_use]
pub struct LoggerBuilder {
    requested: config::Requested,
    writer: Option<BoxMakeWriter>,
}

impl std::fmt::Debug for LoggerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoggerBuilder")
            .field("service", &self.requested.service)
            .field("level", &self.requested.level)
            .field("sample_rate", &self.requested.sample_rate)
            .field("buffer", &self.requested.buffer)
            .finish_non_exhaustive()
    }
}

impl LoggerBuilder {
    /// The `service` of every line; beats `POWERTOOLS_SERVICE_NAME`.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.requested.service = Some(service.into());
        self
    }

    /// The most verbose level written: a `tracing::Level`, or a `LevelFilter`
    /// (`LevelFilter::OFF` writes nothing). `AWS_LAMBDA_LOG_LEVEL` beats it.
    pub fn level(mut self, level: impl Into<LevelFilter>) -> Self {
        self.requested.level = Some(level.into());
        self
    }

    /// The share of invocations, from 0 to 1, that log at DEBUG whatever the
    /// level; beats `POWERTOOLS_LOGGER_SAMPLE_RATE`.
    pub fn sample_rate(mut self, rate: f64) -> Self {
        self.requested.sample_rate = Some(rate);
        self
    }

    /// Holds an invocation's verbose lines back and writes them only when it
    /// goes wrong, as Powertools' log buffering; see [`BufferConfig`]. Off by
    /// default.
    ///
    /// ```
    /// use pypwext::logging::{self, BufferConfig};
    ///
    /// logging::builder()
    ///     .service("order-service")
    ///     .buffer(BufferConfig { max_bytes: 64 * 1024, ..BufferConfig::default() })
    ///     .build();
    /// ```
    pub fn buffer(mut self, config: BufferConfig) -> Self {
        self.requested.buffer = Some(config);
        self
    }

    /// Where lines go; stdout by default. Each line is one `write_all` call.
    pub fn writer<W>(mut self, writer: W) -> Self
    where
        W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
    {
        self.writer = Some(BoxMakeWriter::new(writer));
        self
    }

    /// The layer alone, to compose with other layers on a registry.
    pub fn layer(self) -> PowertoolsLayer {
        self.layer_in(crate::env::process())
    }

    /// The layer for an environment other than the process's (tests).
    #[cfg(test)]
    fn layer_with_env(self, var: impl Fn(&str) -> Option<String>) -> PowertoolsLayer {
        let (env, problems) = crate::env::Powertools::read(var);
        assert!(problems.is_empty(), "{problems:?}");
        self.layer_in(&env)
    }

    fn layer_in(self, env: &crate::env::Powertools) -> PowertoolsLayer {
        let (settings, problems) = config::resolve(&self.requested, env);
        for problem in problems {
            // The logger is not running yet: stderr is where Lambda shows this.
            eprintln!("{problem}");
        }
        let writer = self.writer.unwrap_or_else(|| BoxMakeWriter::new(std::io::stdout));
        PowertoolsLayer::new(settings, writer)
    }

    /// A subscriber for `tracing::subscriber::with_default` or `set_global_default`.
    pub fn build(self) -> PowertoolsSubscriber {
        Registry::default().with(self.layer())
    }

    /// Installs the logger as the process's global subscriber. When one is
    /// installed already, that one stays and this says so on stderr.
    pub fn init(self) {
        if let Err(err) = self.try_init() {
            eprintln!("pypwext: the logger was not installed: {err}");
        }
    }

    /// Installs the logger as the process's global subscriber, or says why not.
    pub fn try_init(self) -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
        tracing::subscriber::set_global_default(self.build())
    }
}
