//! What metrics cost, in one run:
//!
//! - `metrics/add_metric`: one `add_metric` call inside a `#[metrics]` call
//!   (the set flushed, untimed, every 100 calls, as a handler would);
//! - `metrics/flush_100_metrics`: writing a set of 100 metrics (one EMF line)
//!   to the logger's writer, a sink;
//! - `metrics/handler_with_metrics` vs `metrics/handler_without`: a
//!   `#[service_response]` handler that counts `OrdersPlaced` under
//!   `#[metrics]` (its EMF line written to a sink) vs the same handler with
//!   neither, plus their ratio in alternating batches.
//!
//! Run with `cargo bench -p pypwext-tests --bench metrics`.

mod common;
#[path = "common/order_work.rs"]
#[allow(dead_code)]
mod order_work;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lambda_http::{Body, RequestExt as _};
use pypwext::metrics::MetricUnit;
use pypwext::{Json, PwError, PwResponse, metrics, service_response};
use tracing::level_filters::LevelFilter;

use order_work::{Order, answer};

#[service_response]
async fn handler_without(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

#[metrics(namespace = "bench", service = "orders")]
#[service_response]
async fn handler_with_metrics(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
    answer(&order)
}

/// Runs `f` inside a `#[metrics]` call.
#[metrics(namespace = "bench", service = "orders")]
fn in_scope<R>(f: impl FnOnce() -> R) -> R {
    f()
}

fn request() -> lambda_http::Request {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "bench-request".to_owned();
    context.env_config = Arc::new(lambda_runtime::Config {
        function_name: "bench".to_owned(),
        memory: 128,
        ..lambda_runtime::Config::default()
    });
    http::Request::builder()
        .method("POST")
        .uri("/orders")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"customer":"ada","items":[{"sku":"APPLE","quantity":3},{"sku":"MELON","quantity":1},{"sku":"PEAR","quantity":7}]}"#,
        ))
        .unwrap()
        .with_lambda_context(context)
}

/// The 100 metric names of a full line.
fn names() -> Vec<String> {
    (0..100).map(|i| format!("Metric{i}")).collect()
}

fn bench(c: &mut Criterion) {
    let sink = common::pypwext_to_sink(LevelFilter::INFO);
    tracing::dispatcher::with_default(&sink, || {
        let mut group = c.benchmark_group("metrics");
        group.bench_function("add_metric", |b| {
            b.iter_custom(|iters| {
                in_scope(|| {
                    let mut timed = Duration::ZERO;
                    let mut left = iters;
                    while left > 0 {
                        let n = left.min(100);
                        let start = Instant::now();
                        for _ in 0..n {
                            black_box(metrics::add_metric(black_box("OrdersPlaced"), MetricUnit::Count, 1.0)).unwrap();
                        }
                        timed += start.elapsed();
                        metrics::flush().unwrap();
                        left -= n;
                    }
                    timed
                })
            });
        });
        let names = names();
        group.bench_function("flush_100_metrics", |b| {
            b.iter_custom(|iters| {
                in_scope(|| {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        for (i, name) in names.iter().enumerate() {
                            metrics::add_metric(name, MetricUnit::Milliseconds, i as f64).unwrap();
                        }
                        let start = Instant::now();
                        metrics::flush().unwrap();
                        timed += start.elapsed();
                    }
                    timed
                })
            });
        });
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        group.bench_function("handler_without", |b| b.iter(caller(&runtime, handler_without)));
        group.bench_function("handler_with_metrics", |b| {
            b.iter(caller(&runtime, handler_with_metrics))
        });
        group.finish();
    });
}

/// One call of `handler` on a fresh request.
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
        "metrics benchmark summary",
        &[
            ("metrics", "add_metric"),
            ("metrics", "flush_100_metrics"),
            ("metrics", "handler_without"),
            ("metrics", "handler_with_metrics"),
        ],
        &[(
            "handler with #[metrics] / without",
            ("metrics", "handler_with_metrics"),
            ("metrics", "handler_without"),
            "one metric, its EMF line to a sink",
        )],
    );
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let sink = common::pypwext_to_sink(LevelFilter::INFO);
    tracing::dispatcher::with_default(&sink, || {
        let ratio = common::interleaved(
            caller(&runtime, handler_with_metrics),
            caller(&runtime, handler_without),
            31,
            2_000,
        );
        common::print_interleaved(
            "handler with #[metrics] / without, alternating batches of 2000",
            &ratio,
            "what counting one metric per invocation costs",
        );
    });
}
