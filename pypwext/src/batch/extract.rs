//! Extractors: what a `#[batch_response]` function's parameters are made of,
//! one record at a time.

use lambda_runtime::Context;
use serde::de::DeserializeOwned;

use super::process::{RecordFailure, RecordOutcome};
use super::source::{BatchRecord, RecordBody};
use crate::errors::PwError;
use crate::json::Json;
use aws_lambda_events::event::dynamodb::EventRecord as DynamodbEventRecord;
use aws_lambda_events::event::kinesis::KinesisEventRecord;
use aws_lambda_events::event::sqs::SqsMessage;

/// A type a `#[batch_response]` function can take as a parameter, made from
/// one record of the batch (of type `R`) and the invocation's context.
#[diagnostic::on_unimplemented(
    message = "`#[batch_response]` cannot make a `{Self}` from a `{R}`",
    label = "not an extractor of this record",
    note = "parameters of a `#[batch_response]` function are extractors: the record (`&SqsMessage`, `&KinesisEventRecord` or `&DynamodbEventRecord`, by reference or by value, matching `source`), `pypwext::Json<T>` or `lambda_runtime::Context`"
)]
pub trait FromRecord<'a, R>: Sized {
    /// Makes the value, or refuses the record (which then fails) with why.
    fn from_record(record: &'a R, context: &'a Context) -> Result<Self, PwError>;
}

impl<'a, R: BatchRecord> FromRecord<'a, R> for &'a R {
    fn from_record(record: &'a R, _: &'a Context) -> Result<Self, PwError> {
        Ok(record)
    }
}

macro_rules! owned_record {
    ($($record:ty),*) => {$(
        /// The record, cloned: take it by reference where you can.
        impl<'a> FromRecord<'a, $record> for $record {
            fn from_record(record: &'a $record, _: &'a Context) -> Result<Self, PwError> {
                Ok(record.clone())
            }
        }
    )*};
}
owned_record!(SqsMessage, KinesisEventRecord, DynamodbEventRecord);

impl<'a, R> FromRecord<'a, R> for Context {
    fn from_record(_: &'a R, context: &'a Context) -> Result<Self, PwError> {
        Ok(context.clone())
    }
}

impl<'a, R: RecordBody, T: DeserializeOwned> FromRecord<'a, R> for Json<T> {
    /// The record's document parsed into `T`; a document that does not parse
    /// refuses the record with the field and the reason.
    fn from_record(record: &'a R, _: &'a Context) -> Result<Self, PwError> {
        let body = record
            .body()
            .map_err(|why| PwError::new(http::StatusCode::BAD_REQUEST, why))?;
        // The common case at full speed; a body that fails is parsed again to
        // name the field, when the record's ERROR line will be written.
        if let Ok(value) = serde_json::from_str(&body) {
            return Ok(Json(value));
        }
        if !super::process::failure_line_enabled() {
            return Err(PwError::new(
                http::StatusCode::BAD_REQUEST,
                "the record's body does not parse",
            ));
        }
        crate::json::parse_tracked(body.as_bytes())
            .map(Json)
            .map_err(|failure| {
                let message = failure.message("the record's body");
                PwError::new(http::StatusCode::BAD_REQUEST, message).with_details(failure.details())
            })
    }
}

/// Extracts one parameter; a refusal is the record's outcome.
pub fn extract<'a, T: FromRecord<'a, R>, R>(record: &'a R, context: &'a Context) -> Result<T, RecordOutcome> {
    T::from_record(record, context).map_err(|refused| RecordOutcome::Failed(RecordFailure::refused(&refused)))
}

/// The return type of a `#[batch_response]` function: a `Result` whose error
/// converts into `lambda_runtime::Error` (`PwError`, `Box<dyn Error>`, …).
#[diagnostic::on_unimplemented(
    message = "a `#[batch_response]` function returns `Result<T, E>`, not `{Self}`",
    label = "return `Result<(), PwError>`, or any `Result<T, E>` whose `E` converts into `lambda_runtime::Error`"
)]
pub trait RecordResult {
    /// How the record ended.
    fn into_outcome(self) -> RecordOutcome;
}

impl<T, E: Into<lambda_runtime::Error>> RecordResult for Result<T, E> {
    fn into_outcome(self) -> RecordOutcome {
        match self {
            Ok(_) => RecordOutcome::Done,
            Err(error) => RecordOutcome::Failed(RecordFailure::from_error(error)),
        }
    }
}

/// Awaits the function's body and turns its result into the record's
/// outcome. `outcome` is `<ReturnType as RecordResult>::into_outcome`, named
/// in the generated code over the user's return type: the one place a return
/// type that does not fit is reported.
pub async fn finish<F: std::future::Future>(body: F, outcome: fn(F::Output) -> RecordOutcome) -> RecordOutcome {
    outcome(body.await)
}
