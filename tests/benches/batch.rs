//! `#[batch_response]` on SQS batches of 1,000 records. Run with
//! `cargo bench -p pypwext-tests --bench batch`.
//!
//! - I/O-bound records (each waits 1 ms, as a call to another service
//!   would): `concurrency = 10` against `concurrency = 1`; goal ≥ 8× faster.
//! - The per-record overhead: the macro against a hand-written loop over the
//!   same records producing the same partial batch response (parse the body,
//!   check the order, list the failures), logging off; goal ≤ 1.2×.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use pypwext::batch::{LambdaEvent, SqsBatchResponse, SqsEvent, SqsMessage};
use pypwext::{Json, PwError, StatusCode, batch_response};
use tracing::level_filters::LevelFilter;

const RECORDS: usize = 1_000;

#[derive(serde::Deserialize)]
struct Order {
    id: u64,
    customer: String,
    items: Vec<Line>,
}

#[derive(serde::Deserialize)]
struct Line {
    sku: String,
    quantity: u32,
}

/// The work of one record: refuse an empty order or an absurd quantity.
fn check(order: &Order) -> Result<(), PwError> {
    if order.customer.is_empty() || order.items.iter().any(|l| l.quantity == 0 || l.sku.is_empty()) {
        return Err(PwError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("order {} refused", order.id),
        ));
    }
    Ok(())
}

#[batch_response(concurrency = 1)]
async fn waits_one_at_a_time(message: &SqsMessage) -> Result<(), PwError> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    black_box(message);
    Ok(())
}

#[batch_response(concurrency = 10)]
async fn waits_ten_at_a_time(message: &SqsMessage) -> Result<(), PwError> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    black_box(message);
    Ok(())
}

#[batch_response(source = Sqs)]
async fn with_pypwext(Json(order): Json<Order>) -> Result<(), PwError> {
    check(&order)
}

/// The same by hand: parse each body, check it, list what failed.
async fn by_hand(event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let mut response = SqsBatchResponse::default();
    for message in &event.payload.records {
        let ok = message
            .body
            .as_deref()
            .and_then(|body| serde_json::from_str::<Order>(body).ok())
            .is_some_and(|order| check(&order).is_ok());
        if !ok {
            response.add_failure(message.message_id.clone().unwrap_or_default());
        }
    }
    Ok(response)
}

/// 1,000 orders; every 50th fails: half of them refused, half do not parse.
fn event() -> SqsEvent {
    let records: Vec<serde_json::Value> = (0..RECORDS)
        .map(|i| {
            let body = if i % 100 == 99 {
                format!(r#"{{"id":{i},"customer":"ada","items":[{{"sku":"APPLE","quantity":"two"}}]}}"#)
            } else {
                let quantity = if i % 50 == 49 { 0 } else { 1 + i % 7 };
                format!(
                    r#"{{"id":{i},"customer":"ada","items":[{{"sku":"APPLE","quantity":{quantity}}},{{"sku":"MELON","quantity":2}}]}}"#
                )
            };
            serde_json::json!({
                "messageId": format!("msg-{i}"),
                "body": body,
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders",
                "attributes": {"ApproximateReceiveCount": "1"},
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).expect("an SQS event")
}

fn invocation(event: &SqsEvent) -> LambdaEvent<SqsEvent> {
    LambdaEvent::new(event.clone(), lambda_runtime::Context::default())
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let event = event();
    let off = common::pypwext_to_sink(LevelFilter::OFF);
    tracing::dispatcher::with_default(&off, || {
        // Both answer the same.
        let ours = runtime.block_on(with_pypwext(invocation(&event))).unwrap();
        let theirs = runtime.block_on(by_hand(invocation(&event))).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.batch_item_failures.len(), 20);

        let mut group = c.benchmark_group("batch_overhead");
        group.bench_function("by_hand_1000_records", |b| {
            b.iter_batched(
                || invocation(&event),
                |e| runtime.block_on(by_hand(black_box(e))).unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function("pypwext_1000_records", |b| {
            b.iter_batched(
                || invocation(&event),
                |e| runtime.block_on(with_pypwext(black_box(e))).unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
        group.finish();

        let mut group = c.benchmark_group("batch_io_bound");
        group.sample_size(10).measurement_time(Duration::from_secs(15));
        group.bench_function("concurrency_1_1000_records_1ms", |b| {
            b.iter_batched(
                || invocation(&event),
                |e| runtime.block_on(waits_one_at_a_time(e)).unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function("concurrency_10_1000_records_1ms", |b| {
            b.iter_batched(
                || invocation(&event),
                |e| runtime.block_on(waits_ten_at_a_time(e)).unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
        group.finish();
    });
}

/// The overhead ratio in alternating batches: this shared machine drifts by
/// more than the difference in the seconds between two criterion benches.
/// Wall time, not the thread's CPU time: here the kernel counts CPU time in
/// 4 ms ticks, as coarse as one side of a round.
fn interleaved_overhead() {
    const ROUNDS: usize = 31;
    const BATCH: usize = 50;
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let event = event();
    let off = common::pypwext_to_sink(LevelFilter::OFF);
    let info = common::pypwext_to_sink(LevelFilter::INFO);
    println!("\n== batch overhead: {RECORDS} records a call, alternating batches of {BATCH} calls, {ROUNDS} rounds ==");
    for (dispatch, label) in [
        (&off, "logging off"),
        (&info, "INFO, the ERROR lines of the 20 failed records to a sink"),
    ] {
        tracing::dispatcher::with_default(dispatch, || {
            let time = |macro_side: bool| {
                // The events are made before the clock starts, as criterion's
                // `iter_batched` does: copying 1,000 records is not the overhead.
                let invocations: Vec<_> = (0..BATCH).map(|_| invocation(&event)).collect();
                let wall = std::time::Instant::now();
                for invocation in invocations {
                    if macro_side {
                        black_box(runtime.block_on(with_pypwext(black_box(invocation))).unwrap());
                    } else {
                        black_box(runtime.block_on(by_hand(black_box(invocation))).unwrap());
                    }
                }
                wall.elapsed().as_nanos() as f64 / (BATCH * RECORDS) as f64
            };
            let (mut ratios, mut ours_ns, mut theirs_ns) = (vec![], vec![], vec![]);
            for _ in 0..ROUNDS {
                let ours = time(true);
                let theirs = time(false);
                ratios.push(ours / theirs);
                ours_ns.push(ours);
                theirs_ns.push(theirs);
            }
            let median = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
            };
            println!(
                "macro / hand-written loop, {label}: {:.3}x (p10 {:.3}, p90 {:.3}); per record macro {:.0} ns, by hand {:.0} ns (medians; goal <= 1.2)",
                median(&mut ratios),
                ratios[ROUNDS / 10],
                ratios[ROUNDS * 9 / 10],
                median(&mut ours_ns),
                median(&mut theirs_ns),
            );
        });
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    let per_record = |name: &str| common::median_ns("batch_overhead", name).map(|ns| ns / RECORDS as f64);
    if let (Some(ours), Some(theirs)) = (per_record("pypwext_1000_records"), per_record("by_hand_1000_records")) {
        println!("\n== batch: per record, macro {ours:.0} ns vs by hand {theirs:.0} ns");
    }
    common::summary(
        "batch benchmark summary",
        &[
            ("batch_overhead", "by_hand_1000_records"),
            ("batch_overhead", "pypwext_1000_records"),
            ("batch_io_bound", "concurrency_1_1000_records_1ms"),
            ("batch_io_bound", "concurrency_10_1000_records_1ms"),
        ],
        &[
            (
                "per-record overhead: macro / hand-written loop",
                ("batch_overhead", "pypwext_1000_records"),
                ("batch_overhead", "by_hand_1000_records"),
                "goal <= 1.2",
            ),
            (
                "I/O-bound speed-up: concurrency 1 / concurrency 10",
                ("batch_io_bound", "concurrency_1_1000_records_1ms"),
                ("batch_io_bound", "concurrency_10_1000_records_1ms"),
                "goal >= 8",
            ),
        ],
    );
    interleaved_overhead();
}
