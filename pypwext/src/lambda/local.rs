//! Running a handler: under the Lambda runtime when there is one, else on a
//! local HTTP port as an API Gateway HTTP API would call it.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
};
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt as _};

/// Where the local server listens unless `PYPWEXT_LOCAL_ADDR` says otherwise.
pub const DEFAULT_LOCAL_ADDR: &str = "127.0.0.1:9000";

/// How long a local invocation may run, as the synthetic context's deadline.
const LOCAL_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest request body the local server accepts, as API Gateway: 10 MB.
const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

/// Runs `handler` (a `#[service_response]` handler, or any
/// `async fn(Request) -> Result<Response<Body>, Error>`):
///
/// - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set, as
///   `lambda_http::run(service_fn(handler))`;
/// - otherwise on a local HTTP port (`PYPWEXT_LOCAL_ADDR`, default
///   `127.0.0.1:9000`): each request becomes an API Gateway HTTP API (v2)
///   request with a synthetic Lambda context, so `curl` works against it.
///   It prints where it listens and stops cleanly on Ctrl-C.
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
    let addr = match std::env::var("PYPWEXT_LOCAL_ADDR") {
        Ok(addr) => addr,
        Err(std::env::VarError::NotPresent) => DEFAULT_LOCAL_ADDR.to_owned(),
        Err(err) => return Err(format!("PYPWEXT_LOCAL_ADDR: {err}").into()),
    };
    let addr: SocketAddr = addr
        .parse()
        .map_err(|err| format!("PYPWEXT_LOCAL_ADDR={addr:?} is not an address like 127.0.0.1:9000: {err}"))?;
    let server = LocalServer::bind(addr).await?;
    println!(
        "pypwext: serving on http://{} as an API Gateway HTTP API would (Ctrl-C to stop)",
        server.local_addr()
    );
    server
        .serve(handler, async {
            // A failed signal handler leaves Ctrl-C to end the process the usual way.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    println!("pypwext: stopped");
    Ok(())
}

/// A handler served on a local port; see [`run`]. Made separately so that
/// tests and demos can bind port 0 and read the port back.
#[derive(Debug)]
pub struct LocalServer {
    listener: tokio::net::TcpListener,
    local_addr: SocketAddr,
}

impl LocalServer {
    /// Binds `addr`.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<LocalServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(LocalServer { listener, local_addr })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves `handler` until `shutdown` completes; requests in flight then
    /// finish before this returns.
    pub async fn serve<H, Fut>(self, handler: H, shutdown: impl Future<Output = ()>) -> Result<(), lambda_http::Error>
    where
        H: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>> + Send + 'static,
    {
        let connections = tokio_util_tracker::Tracker::default();
        tokio::pin!(shutdown);
        loop {
            let (stream, _) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // A failed accept (out of file descriptors, say) is not the
                        // end of the server: say so and go on.
                        tracing::warn!(target: "pypwext::lambda", "accepting a connection failed: {err}");
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let handler = handler.clone();
            let guard = connections.enter();
            tokio::spawn(async move {
                let _guard = guard;
                let service = hyper::service::service_fn(move |request| answer(handler.clone(), request));
                // A client that goes away mid-request is its own business.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
        connections.wait().await;
        Ok(())
    }
}

/// Answers one HTTP request with the handler.
async fn answer<H, Fut>(handler: H, request: http::Request<Incoming>) -> Result<http::Response<Full<Bytes>>, Infallible>
where
    H: Fn(lambda_http::Request) -> Fut,
    Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>>,
{
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) => {
            return Ok(plain(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                &format!("request body refused: {err}"),
            ));
        }
    };
    let request = to_lambda_request(parts, bytes);
    match handler(request).await {
        Ok(response) => Ok(from_lambda_response(response)),
        // Under Lambda this would be a failed invocation: API Gateway answers 502.
        Err(err) => {
            eprintln!("pypwext: the invocation failed: {err}");
            Ok(plain(
                http::StatusCode::BAD_GATEWAY,
                r#"{"message":"Internal server error"}"#,
            ))
        }
    }
}

fn plain(status: http::StatusCode, text: &str) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from(text.to_owned())));
    *response.status_mut() = status;
    response
}

static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// A fresh id in the shape of a Lambda request id.
fn request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let n = NEXT_REQUEST.fetch_add(1, Ordering::Relaxed);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(n);
    let h = hasher.finish();
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        h & 0xfff,
        (h >> 20) & 0xfff,
        n
    )
}

/// The request an API Gateway HTTP API (v2) would hand the function.
pub(crate) fn to_lambda_request(parts: http::request::Parts, bytes: Bytes) -> lambda_http::Request {
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(err) => Body::Binary(err.into_bytes()),
        }
    };
    let query: std::collections::HashMap<String, Vec<String>> = parts.uri.query().map(parse_query).unwrap_or_default();
    let request_id = request_id();

    let mut http_description = ApiGatewayV2httpRequestContextHttpDescription::default();
    http_description.method = parts.method.clone();
    http_description.path = Some(parts.uri.path().to_owned());
    http_description.protocol = Some("HTTP/1.1".to_owned());
    let mut api_context = ApiGatewayV2httpRequestContext::default();
    api_context.request_id = Some(request_id.clone());
    api_context.stage = Some("$default".to_owned());
    api_context.route_key = Some("$default".to_owned());
    api_context.http = http_description;

    let mut context = lambda_runtime::Context::default();
    context.request_id = request_id;
    let deadline = SystemTime::now() + LOCAL_TIMEOUT;
    context.deadline = deadline
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let function_name = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "local".to_owned());
    context.invoked_function_arn = format!("arn:aws:lambda:local:000000000000:function:{function_name}");
    context.env_config = std::sync::Arc::new(lambda_runtime::Config {
        function_name,
        memory: 128,
        version: "$LATEST".to_owned(),
        log_stream: String::new(),
        log_group: String::new(),
    });

    let path = parts.uri.path().to_owned();
    http::Request::from_parts(parts, body)
        .with_raw_http_path(path)
        .with_query_string_parameters(query)
        .with_request_context(RequestContext::ApiGatewayV2(api_context))
        .with_lambda_context(context)
}

/// `a=1&b=x%20y&a=2` to `{a: [1, 2], b: ["x y"]}`.
fn parse_query(query: &str) -> std::collections::HashMap<String, Vec<String>> {
    let mut map: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        map.entry(percent_decode(key)).or_default().push(percent_decode(value));
    }
    map
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn from_lambda_response(response: http::Response<Body>) -> http::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    http::Response::from_parts(parts, Full::new(bytes))
}

/// Counts connections in flight so that shutdown can wait for them.
mod tokio_util_tracker {
    use std::sync::Arc;
    use tokio::sync::Notify;

    #[derive(Default)]
    pub(super) struct Tracker {
        inner: Arc<Inner>,
    }

    #[derive(Default)]
    struct Inner {
        count: std::sync::atomic::AtomicUsize,
        idle: Notify,
    }

    pub(super) struct Guard {
        inner: Arc<Inner>,
    }

    impl Tracker {
        pub(super) fn enter(&self) -> Guard {
            self.inner.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Guard {
                inner: self.inner.clone(),
            }
        }

        pub(super) async fn wait(&self) {
            loop {
                let notified = self.inner.idle.notified();
                if self.inner.count.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            if self.inner.count.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                self.inner.idle.notify_waiters();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        let q = parse_query("a=1&b=x%20y+z&a=2&flag&bad=%zz&end=%4");
        assert_eq!(q["a"], ["1", "2"]);
        assert_eq!(q["b"], ["x y z"]);
        assert_eq!(q["flag"], [""]);
        assert_eq!(q["bad"], ["%zz"]);
        assert_eq!(q["end"], ["%4"]);
    }

    #[test]
    fn request_ids_are_unique() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
    }
}
