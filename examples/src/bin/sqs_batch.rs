//! An SQS consumer written on plain `lambda_runtime`, without a pypwext
//! macro: it answers Lambda's partial batch response, listing the messages
//! whose body is not an order line (`{"sku": "...", "quantity": n}`). Only
//! `examples/tests/cargo_lambda.rs` runs it, to send an SQS batch through
//! `cargo lambda invoke`; `#[batch_response]` (another branch) will do the
//! same from a function that handles one record.

use std::process::ExitCode;

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use pypwext::logging;
use serde::{Deserialize, Serialize};

/// The part of an SQS event this consumer reads.
#[derive(Debug, Deserialize)]
struct SqsEvent {
    #[serde(rename = "Records")]
    records: Vec<SqsMessage>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SqsMessage {
    message_id: String,
    body: String,
}

#[derive(Debug, Deserialize)]
struct Line {
    sku: String,
    quantity: u32,
}

/// Lambda's partial batch response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchResponse {
    batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemFailure {
    item_identifier: String,
}

async fn on_batch(event: LambdaEvent<SqsEvent>) -> Result<BatchResponse, lambda_runtime::Error> {
    let mut failures = Vec::new();
    for message in event.payload.records {
        match serde_json::from_str::<Line>(&message.body) {
            Ok(line) => {
                tracing::info!(message_id = %message.message_id, sku = %line.sku, quantity = line.quantity, "order line")
            }
            Err(err) => {
                tracing::warn!(message_id = %message.message_id, reason = %err, "not an order line");
                failures.push(ItemFailure {
                    item_identifier: message.message_id,
                });
            }
        }
    }
    Ok(BatchResponse {
        batch_item_failures: failures,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    logging::builder().service("sqs-batch").init();
    match lambda_runtime::run(service_fn(on_batch)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sqs-batch: {err}");
            ExitCode::FAILURE
        }
    }
}
