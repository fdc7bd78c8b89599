//! Small JSON writers into a byte buffer, for the log line: escaping that can
//! never let a value end the string or the line early.

use std::fmt;

/// Appends `s` as the contents of a JSON string (no quotes).
pub(crate) fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => {
                buf.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(escape);
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Appends `s` as a quoted JSON string.
pub(crate) fn write_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    escape_into(buf, s);
    buf.push(b'"');
}

/// A `fmt::Write` that escapes what is written into the contents of a JSON
/// string: `Debug` and `Display` output goes straight into the line, no
/// intermediate `String`.
pub(crate) struct EscapingWriter<'a>(pub(crate) &'a mut Vec<u8>);

impl fmt::Write for EscapingWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

/// Appends `value`'s `Debug` output as a quoted JSON string.
pub(crate) fn write_debug(buf: &mut Vec<u8>, value: &dyn fmt::Debug) {
    buf.push(b'"');
    // Writing into a Vec cannot fail; a `Debug` impl that fails leaves what it wrote.
    let _ = fmt::write(&mut EscapingWriter(buf), format_args!("{value:?}"));
    buf.push(b'"');
}

/// Appends `value`'s `Display` output as a quoted JSON string.
pub(crate) fn write_display(buf: &mut Vec<u8>, value: &dyn fmt::Display) {
    buf.push(b'"');
    let _ = fmt::write(&mut EscapingWriter(buf), format_args!("{value}"));
    buf.push(b'"');
}

/// Appends `value` serialized with serde; a value that fails to serialize
/// (a map with non-string keys, say) is written as its error, as a string.
pub(crate) fn write_serialize<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) {
    let mark = buf.len();
    if let Err(err) = serde_json::to_writer(&mut *buf, value) {
        buf.truncate(mark);
        write_display(buf, &format_args!("<not serializable: {err}>"));
    }
}

/// Renders a value as JSON when, and only when, it is formatted: `tracing`
/// formats an event's fields only when the event is enabled.
pub(crate) struct DisplayJson<'a, T: serde::Serialize + ?Sized>(pub(crate) &'a T);

impl<T: serde::Serialize + ?Sized> fmt::Display for DisplayJson<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::new();
        write_serialize(&mut buf, self.0);
        // serde_json writes UTF-8 only.
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

impl<T: serde::Serialize + ?Sized> fmt::Debug for DisplayJson<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(s: &str) -> String {
        let mut buf = Vec::new();
        write_str(&mut buf, s);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn escaping_agrees_with_serde_json() {
        for s in [
            "plain",
            "line\nbreak\r\n",
            "quote\" and \\ slash",
            "\u{0}\u{1f}\u{7f}",
            "é 🚀 \u{2028}",
            "\"}\n{\"level\":\"ERROR\"}",
        ] {
            assert_eq!(quoted(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn debug_and_display_are_escaped() {
        let mut buf = Vec::new();
        write_debug(&mut buf, &"a\nb");
        assert_eq!(buf, br#""\"a\\nb\"""#);
        buf.clear();
        write_display(&mut buf, &"x\"y");
        assert_eq!(buf, br#""x\"y""#);
    }

    #[test]
    fn unserializable_values_become_a_string() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let mut buf = Vec::new();
        write_serialize(&mut buf, &map);
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("\"<not serializable: "), "{text}");
    }
}
