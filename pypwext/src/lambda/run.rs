//! Running a handler: under the Lambda runtime when there is one, else (with
//! the `local` feature) on a local HTTP port.

use std::future::Future;
use std::pin::Pin;

use lambda_http::request::LambdaRequest;
use lambda_http::{Body, LambdaEvent, RequestExt as _, TransformResponse};

use super::EventTraceHeader;

/// Runs `handler` (a `#[service_response]` handler, or any
/// `async fn(Request) -> Result<Response<Body>, Error>`):
///
/// - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set, as
///   `lambda_http::run(service_fn(handler))`: one invocation at a time;
/// - with `AWS_LAMBDA_MAX_CONCURRENCY` above 1 as well (Lambda Managed
///   Instances set it), as `lambda_http::run_concurrent`: that many
///   invocations at once in this process, each in its own task with its own
///   collector, log keys and buffer. A value that is not a whole number of 1
///   or more is an error that says so, before any invocation is taken;
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
        super::check_before_run_concurrent("pypwext::lambda::run")?;
        return lambda_runtime::run_concurrent(lambda_runtime::service_fn(adapter(handler))).await;
    }
    #[cfg(feature = "local")]
    return super::local::serve_until_ctrl_c(handler).await;
    #[cfg(not(feature = "local"))]
    return Err(
        "AWS_LAMBDA_RUNTIME_API is not set, so this is not a Lambda runtime; to serve the handler locally, enable the `local` feature of pypwext"
            .into(),
    );
}

/// What `lambda_http::run` does with each event, but keeping the event's own
/// `x-amzn-trace-id` header (as an [`EventTraceHeader`] extension) before the
/// invocation's trace id takes its place, as lambda_http's adapter does: the
/// ALB correlation id is the event's header, as Powertools reads it.
fn adapter<H, Fut>(
    handler: H,
) -> impl Fn(LambdaEvent<LambdaRequest>) -> TransformResponse<'static, http::Response<Body>, lambda_http::Error> + Clone
where
    H: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>> + Send + 'static,
{
    move |LambdaEvent { payload, context }| {
        let origin = payload.request_origin();
        let mut request: lambda_http::Request = payload.into();
        if let Some(own) = request.headers().get(TRACE_HEADER).cloned() {
            request.extensions_mut().insert(EventTraceHeader(own));
        }
        if let Some(trace) = context
            .xray_trace_id
            .as_deref()
            .and_then(|trace| http::HeaderValue::from_str(trace).ok())
        {
            set_header(
                request.headers_mut(),
                http::HeaderName::from_static(TRACE_HEADER),
                trace,
            );
        }
        let answer: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(handler(request.with_lambda_context(context)));
        TransformResponse::Request(origin, answer)
    }
}

const TRACE_HEADER: &str = "x-amzn-trace-id";

/// Sets a header, replacing any of that name. Out of line, and shared by
/// the request and response code of the service feature: `HeaderMap::insert`
/// inlined at each caller made the service-only binary over a kilobyte
/// bigger each time (its guard: `scripts/build-cost.sh`).
#[inline(never)]
pub(crate) fn set_header(headers: &mut http::HeaderMap, name: http::HeaderName, value: http::HeaderValue) {
    headers.insert(name, value);
}
