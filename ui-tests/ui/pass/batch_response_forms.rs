use std::sync::atomic::{AtomicUsize, Ordering};

use pypwext::batch::{
    DynamodbEventRecord, KinesisEvent, KinesisEventRecord, LambdaEvent, SqsEvent, SqsMessage,
};
use pypwext::{batch_response, collect_errors, logged, ErrorAction, Json, PwError, StatusCode};

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    id: u64,
}

static SEEN: AtomicUsize = AtomicUsize::new(0);

// The full stack: the event is logged above, each record's errors are collected below.
#[logged(inject_lambda_context, log_event)]
#[batch_response(concurrency = 4, fail_whole_batch = false)]
#[collect_errors]
async fn on_order(Json(order): Json<Order>, message: &SqsMessage, context: lambda_runtime::Context) -> Result<(), PwError> {
    let _ = (message, context);
    SEEN.fetch_add(1, Ordering::Relaxed);
    if order.id == 0 {
        return Err(PwError::new(StatusCode::NOT_FOUND, "skip").with_action(ErrorAction::Continue));
    }
    Ok(())
}

// The record by value, a source named, any error type, any `Ok` value.
#[batch_response(source = Sqs, skip_group_on_error)]
async fn by_value(message: SqsMessage) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    Ok(message.body.map_or(0, |b| b.len() as u32))
}

// Streams: Kinesis data as JSON, DynamoDB records as they are.
#[batch_response]
async fn on_kinesis(record: &KinesisEventRecord, Json(order): Json<Order>) -> Result<(), PwError> {
    let _ = (record, order);
    Ok(())
}

#[batch_response(source = DynamoDb)]
pub async fn on_change(record: DynamodbEventRecord) -> Result<(), String> {
    let _ = record;
    Ok(())
}

/// Only the context: the source says which event.
#[batch_response(source = Kinesis)]
async fn context_only(context: lambda_runtime::Context) -> Result<(), PwError> {
    let _ = context;
    Ok(())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let sqs: SqsEvent = serde_json::from_value(serde_json::json!({"Records": [
        {"messageId": "a", "body": "{\"id\": 0}"},
        {"messageId": "b", "body": "{\"id\": 1}"},
        {"messageId": "c", "body": "not json"},
    ]}))
    .unwrap();
    let response = runtime.block_on(on_order(LambdaEvent::new(sqs.clone(), Default::default()))).unwrap();
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["c"]);
    assert_eq!(SEEN.load(Ordering::Relaxed), 2);
    let response = runtime.block_on(by_value(LambdaEvent::new(sqs, Default::default()))).unwrap();
    assert!(response.batch_item_failures.is_empty());
    let kinesis = KinesisEvent::default();
    runtime.block_on(on_kinesis(LambdaEvent::new(kinesis.clone(), Default::default()))).unwrap();
    runtime.block_on(context_only(LambdaEvent::new(kinesis, Default::default()))).unwrap();
    let _ = on_change;
}
