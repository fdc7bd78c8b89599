//! What `#[idempotent]` costs, in one run: the same `#[service_response]`
//! order handler without it and with it, against the in-memory store and
//! against a real `redis-server` on loopback (started here on a free port),
//! for a first call (a new key: the in-progress write, the body, the
//! completed write) and a repeat (one write that finds the record, the
//! stored response read back), with their ratios in alternating batches.
//!
//! Run with `cargo bench -p pypwext-tests --bench idempotency` (redis-server
//! as scripts/test.sh installs it).

mod common;
#[path = "common/order_work.rs"]
#[allow(dead_code)]
mod order_work;

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, OnceLock};

use criterion::Criterion;
use lambda_http::Body;
use pypwext::idempotency::Idempotency;
use pypwext::{Json, PwError, PwResponse, idempotent, service_response};
use pypwext_tests::redis_server::RedisServer;
use tracing::level_filters::LevelFilter;

use order_work::{Order, answer};

static MEMORY: LazyLock<Idempotency> = LazyLock::new(Idempotency::in_memory);
static REDIS_URL: OnceLock<String> = OnceLock::new();
static REDIS: LazyLock<Idempotency> =
    LazyLock::new(|| Idempotency::redis(REDIS_URL.get().expect("redis is up").clone()));

#[service_response]
async fn without(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

#[service_response]
#[idempotent(store = MEMORY, key = order.customer)]
async fn with_memory(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

#[service_response]
#[idempotent(store = REDIS, key = order.customer)]
async fn with_redis(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

/// The order request of `customer`.
fn request(customer: &str) -> lambda_http::Request {
    http::Request::builder()
        .method("POST")
        .uri("/orders")
        .header("content-type", "application/json")
        .body(Body::from(format!(
            r#"{{"customer":"{customer}","items":[{{"sku":"APPLE","quantity":3}},{{"sku":"MELON","quantity":1}}]}}"#
        )))
        .unwrap()
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// One call of `handler`: with a new key each time (`first`) or always the same.
fn caller<'a, H, F>(runtime: &'a tokio::runtime::Runtime, handler: H, first: bool) -> impl FnMut() + 'a
where
    H: Fn(lambda_http::Request) -> F + 'a,
    F: std::future::Future<Output = Result<lambda_http::Response<Body>, lambda_http::Error>>,
{
    move || {
        let customer = if first {
            format!("c-{}", NEXT.fetch_add(1, Ordering::Relaxed))
        } else {
            "c-repeat".to_owned()
        };
        let response = runtime.block_on(handler(black_box(request(&customer)))).unwrap();
        assert_eq!(response.status(), 201);
        black_box(response);
    }
}

const CASES: &[(&str, &str)] = &[
    ("idempotency", "without"),
    ("idempotency", "memory_first"),
    ("idempotency", "memory_repeat"),
    ("idempotency", "redis_first"),
    ("idempotency", "redis_repeat"),
];

fn main() {
    let server = RedisServer::start();
    REDIS_URL.set(server.url().to_owned()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sink = common::pypwext_to_sink(LevelFilter::INFO);
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    tracing::dispatcher::with_default(&sink, || {
        let mut group = criterion.benchmark_group("idempotency");
        group.bench_function("without", |b| b.iter(caller(&runtime, without, true)));
        group.bench_function("memory_first", |b| b.iter(caller(&runtime, with_memory, true)));
        group.bench_function("memory_repeat", |b| b.iter(caller(&runtime, with_memory, false)));
        group.bench_function("redis_first", |b| b.iter(caller(&runtime, with_redis, true)));
        group.bench_function("redis_repeat", |b| b.iter(caller(&runtime, with_redis, false)));
        group.finish();
    });
    criterion.final_summary();
    common::summary(
        "idempotency benchmark summary",
        CASES,
        &[
            (
                "in memory, first call / without",
                ("idempotency", "memory_first"),
                ("idempotency", "without"),
                "",
            ),
            (
                "in memory, repeat / without",
                ("idempotency", "memory_repeat"),
                ("idempotency", "without"),
                "",
            ),
            (
                "redis on loopback, first call / without",
                ("idempotency", "redis_first"),
                ("idempotency", "without"),
                "",
            ),
            (
                "redis on loopback, repeat / without",
                ("idempotency", "redis_repeat"),
                ("idempotency", "without"),
                "",
            ),
        ],
    );
    tracing::dispatcher::with_default(&sink, || {
        for (label, with, first, batch) in [
            ("in memory, first call", with_memory as fn(_) -> _, true, 2_000),
            ("in memory, repeat", with_memory, false, 2_000),
        ] {
            let ratio = common::interleaved(
                caller(&runtime, with, first),
                caller(&runtime, without, true),
                21,
                batch,
            );
            common::print_interleaved(&format!("{label} / without, alternating batches"), &ratio, "");
        }
        for (label, first) in [
            ("redis on loopback, first call", true),
            ("redis on loopback, repeat", false),
        ] {
            let ratio = common::interleaved(
                caller(&runtime, with_redis, first),
                caller(&runtime, without, true),
                21,
                200,
            );
            common::print_interleaved(&format!("{label} / without, alternating batches"), &ratio, "");
        }
    });
    drop(server);
}
