//! A Lambda Runtime API emulator on loopback: the three calls the real
//! `lambda_runtime` loop makes (`next`, `response`, `error`), with the
//! headers the real service sends. Every connection is served on its own
//! task, so several `next` long-polls wait at once, as a runtime running
//! concurrent invocations (`AWS_LAMBDA_MAX_CONCURRENCY`) makes them; the
//! emulator counts the invocations in flight. Shared by the end-to-end tests
//! and the cold-start benchmark.

#![allow(dead_code)] // each test binary uses its own part of it

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::sync::Notify;

/// One event waiting to be handed to the function.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub event: String,
    pub trace_id: String,
}

/// What the function posted back for an invocation.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub request_id: String,
    /// `response`, `error` or `init-error`.
    pub kind: String,
    pub body: String,
}

#[derive(Default)]
struct State {
    pending: Mutex<VecDeque<Invocation>>,
    pending_added: Notify,
    outcomes: Mutex<Vec<Outcome>>,
    outcome_added: Notify,
    /// Connections accepted: a function's runtime client keeps one open.
    connections: std::sync::atomic::AtomicUsize,
    /// Invocations handed out by `next` and not yet answered, and the most
    /// there ever were at once.
    in_flight: std::sync::atomic::AtomicUsize,
    max_in_flight: std::sync::atomic::AtomicUsize,
}

/// The emulator; dropped, it stops serving.
pub struct RuntimeApi {
    addr: SocketAddr,
    state: Arc<State>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeApi {
    /// Serves on a free loopback port.
    pub async fn start() -> RuntimeApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State::default());
        let served = state.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = served.clone();
                state.connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| answer(state.clone(), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        RuntimeApi { addr, state, server }
    }

    /// How many connections the emulator accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The most invocations that were handed out and not yet answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Queues an event.
    pub fn push(&self, request_id: &str, event: &str) {
        self.push_traced(request_id, event, &format!("Root=1-6741a000-{request_id};Sampled=1"));
    }

    /// Queues an event with its own trace header (`Lambda-Runtime-Trace-Id`).
    pub fn push_traced(&self, request_id: &str, event: &str, trace_header: &str) {
        self.state.pending.lock().unwrap().push_back(Invocation {
            request_id: request_id.to_owned(),
            event: event.to_owned(),
            trace_id: trace_header.to_owned(),
        });
        self.state.pending_added.notify_waiters();
    }

    /// Waits until `count` outcomes were posted, or `timeout` passed.
    pub async fn outcomes(&self, count: usize, timeout: Duration) -> Vec<Outcome> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.outcome_added.notified();
            {
                let outcomes = self.state.outcomes.lock().unwrap();
                if outcomes.len() >= count {
                    return outcomes.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.state.outcomes.lock().unwrap().clone();
            }
        }
    }
}

type Reply = http::Response<Full<Bytes>>;

fn reply(status: u16, body: &str) -> Reply {
    let mut response = http::Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
    response
}

async fn answer(state: Arc<State>, request: http::Request<Incoming>) -> Result<Reply, Infallible> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let body = match request.into_body().collect().await {
        Ok(body) => String::from_utf8_lossy(&body.to_bytes()).into_owned(),
        Err(_) => return Ok(reply(400, "unreadable body")),
    };
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Ok(match (method.as_str(), parts.as_slice()) {
        ("GET", ["2018-06-01", "runtime", "invocation", "next"]) => next(&state).await,
        ("POST", ["2018-06-01", "runtime", "invocation", id, kind @ ("response" | "error")]) => {
            record(&state, id, kind, body);
            reply(202, r#"{"status":"OK"}"#)
        }
        ("POST", ["2018-06-01", "runtime", "init", "error"]) => {
            record(&state, "", "init-error", body);
            reply(202, r#"{"status":"OK"}"#)
        }
        _ => reply(404, "unknown runtime API path"),
    })
}

fn record(state: &State, request_id: &str, kind: &str, body: String) {
    if kind != "init-error" {
        let ordering = std::sync::atomic::Ordering::SeqCst;
        let _ = state
            .in_flight
            .fetch_update(ordering, ordering, |n| Some(n.saturating_sub(1)));
    }
    state.outcomes.lock().unwrap().push(Outcome {
        request_id: request_id.to_owned(),
        kind: kind.to_owned(),
        body,
    });
    state.outcome_added.notify_waiters();
}

/// Long-polls for the next event, as the real service does.
async fn next(state: &State) -> Reply {
    let invocation = loop {
        let notified = state.pending_added.notified();
        if let Some(invocation) = state.pending.lock().unwrap().pop_front() {
            break invocation;
        }
        notified.await;
    };
    let in_flight = state.in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    state
        .max_in_flight
        .fetch_max(in_flight, std::sync::atomic::Ordering::SeqCst);
    let deadline = SystemTime::now() + Duration::from_secs(30);
    let deadline_ms = deadline.duration_since(UNIX_EPOCH).expect("after 1970").as_millis();
    let mut response = reply(200, &invocation.event);
    let headers = response.headers_mut();
    headers.insert("content-type", "application/json".parse().expect("header"));
    headers.insert(
        "lambda-runtime-aws-request-id",
        invocation.request_id.parse().expect("header"),
    );
    headers.insert(
        "lambda-runtime-deadline-ms",
        deadline_ms.to_string().parse().expect("header"),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:eu-west-1:123456789012:function:order-service"
            .parse()
            .expect("header"),
    );
    headers.insert("lambda-runtime-trace-id", invocation.trace_id.parse().expect("header"));
    response
}

/// The environment the Lambda service gives a function, pointed at `api`.
pub fn lambda_env(api: &RuntimeApi) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.address()),
        ("AWS_LAMBDA_FUNCTION_NAME", "order-service".to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/22/[$LATEST]0123456789abcdef".to_owned(),
        ),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/order-service".to_owned()),
        ("AWS_REGION", "eu-west-1".to_owned()),
        ("POWERTOOLS_SERVICE_NAME", "order-service".to_owned()),
    ]
}

/// Starts the `order-service` binary as the Lambda service would, against
/// `api`, logging at `log_level`, with its stdout as given.
pub fn start_function(api: &RuntimeApi, log_level: &str, stdout: std::process::Stdio) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_order-service"))
        .envs(lambda_env(api))
        .env("AWS_LAMBDA_LOG_LEVEL", log_level)
        .stdout(stdout)
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("the order-service binary starts")
}

/// The runtime the emulator tests run on: two workers, IO and timers.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// An API Gateway HTTP API (v2) event: `POST <path>` carrying `body` (JSON
/// text), whose API Gateway request id is `api-<request_id>`.
pub fn http_event(path: &str, request_id: &str, body: &str) -> String {
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("POST {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.8", "userAgent": "test"},
            "requestId": format!("api-{request_id}"),
            "routeKey": format!("POST {path}"),
            "stage": "$default",
            "time": "22/Nov/2026:15:00:00 +0000",
            "timeEpoch": 1763823600000u64
        },
        "body": body,
        "isBase64Encoded": false
    })
    .to_string()
}
