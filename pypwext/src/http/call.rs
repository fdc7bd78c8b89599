//! The runtime of `#[http_method]`: the call a function describes, its
//! request built from a template and sent through a session, the answer read
//! whole or handed on as a stream. Templates, answers, Lambda invocations and the probes live in
//! their own modules; generated code reaches them all through here.

use std::fmt::Display;

use http::{Method, StatusCode};

pub use super::probe::{
    BodyBytes, BodyJson, BodyProbe, BodyText, DecodeJson, DecodeLambda, DecodeProbe, DecodeResponse, DecodeStream,
    DecodeText, DecodeUnit, RequestBody, stream_body,
};
use super::response::HttpResponse;
use super::session::{HttpSession, http_error};
pub use super::template::{Part, Piece, Place, render};
use crate::errors::PwError;

/// What `#[http_method(...)]` was asked to do on one function; a `static` in
/// the generated code.
#[derive(Debug)]
pub struct HttpCall {
    /// The function's name, for errors.
    pub function: &'static str,
    /// The HTTP method, or `FUNC`/`EVENT` for a Lambda invocation.
    pub method: &'static str,
    /// The URL up to the query (for `FUNC`/`EVENT`: the function's name).
    pub url: &'static [Piece],
    /// Query parameters: name, and its value's pieces (the template's own
    /// query string first, then `params(...)`).
    pub query: &'static [(&'static str, &'static [Piece])],
    /// Headers: name (checked at compile time), and its value's pieces.
    pub headers: &'static [(&'static str, &'static [Piece])],
    /// The names of the arguments `Part::Arg` counts, for errors.
    pub arg_names: &'static [&'static str],
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
    if let Some(invocation_type) = super::lambda::invocation_type(call.method) {
        return super::lambda::prepare_invocation(call, session, args, body, invocation_type);
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

/// Sends a request and reads the answer whole; `label` names the call in errors.
pub(super) async fn send_request(
    label: &str,
    request: Result<reqwest_middleware::RequestBuilder, PwError>,
) -> Result<HttpResponse, PwError> {
    read(label, send(request).await?).await
}

/// Sends a prepared call; the answer's body is not read yet.
pub async fn send(request: Result<reqwest_middleware::RequestBuilder, PwError>) -> Result<reqwest::Response, PwError> {
    request?.send().await.map_err(http_error)
}

/// Reads an answer's body whole.
pub async fn read(function: &str, response: reqwest::Response) -> Result<HttpResponse, PwError> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|err| {
        let code = if err.is_timeout() {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        PwError::new(code, format!("{function}: reading the answer failed: {err}")).with_source(err)
    })?;
    Ok(HttpResponse::new(status, headers, body))
}

/// An answer handed to a `response: HttpStream` parameter, its body unread,
/// whatever its status.
pub fn stream_response(response: reqwest::Response, function: &str) -> super::stream::HttpStream {
    super::stream::HttpStream::new(response, function)
}
