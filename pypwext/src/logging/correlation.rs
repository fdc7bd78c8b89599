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
        let mut keys = Vec::new();
        let mut at = 0;
        loop {
            let key = next_key(path.as_bytes(), at).map_err(|problem| BadCorrelationPath {
                path: path.to_owned(),
                reason: problem.reason(),
            })?;
            // A key starts and ends at the path's ends, a `.` or a `"`: on
            // character boundaries.
            keys.push(path[key.start..key.end].to_owned());
            match key.next {
                Some(next) => at = next,
                None => return Ok(CorrelationPath { keys }),
            }
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

/// A rule of the path grammar that a path breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathProblem {
    UnclosedQuote,
    EmptyKey,
    NeedsQuotes,
    NeedsDot,
}

impl PathProblem {
    /// What is wrong, as [`BadCorrelationPath`] says it after the path.
    pub(crate) const fn reason(self) -> &'static str {
        match self {
            PathProblem::UnclosedQuote => "has an unclosed quote",
            PathProblem::EmptyKey => "has an empty key",
            PathProblem::NeedsQuotes => "has a key with characters that need double quotes",
            PathProblem::NeedsDot => "needs a `.` between keys",
        }
    }

    /// The compile error of a handler's `correlation_id_path` that breaks
    /// the rule: the reason, then what to write. A const panic takes no
    /// formatting, so each is written out whole.
    const fn compile_error(self) -> &'static str {
        match self {
            PathProblem::UnclosedQuote => {
                "this correlation path has an unclosed quote; close the key's double quotes, as in `headers.\"x-amzn-trace-id\"`, or name a constant of `pypwext::logging::correlation_paths`"
            }
            PathProblem::EmptyKey => {
                "this correlation path has an empty key; write dotted keys such as `requestContext.requestId` or `headers.\"x-amzn-trace-id\"`, or name a constant of `pypwext::logging::correlation_paths`"
            }
            PathProblem::NeedsQuotes => {
                "this correlation path has a key with characters that need double quotes; quote that key, as in `headers.\"x-amzn-trace-id\"`, or name a constant of `pypwext::logging::correlation_paths`"
            }
            PathProblem::NeedsDot => {
                "this correlation path needs a `.` between keys; write dotted keys such as `requestContext.requestId` or `headers.\"x-amzn-trace-id\"`, or name a constant of `pypwext::logging::correlation_paths`"
            }
        }
    }
}

/// One key of a path: where its bytes start and end, and where the next key
/// starts (after the `.`), if there is one.
struct Key {
    start: usize,
    end: usize,
    next: Option<usize>,
}

/// The key of `path` that starts at `at`: a plain key (`[A-Za-z0-9_]+`, up
/// to the next `.`) or a double-quoted one (any characters but `"`), not
/// empty, followed by the end or a `.` and the next key. The grammar, once:
/// [`CorrelationPath::parse`] reads a path with it at run time, and
/// [`assert_correlation_path`] checks a handler's at compile time.
const fn next_key(path: &[u8], at: usize) -> Result<Key, PathProblem> {
    let (start, end, after) = if at < path.len() && path[at] == b'"' {
        let mut end = at + 1;
        while end < path.len() && path[end] != b'"' {
            end += 1;
        }
        if end == path.len() {
            return Err(PathProblem::UnclosedQuote);
        }
        (at + 1, end, end + 1)
    } else {
        let mut end = at;
        while end < path.len() && path[end] != b'.' {
            if !(path[end].is_ascii_alphanumeric() || path[end] == b'_') {
                return Err(PathProblem::NeedsQuotes);
            }
            end += 1;
        }
        (at, end, end)
    };
    if start == end {
        return Err(PathProblem::EmptyKey);
    }
    if after == path.len() {
        return Ok(Key { start, end, next: None });
    }
    if path[after] != b'.' {
        return Err(PathProblem::NeedsDot);
    }
    Ok(Key {
        start,
        end,
        next: Some(after + 1),
    })
}

/// The rule `path` breaks, if any.
pub(crate) const fn correlation_path_problem(path: &str) -> Option<PathProblem> {
    let mut at = 0;
    loop {
        match next_key(path.as_bytes(), at) {
            Err(problem) => return Some(problem),
            Ok(Key { next: Some(next), .. }) => at = next,
            Ok(Key { next: None, .. }) => return None,
        }
    }
}

/// The compile-time check of a handler's `correlation_id_path`: the
/// generated code evaluates `const _: () = assert_correlation_path(PATH);`,
/// spanned on the path as written, so a path that does not parse is a
/// compile error there that says what to write.
#[track_caller]
#[allow(clippy::panic, reason = "a panic in a const is the compile error")]
pub const fn assert_correlation_path(path: &str) {
    if let Some(problem) = correlation_path_problem(path) {
        panic!("{}", problem.compile_error());
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
    use crate::test_support::panic_message;
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
    fn the_compile_time_check_agrees_with_the_parser_and_says_what_to_do() {
        const _: () = assert_correlation_path(correlation_paths::APPLICATION_LOAD_BALANCER);
        const _: () = assert_correlation_path(correlation_paths::API_GATEWAY_REST);
        for path in [
            "",
            "a",
            "a.b",
            "a..b",
            ".a",
            "a.",
            "\"\"",
            "\"x-y\".z",
            "a.\"b.c\"",
            "a.\"open",
            "\"a\"b",
            "a b",
            "café.x",
            "a.\"café\"",
        ] {
            let parsed = CorrelationPath::parse(path);
            let problem = correlation_path_problem(path);
            assert_eq!(
                parsed.as_ref().err().map(|e| e.reason),
                problem.map(PathProblem::reason),
                "{path}"
            );
            let panic = std::panic::catch_unwind(|| assert_correlation_path(path));
            match (problem, panic) {
                (None, Ok(())) => {}
                (Some(problem), Err(payload)) => {
                    let message = panic_message(&*payload);
                    assert_eq!(message, problem.compile_error());
                    assert!(message.starts_with("this correlation path "), "{message}");
                    assert!(message.contains(problem.reason()), "{message}");
                    assert!(message.contains("; "), "says what to do: {message}");
                    assert!(!message.ends_with('.'), "{message}");
                }
                (problem, panic) => panic!("{path}: {problem:?} but {panic:?}"),
            }
        }
        assert_eq!(
            CorrelationPath::parse("a.\"b.c\"").unwrap().keys().collect::<Vec<_>>(),
            ["a", "b.c"]
        );
        assert_eq!(
            CorrelationPath::parse("a.\"café\"").unwrap().keys().collect::<Vec<_>>(),
            ["a", "café"]
        );
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
