//! Running a handler: under the Lambda runtime when there is one, else (with
//! the `local` feature) on a local HTTP port.

use std::future::Future;

use lambda_http::Body;

/// Runs `handler` (a `#[service_response]` handler, or any
/// `async fn(Request) -> Result<Response<Body>, Error>`):
///
/// - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set, as
///   `lambda_http::run(service_fn(handler))`;
/// - otherwise, with the `local` feature (on by default), on a local HTTP port
///   (`PYPWEXT_LOCAL_ADDR`, default `127.0.0.1:9000`): each request becomes an
///   API Gateway HTTP API (v2) request with a synthetic Lambda context, so
///   `curl` works against it. It prints where it listens and stops cleanly on
///   Ctrl-C. Without the feature it fails with an error that says so.
///
/// ```no_run
/// use pypwext::{service_response, PwError, PwResponse};
///
/// #[service_response]
/// async fn hello() -> Result<PwResponse, PwError> {
///     Ok(PwResponse::ok().with_field("hello", "world"))
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_http::Error> {
///     pypwext::logging::builder().service("hello").init();
///     pypwext::lambda::run(hello).await
/// }
/// ```
pub async fn run<H, Fut>(handler: H) -> Result<(), lambda_http::Error>
where
    H: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>> + Send + 'static,
{
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda_http::run(lambda_http::service_fn(handler)).await;
    }
    #[cfg(feature = "local")]
    return super::local::serve_until_ctrl_c(handler).await;
    #[cfg(not(feature = "local"))]
    return Err(
        "AWS_LAMBDA_RUNTIME_API is not set, so this is not a Lambda runtime; to serve the handler locally, enable the `local` feature of pypwext"
            .into(),
    );
}
