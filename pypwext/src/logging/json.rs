//! Small JSON writers into a byte buffer, for the log line: escaping that can
//! never let a value end the string or the line early.

use std::fmt;

/// What each byte becomes inside a JSON string: `0` for itself, `u` for
/// `\u00XX`, any other byte for a backslash and that byte.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// The bytes of `word` that must be escaped (a control character, `"` or
/// `\\`), each marked by its high bit; exact per byte, no carries between them.
const fn escape_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // For each byte: high bit set iff the byte is zero, computed on seven bits
    // so that no byte carries into the next.
    const fn zero_bytes(v: u64) -> u64 {
        !(((v & LOW7) + LOW7) | v | LOW7)
    }
    // High bit set iff the byte is below 0x20 (0x60 + low seven bits overflows
    // into bit 7 exactly from 0x20 up; bytes with the high bit set are not below).
    let below_space = !(((word & LOW7) + ONES * 0x60) | word | LOW7);
    below_space | zero_bytes(word ^ (ONES * (b'"' as u64))) | zero_bytes(word ^ (ONES * (b'\\' as u64)))
}

/// Appends `s` as the contents of a JSON string (no quotes). Eight bytes at a
/// time: the bytes to escape in each word are found at once, and the plain
/// runs between them are copied whole.
pub(crate) fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    let mut start = 0;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(word);
        let mut mask = escape_mask(u64::from_le_bytes(chunk));
        while mask != 0 {
            let index = at + (mask.trailing_zeros() / 8) as usize;
            escape_at(buf, bytes, &mut start, index);
            mask &= mask - 1;
        }
        at += 8;
    }
    for index in at..bytes.len() {
        if ESCAPE[usize::from(bytes[index])] != 0 {
            escape_at(buf, bytes, &mut start, index);
        }
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Writes the plain bytes since `start`, then the escape of the byte at `index`.
#[inline(always)]
fn escape_at(buf: &mut Vec<u8>, bytes: &[u8], start: &mut usize, index: usize) {
    buf.extend_from_slice(&bytes[*start..index]);
    let b = bytes[index];
    match ESCAPE[usize::from(b)] {
        b'u' => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        }
        escape => buf.extend_from_slice(&[b'\\', escape]),
    }
    *start = index + 1;
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
            "",
            "exactly8",
            "sixteen bytes ok",
            "seventeen\\bytes!!",
            "0123456\"",
            "01234567\u{1}89abcdef",
            "long plain value with nothing to escape at all, 12345678",
            "ééééé\"ééé\u{8}\u{c}ü🚀🚀\\x",
        ] {
            assert_eq!(quoted(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn every_byte_in_every_position_agrees_with_serde_json() {
        // Each ASCII byte at each offset of a 19-byte string: the word test
        // and the byte loop must agree wherever the byte falls.
        for b in 0u8..0x80 {
            for at in 0..19 {
                let mut text = vec![b'a'; 19];
                text[at] = b;
                let s = String::from_utf8(text).unwrap();
                assert_eq!(quoted(&s), serde_json::to_string(&s).unwrap(), "byte {b:#x} at {at}");
            }
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
