//! How requests and responses appear in log lines, serialized straight from
//! the borrowed values (no intermediate maps): secrets redacted, binary
//! bodies shown by size.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::REDACTED_HEADERS;

/// Headers, one key each (several values joined by `, `), secrets redacted.
pub(crate) struct HeadersView<'a>(pub(crate) &'a http::HeaderMap);

impl Serialize for HeadersView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.keys_len()))?;
        for name in self.0.keys() {
            if REDACTED_HEADERS.contains(&name.as_str()) {
                map.serialize_entry(name.as_str(), "*****")?;
                continue;
            }
            let mut values = self.0.get_all(name).iter();
            match (values.next(), values.next()) {
                (Some(only), None) => map.serialize_entry(name.as_str(), &String::from_utf8_lossy(only.as_bytes()))?,
                _ => {
                    let joined: Vec<_> = self
                        .0
                        .get_all(name)
                        .iter()
                        .map(|v| String::from_utf8_lossy(v.as_bytes()))
                        .collect();
                    map.serialize_entry(name.as_str(), &joined.join(", "))?;
                }
            }
        }
        map.end()
    }
}

/// A body: text as is, binary as text when it is UTF-8, else its size.
pub(crate) struct BodyView<'a>(pub(crate) &'a lambda_http::Body);

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

/// The query string parameters, the first value of each.
struct QueryView<'a>(Option<&'a lambda_http::aws_lambda_events::query_map::QueryMap>);

impl Serialize for QueryView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(query) = self.0 {
            let mut seen: Vec<&str> = Vec::new();
            for (key, value) in query.iter() {
                if !seen.contains(&key) {
                    seen.push(key);
                    map.serialize_entry(key, value)?;
                }
            }
        }
        map.end()
    }
}

/// `{"method","path","query","headers","body"}`.
pub(crate) struct RequestView<'a>(pub(crate) &'a lambda_http::Request);

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

/// `{"status","headers","body"}`.
pub(crate) struct ResponseView<'a>(pub(crate) &'a http::Response<lambda_http::Body>);

impl Serialize for ResponseView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("status", &self.0.status().as_u16())?;
        map.serialize_entry("headers", &HeadersView(self.0.headers()))?;
        map.serialize_entry("body", &BodyView(self.0.body()))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_redacted_and_joined() {
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "Bearer x".parse().unwrap());
        headers.append("accept", "a".parse().unwrap());
        headers.append("accept", "b".parse().unwrap());
        headers.insert("set-cookie", "session=1".parse().unwrap());
        let shown = serde_json::to_value(HeadersView(&headers)).unwrap();
        assert_eq!(
            shown,
            serde_json::json!({"authorization": "*****", "accept": "a, b", "set-cookie": "*****"})
        );
    }

    #[test]
    fn binary_bodies_show_their_size() {
        let body = lambda_http::Body::Binary(vec![0xff, 0xfe]);
        assert_eq!(serde_json::to_value(BodyView(&body)).unwrap(), "<2 bytes of binary>");
        assert_eq!(
            serde_json::to_value(BodyView(&lambda_http::Body::Empty)).unwrap(),
            serde_json::Value::Null
        );
    }
}
