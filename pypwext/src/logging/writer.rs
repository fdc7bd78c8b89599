//! Where finished lines go: the logger's writer, one write per line, and a
//! writer that keeps lines in memory, for tests and examples.

use std::io::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::Metadata;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// The logger's writer (`.writer()`, stdout by default). One write per line,
/// so that lines from two threads never interleave on writers that serialize
/// writes (stdout, a file, a pipe).
pub(super) struct LineWriter(pub(super) BoxMakeWriter);

impl LineWriter {
    /// Writes one finished log line of `event`.
    pub(super) fn write_line(&self, event: &Metadata<'_>, line: &[u8]) {
        if let Err(err) = self.0.make_writer_for(event).write_all(line) {
            // The log sink itself failed: stderr is the only place left to say so.
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a log line: {err}");
        }
    }

    /// Writes a line made elsewhere (an EMF line of `pypwext::metrics`),
    /// whatever the level: one write, as for a log line.
    #[cfg(feature = "metrics")]
    pub(super) fn write_raw(&self, line: &[u8]) {
        let mut writer = self.0.make_writer();
        if let Err(err) = writer.write_all(line) {
            let _ = writeln!(std::io::stderr(), "pypwext: cannot write a metrics line: {err}");
        }
    }
}

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
