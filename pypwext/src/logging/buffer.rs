//! Log buffering, as Powertools has it: an invocation's verbose lines are
//! held back and written only when the invocation goes wrong.

use std::fmt::Write as _;
use std::sync::{MutexGuard, PoisonError};

use tracing::callsite::{Callsite, Identifier};
use tracing::field::FieldSet;
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};

use super::fields::{FieldValue, Fields};
use super::line::LineFormat;
use super::writer::LineWriter;
use crate::lambda::{HeldLine, Invocation, LineBuffer};

use crate::log_target::BUFFER as TARGET;

/// Which lines an invocation holds back, and how many; see
/// [`LoggerBuilder::buffer`](super::LoggerBuilder::buffer).
///
/// Inside an invocation, lines at [`at`](Self::at) and less severe are held
/// in the invocation's buffer instead of written — even when the logger's
/// level would not write them. An ERROR line (with
/// [`flush_on_error`](Self::flush_on_error)), a `#[service_response]` handler
/// that fails or panics (likewise), or [`flush_buffer`](super::flush_buffer) writes them first, in
/// order, with their own timestamps. An invocation that ends without that
/// drops them. Outside an invocation nothing is held.
///
/// VERBOSE (`TRACE`) lines are held only with `at: Level::TRACE`: libraries
/// such as hyper trace every poll, and would push your own lines out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferConfig {
    /// The most the held lines of one invocation take, in bytes. When a new
    /// line does not fit, the oldest go, and the flush says how many. A line
    /// longer than this on its own is written at once.
    pub max_bytes: usize,
    /// The most severe level held: `DEBUG` holds DEBUG lines, `INFO` holds
    /// INFO and DEBUG lines, `WARN` also WARNING lines. ERROR lines are never
    /// held.
    pub at: Level,
    /// Write the held lines before an ERROR line, and when a
    /// `#[service_response]` handler fails or panics.
    pub flush_on_error: bool,
}

impl Default for BufferConfig {
    /// `max_bytes: 20480, at: Level::DEBUG, flush_on_error: true`, as Powertools.
    fn default() -> Self {
        BufferConfig {
            max_bytes: 20480,
            at: Level::DEBUG,
            flush_on_error: true,
        }
    }
}

impl BufferConfig {
    /// Whether a line at `level` is held.
    pub(crate) fn holds(&self, level: &Level) -> bool {
        // More verbose levels compare greater. `at: ERROR` holds nothing (the
        // builder reports it).
        self.at != Level::ERROR
            && *level >= self.at
            && *level != Level::ERROR
            && (*level != Level::TRACE || self.at == Level::TRACE)
    }
}

/// The event of the WARNING line that says how many held lines a full
/// buffer let go; the layer writes it after the flush.
pub(crate) static EVICTED: Metadata<'static> = Metadata::new(
    "buffer evicted",
    TARGET,
    Level::WARN,
    Some(file!()),
    Some(line!()),
    Some(module_path!()),
    FieldSet::new(&[], Identifier(&EvictedCallsite)),
    Kind::EVENT,
);

struct EvictedCallsite;

impl Callsite for EvictedCallsite {
    fn set_interest(&self, _: Interest) {}

    fn metadata(&self) -> &Metadata<'_> {
        &EVICTED
    }
}

/// Holds the finished `line` of `event` in `invocation`'s buffer; false when
/// it is longer than the whole buffer, to be written now rather than lost.
pub(super) fn hold(
    config: &BufferConfig,
    invocation: &Invocation,
    event: &'static Metadata<'static>,
    line: &[u8],
) -> bool {
    let held = HeldLine {
        event,
        bytes: line.to_vec(),
    };
    lock(invocation).push(held, config.max_bytes).is_ok()
}

/// Writes the lines `invocation` holds, oldest first, then says how many
/// were evicted.
pub(super) fn flush(invocation: &Invocation, format: &LineFormat, writer: &LineWriter) {
    let (lines, evicted) = lock(invocation).take();
    for line in &lines {
        writer.write_line(line.event, &line.bytes);
    }
    if evicted > 0 {
        write_evicted(invocation, evicted, format, writer);
    }
}

/// The WARNING line after a flush that lost lines. Written here rather
/// than through `tracing`: a flush runs while an event is dispatched (an
/// ERROR line) or inside `get_default`, where tracing drops new events.
fn write_evicted(invocation: &Invocation, evicted: u64, format: &LineFormat, writer: &LineWriter) {
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
    if format
        .write(&mut line, &EVICTED, Some(invocation), &[], &fields)
        .is_ok()
    {
        writer.write_line(&EVICTED, &line);
    }
}

// A panic while the lock was held cannot leave the buffer half-written.
fn lock(invocation: &Invocation) -> MutexGuard<'_, LineBuffer> {
    invocation.log_buffer.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_level_and_the_less_severe_ones_but_trace_only_when_asked() {
        let at = |at| BufferConfig {
            at,
            ..BufferConfig::default()
        };
        let held = |config: BufferConfig| {
            [Level::TRACE, Level::DEBUG, Level::INFO, Level::WARN, Level::ERROR]
                .into_iter()
                .filter(|level| config.holds(level))
                .collect::<Vec<_>>()
        };
        assert_eq!(held(BufferConfig::default()), [Level::DEBUG]);
        assert_eq!(held(at(Level::INFO)), [Level::DEBUG, Level::INFO]);
        assert_eq!(held(at(Level::WARN)), [Level::DEBUG, Level::INFO, Level::WARN]);
        assert_eq!(held(at(Level::TRACE)), [Level::TRACE]);
        assert_eq!(held(at(Level::ERROR)), Vec::<Level>::new());
    }
}
