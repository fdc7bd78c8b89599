//! Extractors: what a `#[service_response]` handler's parameters are made from.

use std::ops::{Deref, DerefMut};

use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::errors::PwError;

/// The request being taken apart for one handler call. Extractors borrow it;
/// one `lambda_http::Request` parameter may take it whole (the generated code
/// extracts that one last).
#[derive(Debug)]
pub struct RequestSlot {
    request: Option<lambda_http::Request>,
}

impl RequestSlot {
    /// A slot holding `request`.
    pub fn new(request: lambda_http::Request) -> Self {
        RequestSlot { request: Some(request) }
    }

    /// The request, unless a parameter took it.
    pub fn get(&self) -> Result<&lambda_http::Request, PwError> {
        self.request.as_ref().ok_or_else(taken)
    }

    /// Takes the request out.
    pub fn take(&mut self) -> Result<lambda_http::Request, PwError> {
        self.request.take().ok_or_else(taken)
    }
}

fn taken() -> PwError {
    PwError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the handler takes the request twice; take one `lambda_http::Request` parameter",
    )
}

/// A type a `#[service_response]` handler can take as a parameter, made from
/// the request. Implement it for your own extractors.
#[diagnostic::on_unimplemented(
    message = "`#[service_response]` cannot make a `{Self}` from the request",
    label = "not an extractor",
    note = "parameters of a `#[service_response]` handler are extractors: `lambda_http::Request`, `pypwext::Json<T>`, `lambda_runtime::Context`, or a type implementing `pypwext::service::FromRequest`"
)]
pub trait FromRequest: Sized {
    /// Makes the value, or answers the request with the error instead of
    /// calling the handler (a 400 for a body that does not parse, say).
    fn from_request(slot: &mut RequestSlot) -> Result<Self, PwError>;
}

impl FromRequest for lambda_http::Request {
    fn from_request(slot: &mut RequestSlot) -> Result<Self, PwError> {
        slot.take()
    }
}

impl FromRequest for lambda_runtime::Context {
    /// The invocation's context; a request without one (built by hand) gets
    /// the default context, whose request id is empty.
    fn from_request(slot: &mut RequestSlot) -> Result<Self, PwError> {
        Ok(lambda_http::RequestExt::lambda_context(slot.get()?))
    }
}

/// The request body parsed as JSON into `T`.
///
/// A body that does not parse answers 400 before the handler runs, with the
/// field and the reason in the error's details:
/// `{"field":"items[0].quantity","reason":"invalid type: string \"two\", expected u32","line":1,"column":42}`.
/// Valid JSON that lacks a field is answered "the request body lacks the
/// field `items[1].quantity`; add it" with that path as `field`; only a body
/// that is not JSON at all is "not valid JSON".
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

impl<T: DeserializeOwned> FromRequest for Json<T> {
    fn from_request(slot: &mut RequestSlot) -> Result<Self, PwError> {
        parse_json(slot.get()?.body()).map(Json)
    }
}

/// Parses a request body as JSON, naming the field and the reason on failure.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &lambda_http::Body) -> Result<T, PwError> {
    let bytes: &[u8] = match body {
        lambda_http::Body::Empty => &[],
        lambda_http::Body::Text(text) => text.as_bytes(),
        lambda_http::Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(bad_request("the request body is empty; send a JSON document", None));
    }
    // The common case first, at full speed; only a body that fails is parsed
    // again with path tracking, to name the field.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => deserializer.end().map(|()| value).map_err(|err| (None, err)),
        Err(err) => {
            let path = err.path().to_string();
            Err(((path != ".").then_some(path), err.into_inner()))
        }
    };
    parsed.map_err(|(field, inner)| body_error(field, &inner))
}

/// The 400 for a body that failed to parse. serde_json's classification
/// tells a body that is not JSON at all (`Syntax`, `Eof`) from valid JSON
/// of the wrong shape (`Data`): a missing field, a wrong type, an unknown
/// variant. The field is the path of the value that failed; for a missing
/// field, the path of the object that lacks it and the field's name.
fn body_error(field: Option<String>, inner: &serde_json::Error) -> PwError {
    let reason = strip_position(&inner.to_string());
    let (message, field) = match inner.classify() {
        serde_json::error::Category::Data => match missing_field(&reason) {
            Some(name) => {
                let field = match field {
                    Some(path) => format!("{path}.{name}"),
                    None => name.to_owned(),
                };
                (
                    format!("the request body lacks the field `{field}`; add it"),
                    Some(field),
                )
            }
            None => {
                let message = match &field {
                    Some(field) => format!("the request body does not fit at `{field}`: {reason}"),
                    None => format!("the request body does not fit the expected document: {reason}"),
                };
                (message, field)
            }
        },
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            (format!("the request body is not valid JSON: {reason}"), field)
        }
    };
    let mut details = serde_json::json!({
        "reason": reason,
        "line": inner.line(),
        "column": inner.column(),
    });
    if let Some(field) = field {
        details["field"] = field.into();
    }
    bad_request(&message, Some(details))
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

fn bad_request(message: &str, details: Option<serde_json::Value>) -> PwError {
    let error = PwError::new(StatusCode::BAD_REQUEST, message.to_owned());
    match details {
        Some(details) => error.with_details(details),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        quantity: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Order {
        id: u64,
        items: Vec<Item>,
    }

    fn parse(body: &str) -> Result<Order, PwError> {
        parse_json(&lambda_http::Body::Text(body.to_owned()))
    }

    #[test]
    fn a_valid_body_parses() {
        let order = parse(r#"{"id": 7, "items": [{"quantity": 2}]}"#).unwrap();
        assert_eq!(order.id, 7);
    }

    #[test]
    fn a_wrong_field_is_named_with_the_reason() {
        let err = parse(r#"{"id": 7, "items": [{"quantity": "two"}]}"#).unwrap_err();
        assert_eq!(err.code(), StatusCode::BAD_REQUEST);
        let details = err.details().unwrap();
        assert_eq!(details["field"], "items[0].quantity");
        assert_eq!(details["reason"], "invalid type: string \"two\", expected u32");
        assert_eq!(details["line"], 1);
        assert!(err.message().contains("`items[0].quantity`"), "{}", err.message());
    }

    #[test]
    fn a_missing_field_is_named_with_its_path_not_called_invalid_json() {
        let missing = parse(r#"{"id": 7}"#).unwrap_err();
        assert_eq!(missing.code(), StatusCode::BAD_REQUEST);
        assert_eq!(missing.message(), "the request body lacks the field `items`; add it");
        assert_eq!(missing.details().unwrap()["field"], "items");
        assert_eq!(missing.details().unwrap()["reason"], "missing field `items`");
        let nested = parse(r#"{"id": 7, "items": [{"quantity": 1}, {}]}"#).unwrap_err();
        assert_eq!(nested.details().unwrap()["field"], "items[1].quantity");
        assert!(nested.message().contains("`items[1].quantity`"), "{}", nested.message());
        // Valid JSON of another shape is not called invalid JSON either.
        let shape = parse(r#""an order""#).unwrap_err();
        assert!(
            shape
                .message()
                .starts_with("the request body does not fit the expected document: invalid type"),
            "{}",
            shape.message()
        );
        assert!(shape.details().unwrap().get("field").is_none());
    }

    #[test]
    fn truncated_and_trailing_input_are_not_valid_json() {
        let truncated = parse(r#"{"id": 7, "items": ["#).unwrap_err();
        assert_eq!(truncated.code(), StatusCode::BAD_REQUEST);
        assert!(
            truncated.message().starts_with("the request body is not valid JSON: "),
            "{}",
            truncated.message()
        );
        let broken = parse(r#"{"id": 7,, "items": []}"#).unwrap_err();
        assert!(
            broken.message().starts_with("the request body is not valid JSON: "),
            "{}",
            broken.message()
        );
        let trailing = parse(r#"{"id": 7, "items": []} extra"#).unwrap_err();
        assert!(
            trailing.message().starts_with("the request body is not valid JSON: "),
            "{}",
            trailing.message()
        );
        assert!(
            trailing.details().unwrap()["reason"]
                .as_str()
                .unwrap()
                .contains("trailing characters")
        );
        let empty = parse("  ").unwrap_err();
        assert!(empty.message().contains("empty"));
    }

    #[test]
    fn invalid_utf8_in_a_binary_body_is_a_400() {
        let err = parse_json::<Order>(&lambda_http::Body::Binary(vec![b'{', 0xff, 0xfe, b'}'])).unwrap_err();
        assert_eq!(err.code(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn the_request_can_be_taken_once() {
        let mut slot = RequestSlot::new(lambda_http::Request::default());
        assert!(lambda_http::Request::from_request(&mut slot).is_ok());
        let again = lambda_http::Request::from_request(&mut slot).unwrap_err();
        assert_eq!(again.code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
