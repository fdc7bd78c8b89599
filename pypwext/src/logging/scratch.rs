//! The buffers a thread writes its lines with, reused from one line to the
//! next as tracing-subscriber's own formatter does.

use std::cell::RefCell;

use super::fields::Fields;

/// One event's fields and its line as it is written. Allocating them for each
/// line costs far more in the runtime loop than the in-process bench shows
/// (glibc's allocator consolidating its free lists): see
/// `cargo bench -p pypwext-examples --bench e2e`.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) fields: Fields,
    pub(super) line: Vec<u8>,
}

impl Scratch {
    /// The most a thread keeps between lines; a larger line's buffers go.
    const KEPT_BYTES: usize = 64 * 1024;

    fn shrink(&mut self) {
        if self.line.capacity() > Self::KEPT_BYTES || self.fields.scratch.capacity() > Self::KEPT_BYTES {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `write` with this thread's buffers.
pub(super) fn with_scratch(write: impl FnOnce(&mut Scratch)) {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            write(&mut scratch);
            scratch.shrink();
        }
        // An event logged while a line is being written (by a writer that
        // logs, say) gets buffers of its own.
        Err(_) => write(&mut Scratch::default()),
    });
}
