use pypwext::batch::{KinesisEventRecord, SqsMessage};
use pypwext::{batch_response, Json, PwError};

#[batch_response(retries = 3)]
async fn unknown_argument(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

#[batch_response(source = Kafka)]
async fn unknown_source(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

#[batch_response(concurrency = 0)]
async fn no_concurrency(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

// The record parameter says Kinesis, `source` says SQS.
#[batch_response(source = Sqs)]
async fn record_of_another_source(record: &KinesisEventRecord) -> Result<(), PwError> {
    let _ = record;
    Ok(())
}

// A stream is processed in order.
#[batch_response(concurrency = 4)]
async fn concurrent_stream(record: &KinesisEventRecord) -> Result<(), PwError> {
    let _ = record;
    Ok(())
}

// Nothing says which source this is.
#[batch_response]
async fn no_source(Json(value): Json<serde_json::Value>) -> Result<(), PwError> {
    let _ = value;
    Ok(())
}

fn main() {}
