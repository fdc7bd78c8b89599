//! Event sources: `#[batch_response]` turns a function that handles **one
//! record** of an SQS queue, a Kinesis stream or a DynamoDB stream into a
//! handler that answers Lambda's partial batch response
//! (`{"batchItemFailures":[{"itemIdentifier":"…"}]}`, for
//! `ReportBatchItemFailures`), so only the records that failed come back.
//!
//! The event and response types are re-exported here (from
//! `aws_lambda_events`), so a function needs no other crate for them.
//!
//! - A record fails when the function returns `Err`, panics, or a `Json<T>`
//!   parameter's body does not parse; its ERROR line names the record and,
//!   for a body, the field and the reason. Every record runs in its own
//!   collector scope, and every line logged while it runs carries its
//!   `record_id` (the message id, or the sequence number).
//! - SQS standard queues: up to `concurrency` records at a time (default 1),
//!   in the invocation's task; failures are listed in record order.
//! - SQS FIFO queues (the source ARN ends in `.fifo`): in order, one at a
//!   time; the first failure and every record after it are listed, unless
//!   `skip_group_on_error`, which lists only the rest of its message group
//!   and goes on with the other groups.
//! - Kinesis and DynamoDB streams: in order, one at a time; the first
//!   failure stops the batch and its sequence number is the one listed (Lambda
//!   resumes the stream there).
//! - When no record succeeded, the invocation fails and Lambda retries the
//!   batch whole, as Powertools does, unless `fail_whole_batch = false`.
//!
//! Every record is either processed successfully or listed (or, on a stream,
//! left after the failure that Lambda resumes at), and none is listed twice.
//!
//! ```
//! use pypwext::batch::{LambdaEvent, SqsEvent, SqsMessage};
//! use pypwext::{batch_response, ErrorAction, Json, PwError, StatusCode};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { id: u64, quantity: u32 }
//!
//! #[batch_response(concurrency = 4)]
//! async fn on_order(Json(order): Json<Order>, message: &SqsMessage) -> Result<(), PwError> {
//!     if order.quantity == 0 {
//!         return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("order {} is empty", order.id)));
//!     }
//!     tracing::info!(order = order.id, "stored"); // this line carries `record_id`
//!     Ok(())
//! }
//! // on_order: async fn(LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error>
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": [
//!     {"messageId": "m1", "body": r#"{"id": 1, "quantity": 2}"#},
//!     {"messageId": "m2", "body": r#"{"id": 2, "quantity": 0}"#},
//!     {"messageId": "m3", "body": r#"{"id": 3, "quantity": "two"}"#},
//! ]})).unwrap();
//! let response = on_order(LambdaEvent::new(event, Default::default())).await.unwrap();
//! assert_eq!(
//!     serde_json::to_value(&response).unwrap(),
//!     serde_json::json!({"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]})
//! );
//! # });
//! ```

mod extract;
mod process;
mod run;
mod source;
#[cfg(test)]
mod tests;

pub use extract::{FromRecord, RecordResult, extract, finish};
pub use process::{BatchOptions, Error, Fate, RecordFailure, RecordOutcome, in_invocation, process_records};
pub use run::{invoke_json, run, run_event_file};
pub use source::{BatchEvent, BatchRecord, RecordBody, RecordOrder, Source};

pub use aws_lambda_events::encodings::Base64Data;
pub use aws_lambda_events::event::dynamodb::{
    Event as DynamoDbEvent, EventRecord as DynamodbEventRecord, StreamRecord as DynamodbStreamRecord,
};
pub use aws_lambda_events::event::kinesis::{KinesisEvent, KinesisEventRecord, KinesisRecord};
pub use aws_lambda_events::event::sqs::{
    BatchItemFailure as SqsBatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage, SqsMessageAttribute,
};
pub use aws_lambda_events::event::streams::{
    DynamoDbBatchItemFailure, DynamoDbEventResponse, KinesisBatchItemFailure, KinesisEventResponse,
};
pub use lambda_runtime::{Context, LambdaEvent};
