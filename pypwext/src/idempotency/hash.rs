//! Powertools Python's idempotency hash: the MD5 of a value's JSON as
//! Python's `json.dumps(value, sort_keys=True)` writes it. Written the same
//! way to the byte, a key gives the same record id in a Rust function and in
//! the Python function it replaces.

use std::fmt::Write as _;

use md5::{Digest, Md5};
use serde_json::{Number, Value};

/// The MD5 of `value`'s Python JSON, as 32 lowercase hex digits.
pub(crate) fn python_md5_hex(value: &Value) -> String {
    let mut json = String::with_capacity(64);
    write_python_json(&mut json, value);
    let digest = Md5::digest(json.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// `value` as `json.dumps(value, sort_keys=True)` writes it: `", "` and
/// `": "` between items, keys sorted by code point, every character outside
/// printable ASCII escaped as `\uXXXX` (`ensure_ascii`), floats as `repr`.
pub(crate) fn write_python_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_python_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here whatever map serde_json was built with: UTF-8 byte
            // order is code point order, which is how Python sorts `str`.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_string(out, key);
                out.push_str(": ");
                write_python_json(out, item);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, number: &Number) {
    if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
        write_python_float(out, float);
    } else {
        // An integer: Python writes it as it is.
        let _ = write!(out, "{number}");
    }
}

/// A float as Python's `repr`: the shortest digits that read back the same,
/// in positional notation from 1e-4 up to (not including) 1e16 (`1.0`,
/// `0.0001`, `123.5`), else as `1e-05`, `1.5e+16` (at least two exponent digits).
pub(crate) fn write_python_float(out: &mut String, float: f64) {
    if float.is_nan() {
        out.push_str("NaN");
        return;
    }
    if float.is_infinite() {
        out.push_str(if float > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    // The shortest digits that read back the same and are closest to the
    // value, as serde_json writes them (`1e16`, `0.0001`, `-1149636667324797.2`);
    // core's `{:e}` may pick another shortest string where two round-trip.
    let written = serde_json::to_string(&float).unwrap_or_default();
    let negative = written.starts_with('-');
    let (digits, exponent) = decimal_digits(written.trim_start_matches('-'));
    if digits.is_empty() {
        out.push_str(if negative { "-0.0" } else { "0.0" });
        return;
    }
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
            out.push_str(&digits);
        } else {
            let point = point as usize;
            if digits.len() <= point {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
    }
}

/// The significant digits of a decimal number (`123.5`, `1e-7`, `1.5E+16`)
/// and the power of ten of its first digit: `("1235", 2)`.
fn decimal_digits(number: &str) -> (String, i32) {
    let (mantissa, power) = match number.split_once(['e', 'E']) {
        Some((mantissa, power)) => (mantissa, power.parse::<i32>().unwrap_or(0)),
        None => (number, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut point = whole.len() as i32 + power;
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    point -= (all.len() - significant.len()) as i32;
    (significant.trim_end_matches('0').to_owned(), point - 1)
}

/// A string with Python's `ensure_ascii` escaping.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(ch),
            _ => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn python_json(value: &Value) -> String {
        let mut out = String::new();
        write_python_json(&mut out, value);
        out
    }

    #[test]
    fn floats_are_written_as_python_repr() {
        for (float, repr) in [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e17, "1.2345e+17"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ] {
            let mut out = String::new();
            write_python_float(&mut out, float);
            assert_eq!(out, repr, "{float:e}");
        }
    }

    #[test]
    fn separators_sorting_and_escaping_are_pythons() {
        let value = json!({"b": [1, 2.5, null, true], "a": {"z": "é", "y": "😀\n\"\\\u{7f}"}});
        assert_eq!(
            python_json(&value),
            r#"{"a": {"y": "\ud83d\ude00\n\"\\\u007f", "z": "\u00e9"}, "b": [1, 2.5, null, true]}"#
        );
        assert_eq!(python_json(&json!({})), "{}");
        assert_eq!(
            python_json(&json!({"f": -1149636667324797.2, "i": -4390914689644304907i64, "s": "\u{19a1f}"})),
            r#"{"f": -1149636667324797.2, "i": -4390914689644304907, "s": "\ud826\ude1f"}"#
        );
        assert_eq!(python_json(&json!([])), "[]");
    }

    #[test]
    fn the_hash_is_md5_hex_of_that_json() {
        // `hashlib.md5(json.dumps("abc", sort_keys=True).encode()).hexdigest()`
        assert_eq!(python_md5_hex(&json!("abc")), "ebd9f4c7b06cb0aaf5d13d80e49d8b90");
    }

    proptest! {
        #[test]
        fn the_same_key_gives_the_same_hash_and_different_keys_different_ones(
            a in proptest::collection::vec((any::<String>(), any::<i64>(), any::<f64>().prop_filter("finite", |f| f.is_finite())), 0..4),
            b in proptest::collection::vec((any::<String>(), any::<i64>(), any::<f64>().prop_filter("finite", |f| f.is_finite())), 0..4),
        ) {
            let a = serde_json::to_value(&a).unwrap();
            let b = serde_json::to_value(&b).unwrap();
            prop_assert_eq!(python_md5_hex(&a), python_md5_hex(&a.clone()));
            if a != b {
                prop_assert_ne!(python_md5_hex(&a), python_md5_hex(&b));
            }
        }
    }
}
