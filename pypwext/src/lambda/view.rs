//! How requests and responses appear in log lines: written as JSON straight
//! from the borrowed values into the line's buffer (no intermediate maps, no
//! serializer), secrets redacted, binary bodies shown by size. The
//! `serde_json::Value` forms that `LogView::log_view` returns are read back
//! from these bytes, so the two can never disagree.

use std::fmt;

use super::REDACTED_HEADERS;
use crate::logging::json::{escape_into, write_str};

/// Writes headers as one object, one key each (several values joined by
/// `, `), secrets redacted.
pub(crate) fn write_headers(out: &mut Vec<u8>, headers: &http::HeaderMap) {
    out.push(b'{');
    // `iter` gives a name's values one after another: one pass, no lookups.
    let mut previous: Option<&http::HeaderName> = None;
    for (name, value) in headers {
        if previous == Some(name) {
            if !REDACTED_HEADERS.contains(&name.as_str()) {
                out.extend_from_slice(b", ");
                escape_lossy(out, value.as_bytes());
            }
            continue;
        }
        if previous.is_some() {
            out.extend_from_slice(b"\",");
        }
        previous = Some(name);
        // A header name is a lowercase token: nothing in it needs escaping.
        out.push(b'"');
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b"\":\"");
        if REDACTED_HEADERS.contains(&name.as_str()) {
            out.extend_from_slice(b"*****");
        } else {
            escape_lossy(out, value.as_bytes());
        }
    }
    if previous.is_some() {
        out.push(b'"');
    }
    out.push(b'}');
}

/// Escapes bytes that should be UTF-8 (header values almost always are);
/// anything else is shown with U+FFFD in its place.
fn escape_lossy(out: &mut Vec<u8>, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => escape_into(out, text),
        Err(_) => escape_into(out, &String::from_utf8_lossy(bytes)),
    }
}

/// Writes a body: text as is, binary as text when it is UTF-8, else its size;
/// no body is `null`.
pub(crate) fn write_body(out: &mut Vec<u8>, body: &lambda_http::Body) {
    match body {
        lambda_http::Body::Text(text) => write_str(out, text),
        lambda_http::Body::Binary(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => write_str(out, text),
            Err(_) => {
                out.extend_from_slice(b"\"<");
                out.extend_from_slice(bytes.len().to_string().as_bytes());
                out.extend_from_slice(b" bytes of binary>\"");
            }
        },
        _ => out.extend_from_slice(b"null"),
    }
}

/// Writes the query string parameters, the first value of each.
fn write_query(out: &mut Vec<u8>, query: Option<&lambda_http::aws_lambda_events::query_map::QueryMap>) {
    out.push(b'{');
    if let Some(query) = query {
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in query.iter() {
            if seen.contains(&key) {
                continue;
            }
            if !seen.is_empty() {
                out.push(b',');
            }
            seen.push(key);
            write_str(out, key);
            out.push(b':');
            write_str(out, value);
        }
    }
    out.push(b'}');
}

/// Writes `{"method","path","query","headers","body"}`.
pub(crate) fn write_request(out: &mut Vec<u8>, request: &lambda_http::Request) {
    use lambda_http::RequestExt as _;
    out.extend_from_slice(b"{\"method\":");
    write_str(out, request.method().as_str());
    out.extend_from_slice(b",\"path\":");
    write_str(out, request.uri().path());
    out.extend_from_slice(b",\"query\":");
    write_query(out, request.query_string_parameters_ref());
    out.extend_from_slice(b",\"headers\":");
    write_headers(out, request.headers());
    out.extend_from_slice(b",\"body\":");
    write_body(out, request.body());
    out.push(b'}');
}

/// Writes `{"status","headers","body"}`.
pub(crate) fn write_response(out: &mut Vec<u8>, response: &http::Response<lambda_http::Body>) {
    out.extend_from_slice(b"{\"status\":");
    out.extend_from_slice(response.status().as_str().as_bytes());
    out.extend_from_slice(b",\"headers\":");
    write_headers(out, response.headers());
    out.extend_from_slice(b",\"body\":");
    write_body(out, response.body());
    out.push(b'}');
}

/// What a writer above wrote, as a `serde_json::Value`.
pub(crate) fn to_value(write: impl FnOnce(&mut Vec<u8>)) -> serde_json::Value {
    let mut out = Vec::with_capacity(256);
    write(&mut out);
    // The writers only ever write valid JSON (the tests check it); should
    // one not, the text itself is still shown.
    serde_json::from_slice(&out)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&out).into_owned()))
}

/// Headers as JSON text, for a `Display` field of a log line.
pub(crate) struct HeadersText<'a>(pub(crate) &'a http::HeaderMap);

impl fmt::Display for HeadersText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::with_capacity(128);
        write_headers(&mut out, self.0);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::RequestExt as _;

    fn written(write: impl FnOnce(&mut Vec<u8>)) -> serde_json::Value {
        let mut out = Vec::new();
        write(&mut out);
        serde_json::from_slice(&out).unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&out)))
    }

    #[test]
    fn headers_are_redacted_and_joined() {
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "Bearer x".parse().unwrap());
        headers.append("accept", "a".parse().unwrap());
        headers.append("accept", "b".parse().unwrap());
        headers.insert("set-cookie", "session=1".parse().unwrap());
        headers.append("set-cookie", "theme=dark".parse().unwrap());
        headers.insert("x-quote", "say \"hi\"\\".parse().unwrap());
        headers.insert("x-latin1", http::HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(
            written(|out| write_headers(out, &headers)),
            serde_json::json!({
                "authorization": "*****",
                "accept": "a, b",
                "set-cookie": "*****",
                "x-quote": "say \"hi\"\\",
                "x-latin1": "caf\u{fffd}",
            })
        );
        assert_eq!(
            written(|out| write_headers(out, &http::HeaderMap::new())),
            serde_json::json!({})
        );
        // Each name once, exactly: a parsed `Value` would hide a repeated key.
        let mut raw = Vec::new();
        let mut few = http::HeaderMap::new();
        few.append("set-cookie", "a=1".parse().unwrap());
        few.append("set-cookie", "b=2".parse().unwrap());
        few.append("accept", "x".parse().unwrap());
        few.append("accept", "y".parse().unwrap());
        write_headers(&mut raw, &few);
        assert_eq!(
            String::from_utf8(raw).unwrap(),
            r#"{"set-cookie":"*****","accept":"x, y"}"#
        );
    }

    #[test]
    fn bodies_text_binary_and_none() {
        let show = |body: lambda_http::Body| written(|out| write_body(out, &body));
        assert_eq!(show(lambda_http::Body::Binary(vec![0xff, 0xfe])), "<2 bytes of binary>");
        assert_eq!(show(lambda_http::Body::Binary(b"{\"a\":1}".to_vec())), "{\"a\":1}");
        assert_eq!(show(lambda_http::Body::Text("line\nbreak".into())), "line\nbreak");
        assert_eq!(show(lambda_http::Body::Empty), serde_json::Value::Null);
    }

    #[test]
    fn requests_and_responses() {
        let mut query = std::collections::HashMap::new();
        query.insert("page".to_owned(), vec!["2".to_owned(), "3".to_owned()]);
        query.insert("q".to_owned(), vec!["a \"b\"".to_owned()]);
        let request = http::Request::builder()
            .method("PUT")
            .uri("/orders/7?page=2")
            .header("cookie", "secret")
            .header("content-type", "application/json")
            .body(lambda_http::Body::from("{\"customer\":\"ada\"}"))
            .unwrap()
            .with_query_string_parameters(query);
        assert_eq!(
            written(|out| write_request(out, &request)),
            serde_json::json!({
                "method": "PUT",
                "path": "/orders/7",
                "query": {"page": "2", "q": "a \"b\""},
                "headers": {"cookie": "*****", "content-type": "application/json"},
                "body": "{\"customer\":\"ada\"}",
            })
        );
        let response = http::Response::builder()
            .status(201)
            .header("set-cookie", "id=1")
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(
            to_value(|out| write_response(out, &response)),
            serde_json::json!({"status": 201, "headers": {"set-cookie": "*****"}, "body": null})
        );
    }
}
