//! A `#[http_method]` call vs the same call written by hand with reqwest,
//! against one loopback server, side by side in one run; and what a retry
//! costs (a 503 then a 200, no back-off, vs a 200).
//! Run with `cargo bench -p pypwext-tests --bench http`.

mod common;

use std::hint::black_box;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::Criterion;
use pypwext::http::HttpSession;
use pypwext::{PwError, PwResponse, StatusCode, http_method, service_response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Item {
    id: u64,
    name: String,
}

static CALLS: AtomicU64 = AtomicU64::new(0);

/// The server: `/items/{id}` answers an item; `/flaky/{id}` answers 503 on
/// every other request.
#[service_response]
async fn server(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    let path = request.uri().path();
    if path.starts_with("/flaky/") && CALLS.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
        return Err(PwError::new(StatusCode::SERVICE_UNAVAILABLE, "try again"));
    }
    Ok(PwResponse::ok().with_field("id", 7).with_field("name", "melon"))
}

static SESSION: LazyLock<HttpSession> = LazyLock::new(|| {
    HttpSession::builder()
        .backoff_factor(0.0)
        .build()
        .expect("valid settings")
});

#[http_method(url = "http://127.0.0.1:{port}/items/{id}", session = SESSION)]
async fn get_item(port: u16, id: u64) -> Result<Item, PwError> {}

#[http_method(url = "http://127.0.0.1:{port}/flaky/{id}", session = SESSION)]
async fn get_flaky(port: u16, id: u64) -> Result<Item, PwError> {}

async fn by_hand(client: &reqwest::Client, port: u16, id: u64) -> Result<Item, reqwest::Error> {
    client
        .get(format!("http://127.0.0.1:{port}/items/{id}"))
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let port = runtime.block_on(async {
        let server_socket = pypwext::lambda::LocalServer::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let port = server_socket.local_addr().port();
        tokio::spawn(server_socket.serve(server, std::future::pending()));
        port
    });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    // Both get the same item.
    let ours = runtime.block_on(get_item(port, 7)).unwrap();
    let theirs = runtime.block_on(by_hand(&client, port, 7)).unwrap();
    assert_eq!((ours.id, ours.name.as_str()), (theirs.id, theirs.name.as_str()));
    assert_eq!(runtime.block_on(get_flaky(port, 7)).unwrap().id, 7);

    let mut group = c.benchmark_group("http");
    group.bench_function("by_hand_reqwest", |b| {
        b.iter(|| runtime.block_on(by_hand(&client, port, black_box(7))).unwrap())
    });
    group.bench_function("http_method", |b| {
        b.iter(|| runtime.block_on(get_item(port, black_box(7))).unwrap())
    });
    group.bench_function("http_method_one_retry", |b| {
        b.iter(|| runtime.block_on(get_flaky(port, black_box(7))).unwrap())
    });
    group.finish();
}

fn main() {
    pypwext_tests::install_global_subscriber();
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    common::summary(
        "http benchmark summary",
        &[
            ("http", "by_hand_reqwest"),
            ("http", "http_method"),
            ("http", "http_method_one_retry"),
        ],
        &[
            (
                "http_method / by hand",
                ("http", "http_method"),
                ("http", "by_hand_reqwest"),
                "goal <= 1.05",
            ),
            (
                "one retry (503 then 200) / one call",
                ("http", "http_method_one_retry"),
                ("http", "http_method"),
                "the cost of the retry path",
            ),
        ],
    );
}
