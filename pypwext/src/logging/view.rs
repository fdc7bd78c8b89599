//! How requests and responses appear in log lines: serialized with serde
//! straight from the borrowed values (no intermediate maps), secrets
//! redacted, binary bodies shown by size.

use std::fmt;

use serde::ser::{Serialize, SerializeMap as _, Serializer};

#[cfg(any(test, feature = "http"))]
use super::json::DisplayJson;
#[cfg(feature = "service")]
use super::json::write_serialize;

/// Headers whose values never reach a log line (`x-api-key`: API Gateway's
/// API keys, and the usual header of a key read with `pypwext::parameters`).
pub(crate) const REDACTED_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-api-key",
];

/// Headers as one object, one key each (several values joined by `, `),
/// secrets redacted.
pub(crate) struct HeadersView<'a>(pub(crate) &'a http::HeaderMap);

impl Serialize for HeadersView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.keys_len()))?;
        for name in self.0.keys() {
            if REDACTED_HEADERS.contains(&name.as_str()) {
                map.serialize_entry(name.as_str(), "*****")?;
            } else {
                map.serialize_entry(name.as_str(), &format_args!("{}", JoinedValues(self.0.get_all(name))))?;
            }
        }
        map.end()
    }
}

/// A header's values joined by `, `; bytes that are not UTF-8 (header values
/// almost always are) shown as U+FFFD.
struct JoinedValues<'a>(http::header::GetAll<'a, http::HeaderValue>);

impl fmt::Display for JoinedValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(&String::from_utf8_lossy(value.as_bytes()))?;
        }
        Ok(())
    }
}

#[cfg(feature = "service")]
/// A body: text as is, binary as text when it is UTF-8, else its size; no
/// body is `null`.
struct BodyView<'a>(&'a lambda_http::Body);

#[cfg(feature = "service")]
impl Serialize for BodyView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            lambda_http::Body::Text(text) => serializer.serialize_str(text),
            lambda_http::Body::Binary(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => serializer.serialize_str(text),
                Err(_) => serializer.collect_str(&format_args!("<{} bytes of binary>", bytes.len())),
            },
            _ => serializer.serialize_none(),
        }
    }
}

#[cfg(feature = "service")]
/// The query string parameters, the first value of each.
struct QueryView<'a>(Option<&'a lambda_http::aws_lambda_events::query_map::QueryMap>);

#[cfg(feature = "service")]
impl Serialize for QueryView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in self.0.into_iter().flat_map(|query| query.iter()) {
            if !seen.contains(&key) {
                seen.push(key);
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

#[cfg(feature = "service")]
/// A request: `{"method","path","query","headers","body"}`.
pub(crate) struct RequestView<'a>(pub(crate) &'a lambda_http::Request);

#[cfg(feature = "service")]
impl Serialize for RequestView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use lambda_http::RequestExt as _;
        let request = self.0;
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("method", request.method().as_str())?;
        map.serialize_entry("path", request.uri().path())?;
        map.serialize_entry("query", &QueryView(request.query_string_parameters_ref()))?;
        map.serialize_entry("headers", &HeadersView(request.headers()))?;
        map.serialize_entry("body", &BodyView(request.body()))?;
        map.end()
    }
}

#[cfg(feature = "service")]
/// A response: `{"status","headers","body"}`.
pub(crate) struct ResponseView<'a>(pub(crate) &'a http::Response<lambda_http::Body>);

#[cfg(feature = "service")]
impl Serialize for ResponseView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let response = self.0;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("status", &response.status().as_u16())?;
        map.serialize_entry("headers", &HeadersView(response.headers()))?;
        map.serialize_entry("body", &BodyView(response.body()))?;
        map.end()
    }
}

#[cfg(feature = "service")]
/// Appends a request as a log line shows it.
pub(crate) fn write_request(out: &mut Vec<u8>, request: &lambda_http::Request) {
    write_serialize(out, &RequestView(request));
}

#[cfg(feature = "service")]
/// Appends a response as a log line shows it.
pub(crate) fn write_response(out: &mut Vec<u8>, response: &http::Response<lambda_http::Body>) {
    write_serialize(out, &ResponseView(response));
}

#[cfg(feature = "service")]
/// `value` as a `serde_json::Value`; none of the views can fail, but should
/// one, its error is shown in its place.
fn to_value(value: impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|err| serde_json::Value::String(format!("<not serializable: {err}>")))
}

#[cfg(feature = "service")]
/// Headers as a log line shows them: secrets redacted, values joined.
pub(crate) fn headers_json(headers: &http::HeaderMap) -> serde_json::Value {
    to_value(HeadersView(headers))
}

#[cfg(feature = "service")]
/// A response as a log line shows it: status, headers (secrets redacted), body.
pub(crate) fn response_json(response: &http::Response<lambda_http::Body>) -> serde_json::Value {
    to_value(ResponseView(response))
}

#[cfg(feature = "service")]
/// A request as a log line shows it: method, path, query, headers (secrets
/// redacted) and body.
pub(crate) fn request_json(request: &lambda_http::Request) -> serde_json::Value {
    to_value(RequestView(request))
}

#[cfg(feature = "http")]
/// Headers as JSON text, for a `Display` field of a log line.
pub(crate) struct HeadersText<'a>(pub(crate) &'a http::HeaderMap);

#[cfg(feature = "http")]
impl fmt::Display for HeadersText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&DisplayJson(&HeadersView(self.0)), f)
    }
}

// The views of requests and responses need the `service` feature's types.
#[cfg(test)]
#[cfg(feature = "service")]
mod tests {
    use super::*;
    use lambda_http::RequestExt as _;

    fn written(value: impl Serialize) -> serde_json::Value {
        let out = serde_json::to_vec(&value).unwrap();
        serde_json::from_slice(&out).unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&out)))
    }

    #[test]
    fn headers_are_redacted_and_joined() {
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "Bearer x".parse().unwrap());
        headers.insert("x-api-key", "key-1".parse().unwrap());
        headers.append("accept", "a".parse().unwrap());
        headers.append("accept", "b".parse().unwrap());
        headers.insert("set-cookie", "session=1".parse().unwrap());
        headers.append("set-cookie", "theme=dark".parse().unwrap());
        headers.insert("x-quote", "say \"hi\"\\".parse().unwrap());
        headers.insert("x-latin1", http::HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(
            written(HeadersView(&headers)),
            serde_json::json!({
                "authorization": "*****",
                "x-api-key": "*****",
                "accept": "a, b",
                "set-cookie": "*****",
                "x-quote": "say \"hi\"\\",
                "x-latin1": "caf\u{fffd}",
            })
        );
        assert_eq!(headers_json(&headers), written(HeadersView(&headers)));
        assert_eq!(written(HeadersView(&http::HeaderMap::new())), serde_json::json!({}));
        // Each name once, exactly: a parsed `Value` would hide a repeated key.
        let mut few = http::HeaderMap::new();
        few.append("set-cookie", "a=1".parse().unwrap());
        few.append("set-cookie", "b=2".parse().unwrap());
        few.append("accept", "x".parse().unwrap());
        few.append("accept", "y".parse().unwrap());
        assert_eq!(
            DisplayJson(&HeadersView(&few)).to_string(),
            r#"{"set-cookie":"*****","accept":"x, y"}"#
        );
    }

    #[test]
    fn bodies_text_binary_and_none() {
        let show = |body: lambda_http::Body| written(BodyView(&body));
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
        let expected = serde_json::json!({
            "method": "PUT",
            "path": "/orders/7",
            "query": {"page": "2", "q": "a \"b\""},
            "headers": {"cookie": "*****", "content-type": "application/json"},
            "body": "{\"customer\":\"ada\"}",
        });
        let mut out = Vec::new();
        write_request(&mut out, &request);
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&out).unwrap(), expected);
        assert!(
            out.starts_with(br#"{"method":"PUT","path":"/orders/7","query":"#),
            "keys in order"
        );
        assert_eq!(request_json(&request), expected);
        let response = http::Response::builder()
            .status(201)
            .header("set-cookie", "id=1")
            .body(lambda_http::Body::Empty)
            .unwrap();
        let mut out = Vec::new();
        write_response(&mut out, &response);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"status":201,"headers":{"set-cookie":"*****"},"body":null}"#
        );
        assert_eq!(
            response_json(&response),
            serde_json::json!({"status": 201, "headers": {"set-cookie": "*****"}, "body": null})
        );
    }
}
