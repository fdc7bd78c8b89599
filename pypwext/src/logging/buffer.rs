//! Log buffering, as Powertools has it: an invocation's verbose lines are
//! held back and written only when the invocation goes wrong.

use tracing::callsite::{Callsite, Identifier};
use tracing::field::FieldSet;
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};

/// The target of the line that says how many buffered lines were evicted.
pub(crate) const TARGET: &str = "pypwext::logging::buffer";

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
