//! The runtime of `#[http_method]`: the call a function describes, its
//! request built from a template and sent through a session, the answer read
//! whole or handed on as a stream. The call's templates, the answers, the
//! session, Lambda invocations and the probes live in their own modules;
//! generated code reaches them all through here, and nothing of them reaches
//! back. The body and decode probes choose by autoref specialization, which
//! [`crate::probe`] explains, with their order.

use std::fmt::Display;

use http::{Method, StatusCode};

pub use super::probe::{
    BodyBytes, BodyJson, BodyProbe, BodyText, DecodeJson, DecodeLambda, DecodeProbe, DecodeResponse, DecodeStream,
    DecodeText, DecodeUnit, RequestBody, stream_body,
};
pub use super::response::read;
use super::session::HttpSession;
pub use super::session::send;
pub use super::template::{HttpCall, Part, Piece, Place, render};
use crate::errors::PwError;

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

/// An answer handed to a `response: HttpStream` parameter, its body unread,
/// whatever its status.
pub fn stream_response(response: reqwest::Response, function: &str) -> super::stream::HttpStream {
    super::stream::HttpStream::new(response, function)
}
