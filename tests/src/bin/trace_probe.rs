//! A child process for the tracer tests: the environment
//! (`AWS_XRAY_DAEMON_ADDRESS`, the service) and the cold start are
//! process-global, so each scenario runs in a process of its own, sending
//! its documents to the test's UDP listener.
//!
//! `trace-probe SCENARIO HEADER…`:
//! - `peer HEADER_1 HEADER_2`: the invocations of `tests/py/powertools_tracer.py`,
//!   in the same order and shape (keep the two in step), each from a Lambda
//!   `Context` carrying its trace header;
//! - `calls HEADER PORT`: one traced invocation whose calls go to the
//!   loopback server on PORT: an `#[http_method]` call with a query string,
//!   an `HttpSession` request answered 404, one answered 503 then 200
//!   (retried), and a Lambda invocation of `prices`;
//! - `event HEADER HEADER`: two invocations of a handler of a `LambdaEvent`
//!   with `#[traced]` alone on it (as `lambda_runtime::run` would call it),
//!   each event's context carrying its trace header; a call to it from
//!   inside a running invocation; and one event without a trace header.

use std::process::ExitCode;
use std::sync::OnceLock;

use lambda_runtime::{Context, LambdaEvent};
use pypwext::http::{Credentials, HttpSession, http_error};
use pypwext::{PwError, StatusCode, http_method, logged, traced, tracer};
use serde_json::{Value, json};

/// The error of the peer scenario, named as Python's exception is.
#[derive(Debug)]
struct OutOfStock(String);

impl std::fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OutOfStock {}

fn traced_error(err: PwError) -> OutOfStock {
    OutOfStock(err.to_string())
}

#[traced]
fn price(order_id: u64) -> Result<Value, PwError> {
    tracer::put_annotation("priced", true)?;
    Ok(json!({"order_id": order_id, "total": order_id * 10}))
}

#[traced]
fn reserve(order_id: u64) -> Result<(), OutOfStock> {
    Err(OutOfStock(format!("order {order_id} is out of stock")))
}

#[traced]
#[logged(inject_lambda_context)]
async fn handler(event: LambdaEvent<Value>) -> Result<Value, OutOfStock> {
    let order_id = event.payload["order_id"].as_u64().unwrap_or_default();
    tracer::put_annotation("order_id", order_id).map_err(traced_error)?;
    tracer::put_metadata("order", &event.payload).map_err(traced_error)?;
    if event.payload["fail"] == true {
        return Err(OutOfStock(format!("order {order_id} cannot be taken")));
    }
    let priced = price(order_id).map_err(traced_error)?;
    let _ = reserve(order_id);
    Ok(priced)
}

/// `#[traced]` alone on a handler of a `LambdaEvent`: no layer sets the
/// invocation, so the traced layer takes it from the event.
#[traced]
async fn on_event(event: LambdaEvent<Value>) -> Result<Value, OutOfStock> {
    let order_id = event.payload["order_id"].as_u64().unwrap_or_default();
    tracer::put_annotation("order_id", order_id).map_err(traced_error)?;
    Ok(json!({"order_id": order_id}))
}

async fn event(headers: &[String]) -> Result<(), String> {
    for (i, header) in headers.iter().enumerate() {
        let event = LambdaEvent::new(json!({"order_id": i}), context(&format!("req-{i}"), header));
        on_event(event).await.map_err(|e| e.to_string())?;
    }
    // Called inside a running invocation: that invocation's trace, not the
    // event's (its context says otherwise on purpose).
    let running = pypwext::lambda::Invocation::from(&context("req-running", &headers[0]));
    let other = LambdaEvent::new(json!({"order_id": 10}), context("req-other", &headers[1]));
    running.scope(on_event(other)).await.map_err(|e| e.to_string())?;
    // No trace header: nothing recorded, nothing failing.
    let mut untraced = context("req-untraced", "");
    untraced.xray_trace_id = None;
    on_event(LambdaEvent::new(json!({"order_id": 11}), untraced))
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn context(request_id: &str, header: &str) -> Context {
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    context.xray_trace_id = Some(header.to_owned());
    context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-fn".to_owned();
    context
}

async fn peer(headers: &[String]) -> Result<(), String> {
    for (i, header) in headers.iter().enumerate() {
        let event = json!({"order_id": 7, "fail": i == 1});
        let outcome = handler(LambdaEvent::new(event, context(&format!("req-{i}"), header))).await;
        if outcome.is_err() != (i == 1) {
            return Err(format!("invocation {i}: {outcome:?}"));
        }
    }
    Ok(())
}

/// The session of the scenario's calls, with the loopback server as its Lambda endpoint.
static SESSION: OnceLock<HttpSession> = OnceLock::new();

fn session() -> Result<&'static HttpSession, PwError> {
    SESSION
        .get()
        .ok_or_else(|| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, "the session is made first"))
}

#[http_method(url = "http://127.0.0.1:{port}/offers/{id}?token=secret")]
async fn offers(port: u16, id: u32) -> Result<Value, PwError> {}

#[traced]
async fn calls_handler(port: u16) -> Result<(), PwError> {
    offers(port, 7).await?;
    let session = session()?;
    for (path, status) in [("missing", 404), ("flaky", 200)] {
        let answer = session.get(format!("http://127.0.0.1:{port}/{path}")).send().await;
        let answer = answer.map_err(http_error)?;
        if answer.status() != status {
            return Err(PwError::new(
                answer.status(),
                format!("/{path} answered {}", answer.status()),
            ));
        }
    }
    session.func("prices").body("{}").send().await?;
    Ok(())
}

async fn calls(header: &str, port: u16) -> Result<(), String> {
    let session = HttpSession::builder()
        .lambda_endpoint(format!("http://127.0.0.1:{port}"))
        .region("eu-west-1")
        .credentials(Credentials::new("AKIAPYPWEXTTRACE0001", "trace-test-secret", None))
        .backoff_factor(0.0)
        .build()
        .map_err(|e| e.to_string())?;
    let _ = SESSION.set(session);
    pypwext::lambda::Invocation::from(&context("req-calls", header))
        .scope(calls_handler(port))
        .await
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("trace-probe: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match args.as_slice() {
            [scenario, headers @ ..] if scenario == "peer" => peer(headers).await,
            [scenario, headers @ ..] if scenario == "event" && headers.len() == 2 => event(headers).await,
            [scenario, header, port] if scenario == "calls" => {
                calls(header, port.parse().map_err(|_| "PORT is a number".to_owned())?).await
            }
            _ => Err(
                "usage: trace-probe peer HEADER_1 HEADER_2 | calls HEADER PORT | event HEADER_1 HEADER_2".to_owned(),
            ),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("trace-probe: {err}");
            ExitCode::FAILURE
        }
    }
}
