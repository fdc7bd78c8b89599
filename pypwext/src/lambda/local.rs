//! The local runner: a handler served on a local HTTP port as an API Gateway
//! HTTP API would call it (feature `local`).

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

/// Where a local runner listens: `PYPWEXT_LOCAL_ADDR` (what `std::env::var`
/// gave for it), else [`DEFAULT_LOCAL_ADDR`].
pub(crate) fn local_addr(var: Result<String, std::env::VarError>) -> Result<SocketAddr, String> {
    let addr = match var {
        Ok(addr) => addr,
        Err(std::env::VarError::NotPresent) => DEFAULT_LOCAL_ADDR.to_owned(),
        Err(err) => {
            return Err(format!(
                "PYPWEXT_LOCAL_ADDR: {err}; set it to an address like 127.0.0.1:9000"
            ));
        }
    };
    addr.parse()
        .map_err(|err| format!("PYPWEXT_LOCAL_ADDR={addr:?} is not an address like 127.0.0.1:9000: {err}"))
}

/// Serves `handler` on `PYPWEXT_LOCAL_ADDR` (default `127.0.0.1:9000`) until
/// Ctrl-C; what [`run`](super::run) does outside Lambda.
pub(crate) async fn serve_until_ctrl_c<H, Fut>(handler: H) -> Result<(), lambda_http::Error>
where
    H: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>> + Send + 'static,
{
    let server = LocalServer::bind(local_addr(std::env::var("PYPWEXT_LOCAL_ADDR"))?).await?;
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

/// A handler served on a local port; see [`run`](super::run). Made separately so that
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
    /// get their answers and idle connections close before this returns.
    pub async fn serve<H, Fut>(self, handler: H, shutdown: impl Future<Output = ()>) -> Result<(), lambda_http::Error>
    where
        H: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>> + Send + 'static,
    {
        // Dropping `stop` tells every connection to finish its request and close.
        let (stop, stopping) = tokio::sync::watch::channel(());
        let mut connections = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        connections.spawn(serve_connection(stream, handler.clone(), stopping.clone()));
                    }
                    // A failed accept (out of file descriptors, say) is not the
                    // end of the server: say so and go on.
                    Err(err) => tracing::warn!(target: crate::log_target::LAMBDA, "accepting a connection failed: {err}"),
                },
                // Closed connections leave the set as they go, so it does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(stop);
        while connections.join_next().await.is_some() {}
        Ok(())
    }
}

/// Serves one connection until the client closes it or `stopping` says stop;
/// a request in flight is then answered before the connection closes.
async fn serve_connection<H, Fut>(
    stream: tokio::net::TcpStream,
    handler: H,
    mut stopping: tokio::sync::watch::Receiver<()>,
) where
    H: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Body>, lambda_http::Error>> + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| answer(handler.clone(), request));
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    // A client that goes away mid-request is its own business: connection errors are dropped.
    tokio::select! {
        _ = connection.as_mut() => return,
        // Only ever an error: the sender is dropped, never sent on.
        _ = stopping.changed() => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
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
fn to_lambda_request(parts: http::request::Parts, bytes: Bytes) -> lambda_http::Request {
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

/// `a=1&b=x%20y&a=2` to `{a: [1, 2], b: ["x y"]}`, as API Gateway decodes it.
fn parse_query(query: &str) -> std::collections::HashMap<String, Vec<String>> {
    let mut map: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        map.entry(key.into_owned()).or_default().push(value.into_owned());
    }
    map
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::sync::Notify;

    #[test]
    fn the_local_address_is_the_variables_or_the_default_and_a_bad_one_is_named() {
        use std::env::VarError;
        assert_eq!(
            local_addr(Err(VarError::NotPresent)),
            DEFAULT_LOCAL_ADDR.parse().map_err(|_| String::new())
        );
        assert_eq!(
            local_addr(Ok("127.0.0.1:8123".into())),
            Ok(SocketAddr::from(([127, 0, 0, 1], 8123)))
        );
        let bad = local_addr(Ok("localhost".into())).unwrap_err();
        assert!(
            bad.starts_with("PYPWEXT_LOCAL_ADDR=\"localhost\" is not an address like 127.0.0.1:9000"),
            "{bad}"
        );
    }

    #[test]
    fn repeated_keys_keep_every_value_in_order() {
        let query = parse_query("a=1&b=2&a=3");
        assert_eq!(query["a"], ["1", "3"]);
        assert_eq!(query["b"], ["2"]);
    }

    #[test]
    fn plus_and_percent_escapes_are_decoded() {
        let query = parse_query("b=x%20y+z&k%2By=%26%3D&utf8=%C3%A9");
        assert_eq!(query["b"], ["x y z"]);
        assert_eq!(query["k+y"], ["&="]);
        assert_eq!(query["utf8"], ["é"]);
    }

    #[test]
    fn broken_escapes_stay_as_written() {
        let query = parse_query("bad=%zz&end=%4");
        assert_eq!(query["bad"], ["%zz"]);
        assert_eq!(query["end"], ["%4"]);
    }

    #[test]
    fn invalid_utf8_escapes_become_replacement_characters() {
        let query = parse_query("name=%FF%41&%C3=x");
        assert_eq!(query["name"], ["\u{FFFD}A"]);
        assert_eq!(query["\u{FFFD}"], ["x"]);
    }

    #[test]
    fn empty_values_and_pairs() {
        let query = parse_query("flag&empty=&&=v&eq=a=b");
        assert_eq!(query["flag"], [""]);
        assert_eq!(query["empty"], [""]);
        assert_eq!(query[""], ["v"]);
        assert_eq!(query["eq"], ["a=b"]);
        assert_eq!(query.len(), 4);
    }

    #[test]
    fn request_ids_are_unique() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn requests_look_like_api_gateway_http_api_requests() {
        let (parts, ()) = http::Request::post("http://localhost:9000/orders/7?x=1&x=2")
            .body(())
            .unwrap()
            .into_parts();
        let request = to_lambda_request(parts, Bytes::from_static(b"{\"a\":1}"));

        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.raw_http_path(), "/orders/7");
        assert_eq!(
            request.query_string_parameters_ref().unwrap().all("x").unwrap(),
            ["1", "2"]
        );
        assert!(matches!(request.body(), Body::Text(text) if text == "{\"a\":1}"));
        let lambda_context = request.lambda_context_ref().unwrap();
        let RequestContext::ApiGatewayV2(api_context) = request.request_context_ref().unwrap() else {
            panic!("not an HTTP API (v2) request context");
        };
        assert_eq!(
            api_context.request_id.as_deref(),
            Some(lambda_context.request_id.as_str())
        );
        assert_eq!(api_context.stage.as_deref(), Some("$default"));
        assert_eq!(api_context.http.method, http::Method::POST);
        assert_eq!(api_context.http.path.as_deref(), Some("/orders/7"));
        assert!(lambda_context.invoked_function_arn.starts_with("arn:aws:lambda:local:"));
        assert!(lambda_context.deadline > 0);
    }

    #[test]
    fn bodies_that_are_not_utf8_stay_binary() {
        let (parts, ()) = http::Request::post("/").body(()).unwrap().into_parts();
        let request = to_lambda_request(parts, Bytes::from_static(&[0xff, 0x00]));
        assert!(matches!(request.body(), Body::Binary(bytes) if bytes == &[0xff, 0x00]));
        let (parts, ()) = http::Request::get("/").body(()).unwrap().into_parts();
        assert!(matches!(to_lambda_request(parts, Bytes::new()).body(), Body::Empty));
    }

    /// Sends a request that closes the connection after the answer.
    async fn send(addr: SocketAddr, body: &[u8]) -> tokio::net::TcpStream {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /slow HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body).await.unwrap();
        stream
    }

    async fn read_answer(mut stream: tokio::net::TcpStream) -> String {
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn shutdown_waits_for_the_request_in_flight() {
        let started = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let handler = {
            let (started, release) = (started.clone(), release.clone());
            move |_request: lambda_http::Request| {
                let (started, release) = (started.clone(), release.clone());
                async move {
                    started.notify_one();
                    release.notified().await;
                    Ok(http::Response::new(Body::Text("finished".to_owned())))
                }
            }
        };
        let server = LocalServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut serving = tokio::spawn(server.serve(handler, async {
            let _ = stopped.await;
        }));

        let stream = send(addr, b"{}").await;
        started.notified().await;
        stop.send(()).unwrap();
        let still_serving = tokio::time::timeout(Duration::from_millis(200), &mut serving).await;
        assert!(
            still_serving.is_err(),
            "stopped before the request in flight was answered"
        );

        release.notify_one();
        let answer = read_answer(stream).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert!(answer.ends_with("finished"), "{answer}");
        let served = tokio::time::timeout(Duration::from_secs(5), serving).await;
        assert!(matches!(served, Ok(Ok(Ok(())))), "{served:?}");
    }

    #[tokio::test]
    async fn shutdown_closes_idle_connections() {
        let handler =
            |_request: lambda_http::Request| async { Ok::<_, lambda_http::Error>(http::Response::new(Body::Empty)) };
        let server = LocalServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(handler, async {
            let _ = stopped.await;
        }));
        // A client that connects and says nothing, as a keep-alive pool does.
        let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;

        stop.send(()).unwrap();
        let served = tokio::time::timeout(Duration::from_secs(5), serving).await;
        assert!(matches!(served, Ok(Ok(Ok(())))), "{served:?}");
        let mut rest = Vec::new();
        assert_eq!(idle.read_to_end(&mut rest).await.unwrap(), 0, "the server closed it");
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused() {
        let handler =
            |_request: lambda_http::Request| async { Ok::<_, lambda_http::Error>(http::Response::new(Body::Empty)) };
        let server = LocalServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.local_addr();
        let serving = tokio::spawn(server.serve(handler, std::future::pending()));

        let answer = read_answer(send(addr, &vec![b'x'; MAX_REQUEST_BYTES + 1]).await).await;
        assert!(answer.starts_with("HTTP/1.1 413 Payload Too Large"), "{answer}");
        serving.abort();
    }
}
