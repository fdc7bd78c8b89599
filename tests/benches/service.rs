//! The full `#[service_response]` stack vs the same work written by hand on
//! lambda_http, side by side in one run, with logging off and with INFO lines
//! to a sink. Run with `cargo bench -p pypwext-tests --bench service`.

mod common;

use std::hint::black_box;
use std::sync::Arc;

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
    let json = |status: StatusCode, body: serde_json::Value| {
        lambda_http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::Text(body.to_string()))
    };
    let bytes: &[u8] = match request.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    let order: Order = match serde_json::from_slice(bytes) {
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

    println!(
        "future sizes: pypwext {} bytes, by hand {} bytes, request {} bytes",
        std::mem::size_of_val(&with_pypwext(request())),
        std::mem::size_of_val(&by_hand(request())),
        std::mem::size_of::<lambda_http::Request>()
    );
    let mut group = c.benchmark_group("service");
    for (name, level) in [("off", LevelFilter::OFF), ("info_to_sink", LevelFilter::INFO)] {
        tracing::dispatcher::with_default(&common::pypwext_to_sink(level), || {
            group.bench_function(format!("by_hand_{name}"), |b| {
                b.iter(|| runtime.block_on(by_hand(black_box(request()))).unwrap())
            });
            group.bench_function(format!("pypwext_{name}"), |b| {
                b.iter(|| runtime.block_on(with_pypwext(black_box(request()))).unwrap())
            });
            if name == "off" {
                group.bench_function("service_layer_only_off", |b| {
                    b.iter(|| runtime.block_on(service_only(black_box(request()))).unwrap())
                });
            }
        });
    }
    group.finish();
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
            ("service", "by_hand_info_to_sink"),
            ("service", "pypwext_info_to_sink"),
            ("service", "service_layer_only_off"),
        ],
        &[
            (
                "full stack / by hand, logging off",
                ("service", "pypwext_off"),
                ("service", "by_hand_off"),
                "goal <= 1.10",
            ),
            (
                "the response layer alone / by hand",
                ("service", "service_layer_only_off"),
                ("service", "by_hand_off"),
                "what #[service_response] itself costs",
            ),
            (
                "full stack with INFO lines to a sink / by hand",
                ("service", "pypwext_info_to_sink"),
                ("service", "by_hand_off"),
                "goal <= 1.50",
            ),
        ],
    );
}
