//! The runtime of `#[http_method]`: a URL template parsed at compile time,
//! filled per call with values that must fit the part of the URL they stand
//! in, the request sent through a session, the answer decoded.

use std::fmt::{self, Display, Write as _};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};

use super::session::{HttpSession, http_error};
use crate::errors::PwError;

/// Where in the request a placeholder's value goes; each place has its own
/// rule, so that no value can change the URL's scheme, host, port or path
/// structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A host label: letters, digits and `-` only.
    Host,
    /// A port: digits only.
    Port,
    /// A path segment: percent-encoded, so `/`, `?`, `#` stay data.
    Path,
    /// A query value: percent-encoded.
    Query,
    /// A header value: anything but CR, LF and other control characters.
    Header,
    /// A Lambda function name (or a part of one): letters, digits, `-`, `_`.
    Function,
    /// A value in a Lambda invocation's client context: any text (JSON-escaped).
    Context,
}

/// One piece of a template.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// Text written in the template, used as is.
    Literal(&'static str),
    /// The value of the call's argument number `n`.
    Arg(usize),
    /// An environment variable, read per call.
    Env(&'static str),
}

/// A template piece and where it stands.
#[derive(Debug, Clone, Copy)]
pub struct Piece {
    /// What it is.
    pub part: Part,
    /// Where it goes.
    pub place: Place,
}

/// What `#[http_method(...)]` was asked to do on one function; a `static` in
/// the generated code.
#[derive(Debug)]
pub struct HttpCall {
    /// The function's name, for errors.
    pub function: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The URL up to the query.
    pub url: &'static [Piece],
    /// Query parameters: name, and its value's pieces (the template's own
    /// query string first, then `params(...)`).
    pub query: &'static [(&'static str, &'static [Piece])],
    /// Headers: name (checked at compile time), and its value's pieces.
    pub headers: &'static [(&'static str, &'static [Piece])],
    /// The names of the arguments `Part::Arg` counts, for errors.
    pub arg_names: &'static [&'static str],
}

fn value_error(call: &HttpCall, what: &str, place: Place, value: &str, why: &str) -> PwError {
    let place = match place {
        Place::Host => "a host label",
        Place::Port => "a port",
        Place::Path => "a path segment",
        Place::Query => "a query value",
        Place::Header => "a header value",
        Place::Function => "a function name",
        Place::Context => "a client context value",
    };
    PwError::new(
        StatusCode::BAD_REQUEST,
        format!("{}: the value of {what} cannot stand in {place}: {why}", call.function),
    )
    .with_details(serde_json::json!({ "placeholder": what, "value": value }))
}

/// Characters a path segment or query value keeps as they are (RFC 3986's unreserved).
fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn percent_encode(out: &mut String, value: &str) {
    for &byte in value.as_bytes() {
        if unreserved(byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// Appends the pieces, each value checked for its place.
fn render_pieces(call: &HttpCall, pieces: &[Piece], args: &[&dyn Display], out: &mut String) -> Result<(), PwError> {
    for piece in pieces {
        let (what, value) = match piece.part {
            Part::Literal(text) => {
                out.push_str(text);
                continue;
            }
            Part::Arg(n) => {
                let value = args.get(n).map(|a| a.to_string()).ok_or_else(|| {
                    PwError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("{}: argument {n} is missing", call.function),
                    )
                })?;
                let name = call.arg_names.get(n).copied().unwrap_or("an argument");
                (format!("`{name}`"), value)
            }
            Part::Env(name) => {
                let value = std::env::var(name).map_err(|_| {
                    PwError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!(
                            "{}: the environment variable {name} is not set; the URL template needs it",
                            call.function
                        ),
                    )
                })?;
                (format!("${name}"), value)
            }
        };
        match piece.place {
            Place::Host => {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(value_error(
                        call,
                        &what,
                        piece.place,
                        &value,
                        "only letters, digits and `-` may",
                    ));
                }
                out.push_str(&value);
            }
            Place::Port => {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) || value.parse::<u16>().is_err() {
                    return Err(value_error(
                        call,
                        &what,
                        piece.place,
                        &value,
                        "only a number up to 65535 may",
                    ));
                }
                out.push_str(&value);
            }
            Place::Path | Place::Query => percent_encode(out, &value),
            Place::Function => {
                if value.is_empty()
                    || !value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(value_error(
                        call,
                        &what,
                        piece.place,
                        &value,
                        "only letters, digits, `-` and `_` may",
                    ));
                }
                out.push_str(&value);
            }
            Place::Context => out.push_str(&value),
            Place::Header => {
                if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
                    return Err(value_error(
                        call,
                        &what,
                        piece.place,
                        &value,
                        "CR, LF and control characters may not",
                    ));
                }
                out.push_str(&value);
            }
        }
    }
    Ok(())
}

/// The headers of one call, each value checked.
fn render_headers(call: &HttpCall, args: &[&dyn Display]) -> Result<HeaderMap, PwError> {
    let mut headers = HeaderMap::new();
    for (name, value) in call.headers {
        let mut text = String::new();
        render_pieces(call, value, args, &mut text)?;
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|err| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{name}: {err}")))?;
        let value = HeaderValue::from_str(&text).map_err(|_| {
            value_error(
                call,
                name.as_str(),
                Place::Header,
                &text,
                "it is not a valid header value",
            )
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// The URL and headers of one call.
pub fn render(call: &HttpCall, args: &[&dyn Display]) -> Result<(reqwest::Url, HeaderMap), PwError> {
    let mut url = String::with_capacity(128);
    render_pieces(call, call.url, args, &mut url)?;
    let mut first = !url.contains('?');
    for (name, value) in call.query {
        url.push(if first { '?' } else { '&' });
        first = false;
        percent_encode(&mut url, name);
        url.push('=');
        render_pieces(call, value, args, &mut url)?;
    }
    let url = reqwest::Url::parse(&url).map_err(|err| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}: {url} is not a URL: {err}", call.function),
        )
    })?;
    let headers = render_headers(call, args)?;
    Ok((url, headers))
}

/// A request body: text and bytes as they are, anything else as JSON.
#[derive(Debug)]
pub struct RequestBody(pub(crate) Bytes);

/// Text, sent as is.
pub trait BodyText {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: AsRef<str> + ?Sized> BodyText for &&&BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        Ok(RequestBody(Bytes::copy_from_slice(self.0.as_ref().as_bytes())))
    }
}

/// Bytes, sent as they are.
pub trait BodyBytes {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: AsRef<[u8]> + ?Sized> BodyBytes for &&BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        Ok(RequestBody(Bytes::copy_from_slice(self.0.as_ref())))
    }
}

/// Anything serializable, as JSON.
pub trait BodyJson {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: serde::Serialize + ?Sized> BodyJson for &BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        serde_json::to_vec(self.0)
            .map(|v| RequestBody(v.into()))
            .map_err(|err| {
                PwError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the request body cannot be serialized: {err}"),
                )
            })
    }
}

/// The probe the generated code calls `.pypwext_body()` on.
pub struct BodyProbe<'a, T: ?Sized>(pub &'a T);

/// An HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl HttpResponse {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON into `T`; a 502 naming the reason when it does not fit.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PwError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            PwError::new(
                StatusCode::BAD_GATEWAY,
                format!("the answer does not parse as the expected JSON: {err}"),
            )
            .with_details(self.error_details())
        })
    }

    /// The answer as error details: status and body (JSON when it is JSON).
    pub fn error_details(&self) -> serde_json::Value {
        let body = serde_json::from_slice::<serde_json::Value>(&self.body)
            .unwrap_or_else(|_| serde_json::Value::String(self.text()));
        serde_json::json!({ "status": self.status.as_u16(), "body": body })
    }

    /// `self`, or, for a status of 300 or more, a `PwError` with that status
    /// and the body in its details.
    pub fn error_for_status(self, function: &str) -> Result<HttpResponse, PwError> {
        // A Lambda function that failed answers 200 with this header.
        if let Some(kind) = self.headers.get("x-amz-function-error") {
            let kind = String::from_utf8_lossy(kind.as_bytes()).into_owned();
            return Err(PwError::new(
                StatusCode::BAD_GATEWAY,
                format!("{function}: the function failed ({kind})"),
            )
            .with_details(self.error_details()));
        }
        if self.status.as_u16() < 300 {
            return Ok(self);
        }
        Err(
            PwError::new(self.status, format!("{function}: the service answered {}", self.status))
                .with_details(self.error_details()),
        )
    }
}

/// Builds one call's request: URL, headers, body. Synchronous, so that the
/// borrowed arguments are done with before anything is awaited (a future
/// holding `&dyn Display` across an await would not be `Send`).
pub fn prepare(
    call: &'static HttpCall,
    session: &HttpSession,
    args: &[&dyn Display],
    body: Option<Result<RequestBody, PwError>>,
) -> Result<reqwest_middleware::RequestBuilder, PwError> {
    if let Some(invocation_type) = lambda_invocation_type(call.method) {
        return prepare_invocation(call, session, args, body, invocation_type);
    }
    let (url, headers) = render(call, args)?;
    let method = Method::from_bytes(call.method.as_bytes())
        .map_err(|err| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{}: {err}", call.method)))?;
    let mut request = session.request(method, url).headers(headers);
    if let Some(body) = body {
        request = request.body(body?.0);
    }
    Ok(request)
}

/// `FUNC` invokes and waits (`RequestResponse`); `EVENT` queues (`Event`).
fn lambda_invocation_type(method: &str) -> Option<&'static str> {
    match method {
        "FUNC" => Some("RequestResponse"),
        "EVENT" => Some("Event"),
        _ => None,
    }
}

/// The largest client context Lambda accepts, base64-encoded: 3583 bytes.
pub const MAX_CLIENT_CONTEXT_BYTES: usize = 3583;

/// A Lambda invocation over the Lambda REST API:
/// `POST {endpoint}/2015-03-31/functions/{name}/invocations`, signed for `lambda`.
fn prepare_invocation(
    call: &'static HttpCall,
    session: &HttpSession,
    args: &[&dyn Display],
    body: Option<Result<RequestBody, PwError>>,
    invocation_type: &'static str,
) -> Result<reqwest_middleware::RequestBuilder, PwError> {
    use base64::Engine as _;
    let mut function = String::new();
    render_pieces(call, call.url, args, &mut function)?;
    let endpoint = session.lambda_endpoint().ok_or_else(|| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "{}: no Lambda endpoint: set AWS_REGION (or the session's region), or AWS_ENDPOINT_URL_LAMBDA",
                call.function
            ),
        )
    })?;
    let mut encoded = String::with_capacity(function.len());
    percent_encode(&mut encoded, &function);
    let url = format!(
        "{}/2015-03-31/functions/{encoded}/invocations",
        endpoint.trim_end_matches('/')
    );
    let url = reqwest::Url::parse(&url).map_err(|err| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}: {url} is not a URL: {err}", call.function),
        )
    })?;

    let mut headers = render_headers(call, args)?;
    // `headers("x-amz-invocation-type" = "DryRun")` wins over the method's type.
    if !headers.contains_key("x-amz-invocation-type") {
        headers.insert("x-amz-invocation-type", HeaderValue::from_static(invocation_type));
    }
    if !call.query.is_empty() {
        let mut custom = serde_json::Map::new();
        for (name, value) in call.query {
            let mut text = String::new();
            render_pieces(call, value, args, &mut text)?;
            custom.insert((*name).to_owned(), text.into());
        }
        let context = serde_json::json!({ "custom": custom }).to_string();
        let context = base64::engine::general_purpose::STANDARD.encode(context);
        if context.len() > MAX_CLIENT_CONTEXT_BYTES {
            return Err(PwError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "{}: the client context is {} bytes base64-encoded, over Lambda's {MAX_CLIENT_CONTEXT_BYTES}; send less in `params(...)` or put it in the body",
                    call.function,
                    context.len()
                ),
            ));
        }
        let value = HeaderValue::from_str(&context)
            .map_err(|err| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("client context: {err}")))?;
        headers.insert("x-amz-client-context", value);
    }
    let mut request = session
        .request(Method::POST, url)
        .headers(headers)
        .with_extension(super::SignFor {
            service: "lambda".to_owned(),
            region: None,
        })
        .with_extension(super::retry::RetryThrottled);
    if let Some(body) = body {
        request = request.body(body?.0);
    }
    Ok(request)
}

/// Sends a prepared call and reads the answer whole.
pub async fn send(
    call: &'static HttpCall,
    request: Result<reqwest_middleware::RequestBuilder, PwError>,
) -> Result<HttpResponse, PwError> {
    let response = request?.send().await.map_err(http_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|err| {
        PwError::new(
            StatusCode::BAD_GATEWAY,
            format!("{}: reading the answer failed: {err}", call.function),
        )
        .with_source(err)
    })?;
    Ok(HttpResponse { status, headers, body })
}

/// The probe the generated code calls `.pypwext_decode(response)` on, to
/// turn an answer into the function's `Ok` type.
pub struct DecodeProbe<T>(std::marker::PhantomData<fn() -> T>);

impl<T> DecodeProbe<T> {
    /// A probe for `T`.
    pub fn new() -> Self {
        DecodeProbe(std::marker::PhantomData)
    }
}

impl<T> Default for DecodeProbe<T> {
    fn default() -> Self {
        DecodeProbe::new()
    }
}

/// What a Lambda invocation answered (`FUNC`/`EVENT`), whatever it was.
#[derive(Debug, Clone)]
pub struct LambdaResponse {
    response: HttpResponse,
}

impl LambdaResponse {
    /// The status: 200 for `FUNC`, 202 for `EVENT`, 204 for a dry run.
    pub fn status(&self) -> StatusCode {
        self.response.status
    }

    /// `Unhandled` or `Handled` when the function failed (`X-Amz-Function-Error`).
    pub fn function_error(&self) -> Option<String> {
        self.header("x-amz-function-error")
    }

    /// The tail of the function's log (`X-Amz-Log-Result`, base64-decoded), when asked for.
    pub fn log_result(&self) -> Option<String> {
        use base64::Engine as _;
        let raw = self.header("x-amz-log-result")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The version that ran (`X-Amz-Executed-Version`).
    pub fn executed_version(&self) -> Option<String> {
        self.header("x-amz-executed-version")
    }

    /// The payload the function returned.
    pub fn payload(&self) -> &Bytes {
        &self.response.body
    }

    /// The payload parsed as JSON into `T`.
    pub fn payload_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PwError> {
        self.response.json()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.response
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

impl From<HttpResponse> for LambdaResponse {
    fn from(response: HttpResponse) -> Self {
        LambdaResponse { response }
    }
}

/// `LambdaResponse`: the invocation's answer itself.
pub trait DecodeLambda {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<LambdaResponse, PwError>;
}
impl DecodeLambda for &&&DecodeProbe<LambdaResponse> {
    fn pypwext_decode(&self, response: HttpResponse, _function: &str) -> Result<LambdaResponse, PwError> {
        Ok(LambdaResponse { response })
    }
}

/// `HttpResponse`: the answer itself, whatever its status.
pub trait DecodeResponse {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<HttpResponse, PwError>;
}
impl DecodeResponse for &&&DecodeProbe<HttpResponse> {
    fn pypwext_decode(&self, response: HttpResponse, _function: &str) -> Result<HttpResponse, PwError> {
        Ok(response)
    }
}

/// `String`: the body's text.
pub trait DecodeText {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<String, PwError>;
}
impl DecodeText for &&DecodeProbe<String> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<String, PwError> {
        Ok(response.error_for_status(function)?.text())
    }
}

/// `()`: nothing but a status under 300.
pub trait DecodeUnit {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<(), PwError>;
}
impl DecodeUnit for &&DecodeProbe<()> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<(), PwError> {
        response.error_for_status(function).map(drop)
    }
}

/// Any `T: DeserializeOwned`: the body parsed as JSON.
pub trait DecodeJson<T> {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<T, PwError>;
}
impl<T: serde::de::DeserializeOwned> DecodeJson<T> for &DecodeProbe<T> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<T, PwError> {
        response.error_for_status(function)?.json()
    }
}

impl fmt::Display for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} bytes)", self.status, self.body.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static CALL: HttpCall = HttpCall {
        function: "send_offer",
        method: "POST",
        url: &[
            Piece {
                part: Part::Literal("https://"),
                place: Place::Host,
            },
            Piece {
                part: Part::Arg(0),
                place: Place::Host,
            },
            Piece {
                part: Part::Literal(".example.com:"),
                place: Place::Host,
            },
            Piece {
                part: Part::Arg(1),
                place: Place::Port,
            },
            Piece {
                part: Part::Literal("/v1/"),
                place: Place::Path,
            },
            Piece {
                part: Part::Arg(2),
                place: Place::Path,
            },
            Piece {
                part: Part::Literal("/offers?fixed=1"),
                place: Place::Query,
            },
        ],
        query: &[(
            "email",
            &[Piece {
                part: Part::Arg(3),
                place: Place::Query,
            }],
        )],
        headers: &[(
            "x-request-id",
            &[
                Piece {
                    part: Part::Literal("req-"),
                    place: Place::Header,
                },
                Piece {
                    part: Part::Arg(4),
                    place: Place::Header,
                },
            ],
        )],
        arg_names: &["region", "port", "segment", "email", "id"],
    };

    fn rendered(args: [&str; 5]) -> Result<(reqwest::Url, HeaderMap), PwError> {
        let args: Vec<&dyn Display> = args.iter().map(|a| a as &dyn Display).collect();
        render(&CALL, &args)
    }

    #[test]
    fn values_fill_their_places() {
        let (url, headers) = rendered(["api-eu", "8443", "a b/c", "ada+x@example.com", "7"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://api-eu.example.com:8443/v1/a%20b%2Fc/offers?fixed=1&email=ada%2Bx%40example.com"
        );
        assert_eq!(headers["x-request-id"], "req-7");
    }

    #[test]
    fn values_cannot_change_the_url_structure() {
        for (args, part) in [
            (["evil.com/x", "1", "p", "e", "h"], "host label"),
            (["a@b", "1", "p", "e", "h"], "host label"),
            (["", "1", "p", "e", "h"], "host label"),
            (["a", "1/x", "p", "e", "h"], "port"),
            (["a", "99999", "p", "e", "h"], "port"),
            (["a", "1", "p", "e", "x\r\nset-cookie: 1"], "header value"),
        ] {
            let err = rendered(args).unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST, "{args:?}");
            assert!(err.message().contains(part), "{args:?}: {}", err.message());
        }
        // Path and query values can hold anything: it stays data.
        let (url, _) = rendered(["a", "1", "../../admin?x=1#f", "a&b=c#d", "h"]).unwrap();
        assert_eq!(url.path(), "/v1/..%2F..%2Fadmin%3Fx%3D1%23f/offers");
        assert_eq!(url.query(), Some("fixed=1&email=a%26b%3Dc%23d"));
        assert_eq!(url.host_str(), Some("a.example.com"));
    }

    #[test]
    fn a_missing_environment_variable_is_named() {
        static ENV_CALL: HttpCall = HttpCall {
            function: "f",
            method: "GET",
            url: &[
                Piece {
                    part: Part::Literal("https://"),
                    place: Place::Host,
                },
                Piece {
                    part: Part::Env("PYPWEXT_SURELY_UNSET_VARIABLE"),
                    place: Place::Host,
                },
                Piece {
                    part: Part::Literal(".example.com/"),
                    place: Place::Path,
                },
            ],
            query: &[],
            headers: &[],
            arg_names: &[],
        };
        let err = render(&ENV_CALL, &[]).unwrap_err();
        assert_eq!(err.code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            err.message().contains("PYPWEXT_SURELY_UNSET_VARIABLE is not set"),
            "{}",
            err.message()
        );
    }
}
