//! A writer that keeps lines in memory, for tests and examples.

use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// Keeps every line written, in memory; clones share the lines. For tests,
/// examples and local runs that show what was logged.
#[derive(Clone, Default, Debug)]
pub struct MemoryWriter {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl MemoryWriter {
    /// An empty writer.
    pub fn new() -> Self {
        MemoryWriter::default()
    }

    /// The lines written so far, without their newlines.
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).lines().map(str::to_owned).collect()
    }

    /// Removes and returns the lines written so far.
    pub fn take_lines(&self) -> Vec<String> {
        let mut bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = std::mem::take(&mut *bytes);
        String::from_utf8_lossy(&taken).lines().map(str::to_owned).collect()
    }
}

/// The handle one line is written through.
#[derive(Debug)]
pub struct MemoryLine<'a>(&'a MemoryWriter);

impl std::io::Write for MemoryLine<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .bytes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for MemoryWriter {
    type Writer = MemoryLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        MemoryLine(self)
    }
}
