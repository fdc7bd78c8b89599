//! The runtime without the macro: hand-made per-record closures over real
//! `aws_lambda_events` events.

use std::sync::Mutex;

use lambda_runtime::Context;
use serde_json::json;

use super::*;
use crate::errors::{ErrorAction, PwError, current_collector};
use crate::json::Json;
use crate::logging::MemoryWriter;

/// Runs one test on its own runtime, one test at a time: a test that logs
/// without a subscriber would otherwise race the ones that capture lines for
/// tracing's per-callsite interest, and a line could go missing.
fn serially<F: std::future::Future>(test: F) -> F::Output {
    static SERIAL: Mutex<()> = Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(test)
}

const OPTS: BatchOptions = BatchOptions::new("on_record");

fn sqs(ids: &[&str], fifo: bool) -> SqsEvent {
    let arn = if fifo {
        "arn:aws:sqs:eu-west-1:123456789012:orders.fifo"
    } else {
        "arn:aws:sqs:eu-west-1:123456789012:orders"
    };
    let records: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            // "<group>-<n>" puts a record in a message group.
            let group = id.split('-').next().unwrap_or("g");
            json!({"messageId": id, "body": id, "eventSourceARN": arn, "attributes": {"MessageGroupId": group}})
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn kinesis(sequence_numbers: &[&str]) -> KinesisEvent {
    let records: Vec<serde_json::Value> = sequence_numbers
        .iter()
        .map(|n| json!({"kinesis": {"sequenceNumber": n, "data": "eyJ4IjoxfQ==", "approximateArrivalTimestamp": 1.5e9, "partitionKey": "p"}}))
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

/// Runs `event` where the records whose id is in `failing` fail (and `"panic"` panics);
/// gives the response as JSON and the ids processed, in processing order.
async fn run<E: BatchEvent>(
    opts: &BatchOptions,
    event: &E,
    failing: &[&str],
) -> (Result<serde_json::Value, String>, Vec<String>) {
    let seen = Mutex::new(Vec::new());
    let context = Context::default();
    let result = process_records(opts, event, &context, |record, _| {
        let id = record.item_identifier().unwrap_or("").to_owned();
        let seen = &seen;
        async move {
            seen.lock().unwrap().push(id.clone());
            tokio::task::yield_now().await;
            if id.contains("panic") {
                panic!("record {id} blew up");
            }
            if failing.contains(&id.as_str()) {
                RecordOutcome::Failed(RecordFailure::from_error(PwError::new(
                    http::StatusCode::CONFLICT,
                    format!("{id} refused"),
                )))
            } else {
                RecordOutcome::Done
            }
        }
    })
    .await;
    let response = result
        .map(|r| serde_json::to_value(r).unwrap())
        .map_err(|e| e.to_string());
    (response, seen.into_inner().unwrap())
}

fn listed(ids: &[&str]) -> serde_json::Value {
    let failures: Vec<serde_json::Value> = ids.iter().map(|id| json!({ "itemIdentifier": id })).collect();
    json!({ "batchItemFailures": failures })
}

#[test]
fn a_standard_queue_lists_every_failure_in_record_order() {
    serially(async {
        let event = sqs(&["a", "b", "panic", "d", "e"], false);
        let opts = BatchOptions { concurrency: 3, ..OPTS };
        let (response, mut seen) = run(&opts, &event, &["d", "a"]).await;
        assert_eq!(response.unwrap(), listed(&["a", "panic", "d"]));
        seen.sort();
        assert_eq!(seen, ["a", "b", "d", "e", "panic"], "every record ran once");
    })
}

#[test]
fn concurrency_runs_records_together_in_one_task() {
    serially(async {
        let in_flight = Mutex::new((0usize, 0usize));
        let event = sqs(&["a", "b", "c", "d", "e", "f"], false);
        let opts = BatchOptions { concurrency: 3, ..OPTS };
        let context = Context::default();
        let response = process_records(&opts, &event, &context, |_, _| {
            let in_flight = &in_flight;
            async move {
                {
                    let mut n = in_flight.lock().unwrap();
                    n.0 += 1;
                    n.1 = n.1.max(n.0);
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                in_flight.lock().unwrap().0 -= 1;
                RecordOutcome::Done
            }
        })
        .await
        .unwrap();
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(in_flight.into_inner().unwrap().1, 3);
    })
}

#[test]
fn a_fifo_queue_stops_at_the_first_failure_and_lists_the_rest() {
    serially(async {
        let event = sqs(&["g-1", "g-2", "h-1", "g-3"], true);
        let (response, seen) = run(&OPTS, &event, &["g-2"]).await;
        assert_eq!(response.unwrap(), listed(&["g-2", "h-1", "g-3"]));
        assert_eq!(seen, ["g-1", "g-2"]);
    })
}

#[test]
fn skip_group_on_error_skips_only_the_failed_group() {
    serially(async {
        let event = sqs(&["g-1", "g-2", "h-1", "g-3", "h-2"], true);
        let opts = BatchOptions {
            skip_group_on_error: true,
            concurrency: 4,
            ..OPTS
        };
        let (response, seen) = run(&opts, &event, &["g-2"]).await;
        assert_eq!(response.unwrap(), listed(&["g-2", "g-3"]));
        assert_eq!(seen, ["g-1", "g-2", "h-1", "h-2"], "in order, one at a time");
    })
}

#[test]
fn a_stream_stops_at_the_first_failure_and_lists_it_alone() {
    serially(async {
        let event = kinesis(&["100", "200", "300", "400"]);
        let opts = BatchOptions { concurrency: 8, ..OPTS };
        let (response, seen) = run(&opts, &event, &["200", "400"]).await;
        assert_eq!(response.unwrap(), listed(&["200"]));
        assert_eq!(seen, ["100", "200"]);
    })
}

#[test]
fn a_batch_that_failed_whole_fails_the_invocation_unless_told_not_to() {
    serially(async {
        let event = sqs(&["a", "b"], false);
        let (response, _) = run(&OPTS, &event, &["a", "b"]).await;
        assert!(
            response
                .unwrap_err()
                .contains("every record of the batch failed (2 listed)")
        );
        let opts = BatchOptions {
            fail_whole_batch: false,
            ..OPTS
        };
        assert_eq!(run(&opts, &event, &["a", "b"]).await.0.unwrap(), listed(&["a", "b"]));
        // A FIFO batch whose first record fails has nothing processed successfully either.
        let fifo = sqs(&["g-1", "g-2"], true);
        assert!(run(&OPTS, &fifo, &["g-1"]).await.0.is_err());
        // An empty batch answers an empty list.
        assert_eq!(run(&OPTS, &sqs(&[], false), &[]).await.0.unwrap(), listed(&[]));
    })
}

#[test]
fn a_failed_record_without_an_id_fails_the_invocation() {
    serially(async {
        let event: SqsEvent =
            serde_json::from_value(json!({"Records": [{"messageId": "a"}, {"body": "no id"}]})).unwrap();
        let (response, _) = run(&OPTS, &event, &[""]).await;
        assert!(
            response
                .unwrap_err()
                .contains("record 1 of the batch failed and has no message id")
        );
    })
}

#[test]
fn each_record_has_its_own_collector_and_its_id_on_every_line() {
    // Records in flight together (each its own scope), one at a time (one
    // scope started afresh per record), and a FIFO queue (where the record
    // after the failure is skipped).
    for (concurrency, fifo, listed_ids, processed) in [
        (3, false, &["b"][..], 3),
        (1, false, &["b"][..], 3),
        (1, true, &["b", "c"][..], 2),
    ] {
        serially(async {
            let sink = MemoryWriter::new();
            let subscriber = crate::logging::builder().service("batch").writer(sink.clone()).build();
            let _guard = tracing::subscriber::set_default(subscriber);
            let event = sqs(&["a", "b", "c"], fifo);
            let opts = BatchOptions { concurrency, ..OPTS };
            let context = Context::default();
            let response = process_records(&opts, &event, &context, |record, _| async move {
                let collector = current_collector().unwrap();
                assert!(collector.is_empty(), "a fresh collector for every record");
                collector.add(PwError::new(http::StatusCode::NOT_FOUND, "x").with_action(ErrorAction::Continue));
                tokio::task::yield_now().await;
                assert_eq!(current_collector().unwrap().len(), 1);
                tracing::info!(body = record.body.as_deref(), "working");
                if record.body.as_deref() == Some("b") {
                    return RecordOutcome::Failed(RecordFailure::from_error("no b today"));
                }
                RecordOutcome::Done
            })
            .await
            .unwrap();
            assert_eq!(serde_json::to_value(response).unwrap(), listed(listed_ids));
            let lines: Vec<serde_json::Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
            let working: Vec<_> = lines.iter().filter(|l| l["message"] == "working").collect();
            assert_eq!(working.len(), processed, "concurrency {concurrency}, fifo {fifo}");
            for line in working {
                assert_eq!(line["record_id"], line["body"]);
            }
            let failure = lines.iter().find(|l| l["level"] == "ERROR").unwrap();
            assert_eq!(failure["record_id"], "b");
            assert_eq!(failure["message"], "Record b failed in on_record");
            assert_eq!(failure["exception"], "no b today");
            assert_eq!(failure["exception_name"], "&str");
        })
    }
}

#[test]
fn a_body_that_does_not_parse_is_a_failure_naming_the_field() {
    serially(async {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Order {
            quantity: u32,
        }
        let sink = MemoryWriter::new();
        let subscriber = crate::logging::builder().service("batch").writer(sink.clone()).build();
        let _guard = tracing::subscriber::set_default(subscriber);
        let event: SqsEvent = serde_json::from_value(json!({"Records": [
            {"messageId": "ok", "body": r#"{"quantity": 1}"#},
            {"messageId": "bad", "body": r#"{"quantity": "two"}"#},
            {"messageId": "none"},
        ]}))
        .unwrap();
        let context = Context::default();
        let response = process_records(&OPTS, &event, &context, |record, context| async move {
            match extract::<crate::json::Json<Order>, _>(record, context) {
                Ok(_) => RecordOutcome::Done,
                Err(refused) => refused,
            }
        })
        .await
        .unwrap();
        assert_eq!(serde_json::to_value(response).unwrap(), listed(&["bad", "none"]));
        let lines: Vec<serde_json::Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines[0]["record_id"], "bad", "{lines:#?}");
        assert_eq!(lines[0]["field"], "quantity");
        assert_eq!(lines[0]["reason"], "invalid type: string \"two\", expected u32");
        assert_eq!(
            lines[0]["message"],
            "Record bad failed in on_record: its body does not parse"
        );
        assert_eq!(lines[1]["record_id"], "none");
        assert_eq!(lines[1]["exception"], "the message has no body");
    })
}

#[test]
fn kinesis_json_is_the_decoded_data_and_dynamodb_is_named_by_sequence_number() {
    serially(async {
        let event = kinesis(&["7"]);
        let record = &event.records[0];
        let Json(value): crate::json::Json<serde_json::Value> = extract(record, &Context::default()).unwrap();
        assert_eq!(value, json!({"x": 1}));
        let ddb: DynamoDbEvent = serde_json::from_value(json!({"Records": [{
            "eventID": "e1", "eventName": "INSERT", "awsRegion": "eu-west-1",
            "dynamodb": {"SequenceNumber": "111", "SizeBytes": 26, "Keys": {"id": {"S": "1"}}}
        }]}))
        .unwrap();
        assert_eq!(ddb.records[0].item_identifier(), Some("111"));
        assert_eq!(DynamoDbEvent::SOURCE, Source::DynamoDb);
    })
}

#[test]
fn invoke_json_names_the_field_of_an_event_that_does_not_parse() {
    serially(async {
        let handler = |event: LambdaEvent<SqsEvent>| async move {
            assert_eq!(event.context.request_id, "local");
            Ok::<_, Error>(SqsEvent::response(vec!["x".to_owned()]))
        };
        let response = invoke_json(&handler, br#"{"Records": []}"#).await.unwrap();
        assert_eq!(response.batch_item_failures.len(), 1);
        let err = invoke_json(&handler, br#"{"Records": [{"messageId": 5}]}"#)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the event does not fit at `Records[0].messageId`"),
            "{err}"
        );
    })
}
