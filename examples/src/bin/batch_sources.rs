//! One `#[batch_response]` handler per event source, for the end-to-end tests
//! of `examples/tests/batch_runtime.rs`: `BATCH_SOURCE` (`sqs`, `kinesis` or
//! `dynamodb`) picks the one to run under the Lambda runtime. A record fails
//! when its body (SQS), its data (Kinesis) says `refuse` or `panic`, or when it
//! records a `REMOVE` (DynamoDB). An SQS message that says `wait` waits 20 ms
//! first, as a call to another service would, so that concurrent invocations
//! overlap.

use pypwext::batch::{DynamodbEventRecord, KinesisEventRecord, SqsMessage};
use pypwext::{PwError, StatusCode, batch_response, logged};

fn judge(id: &str, text: &str) -> Result<(), PwError> {
    tracing::info!(text, "processing");
    #[allow(clippy::panic, reason = "the tests ask for a panic to see it caught")]
    if text.contains("panic") {
        panic!("record {id} asked for a panic");
    }
    if text.contains("refuse") {
        return Err(PwError::new(StatusCode::CONFLICT, format!("record {id} refused")));
    }
    Ok(())
}

#[logged(inject_lambda_context)]
#[batch_response(concurrency = 2)]
async fn on_message(message: &SqsMessage) -> Result<(), PwError> {
    if message.body.as_deref().is_some_and(|body| body.contains("wait")) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    judge(
        message.message_id.as_deref().unwrap_or(""),
        message.body.as_deref().unwrap_or(""),
    )
}

#[logged(inject_lambda_context)]
#[batch_response]
async fn on_kinesis(record: &KinesisEventRecord) -> Result<(), PwError> {
    judge(
        &record.kinesis.sequence_number,
        &String::from_utf8_lossy(&record.kinesis.data.0),
    )
}

#[logged(inject_lambda_context)]
#[batch_response]
async fn on_change(record: &DynamodbEventRecord) -> Result<(), PwError> {
    let name = if record.event_name == "REMOVE" {
        "refuse"
    } else {
        record.event_name.as_str()
    };
    judge(record.change.sequence_number.as_deref().unwrap_or(""), name)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), pypwext::batch::Error> {
    pypwext::logging::builder().service("batch-sources").init();
    match std::env::var("BATCH_SOURCE").as_deref() {
        Ok("sqs") => pypwext::batch::run(on_message).await,
        Ok("kinesis") => pypwext::batch::run(on_kinesis).await,
        Ok("dynamodb") => pypwext::batch::run(on_change).await,
        _ => Err("set BATCH_SOURCE to `sqs`, `kinesis` or `dynamodb`".into()),
    }
}
