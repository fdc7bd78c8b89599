//! The three event sources: what a batch of each is made of, how its records
//! are named in the partial batch response, and in which order they must run.

use std::borrow::Cow;

use aws_lambda_events::event::dynamodb::{Event as DynamoDbEvent, EventRecord as DynamodbEventRecord};
use aws_lambda_events::event::kinesis::{KinesisEvent, KinesisEventRecord};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use aws_lambda_events::event::streams::{
    DynamoDbBatchItemFailure, DynamoDbEventResponse, KinesisBatchItemFailure, KinesisEventResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The event sources `#[batch_response]` answers, as its `source = …` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Amazon SQS, standard or FIFO: records are named by their message id.
    Sqs,
    /// Amazon Kinesis Data Streams: records are named by their sequence number.
    Kinesis,
    /// Amazon DynamoDB Streams: records are named by their sequence number.
    DynamoDb,
}

/// The order a batch's records must be processed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOrder {
    /// An SQS standard queue: any order, `concurrency` records at a time.
    Unordered,
    /// An SQS FIFO queue: in order, one at a time; the first failure stops the
    /// batch (or, with `skip_group_on_error`, its message group).
    Fifo,
    /// A Kinesis or DynamoDB stream: in order, one at a time; the first
    /// failure stops the batch and is the one record reported.
    Stream,
}

/// A Lambda event that holds a batch of records and is answered with a
/// partial batch response (`{"batchItemFailures":[{"itemIdentifier":"…"}]}`).
/// Implemented for [`SqsEvent`], [`KinesisEvent`] and [`DynamoDbEvent`].
pub trait BatchEvent: DeserializeOwned + Serialize + Send + Sync + 'static {
    /// One record of the batch.
    type Record: BatchRecord<Event = Self>;
    /// The partial batch response.
    type Response: Serialize + Send + Sync + std::fmt::Debug + 'static;
    /// Where the event comes from.
    const SOURCE: Source;

    /// The records, in the order Lambda delivered them.
    fn records(&self) -> &[Self::Record];

    /// The order the records must be processed in.
    fn ordering(&self) -> RecordOrder;

    /// The response that lists `failed` (item identifiers, in record order).
    fn response(failed: Vec<String>) -> Self::Response;
}

/// One record of a batch: [`SqsMessage`], [`KinesisEventRecord`] or
/// [`DynamodbEventRecord`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a record of a batch",
    label = "not an SQS message, a Kinesis record or a DynamoDB stream record",
    note = "a `#[batch_response]` function takes the record as `&SqsMessage`, `&KinesisEventRecord` or `&DynamodbEventRecord` (from `pypwext::batch`), by reference or by value, or names the source with `source = Sqs`, `Kinesis` or `DynamoDb`"
)]
pub trait BatchRecord: Send + Sync + 'static {
    /// The event that holds records of this kind.
    type Event: BatchEvent<Record = Self>;

    /// What the partial batch response names this record by: the SQS message
    /// id, or the stream record's sequence number. `None` when the event
    /// lacks it (a failure of such a record fails the whole invocation).
    fn item_identifier(&self) -> Option<&str>;

    /// The FIFO message group, for SQS.
    fn message_group(&self) -> Option<&str> {
        None
    }
}

/// A record with a document that [`Json<T>`](crate::Json) parses: an SQS
/// message's body, a Kinesis record's (base64-decoded) data.
#[diagnostic::on_unimplemented(
    message = "`Json<T>` cannot be read from a `{Self}`",
    label = "this record has no JSON document",
    note = "`Json<T>` parses an SQS message's body or a Kinesis record's data; take a DynamoDB stream record as `&DynamodbEventRecord` and read its `change.new_image`"
)]
pub trait RecordBody {
    /// The document as text; `Err` says why there is none (JSON is UTF-8 text).
    fn body(&self) -> Result<Cow<'_, str>, &'static str>;
}

impl BatchEvent for SqsEvent {
    type Record = SqsMessage;
    type Response = SqsBatchResponse;
    const SOURCE: Source = Source::Sqs;

    fn records(&self) -> &[SqsMessage] {
        &self.records
    }

    fn ordering(&self) -> RecordOrder {
        // An event source mapping reads one queue: its first record's queue
        // is every record's.
        let fifo = self.records.first().is_some_and(|record| {
            record
                .event_source_arn
                .as_deref()
                .is_some_and(|arn| arn.ends_with(".fifo"))
        });
        if fifo {
            RecordOrder::Fifo
        } else {
            RecordOrder::Unordered
        }
    }

    fn response(failed: Vec<String>) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failed
            .into_iter()
            .map(|id| {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                failure
            })
            .collect();
        response
    }
}

impl BatchRecord for SqsMessage {
    type Event = SqsEvent;

    fn item_identifier(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    fn message_group(&self) -> Option<&str> {
        self.attributes.get("MessageGroupId").map(String::as_str)
    }
}

impl RecordBody for SqsMessage {
    fn body(&self) -> Result<Cow<'_, str>, &'static str> {
        self.body.as_deref().map(Cow::Borrowed).ok_or("the message has no body")
    }
}

impl BatchEvent for KinesisEvent {
    type Record = KinesisEventRecord;
    type Response = KinesisEventResponse;
    const SOURCE: Source = Source::Kinesis;

    fn records(&self) -> &[KinesisEventRecord] {
        &self.records
    }

    fn ordering(&self) -> RecordOrder {
        RecordOrder::Stream
    }

    fn response(failed: Vec<String>) -> KinesisEventResponse {
        let mut response = KinesisEventResponse::default();
        response.batch_item_failures = failed
            .into_iter()
            .map(|id| {
                let mut failure = KinesisBatchItemFailure::default();
                failure.item_identifier = Some(id);
                failure
            })
            .collect();
        response
    }
}

impl BatchRecord for KinesisEventRecord {
    type Event = KinesisEvent;

    fn item_identifier(&self) -> Option<&str> {
        Some(self.kinesis.sequence_number.as_str()).filter(|id| !id.is_empty())
    }
}

impl RecordBody for KinesisEventRecord {
    fn body(&self) -> Result<Cow<'_, str>, &'static str> {
        std::str::from_utf8(&self.kinesis.data.0)
            .map(Cow::Borrowed)
            .map_err(|_| "the record's data is not UTF-8 text, so not JSON")
    }
}

impl BatchEvent for DynamoDbEvent {
    type Record = DynamodbEventRecord;
    type Response = DynamoDbEventResponse;
    const SOURCE: Source = Source::DynamoDb;

    fn records(&self) -> &[DynamodbEventRecord] {
        &self.records
    }

    fn ordering(&self) -> RecordOrder {
        RecordOrder::Stream
    }

    fn response(failed: Vec<String>) -> DynamoDbEventResponse {
        let mut response = DynamoDbEventResponse::default();
        response.batch_item_failures = failed
            .into_iter()
            .map(|id| {
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = Some(id);
                failure
            })
            .collect();
        response
    }
}

impl BatchRecord for DynamodbEventRecord {
    type Event = DynamoDbEvent;

    fn item_identifier(&self) -> Option<&str> {
        self.change.sequence_number.as_deref().filter(|id| !id.is_empty())
    }
}
