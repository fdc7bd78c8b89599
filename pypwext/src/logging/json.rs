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

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The zero bytes of `v`, each marked by its high bit; computed on seven bits
/// so that no byte carries into the next.
const fn zero_bytes(v: u64) -> u64 {
    !(((v & LOW7) + LOW7) | v | LOW7)
}

/// The bytes of `word` that are `"` or `\\`, each marked by its high bit.
const fn quote_mask(word: u64) -> u64 {
    zero_bytes(word ^ (ONES * (b'"' as u64))) | zero_bytes(word ^ (ONES * (b'\\' as u64)))
}

/// The bytes of `word` below 0x20, each marked by its high bit (0x60 plus the
/// low seven bits overflows into bit 7 exactly from 0x20 up; bytes with the
/// high bit set are not below).
const fn control_mask(word: u64) -> u64 {
    !(((word & LOW7) + ONES * 0x60) | word | LOW7)
}

/// Appends `s` as the contents of a JSON string (no quotes), eight bytes at a
/// time: a word with nothing to escape is copied whole, a word whose only
/// escapes are `"` and `\\` gets its backslashes put in by shifts, and only a
/// word with a control character is walked byte by byte. Every copy has a
/// fixed size: no `memcpy` call per run and no length update per byte, which
/// in quote-dense text (a JSON body, say) cost more than the bytes they move.
pub(crate) fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    let (words, rest) = bytes.as_chunks::<8>();
    for word in words {
        escape_word(buf, word, 8);
    }
    if !rest.is_empty() {
        // Padded with spaces, which need no escape, and cut back after.
        let mut tail = [b' '; 8];
        tail[..rest.len()].copy_from_slice(rest);
        escape_word(buf, &tail, rest.len());
    }
}

/// Appends the first `keep` bytes of `word` escaped; the bytes after them are
/// padding that needs no escape.
#[inline(always)]
fn escape_word(buf: &mut Vec<u8>, word: &[u8; 8], keep: usize) {
    let value = u64::from_le_bytes(*word);
    let controls = control_mask(value);
    let quotes = quote_mask(value);
    if controls | quotes == 0 {
        let end = buf.len() + keep;
        buf.extend_from_slice(word);
        buf.truncate(end);
    } else if controls == 0 {
        escape_quotes(buf, value, quotes, keep);
    } else {
        escape_chunk(buf, &word[..keep]);
    }
}

/// Appends the first `keep` bytes of a word whose escapes, marked in `mask`,
/// are all `"` or `\\`: a backslash goes before each, the runs between are
/// written as shifted words.
#[inline(always)]
fn escape_quotes(buf: &mut Vec<u8>, word: u64, mut mask: u64, keep: usize) {
    // Eight bytes and up to eight backslashes, plus room for the last
    // eight-byte store to start at any of them.
    let mut out = [0u8; 24];
    let mut len = 0;
    let mut from = 0;
    while mask != 0 {
        let at = (mask.trailing_zeros() / 8) as usize;
        // Bytes `from..at` are the ones that count; the rest is overwritten.
        out[len..len + 8].copy_from_slice(&(word >> (8 * from)).to_le_bytes());
        len += at - from;
        out[len] = b'\\';
        len += 1;
        // The quote itself starts the next run.
        from = at;
        mask &= mask - 1;
    }
    out[len..len + 8].copy_from_slice(&(word >> (8 * from)).to_le_bytes());
    len += keep - from;
    let end = buf.len() + len;
    buf.extend_from_slice(&out[..16]);
    buf.truncate(end);
}

/// Appends up to eight bytes of a JSON string's contents, each escaped if it must be.
#[inline(always)]
fn escape_chunk(buf: &mut Vec<u8>, chunk: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Room for eight `\\u00XX` escapes.
    let mut out = [0u8; 48];
    let mut len = 0;
    for &b in chunk.iter().take(8) {
        let escape = ESCAPE[usize::from(b)];
        if escape == b'u' {
            out[len..len + 6].copy_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
            len += 6;
        } else {
            // The byte itself, or a backslash and the escape's letter.
            out[len] = if escape == 0 { b } else { b'\\' };
            out[len + 1] = escape;
            len += 1 + usize::from(escape != 0);
        }
    }
    let end = buf.len() + len;
    buf.extend_from_slice(&out);
    buf.truncate(end);
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
    fn every_pair_of_escapes_in_every_pair_of_positions_agrees_with_serde_json() {
        // Several escapes in one word take the shifting path; a control
        // character beside a quote takes the byte walk.
        let bytes = [b'"', b'\\', b'\n', 0x1f, b'a'];
        for &first in &bytes {
            for &second in &bytes {
                for i in 0..17 {
                    for j in i + 1..17 {
                        let mut text = vec![b'x'; 17];
                        text[i] = first;
                        text[j] = second;
                        let s = String::from_utf8(text).unwrap();
                        assert_eq!(quoted(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn generated_quote_dense_strings_agree_with_serde_json() {
        // Seeded strings of every length up to 40 from an alphabet heavy in
        // escapes and multi-byte characters: 4 000 of them.
        let alphabet = ["\"", "\\", "a", "{", ":", "\n", "\u{1}", "é", "🚀", " "];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..4_000 {
            let mut s = String::new();
            for _ in 0..n % 41 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            assert_eq!(quoted(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
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
