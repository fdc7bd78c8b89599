//! Extractors: what a `#[service_response]` handler's parameters are made from.

use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::errors::PwError;
pub use crate::json::Json;
use crate::json::Problem;

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
    crate::json::parse(bytes).map_err(|failure| {
        let message = failure.message("the request body");
        let details = (failure.problem != Problem::Empty).then(|| failure.details());
        bad_request(&message, details)
    })
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
