//! JSON values for the log line, all written by serde_json: its string
//! escaping is what keeps a value from ending a string or a line early.

use std::fmt;

/// Appends `value` serialized with serde; a value that fails to serialize
/// (a map with non-string keys, say) is written as its error, as a string.
pub(crate) fn write_serialize<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) {
    let mark = buf.len();
    if let Err(err) = serde_json::to_writer(&mut *buf, value) {
        buf.truncate(mark);
        write_display(buf, &format_args!("<not serializable: {err}>"));
    }
}

/// Appends `value`'s `Debug` output as a JSON string.
pub(crate) fn write_debug(buf: &mut Vec<u8>, value: &dyn fmt::Debug) {
    write_display(buf, &format_args!("{value:?}"));
}

/// Appends `value`'s `Display` output as a JSON string.
pub(crate) fn write_display(buf: &mut Vec<u8>, value: &dyn fmt::Display) {
    // `collect_str` escapes the text as it is formatted; writing into a `Vec`
    // cannot fail, and a `Display` that fails leaves what it wrote, which
    // serde_json closes as a string all the same.
    let _ = serde_json::to_writer(&mut *buf, &format_args!("{value}"));
}

/// A message that is JSON already, handed to the layer through `Debug` as
/// `pypwext.message` (the layer checks that it is one JSON value).
pub(crate) struct RawJson<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.0))
    }
}

/// Renders a value as JSON when, and only when, it is formatted: `tracing`
/// formats an event's fields only when the event is enabled.
#[cfg(any(test, feature = "http"))]
pub(crate) struct DisplayJson<'a, T: serde::Serialize + ?Sized>(pub(crate) &'a T);

#[cfg(any(test, feature = "http"))]
impl<T: serde::Serialize + ?Sized> fmt::Display for DisplayJson<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::new();
        write_serialize(&mut buf, self.0);
        // serde_json writes UTF-8 only.
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

#[cfg(any(test, feature = "http"))]
impl<T: serde::Serialize + ?Sized> fmt::Debug for DisplayJson<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_escaped() {
        let mut buf = Vec::new();
        write_debug(&mut buf, &"a\nb");
        assert_eq!(buf, br#""\"a\\nb\"""#);
        buf.clear();
        write_display(&mut buf, &"x\"y}\n{");
        assert_eq!(buf, br#""x\"y}\n{""#);
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

    #[test]
    fn display_json_is_the_value_as_json() {
        let value = serde_json::json!({"msg": "a \"quoted\" word"});
        assert_eq!(DisplayJson(&value).to_string(), r#"{"msg":"a \"quoted\" word"}"#);
    }
}
