//! Log events that pypwext emits through `tracing`.
//!
//! The Powertools-compatible JSON subscriber and `#[logged]` build on these.

use std::fmt;

use crate::errors::PwError;

/// Renders a value as JSON when, and only when, it is formatted: `tracing`
/// formats an event's message only when the event is enabled.
pub(crate) struct DisplayJson<'a, T: serde::Serialize>(pub(crate) &'a T);

impl<T: serde::Serialize> fmt::Display for DisplayJson<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct FmtWriter<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl std::io::Write for FmtWriter<'_, '_> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                // serde_json writes UTF-8 only, and whole strings at a time.
                let s = std::str::from_utf8(buf).map_err(std::io::Error::other)?;
                self.0.write_str(s).map_err(std::io::Error::other)?;
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        serde_json::to_writer(FmtWriter(f), self.0).map_err(|_| fmt::Error)
    }
}

/// The WARNING line for an error that `#[collect_errors]` collected: the
/// error's JSON as the message, its classification as the line's.
pub(crate) fn collected_error(function: &'static str, err: &PwError) {
    tracing::warn!(
        target: "pypwext::errors",
        classification = err.classification().as_str(),
        function,
        "{}",
        DisplayJson(err)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_json_matches_serde_json() {
        let value = serde_json::json!({"a": "line\nbreak \"quoted\" é", "b": [1, 2.5, null]});
        assert_eq!(DisplayJson(&value).to_string(), serde_json::to_string(&value).unwrap());
    }
}
