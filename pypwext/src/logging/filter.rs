//! Which events the logger writes or holds: the level, the buffer's levels,
//! and sampling decided once per invocation.

use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};

use super::buffer::BufferConfig;
use crate::lambda::Invocation;

/// The logger's level and what lets an event past it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Filter {
    pub(super) level: LevelFilter,
    /// The share of invocations logged at DEBUG whatever the level.
    pub(super) sample_rate: f64,
    /// Which lines an invocation holds back (`.buffer()`): they pass the
    /// filter inside an invocation even below the level.
    pub(super) buffer: Option<BufferConfig>,
}

impl Filter {
    /// What tracing may remember about a callsite: written whenever it is at
    /// the level, never when nothing can let it past, else decided per event.
    pub(super) fn interest(&self, metadata: &Metadata<'_>) -> Interest {
        if *metadata.level() <= self.level {
            Interest::always()
        } else if *metadata.level() <= self.max_level() {
            // Only a sampled invocation writes this one: decide per event.
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    /// The most verbose level any event can be written (or held) at.
    pub(super) fn max_level(&self) -> LevelFilter {
        let sampled = if self.sample_rate > 0.0 {
            LevelFilter::DEBUG
        } else {
            LevelFilter::OFF
        };
        let held = match &self.buffer {
            Some(buffer) if buffer.holds(&Level::TRACE) => LevelFilter::TRACE,
            Some(buffer) if buffer.holds(&Level::DEBUG) => LevelFilter::DEBUG,
            _ => LevelFilter::OFF,
        };
        self.level.max(sampled).max(held)
    }

    /// Whether an event at `level` is written (or held) now, in this invocation.
    pub(super) fn enabled_now(&self, level: &Level) -> bool {
        if *level <= self.level {
            return true;
        }
        if self.buffer.is_some_and(|buffer| buffer.holds(level)) && Invocation::with_current(|inv| inv.is_some()) {
            return true;
        }
        if self.sample_rate <= 0.0 || *level > LevelFilter::DEBUG {
            return false;
        }
        Invocation::with_current(|inv| {
            inv.is_some_and(|inv| *inv.sampled.get_or_init(|| crate::random::unit() < self.sample_rate))
        })
    }
}
