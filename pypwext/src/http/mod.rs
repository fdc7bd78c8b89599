//! HTTP and Lambda calls: [`HttpSession`].
//!
//! The session is reqwest with middleware: retries with urllib3's rules
//! (statuses 429/500/502/503/504 are retried for idempotent methods only, a
//! failure to connect for every method, `Retry-After` honoured, back-off with
//! full jitter), never past the Lambda invocation's deadline, and SigV4 for
//! API Gateway (`*.execute-api.<region>.amazonaws.com`) and for requests that
//! ask for it with [`SignFor`]. Credentials and the `Authorization` and
//! `X-Amz-Security-Token` headers never reach a log line.
//!
//! Lambda functions are invoked from code with [`HttpSession::func`] and
//! [`HttpSession::event`] (a [`LambdaRequest`]), the same way
//! `#[http_method(method = "FUNC" | "EVENT")]` invokes them.
//!
//! [`HttpSession`], [`HttpResponse`] and [`LambdaResponse`] are also at the
//! crate root: `use pypwext::{HttpSession, HttpResponse};`.
//!
//! **Large bodies stream.** An `#[http_method]` fn returning
//! `Result<HttpStream, PwError>` hands back the answer with its body unread:
//! read it chunk by chunk ([`HttpStream::chunk`], or as a `Stream`), in
//! bounded memory. A `body = ...` parameter of type [`BodyStream`] is sent as
//! its stream produces it. A streamed request body cannot be replayed, so a
//! call with one is **never retried**: a failure the session would otherwise
//! retry (a refused connection, a 503 for a PUT, a timeout) is that call's
//! answer or error. The session's timeout and the invocation's deadline cover
//! the whole body, both ways.

pub(crate) mod call;
mod credentials;
mod lambda;
mod log;
mod probe;
mod response;
mod retry;
mod session;
mod sigv4;
mod stream;
mod template;
#[cfg(feature = "tracer")]
mod trace;

pub use credentials::{Credentials, CredentialsProvider, EnvironmentCredentials};
pub use lambda::{LambdaRequest, MAX_CLIENT_CONTEXT_BYTES, RawBody};
pub use response::{HttpResponse, LambdaResponse};
pub use retry::{Deadline, WithDeadline};
pub use session::{HttpSession, HttpSessionBuilder, http_error};
pub use sigv4::{SignFor, sign_request};
pub use stream::{BodyStream, HttpStream};

/// The chunk type of streamed bodies ([`HttpStream`], [`BodyStream`]), from the `bytes` crate.
pub use bytes::Bytes;

/// The future of a call's send or read, boxed on purpose: a future that holds
/// a `reqwest::Response` spells out hyper's connection types, which are deep
/// once another crate turns on hyper's `http2` (the AWS SDK's client does),
/// and a handler's stack of layers around such a future reached rustc's
/// recursion limit for `Send` (the order service with `#[traced]` and
/// `#[idempotent]`, `overflow evaluating the requirement … Send`). Boxed, the
/// layers see one pointer; one allocation is nothing beside a request.
pub(crate) type CallFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, crate::errors::PwError>> + Send + 'a>>;
