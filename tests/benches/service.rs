//! The full `#[service_response]` stack vs the same work written by hand on
//! lambda_http, side by side in one run, with logging off and with INFO lines
//! to a sink. Run with `cargo bench -p pypwext-tests --bench service`.

mod common;

use std::fmt;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use criterion::Criterion;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt as _};
use pypwext::{Json, PwError, PwResponse, StatusCode, collect_errors, logged, service_response};
use serde::{Deserialize, Serialize};
use tracing::level_filters::LevelFilter;

#[derive(Deserialize, Serialize, Debug)]
struct Order {
    customer: String,
    items: Vec<Line>,
}

#[derive(Deserialize, Serialize, Debug)]
struct Line {
    sku: String,
    quantity: u32,
}

fn price(line: &Line) -> u64 {
    u64::from(line.quantity) * (line.sku.len() as u64 * 10)
}

#[logged(level = "info", operation = "create-order")]
#[collect_errors(root)]
#[service_response]
async fn with_pypwext(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

/// The handlers' work: price the order, answer 201 or 422.
fn answer(order: &Order) -> Result<PwResponse, PwError> {
    if order.items.is_empty() {
        return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, "no items"));
    }
    let total: u64 = order.items.iter().map(price).sum();
    Ok(PwResponse::new(StatusCode::CREATED)
        .with_field("customer", &order.customer)
        .with_field("total_cents", total))
}

/// The response layer alone, to see what each layer adds.
#[service_response]
async fn service_only(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

/// The same answer written by hand: parse, price, answer JSON, map errors.
async fn by_hand(request: lambda_http::Request) -> Result<lambda_http::Response<Body>, lambda_http::Error> {
    answer_by_hand(&request)
}

fn answer_by_hand(request: &lambda_http::Request) -> Result<lambda_http::Response<Body>, lambda_http::Error> {
    let json = |status: StatusCode, body: serde_json::Value| {
        lambda_http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::Text(body.to_string()))
    };
    let order: Order = match serde_json::from_slice(body_bytes(request.body())) {
        Ok(order) => order,
        Err(err) => {
            return Ok(json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": {"code": 400, "msg": err.to_string()}}),
            )?);
        }
    };
    if order.items.is_empty() {
        return Ok(json(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({"error": {"code": 422, "msg": "no items"}}),
        )?);
    }
    let total: u64 = order.items.iter().map(price).sum();
    Ok(json(
        StatusCode::CREATED,
        serde_json::json!({"customer": order.customer, "total_cents": total}),
    )?)
}

fn body_bytes(body: &Body) -> &[u8] {
    match body {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    }
}

/// Whether the by-hand handler has answered before (its `cold_start` key).
static STARTED: AtomicBool = AtomicBool::new(false);

/// Headers with their secrets redacted, as a hand-written handler would log them.
struct Redacted<'a>(&'a http::HeaderMap);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            match name.as_str() {
                "authorization" | "cookie" | "set-cookie" | "x-amz-security-token" => {
                    map.entry(&name.as_str(), &"*****")
                }
                _ => map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes())),
            };
        }
        map.finish()
    }
}

/// The same answer written by hand, logging what the full stack logs at INFO:
/// the request (method, path, query, redacted headers, body) and the response,
/// each line with the invocation's keys.
async fn by_hand_logged(request: lambda_http::Request) -> Result<lambda_http::Response<Body>, lambda_http::Error> {
    let context = request.lambda_context_ref();
    let request_id = context.map_or("", |c| c.request_id.as_str());
    let function_name = context.map_or("", |c| c.env_config.function_name.as_str());
    let memory = context.map_or(0, |c| c.env_config.memory);
    let arn = context.map_or("", |c| c.invoked_function_arn.as_str());
    let correlation_id = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(api)) => api.request_id.as_deref(),
        _ => None,
    };
    let cold_start = !STARTED.load(Ordering::Relaxed) && !STARTED.swap(true, Ordering::Relaxed);
    tracing::info!(
        function_request_id = request_id,
        function_name,
        function_memory_size = memory,
        function_arn = arn,
        correlation_id,
        cold_start,
        method = %request.method(),
        path = request.uri().path(),
        query = ?request.query_string_parameters_ref(),
        headers = ?Redacted(request.headers()),
        body = %String::from_utf8_lossy(body_bytes(request.body())),
        "request"
    );
    let response = answer_by_hand(&request)?;
    tracing::info!(
        function_request_id = request_id,
        function_name,
        function_memory_size = memory,
        function_arn = arn,
        correlation_id,
        cold_start,
        status = response.status().as_u16(),
        headers = ?Redacted(response.headers()),
        body = %String::from_utf8_lossy(body_bytes(response.body())),
        "response"
    );
    Ok(response)
}

fn request() -> lambda_http::Request {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "bench-request".to_owned();
    context.env_config = Arc::new(lambda_runtime::Config {
        function_name: "bench".to_owned(),
        memory: 128,
        ..lambda_runtime::Config::default()
    });
    let mut api = ApiGatewayV2httpRequestContext::default();
    api.request_id = Some("bench-api".to_owned());
    http::Request::builder()
        .method("POST")
        .uri("/orders")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"customer":"ada","items":[{"sku":"APPLE","quantity":3},{"sku":"MELON","quantity":1},{"sku":"PEAR","quantity":7}]}"#,
        ))
        .unwrap()
        .with_lambda_context(context)
        .with_request_context(RequestContext::ApiGatewayV2(api))
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // Both answer the same.
    let ours = runtime.block_on(with_pypwext(request())).unwrap();
    let theirs = runtime.block_on(by_hand(request())).unwrap();
    assert_eq!(ours.status(), theirs.status());
    assert_eq!(ours.body(), theirs.body());

    println!(
        "future sizes: pypwext {} bytes, by hand {} bytes, request {} bytes",
        std::mem::size_of_val(&with_pypwext(request())),
        std::mem::size_of_val(&by_hand(request())),
        std::mem::size_of::<lambda_http::Request>()
    );
    let off = common::pypwext_to_sink(LevelFilter::OFF);
    let info = common::pypwext_to_sink(LevelFilter::INFO);
    let mut group = c.benchmark_group("service");
    tracing::dispatcher::with_default(&off, || {
        group.bench_function("by_hand_off", |b| {
            b.iter(|| runtime.block_on(by_hand(black_box(request()))).unwrap())
        });
        group.bench_function("pypwext_off", |b| {
            b.iter(|| runtime.block_on(with_pypwext(black_box(request()))).unwrap())
        });
        group.bench_function("service_layer_only_off", |b| {
            b.iter(|| runtime.block_on(service_only(black_box(request()))).unwrap())
        });
    });
    tracing::dispatcher::with_default(&info, || {
        group.bench_function("by_hand_logging_info_to_sink", |b| {
            b.iter(|| runtime.block_on(by_hand_logged(black_box(request()))).unwrap())
        });
        group.bench_function("pypwext_info_to_sink", |b| {
            b.iter(|| runtime.block_on(with_pypwext(black_box(request()))).unwrap())
        });
    });
    group.finish();
}

/// The goals' ratios, each pair timed in alternating batches.
fn interleaved_ratios() {
    const ROUNDS: usize = 61;
    const BATCH: usize = 2_000;
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    println!("\n== service goals: ratios measured in alternating batches ({BATCH} calls each) ==");
    let off = common::pypwext_to_sink(LevelFilter::OFF);
    tracing::dispatcher::with_default(&off, || {
        let full = common::interleaved(caller(&runtime, with_pypwext), caller(&runtime, by_hand), ROUNDS, BATCH);
        common::print_interleaved("full stack / by hand, logging off", &full, "goal <= 1.10");
        let layer = common::interleaved(caller(&runtime, service_only), caller(&runtime, by_hand), ROUNDS, BATCH);
        common::print_interleaved(
            "the response layer alone / by hand",
            &layer,
            "what #[service_response] itself costs",
        );
    });
    let info = common::pypwext_to_sink(LevelFilter::INFO);
    tracing::dispatcher::with_default(&info, || {
        let same_lines = common::interleaved(
            caller(&runtime, with_pypwext),
            caller(&runtime, by_hand_logged),
            ROUNDS,
            BATCH,
        );
        common::print_interleaved(
            "full stack with INFO lines / by hand writing the same two lines (same logger, same sink)",
            &same_lines,
            "goal <= 1.50",
        );
        let no_lines = common::interleaved(caller(&runtime, with_pypwext), caller(&runtime, by_hand), ROUNDS, BATCH);
        common::print_interleaved(
            "full stack with INFO lines / by hand writing no lines at all",
            &no_lines,
            "the stricter reading of the goal",
        );
    });
}

/// One call of `handler` on a fresh request, as the criterion benches make it.
fn caller<'a, H, F>(runtime: &'a tokio::runtime::Runtime, handler: H) -> impl FnMut() + 'a
where
    H: Fn(lambda_http::Request) -> F + 'a,
    F: std::future::Future<Output = Result<lambda_http::Response<Body>, lambda_http::Error>>,
{
    move || {
        black_box(runtime.block_on(handler(black_box(request()))).unwrap());
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    common::summary(
        "service benchmark summary",
        &[
            ("service", "by_hand_off"),
            ("service", "pypwext_off"),
            ("service", "service_layer_only_off"),
            ("service", "by_hand_logging_info_to_sink"),
            ("service", "pypwext_info_to_sink"),
        ],
        &[],
    );
    interleaved_ratios();
}
