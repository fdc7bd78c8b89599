//! `#[batch_response]` over random batches and hostile bodies.
//!
//! - A property test (proptest): random batches of SQS (standard and FIFO,
//!   with message groups) and Kinesis records that succeed, fail, panic or do
//!   not parse, handled by functions of several `concurrency`s, answer exactly
//!   what the rules say: every record is processed successfully exactly once
//!   or listed exactly once (a stream's records after its first failure are
//!   neither: Lambda resumes there), the list in record order.
//! - 10,000 seeded malformed bodies: no panic, no failed invocation, every one
//!   listed, every ERROR line JSON naming its record.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Mutex, Once};

use proptest::prelude::*;
use pypwext::batch::{KinesisEvent, KinesisEventRecord, LambdaEvent, SqsEvent, SqsMessage};
use pypwext::{Json, PwError, StatusCode, batch_response, logging};
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
struct Item {
    kind: String,
    /// How often the record yields to the others while it runs.
    yields: u8,
}

/// How often each record id's function body started, and how often it succeeded.
static RAN: Mutex<Option<HashMap<String, (usize, usize)>>> = Mutex::new(None);
/// Panics that were not asked for.
static UNEXPECTED_PANICS: AtomicUsize = AtomicUsize::new(0);

/// The panics the records ask for are expected: keep them off stderr, and
/// count every other one.
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let asked = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|m| m.contains("asked to panic"));
            if !asked {
                UNEXPECTED_PANICS.fetch_add(1, AtomicOrdering::Relaxed);
                previous(info);
            }
        }));
    });
}

async fn work(id: &str, item: &Item) -> Result<(), PwError> {
    let count = |success: usize| {
        let mut ran = RAN.lock().unwrap();
        let entry = ran.get_or_insert_with(HashMap::new).entry(id.to_owned()).or_default();
        if success == 0 {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    };
    count(0);
    for _ in 0..item.yields {
        tokio::task::yield_now().await;
    }
    match item.kind.as_str() {
        "ok" => {
            count(1);
            Ok(())
        }
        "panic" => std::panic::panic_any(format!("record {id} asked to panic")),
        _ => Err(PwError::new(StatusCode::CONFLICT, format!("record {id} failed"))),
    }
}

fn sqs_id(message: &SqsMessage) -> &str {
    message.message_id.as_deref().unwrap_or("")
}

#[batch_response(concurrency = 1, fail_whole_batch = false)]
async fn sqs_one(Json(item): Json<Item>, message: &SqsMessage) -> Result<(), PwError> {
    work(sqs_id(message), &item).await
}

#[batch_response(concurrency = 3, fail_whole_batch = false)]
async fn sqs_three(Json(item): Json<Item>, message: &SqsMessage) -> Result<(), PwError> {
    work(sqs_id(message), &item).await
}

#[batch_response(concurrency = 8, fail_whole_batch = false)]
async fn sqs_eight(Json(item): Json<Item>, message: &SqsMessage) -> Result<(), PwError> {
    work(sqs_id(message), &item).await
}

#[batch_response(concurrency = 4, skip_group_on_error, fail_whole_batch = false)]
async fn sqs_skip_group(Json(item): Json<Item>, message: &SqsMessage) -> Result<(), PwError> {
    work(sqs_id(message), &item).await
}

/// The default: a batch that failed whole fails the invocation.
#[batch_response(concurrency = 5)]
async fn sqs_whole(Json(item): Json<Item>, message: &SqsMessage) -> Result<(), PwError> {
    work(sqs_id(message), &item).await
}

#[batch_response(fail_whole_batch = false)]
async fn kinesis(Json(item): Json<Item>, record: &KinesisEventRecord) -> Result<(), PwError> {
    work(&record.kinesis.sequence_number, &item).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ok,
    Err,
    Panic,
    Malformed,
}

#[derive(Debug, Clone, Copy)]
enum Handler {
    One,
    Three,
    Eight,
    SkipGroup,
    Whole,
    Kinesis,
}

#[derive(Debug, Clone)]
struct Record {
    kind: Kind,
    group: u8,
    yields: u8,
}

fn body(record: &Record) -> String {
    let kind = match record.kind {
        Kind::Ok => "ok",
        Kind::Err => "err",
        Kind::Panic => "panic",
        Kind::Malformed => return format!(r#"{{"kind": "ok", "yields": "{}"}}"#, record.yields),
    };
    json!({ "kind": kind, "yields": record.yields }).to_string()
}

/// What the rules say: per record, `Some(true)` processed successfully,
/// `Some(false)` listed, `None` neither (a stream's records after its first failure).
fn model(records: &[Record], fifo: bool, stream: bool, skip_group: bool) -> Vec<Option<bool>> {
    let mut fates = Vec::new();
    let mut stopped = false;
    let mut failed_groups = Vec::new();
    for record in records {
        let failed = record.kind != Kind::Ok;
        if stream {
            fates.push(if stopped { None } else { Some(!failed) });
            stopped |= failed;
        } else if fifo && (stopped || failed_groups.contains(&record.group)) {
            fates.push(Some(false));
        } else {
            fates.push(Some(!failed));
            if fifo && failed {
                if skip_group {
                    failed_groups.push(record.group);
                } else {
                    stopped = true;
                }
            }
        }
    }
    fates
}

static CASE: AtomicUsize = AtomicUsize::new(0);

fn run_case(runtime: &tokio::runtime::Runtime, records: &[Record], handler: Handler, fifo: bool) -> Result<(), String> {
    let case = CASE.fetch_add(1, AtomicOrdering::Relaxed);
    let stream = matches!(handler, Handler::Kinesis);
    let fifo = fifo && !stream;
    let skip_group = matches!(handler, Handler::SkipGroup);
    let ids: Vec<String> = (0..records.len()).map(|i| format!("{case}-{i}")).collect();
    let queue = if fifo { "orders.fifo" } else { "orders" };
    let event: Value = if stream {
        let records: Vec<Value> = records
            .iter()
            .zip(&ids)
            .map(|(r, id)| {
                let data = pypwext_tests_base64(body(r).as_bytes());
                json!({"kinesis": {"sequenceNumber": id, "data": data, "partitionKey": "p", "approximateArrivalTimestamp": 1.5e9}})
            })
            .collect();
        json!({ "Records": records })
    } else {
        let records: Vec<Value> = records
            .iter()
            .zip(&ids)
            .map(|(r, id)| {
                json!({
                    "messageId": id,
                    "body": body(r),
                    "eventSourceARN": format!("arn:aws:sqs:eu-west-1:123456789012:{queue}"),
                    "attributes": {"MessageGroupId": format!("g{}", r.group)},
                })
            })
            .collect();
        json!({ "Records": records })
    };
    let response: Result<Value, String> = runtime.block_on(async {
        let context = pypwext::batch::Context::default();
        let result = if stream {
            let event: KinesisEvent = serde_json::from_value(event).map_err(|e| e.to_string())?;
            kinesis(LambdaEvent::new(event, context))
                .await
                .map(|r| serde_json::to_value(r).unwrap())
        } else {
            let event: SqsEvent = serde_json::from_value(event).map_err(|e| e.to_string())?;
            let event = LambdaEvent::new(event, context);
            match handler {
                Handler::One => sqs_one(event).await,
                Handler::Three => sqs_three(event).await,
                Handler::Eight => sqs_eight(event).await,
                Handler::SkipGroup => sqs_skip_group(event).await,
                Handler::Whole | Handler::Kinesis => sqs_whole(event).await,
            }
            .map(|r| serde_json::to_value(r).unwrap())
        };
        result.map_err(|e| e.to_string())
    });

    let expected = model(records, fifo, stream, skip_group);
    let mut ran = RAN.lock().unwrap();
    let ran = ran.get_or_insert_with(HashMap::new);
    for (i, (id, fate)) in ids.iter().zip(&expected).enumerate() {
        let (starts, successes) = ran.remove(id).unwrap_or_default();
        if starts > 1 {
            return Err(format!("record {i} ran {starts} times"));
        }
        if (successes == 1) != (*fate == Some(true)) {
            return Err(format!(
                "record {i} ({:?}): succeeded {successes} times, expected {fate:?}",
                records[i].kind
            ));
        }
    }
    let listed: Vec<&str> = ids
        .iter()
        .zip(&expected)
        .filter(|(_, fate)| **fate == Some(false))
        .map(|(id, _)| id.as_str())
        .collect();
    let whole = matches!(handler, Handler::Whole) && !listed.is_empty() && !expected.contains(&Some(true));
    match response {
        Err(error) if whole && error.contains("every record of the batch failed") => Ok(()),
        Err(error) => Err(format!("the invocation failed: {error}")),
        Ok(_) if whole => Err("a batch that failed whole answered instead of failing".to_owned()),
        Ok(response) => {
            let answered: Vec<&str> = response["batchItemFailures"]
                .as_array()
                .ok_or("no batchItemFailures")?
                .iter()
                .map(|f| f["itemIdentifier"].as_str().unwrap_or(""))
                .collect();
            if answered == listed {
                Ok(())
            } else {
                Err(format!("listed {answered:?}, expected {listed:?}"))
            }
        }
    }
}

/// Standard base64, for Kinesis data.
fn pypwext_tests_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![4 => Just(Kind::Ok), 1 => Just(Kind::Err), 1 => Just(Kind::Panic), 1 => Just(Kind::Malformed)]
}

fn record() -> impl Strategy<Value = Record> {
    (kind(), 0u8..3, 0u8..3).prop_map(|(kind, group, yields)| Record { kind, group, yields })
}

fn handler() -> impl Strategy<Value = Handler> {
    prop_oneof![
        Just(Handler::One),
        Just(Handler::Three),
        Just(Handler::Eight),
        Just(Handler::SkipGroup),
        Just(Handler::Whole),
        Just(Handler::Kinesis),
    ]
}

/// One subscriber for every test of this file, writing to a sink: a test
/// without one would race the others for tracing's per-callsite interest.
fn subscriber(sink: &logging::MemoryWriter) -> impl tracing::Subscriber + Send + Sync {
    logging::builder()
        .service("batch-tests")
        .level(tracing::Level::ERROR)
        .writer(sink.clone())
        .build()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_record_succeeds_once_or_is_listed_once_in_record_order(
        records in prop::collection::vec(record(), 0..40),
        handler in handler(),
        fifo in any::<bool>(),
    ) {
        quiet_expected_panics();
        let sink = logging::MemoryWriter::new();
        let _subscriber = tracing::subscriber::set_default(subscriber(&sink));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let outcome = run_case(&runtime, &records, handler, fifo);
        prop_assert!(outcome.is_ok(), "{:?} fifo={} {:?}: {}", handler, fifo, records, outcome.unwrap_err());
        prop_assert_eq!(UNEXPECTED_PANICS.load(AtomicOrdering::Relaxed), 0);
    }
}

/// A deterministic generator: the same 10,000 bodies on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A body that is not an `Item`: noise, broken JSON, wrong types, deep nesting, ….
fn malformed(rng: &mut XorShift) -> Option<String> {
    let text = match rng.below(10) {
        0 => return None,
        1 => String::new(),
        2 => (0..rng.below(64))
            .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
            .collect(),
        3 => r#"{"kind": "ok", "yields": 1"#[..rng.below(25) as usize].to_owned(),
        4 => format!(r#"{{"kind": {}, "yields": 1}}"#, rng.next()),
        5 => format!(r#"{{"kind": "ok", "yields": {}}}"#, rng.next()),
        6 => "[".repeat(1 + rng.below(4096) as usize),
        7 => format!(
            r#"{{"kind": "ok", "yields": 1}}{}"#,
            "x".repeat(1 + rng.below(8) as usize)
        ),
        8 => "\u{0}\u{1}\"\\\n{}".to_owned(),
        _ => format!(r#"{{"yields": 1, "kind": "ok\ud800{}"}}"#, rng.below(10)),
    };
    Some(text)
}

#[test]
fn ten_thousand_malformed_records_fail_alone_without_a_panic() {
    quiet_expected_panics();
    let sink = logging::MemoryWriter::new();
    let _subscriber = tracing::subscriber::set_default(subscriber(&sink));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut rng = XorShift(0x5eed_ba7c_4e11_0001);
    let started = std::time::Instant::now();
    let (mut invocations, mut listed) = (0, 0);
    for batch in 0..10 {
        let mut records: Vec<Value> = (0..1_000)
            .map(|i| {
                let mut record = json!({ "messageId": format!("bad-{batch}-{i}") });
                if let Some(body) = malformed(&mut rng) {
                    record["body"] = body.into();
                }
                record
            })
            .collect();
        // One good record, so the batch is not a batch that failed whole.
        records.push(json!({ "messageId": format!("good-{batch}"), "body": r#"{"kind":"ok","yields":0}"# }));
        let event: SqsEvent = serde_json::from_value(json!({ "Records": records })).unwrap();
        let response = runtime
            .block_on(sqs_eight(LambdaEvent::new(event, Default::default())))
            .unwrap_or_else(|err| panic!("batch {batch}: the invocation failed: {err}"));
        invocations += 1;
        let ids: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        let expected: Vec<String> = (0..1_000).map(|i| format!("bad-{batch}-{i}")).collect();
        assert_eq!(ids, expected, "batch {batch}");
        listed += ids.len();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "bounded in time"
        );
    }
    assert_eq!((invocations, listed), (10, 10_000));
    assert_eq!(UNEXPECTED_PANICS.load(AtomicOrdering::Relaxed), 0, "no panic");
    let lines = sink.lines();
    assert_eq!(lines.len(), 10_000, "one ERROR line per malformed record");
    for line in lines {
        let line: Value = serde_json::from_str(&line).expect("every line is JSON");
        assert!(line["record_id"].as_str().unwrap().starts_with("bad-"), "{line}");
        assert!(line["message"].as_str().unwrap().starts_with("Record bad-"), "{line}");
    }
    // The good records ran, each once.
    let mut ran = RAN.lock().unwrap();
    let ran = ran.get_or_insert_with(HashMap::new);
    for batch in 0..10 {
        assert_eq!(ran.remove(&format!("good-{batch}")), Some((1, 1)));
    }
}

/// The whole stack on one record at a time, three in flight: every line of a
/// record, `#[logged]`'s and `#[collect_errors]`'s below the batch included,
/// carries that record's id and the invocation's keys.
#[batch_response(concurrency = 3)]
#[pypwext::collect_errors]
#[pypwext::logged(level = "info")]
async fn stacked(Json(item): Json<Item>, message: &SqsMessage) -> Result<(), PwError> {
    for _ in 0..item.yields {
        tokio::task::yield_now().await;
    }
    if item.kind == "collect" {
        return Err(
            PwError::new(StatusCode::NOT_FOUND, format!("{} collected", sqs_id(message)))
                .with_action(pypwext::ErrorAction::Continue),
        );
    }
    Ok(())
}

#[test]
fn every_line_of_a_record_carries_its_id_below_the_batch_too() {
    let sink = logging::MemoryWriter::new();
    let subscriber = logging::builder().service("batch-tests").writer(sink.clone()).build();
    let _subscriber = tracing::subscriber::set_default(subscriber);
    let records: Vec<Value> = (0..6)
        .map(|i| {
            let kind = if i % 2 == 0 { "ok" } else { "collect" };
            json!({"messageId": format!("m{i}"), "body": json!({"kind": kind, "yields": 3 - i % 3}).to_string()})
        })
        .collect();
    let event: SqsEvent = serde_json::from_value(json!({ "Records": records })).unwrap();
    let mut context = pypwext::batch::Context::default();
    "req-stacked".clone_into(&mut context.request_id);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let response = runtime.block_on(stacked(LambdaEvent::new(event, context))).unwrap();
    assert!(
        response.batch_item_failures.is_empty(),
        "collected errors do not fail a record"
    );

    let lines: Vec<Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let entering: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"]["msg"] == "Entering stacked")
        .collect();
    let exiting: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"]["msg"] == "Exiting stacked")
        .collect();
    // `#[logged]` below `#[collect_errors]` sees a collected error as an `Err`.
    let failing: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"]["msg"] == "Exception in stacked")
        .collect();
    let collected: Vec<&Value> = lines.iter().filter(|l| l["level"] == "WARNING").collect();
    assert_eq!(
        (entering.len(), exiting.len(), failing.len(), collected.len()),
        (6, 3, 3, 3),
        "{lines:#?}"
    );
    for line in &lines {
        assert_eq!(line["function_request_id"], "req-stacked", "{line}");
        assert!(
            line["record_id"].as_str().is_some_and(|id| id.starts_with('m')),
            "{line}"
        );
    }
    for line in collected {
        let id = line["record_id"].as_str().unwrap();
        assert_eq!(line["message"]["msg"], format!("{id} collected"), "{line}");
    }
}

/// The handler's future can be spawned, and run on a multi-threaded runtime
/// (Lambda Managed Instances run several invocations at once).
#[test]
fn the_handler_future_is_send() {
    fn send<T: Send + 'static>(_: &T) {}
    let event = LambdaEvent::new(SqsEvent::default(), Default::default());
    send(&stacked(event));
    send(&sqs_one(LambdaEvent::new(SqsEvent::default(), Default::default())));
    send(&sqs_skip_group(LambdaEvent::new(
        SqsEvent::default(),
        Default::default(),
    )));
    send(&kinesis(LambdaEvent::new(KinesisEvent::default(), Default::default())));
}

#[pypwext::metrics(namespace = "shop", service = "order-events")]
#[batch_response(concurrency = 2)]
async fn counted(message: &SqsMessage) -> Result<(), PwError> {
    pypwext::metrics::add_metric("Records", pypwext::metrics::MetricUnit::Count, 1.0)?;
    match message.body.as_deref() {
        Some("refuse") => Err(PwError::new(StatusCode::CONFLICT, "refused")),
        _ => Ok(()),
    }
}

#[test]
fn metrics_above_a_batch_count_every_record_of_the_invocation_in_one_line() {
    pypwext_tests::install_global_subscriber();
    let sink = logging::MemoryWriter::new();
    let logger = logging::builder().writer(sink.clone()).build();
    let event: SqsEvent = serde_json::from_value(json!({"Records": [
        {"messageId": "m-1", "body": "ok", "eventSourceARN": "arn:aws:sqs:eu-west-1:1:q"},
        {"messageId": "m-2", "body": "refuse", "eventSourceARN": "arn:aws:sqs:eu-west-1:1:q"},
        {"messageId": "m-3", "body": "ok", "eventSourceARN": "arn:aws:sqs:eu-west-1:1:q"},
    ]}))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let response = tracing::subscriber::with_default(logger, || {
        runtime.block_on(counted(LambdaEvent::new(event, Default::default())))
    })
    .unwrap();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}]})
    );
    let emf: Vec<Value> = sink
        .lines()
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l.get("_aws").is_some())
        .collect();
    assert_eq!(emf.len(), 1, "{emf:?}");
    assert_eq!(
        emf[0]["Records"],
        json!([1.0, 1.0, 1.0]),
        "every record, the failed one too"
    );
    assert_eq!(emf[0]["service"], "order-events");
}
