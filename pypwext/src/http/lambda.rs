//! Lambda invocations (`FUNC`, `EVENT`) over the Lambda REST API:
//! `POST {endpoint}/2015-03-31/functions/{name}/invocations`, signed for
//! `lambda`, with `params` as the client context's `custom` map.
//!
//! One implementation for both ways in: [`LambdaRequest`], which code builds
//! with [`HttpSession::func`] / [`HttpSession::event`] and `#[http_method]`
//! builds from its templates ([`prepare_invocation`]).

use std::fmt::Display;
use std::time::SystemTime;

use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};

use super::probe::RequestBody;
use super::response::LambdaResponse;
use super::retry::{Deadline, RetryThrottled, WithDeadline};
use super::session::HttpSession;
use super::template::{HttpCall, percent_encode, render_headers, render_pieces};
use crate::errors::PwError;

/// The largest client context Lambda accepts, base64-encoded: 3583 bytes.
pub const MAX_CLIENT_CONTEXT_BYTES: usize = 3583;

/// The invocation type a method stands for: `FUNC` invokes and waits
/// (`RequestResponse`), `EVENT` queues (`Event`); `None` for HTTP methods.
pub(super) fn invocation_type(method: &str) -> Option<&'static str> {
    match method {
        "FUNC" => Some("RequestResponse"),
        "EVENT" => Some("Event"),
        _ => None,
    }
}

/// A Lambda invocation being built: `session.func(function)` (invoke and wait
/// for the answer, `RequestResponse`) or `session.event(function)` (queue it,
/// `Event`), as the Python pypwext's `http.func(url=..., params={...})`.
///
/// It goes the way `#[http_method(method = "FUNC" | "EVENT")]` goes: `POST
/// {endpoint}/2015-03-31/functions/{function}/invocations`, signed with SigV4
/// for `lambda`, the session's retries inside the invocation's deadline (a
/// throttled invocation, 429, is retried after `Retry-After`), `params` as the
/// client context's `custom` map (at most [`MAX_CLIENT_CONTEXT_BYTES`]
/// base64-encoded). The endpoint is the session's `lambda_endpoint`, else
/// `AWS_ENDPOINT_URL_LAMBDA`, else `AWS_ENDPOINT_URL`, else
/// `https://lambda.<region>.amazonaws.com`.
///
/// ```no_run
/// use pypwext::{HttpSession, PwError};
///
/// #[derive(serde::Serialize)]
/// struct PriceRequest { sku: String, quantity: u32 }
///
/// #[derive(serde::Deserialize)]
/// struct Quote { cents: u64 }
///
/// async fn price(session: &HttpSession, tenant: &str) -> Result<Quote, PwError> {
///     let answer = session
///         .func("orders-prod:live")                 // a name, `name:alias` or an ARN
///         .params([("tenant", tenant), ("country", "SE")]) // the client context's `custom`
///         .json(&PriceRequest { sku: "KIWI".into(), quantity: 2 })
///         .send()
///         .await?;                                   // a function error is a `PwError` 502
///     answer.payload_json()
/// }
///
/// async fn audit(session: &HttpSession) -> Result<(), PwError> {
///     let queued = session.event("audit").body(r#"{"entry":"login"}"#).send().await?;
///     assert_eq!(queued.status(), pypwext::StatusCode::ACCEPTED);
///     Ok(())
/// }
/// ```
#[derive(Debug)]
#[must_use = "an invocation does nothing until `.send().await`"]
pub struct LambdaRequest<'s> {
    session: &'s HttpSession,
    /// What errors are about: the function as written, or the
    /// `#[http_method]` function's name.
    label: String,
    function: String,
    invocation_type: &'static str,
    custom: serde_json::Map<String, serde_json::Value>,
    headers: HeaderMap,
    body: Option<Bytes>,
    deadline: Option<SystemTime>,
    /// The first thing that was wrong while building, reported by `send`.
    problem: Option<PwError>,
}

impl HttpSession {
    /// A synchronous Lambda invocation (`RequestResponse`, the `FUNC` of
    /// `#[http_method]`) of `function`: a name, `name:alias` or an ARN. See
    /// [`LambdaRequest`].
    pub fn func(&self, function: impl Into<String>) -> LambdaRequest<'_> {
        LambdaRequest::new(self, function.into(), "RequestResponse")
    }

    /// An asynchronous Lambda invocation (`Event`, the `EVENT` of
    /// `#[http_method]`): Lambda queues it and answers 202. See
    /// [`LambdaRequest`].
    pub fn event(&self, function: impl Into<String>) -> LambdaRequest<'_> {
        LambdaRequest::new(self, function.into(), "Event")
    }
}

impl<'s> LambdaRequest<'s> {
    fn new(session: &'s HttpSession, function: String, invocation_type: &'static str) -> Self {
        LambdaRequest {
            session,
            label: function.clone(),
            function,
            invocation_type,
            custom: serde_json::Map::new(),
            headers: HeaderMap::new(),
            body: None,
            deadline: None,
            problem: None,
        }
    }

    /// Adds one value to the client context's `custom` map (the function
    /// reads it as `context.client_context.custom`).
    pub fn param(mut self, name: impl Into<String>, value: impl Display) -> Self {
        self.custom.insert(name.into(), value.to_string().into());
        self
    }

    /// Adds values to the client context's `custom` map, as the Python
    /// `params={...}`: `.params([("tenant", "acme"), ("country", "SE")])`, or
    /// any map of names to values.
    pub fn params<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Display,
    {
        for (name, value) in params {
            self = self.param(name, value);
        }
        self
    }

    /// Sends text or bytes as the payload, as they are (a Lambda payload must
    /// be JSON). To send a value as JSON, use [`json`](Self::json).
    pub fn body(mut self, body: impl RawBody) -> Self {
        self.body = Some(body.into_body());
        self
    }

    /// Sends `value` serialized as JSON as the payload.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(json) => self.body = Some(json.into()),
            Err(err) => {
                self.fail(PwError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("{}: the payload cannot be serialized as JSON: {err}", self.label),
                ));
            }
        }
        self
    }

    /// Adds a header: `X-Amz-Log-Type: Tail` for the log's tail in
    /// [`LambdaResponse::log_result`], or `X-Amz-Invocation-Type: DryRun`,
    /// which wins over `func`/`event`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => {
                let err = PwError::new(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "{}: {name:?}: {value:?} is not a valid header; leave out control characters and CR/LF",
                        self.label
                    ),
                );
                self.fail(err);
            }
        }
        self
    }

    fn fail(&mut self, err: PwError) {
        if self.problem.is_none() {
            self.problem = Some(err);
        }
    }

    /// Invokes the function and reads the answer whole: the answer when
    /// Lambda ran it, else a `PwError` — a function that failed
    /// (`X-Amz-Function-Error`) is a 502 with the payload in its details, an
    /// answer of 300 or more (an unknown function is a 404) carries Lambda's
    /// status and body, a value that does not fit (a function name, a client
    /// context over the limit) is a 400 before anything is sent.
    pub async fn send(self) -> Result<LambdaResponse, PwError> {
        let label = self.label.clone();
        let request = self.into_request();
        let answer = super::session::send_request(&label, request).await?;
        answer.error_for_status(&label).map(LambdaResponse::from)
    }

    /// The request, signed and retried by the session's middleware when sent.
    fn into_request(self) -> Result<reqwest_middleware::RequestBuilder, PwError> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        check_function(&self.label, &self.function)?;
        let endpoint = self.session.lambda_endpoint().ok_or_else(|| {
            PwError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "{}: no Lambda endpoint: set AWS_REGION (or the session's region), or AWS_ENDPOINT_URL_LAMBDA",
                    self.label
                ),
            )
        })?;
        let mut url = format!("{}/2015-03-31/functions/", endpoint.trim_end_matches('/'));
        percent_encode(&mut url, &self.function);
        url.push_str("/invocations");
        let url = reqwest::Url::parse(&url).map_err(|err| {
            PwError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{}: {url} is not a URL: {err}; check the Lambda endpoint", self.label),
            )
        })?;

        let mut headers = self.headers;
        // A `x-amz-invocation-type` header (`DryRun`) wins over the method's type.
        if !headers.contains_key("x-amz-invocation-type") {
            headers.insert("x-amz-invocation-type", HeaderValue::from_static(self.invocation_type));
        }
        if !self.custom.is_empty() {
            headers.insert("x-amz-client-context", client_context(&self.label, self.custom)?);
        }
        let request = self
            .session
            .request(Method::POST, url)
            .headers(headers)
            .with_extension(super::SignFor {
                service: "lambda".to_owned(),
                region: None,
            })
            .with_extension(RetryThrottled);
        #[cfg(feature = "tracer")]
        let request = request.with_extension(super::trace::LambdaFunction(self.function.clone()));
        let mut request = request;
        if let Some(deadline) = self.deadline {
            request = request.with_extension(Deadline(deadline));
        }
        if let Some(body) = self.body {
            request = request.body(body);
        }
        Ok(request)
    }
}

impl WithDeadline for LambdaRequest<'_> {
    fn with_deadline(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }
}

/// What [`LambdaRequest::body`] sends as it is: text (`&str`, `String`) or
/// bytes (`&[u8]`, `Vec<u8>`, `Bytes`).
#[diagnostic::on_unimplemented(
    message = "`.body(...)` sends text or bytes as they are, not a `{Self}`",
    label = "not text or bytes",
    note = "send a value as JSON with `.json(&value)`"
)]
pub trait RawBody {
    /// The bytes to send.
    fn into_body(self) -> Bytes;
}

impl RawBody for &str {
    fn into_body(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

impl RawBody for String {
    fn into_body(self) -> Bytes {
        self.into()
    }
}

impl RawBody for &String {
    fn into_body(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

impl RawBody for &[u8] {
    fn into_body(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl RawBody for Vec<u8> {
    fn into_body(self) -> Bytes {
        self.into()
    }
}

impl RawBody for Bytes {
    fn into_body(self) -> Bytes {
        self
    }
}

/// A function to invoke: a name, `name:alias` or an ARN, so letters, digits,
/// `-`, `_` and `:` (what `#[http_method]` checks at compile time and per
/// value); anything else is refused before sending.
fn check_function(label: &str, function: &str) -> Result<(), PwError> {
    let fits = !function.is_empty()
        && function
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'));
    if fits {
        return Ok(());
    }
    Err(PwError::new(
        StatusCode::BAD_REQUEST,
        format!(
            "{label}: `{function}` is not a Lambda function: write a name, `name:alias` or an ARN (`arn:aws:lambda:<region>:<account>:function:<name>`)"
        ),
    )
    .with_details(serde_json::json!({ "function": function })))
}

/// The `X-Amz-Client-Context` value: `{"custom": {name: value, …}}` as
/// base64, or an error when Lambda would refuse it for its size.
fn client_context(label: &str, custom: serde_json::Map<String, serde_json::Value>) -> Result<HeaderValue, PwError> {
    let context = serde_json::json!({ "custom": custom }).to_string();
    let context = base64::engine::general_purpose::STANDARD.encode(context);
    if context.len() > MAX_CLIENT_CONTEXT_BYTES {
        return Err(PwError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "{label}: the client context is {} bytes base64-encoded, over Lambda's {MAX_CLIENT_CONTEXT_BYTES}; send less in the params or put it in the body",
                context.len()
            ),
        ));
    }
    HeaderValue::from_str(&context)
        .map_err(|err| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("client context: {err}")))
}

/// Builds one `#[http_method]` invocation: the function's name from the URL
/// template, `params(...)` as the client context, the call's headers and
/// body, then the same [`LambdaRequest`] that `session.func(...)` builds.
pub(super) fn prepare_invocation(
    call: &'static HttpCall,
    session: &HttpSession,
    args: &[&dyn Display],
    body: Option<Result<RequestBody, PwError>>,
    invocation_type: &'static str,
) -> Result<reqwest_middleware::RequestBuilder, PwError> {
    let mut function = String::new();
    render_pieces(call, call.url, args, &mut function)?;
    let mut request = LambdaRequest::new(session, function, invocation_type);
    call.function.clone_into(&mut request.label);
    for (name, value) in call.query {
        let mut text = String::new();
        render_pieces(call, value, args, &mut text)?;
        request.custom.insert((*name).to_owned(), text.into());
    }
    request.headers = render_headers(call, args)?;
    if let Some(body) = body {
        // A payload is signed and sent whole (Lambda takes at most 6 MB).
        let body = body?.0;
        let bytes = body.as_bytes().map(Bytes::copy_from_slice).ok_or_else(|| {
            PwError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "{}: a Lambda invocation's payload is sent whole; pass text, bytes or a value for JSON, not a BodyStream",
                    call.function
                ),
            )
        })?;
        request.body = Some(bytes);
    }
    request.into_request()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(who: &str) -> serde_json::Map<String, serde_json::Value> {
        let mut custom = serde_json::Map::new();
        custom.insert("who".to_owned(), who.into());
        custom
    }

    fn session() -> HttpSession {
        HttpSession::builder()
            .lambda_endpoint("http://127.0.0.1:1")
            .region("eu-west-1")
            .build()
            .unwrap()
    }

    #[test]
    fn the_client_context_is_custom_json_in_base64() {
        let who = "ada \"the\" first";
        let value = client_context("invoke", custom(who)).unwrap();
        let json = base64::engine::general_purpose::STANDARD
            .decode(value.as_bytes())
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json, serde_json::json!({ "custom": { "who": who } }));
    }

    #[test]
    fn a_client_context_over_lambdas_limit_is_refused() {
        let who = "x".repeat(MAX_CLIENT_CONTEXT_BYTES);
        let err = client_context("invoke", custom(&who)).unwrap_err();
        assert_eq!(err.code(), StatusCode::BAD_REQUEST);
        assert!(err.message().contains("over Lambda's 3583"), "{}", err.message());
    }

    #[test]
    fn methods_name_invocation_types() {
        assert_eq!(invocation_type("FUNC"), Some("RequestResponse"));
        assert_eq!(invocation_type("EVENT"), Some("Event"));
        assert_eq!(invocation_type("POST"), None);
    }

    #[test]
    fn a_function_is_a_name_an_alias_or_an_arn() {
        for function in [
            "orders",
            "orders-prod_2:live",
            "arn:aws:lambda:eu-west-1:123456789012:function:orders",
        ] {
            assert!(check_function(function, function).is_ok(), "{function}");
        }
        for function in ["", ".", "..", "orders/../admin", "orders?x=1", "a b", "orders%2F"] {
            let err = check_function("f", function).unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST, "{function:?}");
            assert!(err.message().contains("is not a Lambda function"), "{}", err.message());
        }
    }

    #[test]
    fn a_request_from_code_names_the_function_in_the_path_and_sets_the_type() {
        let session = session();
        let request = session
            .func("orders:live")
            .param("tenant", "acme")
            .params([("n", 3)])
            .json(&serde_json::json!({"order": 1}))
            .into_request()
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.url().as_str(),
            "http://127.0.0.1:1/2015-03-31/functions/orders%3Alive/invocations"
        );
        assert_eq!(request.headers()["x-amz-invocation-type"], "RequestResponse");
        let context = base64::engine::general_purpose::STANDARD
            .decode(request.headers()["x-amz-client-context"].as_bytes())
            .unwrap();
        let context: serde_json::Value = serde_json::from_slice(&context).unwrap();
        assert_eq!(context, serde_json::json!({"custom": {"tenant": "acme", "n": "3"}}));
        assert_eq!(request.body().and_then(|b| b.as_bytes()), Some(&br#"{"order":1}"#[..]));

        let queued = session
            .event("audit")
            .body("{}")
            .into_request()
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(queued.headers()["x-amz-invocation-type"], "Event");
        assert!(
            queued.headers().get("x-amz-client-context").is_none(),
            "no params, no context"
        );
        let dry = session
            .func("audit")
            .header("X-Amz-Invocation-Type", "DryRun")
            .into_request()
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(dry.headers()["x-amz-invocation-type"], "DryRun");
    }

    #[test]
    fn what_does_not_fit_is_an_error_before_sending() {
        let session = session();
        let bad_header = session
            .func("orders")
            .header("x-bad", "a\r\nb")
            .into_request()
            .unwrap_err();
        assert_eq!(bad_header.code(), StatusCode::BAD_REQUEST);
        assert!(bad_header.message().starts_with("orders: "), "{}", bad_header.message());
        let too_much = session
            .func("orders")
            .param("blob", "x".repeat(MAX_CLIENT_CONTEXT_BYTES))
            .into_request()
            .unwrap_err();
        assert!(
            too_much.message().contains("over Lambda's 3583"),
            "{}",
            too_much.message()
        );
        let bad_name = session.event("orders/../admin").into_request().unwrap_err();
        assert_eq!(bad_name.details().unwrap()["function"], "orders/../admin");
    }
}
