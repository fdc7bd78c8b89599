//! Logging costs, measured side by side in one run:
//!
//! - `format/*`: one event through our line writer vs tracing-subscriber's JSON
//!   formatter, both into a sink (goal: ours not slower);
//! - `logged_off/*`: a `#[logged]` function doing about 1 µs of work with its
//!   levels disabled vs the same function unannotated (goal ≤ 1.05×), with the
//!   logger off and with it at WARN (ERROR on: nothing is rendered unless the
//!   call fails);
//! - `emit/*`: ns per line written to a sink, a plain event and a `#[logged]` call;
//! - `keys/*`: inside an invocation, a line with five appended keys and two
//!   span fields vs the same seven fields written on the event (goal ≤ 1.2×);
//! - `buffer/*`: inside an invocation, a DEBUG line held by the buffer vs the
//!   same line written (the buffer is full in steady state: each held line
//!   evicts the oldest).
//!
//! After criterion's own report, a summary prints the medians and the ratios.
//! Run with `cargo bench -p pypwext-tests --bench logging`.

use std::hint::black_box;

mod common;

use criterion::Criterion;
use pypwext::logged;
use tracing::level_filters::LevelFilter;

/// About a microsecond of dependent arithmetic (the summary prints what it
/// took); `black_box` keeps the compiler from folding the loop.
#[inline(never)]
fn work(seed: u64) -> u64 {
    let mut x = black_box(seed);
    for i in 0..WORK_STEPS {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    }
    x
}

const WORK_STEPS: u64 = 1_000;

#[inline(never)]
fn plain(seed: u64) -> u64 {
    work(seed)
}

#[logged]
#[inline(never)]
fn annotated(seed: u64) -> u64 {
    work(seed)
}

fn theirs() -> tracing::Dispatch {
    tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .json()
            .with_current_span(false)
            .with_span_list(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::io::sink)
            .finish(),
    )
}

fn event() {
    tracing::info!(
        order_id = black_box(42u64),
        customer = black_box("alice"),
        paid = true,
        "order accepted"
    );
}

fn bench_format(c: &mut Criterion) {
    let mut group = c.benchmark_group("format");
    for (name, dispatch) in [
        ("pypwext", common::pypwext_to_sink(tracing::Level::INFO)),
        ("tracing_subscriber_json", theirs()),
    ] {
        tracing::dispatcher::with_default(&dispatch, || {
            group.bench_function(name, |b| b.iter(event));
        });
    }
    group.finish();
}

fn bench_logged_off(c: &mut Criterion) {
    let mut group = c.benchmark_group("logged_off");
    group.bench_function("unannotated", |b| b.iter(|| plain(black_box(7))));
    tracing::dispatcher::with_default(&common::pypwext_to_sink(LevelFilter::OFF), || {
        group.bench_function("logged_logger_off", |b| b.iter(|| annotated(black_box(7))));
    });
    tracing::dispatcher::with_default(&common::pypwext_to_sink(tracing::Level::WARN), || {
        group.bench_function("logged_logger_warn", |b| b.iter(|| annotated(black_box(7))));
    });
    group.finish();
}

#[logged(level = "info")]
fn tiny(order_id: u64, customer: &str) -> u64 {
    order_id + customer.len() as u64
}

fn bench_emit(c: &mut Criterion) {
    let mut group = c.benchmark_group("emit");
    tracing::dispatcher::with_default(&common::pypwext_to_sink(tracing::Level::INFO), || {
        group.bench_function("plain_event_line", |b| b.iter(event));
        group.bench_function("logged_call_two_lines", |b| {
            b.iter(|| tiny(black_box(42), black_box("alice")))
        });
    });
    group.finish();
}

fn seven_on_the_event() {
    tracing::info!(
        tenant = "acme",
        region = "eu-west-1",
        cart = 17u64,
        channel = "web",
        experiment = "b",
        order_id = black_box(42u64),
        customer = black_box("alice"),
        "order accepted"
    );
}

fn bench_keys(c: &mut Criterion) {
    let mut group = c.benchmark_group("keys");
    tracing::dispatcher::with_default(&common::pypwext_to_sink(tracing::Level::INFO), || {
        pypwext::lambda::Invocation::new("bench-keys").sync_scope(|| {
            group.bench_function("seven_event_fields", |b| b.iter(seven_on_the_event));
            for (name, value) in [
                ("tenant", "acme"),
                ("region", "eu-west-1"),
                ("channel", "web"),
                ("experiment", "b"),
            ] {
                pypwext::logging::append_key(name, value).unwrap();
            }
            pypwext::logging::append_key("cart", 17u64).unwrap();
            let span = tracing::info_span!("order", order_id = 42u64, customer = "alice");
            let _entered = span.enter();
            group.bench_function("five_appended_two_span_fields", |b| {
                b.iter(|| tracing::info!("order accepted"))
            });
        });
    });
    group.finish();
}

fn bench_buffer(c: &mut Criterion) {
    let mut group = c.benchmark_group("buffer");
    let buffered = tracing::Dispatch::new(
        pypwext::logging::builder()
            .service("bench")
            .level(tracing::Level::DEBUG)
            .buffer(pypwext::logging::BufferConfig::default())
            .writer(std::io::sink)
            .build(),
    );
    let written = common::pypwext_to_sink(tracing::Level::DEBUG);
    for (name, dispatch) in [("debug_line_held", buffered), ("debug_line_written", written)] {
        tracing::dispatcher::with_default(&dispatch, || {
            pypwext::lambda::Invocation::new("bench-buffer").sync_scope(|| {
                group.bench_function(name, |b| {
                    b.iter(|| tracing::debug!(order_id = black_box(42u64), "order looked up"))
                });
            });
        });
    }
    group.finish();
}

fn print_summary() {
    common::summary(
        "logging benchmark summary",
        &[
            ("format", "pypwext"),
            ("format", "tracing_subscriber_json"),
            ("logged_off", "unannotated"),
            ("logged_off", "logged_logger_off"),
            ("logged_off", "logged_logger_warn"),
            ("emit", "plain_event_line"),
            ("emit", "logged_call_two_lines"),
            ("keys", "seven_event_fields"),
            ("keys", "five_appended_two_span_fields"),
            ("buffer", "debug_line_held"),
            ("buffer", "debug_line_written"),
        ],
        &[
            (
                "ours / tracing-subscriber json",
                ("format", "pypwext"),
                ("format", "tracing_subscriber_json"),
                "goal <= 1.00",
            ),
            (
                "logged (logger off) / unannotated",
                ("logged_off", "logged_logger_off"),
                ("logged_off", "unannotated"),
                "goal <= 1.05",
            ),
            (
                "logged (logger at WARN) / unannotated",
                ("logged_off", "logged_logger_warn"),
                ("logged_off", "unannotated"),
                "goal <= 1.05: nothing rendered unless the call fails",
            ),
            (
                "5 appended keys + 2 span fields / 7 event fields",
                ("keys", "five_appended_two_span_fields"),
                ("keys", "seven_event_fields"),
                "goal <= 1.20",
            ),
            (
                "held DEBUG line / written DEBUG line",
                ("buffer", "debug_line_held"),
                ("buffer", "debug_line_written"),
                "the cost of buffering a line",
            ),
        ],
    );
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    // First, while no other logger has been made: tracing caches a callsite's
    // interest across every logger alive when the callsite first runs, and a
    // Lambda function has only one logger.
    bench_logged_off(&mut criterion);
    bench_format(&mut criterion);
    bench_emit(&mut criterion);
    bench_keys(&mut criterion);
    bench_buffer(&mut criterion);
    criterion.final_summary();
    print_summary();
}
