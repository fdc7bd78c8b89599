//! [`Json<T>`], the extractor of a JSON document (a request body, an SQS
//! message's body, a Kinesis record's data), and the parse that names the
//! field and the reason when a document does not fit `T`.

use std::ops::{Deref, DerefMut};

use serde::de::DeserializeOwned;

/// A JSON document parsed into `T`: a `#[service_response]` handler's request
/// body, or a `#[batch_response]` record's body (an SQS message's body, a
/// Kinesis record's decoded data).
///
/// A document that does not parse never reaches the function: a request is
/// answered 400 and a record is reported as failed, both with the field and the
/// reason: `{"field":"items[0].quantity","reason":"invalid type: string \"two\", expected u32","line":1,"column":42}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The parsed value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: serde::Serialize> serde::Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// What kind of failure it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Nothing but whitespace.
    Empty,
    /// Not JSON at all (serde_json's `Syntax` and `Eof`).
    NotJson,
    /// Valid JSON that lacks a field `T` needs; `field` is its full path.
    MissingField,
    /// Valid JSON of another shape (serde_json's `Data`): a wrong type, an
    /// unknown variant.
    DoesNotFit,
}

/// Why a document did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseFailure {
    pub(crate) problem: Problem,
    /// The path of the field that did not fit (`items[0].quantity`); `None`
    /// when the document is not JSON at all or is empty.
    pub(crate) field: Option<String>,
    /// serde_json's reason, without its position.
    pub(crate) reason: String,
    /// Where in the document; 0 for an empty one.
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl ParseFailure {
    /// What went wrong, said of `what` (`"the request body"`) with what to do.
    pub(crate) fn message(&self, what: &str) -> String {
        match (self.problem, &self.field) {
            (Problem::Empty, _) => format!("{what} is empty; send a JSON document"),
            (Problem::MissingField, Some(field)) => format!("{what} lacks the field `{field}`; add it"),
            (Problem::DoesNotFit, Some(field)) => format!("{what} does not fit at `{field}`: {}", self.reason),
            (Problem::MissingField | Problem::DoesNotFit, None) => {
                format!("{what} does not fit the expected document: {}", self.reason)
            }
            (Problem::NotJson, _) => format!("{what} is not valid JSON: {}", self.reason),
        }
    }

    /// `{"field":…,"reason":…,"line":…,"column":…}` (`field` when known).
    pub(crate) fn details(&self) -> serde_json::Value {
        let mut details = serde_json::json!({
            "reason": self.reason,
            "line": self.line,
            "column": self.column,
        });
        if let Some(field) = &self.field {
            details["field"] = field.as_str().into();
        }
        details
    }
}

/// Parses `bytes` as JSON into `T`; a document that is empty, not JSON, or
/// does not fit `T` gives the field (when there is one) and the reason.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseFailure> {
    // The common case first, at full speed; only a document that fails is
    // parsed again with path tracking, to name the field. Tracking every
    // parse made every call slower (`cargo bench -p pypwext-tests --bench
    // service` times the order it parses); this way `T`'s deserializer is
    // built twice, which the binary size of `scripts/build-cost.sh` includes.
    serde_json::from_slice(bytes).or_else(|_| parse_tracked(bytes))
}

/// [`parse`] without its fast first attempt: for a caller that made it
/// already and now wants the field and the reason.
pub(crate) fn parse_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseFailure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseFailure {
            problem: Problem::Empty,
            field: None,
            reason: "the document is empty".to_owned(),
            line: 0,
            column: 0,
        });
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => deserializer.end().map(|()| value).map_err(|err| (None, err)),
        Err(err) => {
            let path = err.path().to_string();
            Err(((path != ".").then_some(path), err.into_inner()))
        }
    };
    parsed.map_err(|(field, inner)| {
        let reason = strip_position(&inner.to_string());
        // serde_json's classification tells a document that is not JSON at
        // all from valid JSON of the wrong shape; a missing field is named
        // with the path of the object that lacks it.
        let (problem, field) = match inner.classify() {
            serde_json::error::Category::Data => match missing_field(&reason) {
                Some(name) => {
                    let field = match field {
                        Some(path) => format!("{path}.{name}"),
                        None => name.to_owned(),
                    };
                    (Problem::MissingField, Some(field))
                }
                None => (Problem::DoesNotFit, field),
            },
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => (Problem::NotJson, field),
        };
        ParseFailure {
            problem,
            field,
            reason,
            line: inner.line(),
            column: inner.column(),
        }
    })
}

/// The field's name in serde's "missing field `name`" (the wording of
/// `serde::de::Error::missing_field`, which serde_json keeps).
fn missing_field(reason: &str) -> Option<&str> {
    reason.strip_prefix("missing field `")?.strip_suffix('`')
}

/// serde_json's message without its " at line L column C" tail: the details
/// carry those as numbers.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        quantity: u32,
    }

    #[test]
    fn a_failure_names_the_field_the_reason_and_the_place() {
        let failure = parse::<Vec<Item>>(br#"[{"quantity": 1}, {"quantity": "two"}]"#).unwrap_err();
        assert_eq!(failure.field.as_deref(), Some("[1].quantity"));
        assert_eq!(failure.reason, "invalid type: string \"two\", expected u32");
        assert_eq!((failure.line, failure.column), (1, 36));
        assert_eq!(failure.details()["field"], "[1].quantity");

        let trailing = parse::<Item>(br#"{"quantity": 3} and more"#).unwrap_err();
        assert_eq!(trailing.field, None);
        assert!(trailing.details().get("field").is_none());
        assert_eq!(trailing.reason, "trailing characters");
        let missing = parse::<Vec<Item>>(br#"[{"quantity": 1}, {}]"#).unwrap_err();
        assert_eq!(missing.problem, Problem::MissingField);
        assert_eq!(missing.field.as_deref(), Some("[1].quantity"));
        assert_eq!(parse::<Item>(b"{").unwrap_err().problem, Problem::NotJson);
        let empty = parse::<Item>(b" \n").unwrap_err();
        assert_eq!(empty.reason, "the document is empty");
        assert_eq!(parse::<Item>(br#"{"quantity": 3}"#).unwrap().quantity, 3);
    }
}
