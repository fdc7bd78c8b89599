//! Correlation ids: where in an event the id that ties an invocation's lines
//! to a request is found.
//!
//! A path is a dotted list of keys, each a plain name or a double-quoted one
//! for names with other characters: `requestContext.requestId`,
//! `headers."x-amzn-trace-id"`. It is the subset of JMESPath that Powertools'
//! `correlation_paths` use.

use std::fmt;

/// The correlation paths of Powertools, for the common event sources.
pub mod correlation_paths {
    /// API Gateway REST API (v1): the request id.
    pub const API_GATEWAY_REST: &str = "requestContext.requestId";
    /// API Gateway HTTP API (v2): the request id.
    pub const API_GATEWAY_HTTP: &str = "requestContext.requestId";
    /// Lambda function URLs: the request id.
    pub const LAMBDA_FUNCTION_URL: &str = "requestContext.requestId";
    /// Application Load Balancer: the event's own trace header, as Powertools
    /// reads it. lambda_http replaces that header with the invocation's trace
    /// id; `pypwext::lambda::run` keeps the event's for this path (with
    /// `lambda_http::run` the path finds the invocation's).
    pub const APPLICATION_LOAD_BALANCER: &str = "headers.\"x-amzn-trace-id\"";
    /// EventBridge: the event id.
    pub const EVENT_BRIDGE: &str = "id";
    /// S3 Object Lambda: the request id.
    pub const S3_OBJECT_LAMBDA: &str = "xAmzRequestId";
}

/// A parsed correlation path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationPath {
    keys: Vec<String>,
}

/// A correlation path that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCorrelationPath {
    path: String,
    reason: &'static str,
}

impl fmt::Display for BadCorrelationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "correlation path `{}` {}; write dotted keys such as `requestContext.requestId` or `headers.\"x-amzn-trace-id\"`",
            self.path, self.reason
        )
    }
}

impl std::error::Error for BadCorrelationPath {}

impl CorrelationPath {
    /// Parses a path.
    pub fn parse(path: &str) -> Result<CorrelationPath, BadCorrelationPath> {
        let bad = |reason| BadCorrelationPath {
            path: path.to_owned(),
            reason,
        };
        let mut keys = Vec::new();
        let mut rest = path;
        loop {
            let (key, after) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').ok_or_else(|| bad("has an unclosed quote"))?;
                (&quoted[..end], &quoted[end + 1..])
            } else {
                let end = rest.find('.').unwrap_or(rest.len());
                let key = &rest[..end];
                if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(bad("has a key with characters that need double quotes"));
                }
                (key, &rest[end..])
            };
            if key.is_empty() {
                return Err(bad("has an empty key"));
            }
            keys.push(key.to_owned());
            if after.is_empty() {
                return Ok(CorrelationPath { keys });
            }
            rest = after.strip_prefix('.').ok_or_else(|| bad("needs a `.` between keys"))?;
        }
    }

    /// The keys, outermost first.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(String::as_str)
    }

    /// The id at this path in `event`: a string as is, a number as text.
    pub fn find_in(&self, event: &serde_json::Value) -> Option<String> {
        let mut value = event;
        for key in &self.keys {
            value = value.get(key)?;
        }
        scalar_text(value)
    }
}

/// A string as is, a number or boolean as its text; nothing for the rest.
pub(crate) fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_powertools_paths_parse() {
        for path in [
            correlation_paths::API_GATEWAY_REST,
            correlation_paths::APPLICATION_LOAD_BALANCER,
            correlation_paths::EVENT_BRIDGE,
            correlation_paths::S3_OBJECT_LAMBDA,
        ] {
            CorrelationPath::parse(path).unwrap();
        }
        let alb = CorrelationPath::parse(correlation_paths::APPLICATION_LOAD_BALANCER).unwrap();
        assert_eq!(alb.keys().collect::<Vec<_>>(), ["headers", "x-amzn-trace-id"]);
    }

    #[test]
    fn bad_paths_say_why() {
        for (path, reason) in [
            ("", "empty key"),
            ("a..b", "empty key"),
            ("headers.x-amzn", "need double quotes"),
            ("headers.\"open", "unclosed quote"),
            ("\"a\"b", "needs a `.`"),
        ] {
            let err = CorrelationPath::parse(path).unwrap_err().to_string();
            assert!(err.contains(reason), "{path}: {err}");
        }
    }

    #[test]
    fn lookup_in_events() {
        let event = json!({"requestContext": {"requestId": "abc"}, "headers": {"x-amzn-trace-id": "Root=1"}, "id": 7});
        let find = |p: &str| CorrelationPath::parse(p).unwrap().find_in(&event);
        assert_eq!(find(correlation_paths::API_GATEWAY_REST).as_deref(), Some("abc"));
        assert_eq!(
            find(correlation_paths::APPLICATION_LOAD_BALANCER).as_deref(),
            Some("Root=1")
        );
        assert_eq!(find("id").as_deref(), Some("7"));
        assert_eq!(find("requestContext").as_deref(), None, "an object is no id");
        assert_eq!(find("missing.key"), None);
    }
}
