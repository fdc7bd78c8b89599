//! Bodies as streams of chunks, in bounded memory: [`HttpStream`], an answer
//! whose body is read as it arrives, and [`BodyStream`], a request body sent
//! as it is produced.
//!
//! A streamed request body can be sent only once: a call with a
//! [`BodyStream`] is never retried. A failure that would otherwise be retried
//! (a refused connection, a 503, a timeout) is that call's answer or error.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt as _};
use http::StatusCode;
use http::header::HeaderMap;

use super::response::HttpResponse;
use crate::errors::PwError;

/// How much of a failed answer's body (a status of 300 or more) is read into
/// the error's details: error bodies are short, a stream may not be.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// An HTTP answer whose body is read chunk by chunk as it arrives, never
/// held whole: the return type of an `#[http_method]` fn that downloads
/// something large. It is a [`Stream`] of `Result<Bytes, PwError>`; or call
/// [`chunk`](HttpStream::chunk) in a loop.
///
/// As for every return type, a status of 300 or more is a `PwError` (with
/// the first 64 KiB of the body in its details) rather than a stream. The
/// session's timeout, and the invocation's deadline, cover the whole body:
/// reading stops with a 504 `PwError` when either runs out.
///
/// ```no_run
/// use pypwext::{http_method, PwError};
/// use pypwext::http::HttpStream;
///
/// #[http_method(url = "https://files.example.com/exports/{name}")]
/// async fn export(name: &str) -> Result<HttpStream, PwError> {}
///
/// # async fn count() -> Result<u64, PwError> {
/// let mut body = export("orders-2026.csv").await?;
/// let mut bytes = 0u64;
/// while let Some(chunk) = body.chunk().await? {
///     bytes += chunk.len() as u64; // hash it, parse it, pass it on: one chunk at a time
/// }
/// # Ok(bytes) }
/// ```
pub struct HttpStream {
    status: StatusCode,
    headers: HeaderMap,
    function: String,
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
}

impl HttpStream {
    /// The answer of a request sent with an [`HttpSession`](super::HttpSession),
    /// its body not read yet; `function` names the call in errors.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), pypwext::PwError> {
    /// use pypwext::http::{HttpSession, HttpStream, http_error};
    ///
    /// let session = HttpSession::new()?;
    /// let response = session.get("https://files.example.com/big").send().await.map_err(http_error)?;
    /// let body = HttpStream::new(response, "download");
    /// # let _ = body; Ok(()) }
    /// ```
    pub fn new(response: reqwest::Response, function: impl Into<String>) -> HttpStream {
        HttpStream {
            status: response.status(),
            headers: response.headers().clone(),
            function: function.into(),
            body: Box::pin(response.bytes_stream()),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The next chunk of the body, in order; `None` once it has all arrived.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, PwError> {
        self.next().await.transpose()
    }

    /// Reads what is left of the body whole (at most `limit` bytes of it;
    /// the rest is not read): for a short answer, or an error's details.
    pub async fn read_whole(mut self, limit: usize) -> Result<HttpResponse, PwError> {
        let mut body = Vec::new();
        while body.len() < limit {
            let Some(chunk) = self.chunk().await? else { break };
            let room = limit - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(HttpResponse::new(self.status, self.headers, Bytes::from(body)))
    }

    /// `self`, or, for a status of 300 or more (or a Lambda function error),
    /// the same `PwError` every other return type gives, with the first
    /// 64 KiB of the body in its details.
    pub async fn error_for_status(self, function: &str) -> Result<HttpStream, PwError> {
        if !super::response::is_failure(self.status, &self.headers) {
            return Ok(self);
        }
        Err(self.read_whole(ERROR_BODY_LIMIT).await?.failure(function))
    }
}

impl Stream for HttpStream {
    type Item = Result<Bytes, PwError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        this.body
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map_err(|err| read_error(&this.function, err))))
    }
}

/// A failure while a body was arriving: 504 when time ran out, else 502.
fn read_error(function: &str, err: reqwest::Error) -> PwError {
    let code = if err.is_timeout() {
        StatusCode::GATEWAY_TIMEOUT
    } else {
        StatusCode::BAD_GATEWAY
    };
    PwError::new(code, format!("{function}: reading the answer failed: {err}")).with_source(err)
}

impl fmt::Debug for HttpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpStream")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for HttpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (streamed)", self.status)
    }
}

/// A request body sent chunk by chunk as a stream produces it, never held
/// whole: the `body = ...` parameter of an `#[http_method]` fn that uploads
/// something large, or `.body(...)` of a session's request.
///
/// **A streamed body is sent once and never retried**: it cannot be
/// replayed. A failure the session would otherwise retry (a refused
/// connection, a 503 for a PUT, a timeout) is the call's answer or error;
/// retry the whole call with a fresh stream if that is safe. The body is
/// signed as `UNSIGNED-PAYLOAD` where SigV4 applies.
///
/// ```no_run
/// use pypwext::{http_method, PwError};
/// use pypwext::http::{BodyStream, Bytes};
///
/// #[http_method(method = "PUT", url = "https://files.example.com/imports/{name}", body = data)]
/// async fn import(name: &str, data: BodyStream) -> Result<(), PwError> {}
///
/// # async fn f() -> Result<(), PwError> {
/// let lines = futures_util::stream::iter((0..1_000_000).map(|n| {
///     Ok::<_, std::io::Error>(Bytes::from(format!("line {n}\n")))
/// }));
/// import("numbers.txt", BodyStream::new(lines)).await?;
/// # Ok(()) }
/// ```
pub struct BodyStream {
    body: reqwest::Body,
}

impl BodyStream {
    /// A body made of the chunks `stream` yields, in order; an `Err` from
    /// the stream aborts the request.
    pub fn new<S, T, E>(stream: S) -> BodyStream
    where
        S: Stream<Item = Result<T, E>> + Send + 'static,
        T: Into<Bytes> + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        BodyStream {
            body: reqwest::Body::wrap_stream(stream.map(|item| item.map(Into::into))),
        }
    }
}

impl From<BodyStream> for reqwest::Body {
    fn from(body: BodyStream) -> reqwest::Body {
        body.body
    }
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyStream { .. }")
    }
}
