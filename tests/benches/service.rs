//! The full `#[service_response]` stack vs the same work written by hand on
//! lambda_http, side by side in one run, with logging off and with INFO lines
//! to a sink. Run with `cargo bench -p pypwext-tests --bench service`.

mod common;
#[path = "common/order_work.rs"]
mod order_work;

use std::hint::black_box;
use std::sync::Arc;

use criterion::Criterion;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt as _};
use pypwext::{Json, PwError, PwResponse, service_response};
use tracing::level_filters::LevelFilter;

use order_work::{Order, answer, answer_by_hand, by_hand_logged, with_pypwext};

/// The response layer alone, to see what each layer adds.
#[service_response]
async fn service_only(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

/// The same answer written by hand: parse, price, answer JSON, map errors.
async fn by_hand(request: lambda_http::Request) -> Result<lambda_http::Response<Body>, lambda_http::Error> {
    answer_by_hand(&request)
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
