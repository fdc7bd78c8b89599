//! Logging costs, measured side by side in one run:
//!
//! - `format/*`: one event through our line writer vs tracing-subscriber's JSON
//!   formatter, both into a sink (goal: ours not slower);
//! - `logged_off/*`: a `#[logged]` function doing about 1 µs of work with its
//!   levels disabled vs the same function unannotated (goal ≤ 1.05×), with the
//!   logger off and with it at WARN (where the arguments are still rendered at
//!   entry in case of an exception line);
//! - `emit/*`: ns per line written to a sink, a plain event and a `#[logged]` call.
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
                "arguments rendered for a possible exception line",
            ),
        ],
    );
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    bench_format(&mut criterion);
    bench_logged_off(&mut criterion);
    bench_emit(&mut criterion);
    criterion.final_summary();
    print_summary();
}
