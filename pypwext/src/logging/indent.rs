//! Indents a finished line for people reading a terminal (`POWERTOOLS_DEV`).

/// Indents `line`, one JSON value, by four spaces, as serde_json's pretty
/// printer would. The line's text is indented as it stands, so the
/// indentation reaches inside the JSON messages of pypwext too, and the line
/// writer itself is compiled once: re-reading the line into serde_json's
/// pretty serializer did the same with more code in every function's binary
/// (see `scripts/build-cost.sh`).
pub(super) fn indent(line: &mut Vec<u8>) {
    let mut indented = Vec::with_capacity(line.len() * 2);
    if jsonformat::format_reader_writer(&mut &line[..], &mut indented, jsonformat::Indentation::FourSpace).is_ok() {
        // jsonformat ends the text with a newline of its own.
        if indented.last() == Some(&b'\n') {
            indented.pop();
        }
        *line = indented;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_lines_are_indented_as_serde_json_indents_them() {
        // As the line writer ends a line with `POWERTOOLS_DEV` on.
        let line = |text: &str| {
            let mut line = text.as_bytes().to_vec();
            indent(&mut line);
            line.push(b'\n');
            String::from_utf8(line).unwrap()
        };
        let serde_json_pretty = |text: &str| {
            let mut indented = Vec::new();
            let pretty = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut indented, pretty);
            serde_transcode::transcode(&mut serde_json::Deserializer::from_str(text), &mut serializer).unwrap();
            String::from_utf8(indented).unwrap() + "\n"
        };
        for text in [
            r#"{"level":"INFO","message":"a","n":1}"#,
            r#"{"a":{},"b":[],"c":[{}],"d":[[]],"e":{"f":[1,2,{"g":null}]}}"#,
            r#"{"quotes":"say \"{x}\", [y]: z","slash":"a\\","u":"é\n\u0001","s":"é,:{["}"#,
            r#"{"num":-1.5e-7,"t":true,"f":false,"z":null,"big":18446744073709551615}"#,
            r#"{"message":{"msg":"Entering f","args":{"a":[1,{"b":"}"}]}}}"#,
        ] {
            assert_eq!(line(text), serde_json_pretty(text), "{text}");
        }
    }
}
