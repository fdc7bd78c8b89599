//! `PwResponse`: a handler's answer, turned into an HTTP response with the
//! invocation's errors merged in.

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::errors::PwError;

// `Serialize` and `Deserialize` of `PwResponse`, in a file of their own.
#[path = "response_serde.rs"]
mod response_serde;

/// The default content type of a [`PwResponse`].
pub const APPLICATION_JSON: &str = "application/json";

/// The content types a response gets by default, checked at compile time.
pub(crate) const APPLICATION_JSON_VALUE: HeaderValue = HeaderValue::from_static(APPLICATION_JSON);
const TEXT_PLAIN_VALUE: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// The body a [`PwResponse`] carries.
#[derive(Debug, Clone, PartialEq)]
enum ResponseBody {
    /// A JSON object, built with `with_field` (the default: `{}`).
    Object(Map<String, Value>),
    /// Any other JSON value, set with `with_json`.
    Json(Value),
    /// Text, set with `with_text`.
    Text(String),
}

/// A µservice handler's answer: a status code, a body, headers and errors.
///
/// ```
/// use pypwext::{PwResponse, StatusCode};
///
/// let response = PwResponse::new(StatusCode::CREATED)
///     .with_field("order_id", 42)
///     .with_field("operation", "create-order")
///     .with_header("x-request-id", "abc");
/// assert_eq!(response.status(), StatusCode::CREATED);
/// ```
///
/// A `PwResponse` is `Serialize` and `Deserialize`, so a stored one (as
/// `#[idempotent]` stores it) answers with the same status, headers, content
/// type and body: `{"status":201,"headers":[["x-request-id","abc"]],"json":{…}}`
/// (`"text"` for a text body; `content_type` and `errors` when set).
///
/// In the HTTP response, errors go under `"error"` in a JSON object body: one
/// error as an object, several as a list, each `{"code","msg","classification","details"?}`.
/// A text body with errors is replaced by `{"error": …}`; a JSON body that is
/// not an object is kept under `"body"` next to `"error"`.
#[derive(Debug, Clone)]
#[must_use]
pub struct PwResponse {
    status: StatusCode,
    body: ResponseBody,
    errors: Vec<PwError>,
    /// What most responses never set, out of line: a `PwResponse` is moved
    /// through every layer of the stack, so it is kept small.
    extra: Option<Box<Extra>>,
}

/// The parts of a [`PwResponse`] that most responses leave unset.
#[derive(Debug, Clone, Default)]
struct Extra {
    headers: HeaderMap,
    content_type: Option<String>,
    /// A builder call that could not be honoured; answered as a logged 500.
    problem: Option<String>,
}

impl PwResponse {
    /// A response with `status` and the body `{}`.
    pub fn new(status: StatusCode) -> Self {
        PwResponse {
            status,
            body: ResponseBody::Object(Map::new()),
            errors: Vec::new(),
            extra: None,
        }
    }

    /// A 200 response with the body `{}`.
    pub fn ok() -> Self {
        PwResponse::new(StatusCode::OK)
    }

    /// Adds `key` to the JSON object body, like a keyword argument of the
    /// Python `PyPwExtResponse`. On a body set by `with_json` to something
    /// other than an object, or by `with_text`, the response becomes a logged
    /// 500: the two cannot be combined.
    pub fn with_field(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        let key = key.into();
        match serde_json::to_value(value) {
            Ok(value) => match &mut self.body {
                ResponseBody::Object(map) => {
                    map.insert(key, value);
                }
                ResponseBody::Json(Value::Object(map)) => {
                    map.insert(key, value);
                }
                _ => self.note_problem(not_an_object(&key)),
            },
            Err(err) => self.note_problem(not_serializable(&key, &err)),
        }
        self
    }

    /// Sets the whole body to `value` as JSON.
    pub fn with_json(mut self, value: impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => self.body = ResponseBody::Object(map),
            Ok(value) => self.body = ResponseBody::Json(value),
            Err(err) => self.note_problem(format!("the body cannot be serialized: {err}")),
        }
        self
    }

    /// Sets the body to `text`, with content type `text/plain; charset=utf-8`
    /// unless one is set.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.body = ResponseBody::Text(text.into());
        self
    }

    /// Adds a header. A name or value that is not valid in HTTP makes the
    /// response a logged 500.
    pub fn with_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let name = name.as_ref();
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value.as_ref()),
        ) {
            (Ok(name), Ok(value)) => {
                self.extra_mut().headers.append(name, value);
            }
            (Err(_), _) => self.note_problem(format!("{name:?} is not a valid header name")),
            (_, Err(_)) => self.note_problem(format!("the value of header {name:?} is not a valid header value")),
        }
        self
    }

    /// Sets the content type (default `application/json`, or
    /// `text/plain; charset=utf-8` for a text body).
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.extra_mut().content_type = Some(content_type.into());
        self
    }

    /// Adds an error to report in the body's `"error"`.
    pub fn with_error(mut self, error: PwError) -> Self {
        self.errors.push(error);
        self
    }

    /// Sets the status code.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The errors added so far.
    pub fn errors(&self) -> &[PwError] {
        &self.errors
    }

    fn note_problem(&mut self, problem: String) {
        // The first problem is the cause; later ones follow from it.
        self.extra_mut().problem.get_or_insert(problem);
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// A response made of a raised error: its code and `{"error": …}`.
    pub(crate) fn from_error(error: PwError) -> Self {
        PwResponse::new(error.code()).with_error(error)
    }

    /// The HTTP response: errors merged per the options, body serialized.
    /// `Err` holds a problem to answer as a logged 500.
    pub(crate) fn into_http(
        mut self,
        collected: Vec<PwError>,
        options: &MergeOptions,
    ) -> Result<http::Response<lambda_http::Body>, String> {
        // Most responses have no extra parts: then no header map is made here.
        let (headers, content_type) = match self.extra.take() {
            Some(extra) => {
                let Extra {
                    headers,
                    content_type,
                    problem,
                } = *extra;
                if let Some(problem) = problem {
                    return Err(problem);
                }
                (Some(headers), content_type)
            }
            None => (None, None),
        };
        let raised = !self.errors.is_empty() && options.raised;
        self.errors.extend(collected);
        if options.code_from_error
            && self.status == StatusCode::OK
            && let Some(highest) = self.errors.iter().map(PwError::code).max()
        {
            self.status = highest;
        }
        // A raised error is the answer itself: it stays in the body even when
        // collected errors only set the status code.
        if options.just_status_code {
            if raised {
                self.errors.truncate(1);
            } else {
                self.errors.clear();
            }
        }

        let (body, default_type) = match (self.body, self.errors.is_empty()) {
            (ResponseBody::Text(text), true) => (lambda_http::Body::Text(text), TEXT_PLAIN_VALUE),
            (ResponseBody::Text(_), false) => (
                json_body(errors_object(Map::new(), &self.errors))?,
                APPLICATION_JSON_VALUE,
            ),
            (ResponseBody::Object(map), _) => (json_body(errors_object(map, &self.errors))?, APPLICATION_JSON_VALUE),
            (ResponseBody::Json(value), true) => (json_body(value)?, APPLICATION_JSON_VALUE),
            (ResponseBody::Json(value), false) => {
                let mut map = Map::new();
                map.insert("body".to_owned(), value);
                (json_body(errors_object(map, &self.errors))?, APPLICATION_JSON_VALUE)
            }
        };
        let content_type = match content_type.as_deref() {
            Some(custom) => {
                HeaderValue::from_str(custom).map_err(|_| format!("{custom:?} is not a valid content type"))?
            }
            None => default_type,
        };

        let mut response = http::Response::new(body);
        *response.status_mut() = self.status;
        if let Some(headers) = headers {
            *response.headers_mut() = headers;
        }
        set_content_type(&mut response, content_type);
        Ok(response)
    }
}

impl crate::logging::LogView for PwResponse {
    /// Status, body, headers (secrets redacted) and errors, before merging.
    fn log_view(&self) -> Value {
        let body = match &self.body {
            ResponseBody::Object(map) => Value::Object(map.clone()),
            ResponseBody::Json(value) => value.clone(),
            ResponseBody::Text(text) => Value::String(text.clone()),
        };
        let mut view = serde_json::json!({
            "status": self.status.as_u16(),
            "body": body,
        });
        if let Some(extra) = self.extra.as_deref().filter(|extra| !extra.headers.is_empty()) {
            view["headers"] = crate::logging::view::headers_json(&extra.headers);
        }
        if !self.errors.is_empty() {
            view["error"] = self.errors.iter().map(error_json).collect();
        }
        view
    }
}

/// How a response layer merges errors; see `#[service_response]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MergeOptions {
    pub(crate) just_status_code: bool,
    pub(crate) code_from_error: bool,
    /// The response's first error was raised by the handler.
    pub(crate) raised: bool,
}

/// `map` with `"error"` added: one error as an object, several as a list.
fn errors_object(mut map: Map<String, Value>, errors: &[PwError]) -> Value {
    match errors {
        [] => {}
        [one] => {
            map.insert("error".to_owned(), error_json(one));
        }
        many => {
            map.insert("error".to_owned(), Value::Array(many.iter().map(error_json).collect()));
        }
    }
    Value::Object(map)
}

/// An error as a response shows it: no `action`, which is for code, not callers.
pub(crate) fn error_json(error: &PwError) -> Value {
    let mut map = Map::with_capacity(4);
    map.insert("code".to_owned(), error.code().as_u16().into());
    map.insert("msg".to_owned(), error.message().into());
    map.insert("classification".to_owned(), error.classification().as_str().into());
    if let Some(details) = error.details() {
        map.insert("details".to_owned(), details.clone());
    }
    Value::Object(map)
}

// The messages of `with_field`'s problems, out of line: the common path stays short.
#[cold]
#[inline(never)]
fn not_an_object(key: &str) -> String {
    format!("`with_field({key:?})` on a body that is not a JSON object")
}

#[cold]
#[inline(never)]
fn not_serializable(key: &str, err: &serde_json::Error) -> String {
    format!("the value of field {key:?} cannot be serialized: {err}")
}

/// Sets a response's content type (out of line: see `lambda::set_header`).
pub(crate) fn set_content_type(response: &mut http::Response<lambda_http::Body>, value: HeaderValue) {
    crate::lambda::set_header(response.headers_mut(), CONTENT_TYPE, value);
}

fn json_body(value: Value) -> Result<lambda_http::Body, String> {
    serde_json::to_string(&value)
        .map(lambda_http::Body::Text)
        .map_err(|err| format!("the body cannot be serialized: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::{ErrorAction, InfoClassification};
    use serde_json::json;

    const DEFAULTS: MergeOptions = MergeOptions {
        just_status_code: true,
        code_from_error: true,
        raised: false,
    };
    const SHOW_ERRORS: MergeOptions = MergeOptions {
        just_status_code: false,
        code_from_error: true,
        raised: false,
    };

    fn body_json(response: &http::Response<lambda_http::Body>) -> Value {
        match response.body() {
            lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("not a text body: {other:?}"),
        }
    }

    fn not_found(msg: &str) -> PwError {
        PwError::new(StatusCode::NOT_FOUND, msg.to_owned()).with_action(ErrorAction::Continue)
    }

    #[test]
    fn fields_build_a_json_object() {
        let response = PwResponse::new(StatusCode::CREATED)
            .with_field("order", json!({"id": 1}))
            .with_field("operation", "create-order")
            .with_header("x-a", "1")
            .into_http(vec![], &DEFAULTS)
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["content-type"], APPLICATION_JSON);
        assert_eq!(response.headers()["x-a"], "1");
        assert_eq!(
            body_json(&response),
            json!({"order": {"id": 1}, "operation": "create-order"})
        );
    }

    #[test]
    fn collected_errors_set_the_code_and_by_default_stay_out_of_the_body() {
        let response = PwResponse::ok()
            .with_field("updated", ["a"])
            .into_http(vec![not_found("x"), PwError::new(StatusCode::CONFLICT, "y")], &DEFAULTS)
            .unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT, "the highest code");
        assert_eq!(body_json(&response), json!({"updated": ["a"]}));
    }

    #[test]
    fn errors_in_the_body_one_as_object_many_as_list_without_action() {
        let one = PwResponse::ok()
            .into_http(
                vec![not_found("x").with_classification(InfoClassification::Pii)],
                &SHOW_ERRORS,
            )
            .unwrap();
        assert_eq!(
            body_json(&one),
            json!({"error": {"code": 404, "msg": "x", "classification": "PII"}})
        );
        let two = PwResponse::ok()
            .with_error(not_found("a").with_details(json!({"k": 1})))
            .into_http(vec![not_found("b")], &SHOW_ERRORS)
            .unwrap();
        assert_eq!(
            body_json(&two),
            json!({"error": [
                {"code": 404, "msg": "a", "classification": "NA", "details": {"k": 1}},
                {"code": 404, "msg": "b", "classification": "NA"}
            ]})
        );
    }

    #[test]
    fn code_from_error_only_replaces_a_200() {
        let created = PwResponse::new(StatusCode::CREATED)
            .into_http(vec![not_found("x")], &DEFAULTS)
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let kept = PwResponse::ok()
            .into_http(
                vec![not_found("x")],
                &MergeOptions {
                    code_from_error: false,
                    ..DEFAULTS
                },
            )
            .unwrap();
        assert_eq!(kept.status(), StatusCode::OK);
    }

    #[test]
    fn a_text_body_with_errors_is_replaced() {
        let plain = PwResponse::ok()
            .with_text("hello")
            .into_http(vec![], &DEFAULTS)
            .unwrap();
        assert_eq!(plain.headers()["content-type"], "text/plain; charset=utf-8");
        assert!(matches!(plain.body(), lambda_http::Body::Text(t) if t == "hello"));
        let replaced = PwResponse::ok()
            .with_text("hello")
            .into_http(vec![not_found("x")], &SHOW_ERRORS)
            .unwrap();
        assert_eq!(replaced.headers()["content-type"], APPLICATION_JSON);
        assert_eq!(
            body_json(&replaced),
            json!({"error": {"code": 404, "msg": "x", "classification": "NA"}})
        );
    }

    #[test]
    fn a_raised_error_answers_with_itself_even_with_just_status_code() {
        let raised = MergeOptions {
            raised: true,
            ..DEFAULTS
        };
        let response = PwResponse::from_error(PwError::new(StatusCode::FORBIDDEN, "no"))
            .into_http(vec![not_found("collected")], &raised)
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            body_json(&response),
            json!({"error": {"code": 403, "msg": "no", "classification": "NA"}})
        );
    }

    #[test]
    fn builder_misuse_is_a_problem_not_a_panic() {
        let problem = PwResponse::ok()
            .with_text("t")
            .with_field("k", 1)
            .into_http(vec![], &DEFAULTS);
        assert!(problem.unwrap_err().contains("not a JSON object"));
        let header = PwResponse::ok()
            .with_header("bad header", "v")
            .into_http(vec![], &DEFAULTS);
        assert!(header.unwrap_err().contains("not a valid header name"));
        let value = PwResponse::ok().with_header("x", "a\r\nb").into_http(vec![], &DEFAULTS);
        assert!(value.unwrap_err().contains("not a valid header value"));
    }
}
