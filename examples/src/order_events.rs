//! The order events function: an SQS queue of orders, one `#[batch_response]`
//! handler per order. Shared by the `order-events` binary and the
//! `order-service` demo, which shows it after the µservice.

use std::sync::LazyLock;

use pypwext::batch::{LambdaEvent, SqsEvent, SqsMessage};
use pypwext::idempotency::Idempotency;
use pypwext::logging::MemoryWriter;
use pypwext::{ErrorAction, Json, PwError, StatusCode, batch_response, collect_errors, idempotent, logged};
use serde::{Deserialize, Serialize};

/// The orders already stored: the DynamoDB table `IDEMPOTENCY_TABLE` names
/// (Powertools' layout; the client from the environment), else this
/// process's memory (the demo and local runs; in Lambda, one execution
/// environment's).
pub static STORED_ORDERS: LazyLock<Idempotency> = LazyLock::new(|| match std::env::var("IDEMPOTENCY_TABLE") {
    Ok(table) => Idempotency::dynamodb(table),
    Err(_) => Idempotency::in_memory(),
});

#[derive(Debug, Deserialize, Serialize)]
pub struct Order {
    pub id: u64,
    pub customer: String,
    pub items: Vec<OrderLine>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct OrderLine {
    pub sku: String,
    pub quantity: u32,
}

/// The most of one product a single order may ask for.
const MAX_QUANTITY: u32 = 1_000;

/// One order from the queue. An unknown product is reported and skipped
/// (`Continue`, collected in the record's own collector); an order asking for
/// more than we deliver is refused (`Raise`): SQS delivers it again, and after
/// its retries it goes to the dead-letter queue. A body that does not parse
/// never gets here: the record fails, logged with the field. An order
/// delivered again after it was stored (SQS delivers at least once) is not
/// stored twice: `#[idempotent]` on the order id.
#[logged(inject_lambda_context)]
#[batch_response(concurrency = 4)]
#[idempotent(store = STORED_ORDERS, key = order.id)]
#[collect_errors]
pub async fn on_order(Json(order): Json<Order>, message: &SqsMessage) -> Result<(), PwError> {
    let mut reserved = 0u32;
    for line in &order.items {
        if line.quantity > MAX_QUANTITY {
            return Err(PwError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "order {} refused: {} {} is more than we deliver (at most {MAX_QUANTITY})",
                    order.id, line.quantity, line.sku
                ),
            )
            .with_details(serde_json::json!({ "order": order.id, "sku": line.sku })));
        }
        reserved += reserve(&line.sku, line.quantity).await?.unwrap_or(0);
    }
    tracing::info!(
        order = order.id,
        customer = order.customer.as_str(),
        reserved,
        receive_count = message.attributes.get("ApproximateReceiveCount").map(String::as_str),
        "order stored"
    );
    Ok(())
}

/// Reserves stock for one line; an unknown product is collected, not fatal.
#[collect_errors]
async fn reserve(sku: &str, quantity: u32) -> Result<Option<u32>, PwError> {
    match sku {
        "APPLE" | "PEAR" | "MELON" => {
            // Stands in for a call to the stock service.
            tokio::task::yield_now().await;
            Ok(Some(quantity))
        }
        other => Err(PwError::new(StatusCode::NOT_FOUND, format!("unknown product {other}"))
            .with_action(ErrorAction::Continue)
            .with_details(serde_json::json!({ "sku": other }))),
    }
}

/// An SQS batch of four orders: two valid (one with an unknown product), one
/// malformed, one refused.
pub fn demo_event() -> SqsEvent {
    let bodies = [
        r#"{"id":1,"customer":"ada","items":[{"sku":"APPLE","quantity":12},{"sku":"MELON","quantity":2}]}"#,
        r#"{"id":2,"customer":"bob","items":[{"sku":"PEAR","quantity":3},{"sku":"KIWI","quantity":1}]}"#,
        r#"{"id":3,"customer":"eve","items":[{"sku":"APPLE","quantity":"two"}]}"#,
        r#"{"id":4,"customer":"mallory","items":[{"sku":"MELON","quantity":20000}]}"#,
    ];
    let records: Vec<serde_json::Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            serde_json::json!({
                "messageId": format!("msg-{}", i + 1),
                "receiptHandle": format!("handle-{}", i + 1),
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764489600000"},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders",
                "awsRegion": "eu-west-1",
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).unwrap_or_default()
}

/// Handles the demo batch as Lambda would and prints the partial batch
/// response with the log lines (captured in `sink`).
pub async fn demo(sink: &MemoryWriter) -> Result<(), pypwext::batch::Error> {
    let event = demo_event();
    println!(
        "== an SQS batch of {} orders: two valid (one names an unknown product), one malformed, one refused",
        event.records.len()
    );
    for record in &event.records {
        println!(
            "   {} {}",
            record.message_id.as_deref().unwrap_or("?"),
            record.body.as_deref().unwrap_or("")
        );
    }
    let mut context = pypwext::batch::Context::default();
    "c6af9ac6-7b61-11e6-9a41-93e8deadbeef".clone_into(&mut context.request_id);
    let response = on_order(LambdaEvent::new(event, context.clone())).await?;
    println!("-> partial batch response {}", serde_json::to_string(&response)?);
    println!("log lines:");
    for line in sink.take_lines() {
        println!("  {line}");
    }
    println!();

    // SQS delivers at least once: order 1 comes again (its receive count 2).
    let mut again = demo_event();
    again.records.truncate(1);
    again.records[0]
        .attributes
        .insert("ApproximateReceiveCount".to_owned(), "2".to_owned());
    println!("== order 1 delivered again (receive count 2): already stored, so not stored twice");
    "d7bf0bd7-8c72-22f7-ab52-a4f9efcfcf00".clone_into(&mut context.request_id);
    let response = on_order(LambdaEvent::new(again, context)).await?;
    println!("-> partial batch response {}", serde_json::to_string(&response)?);
    println!("log lines:");
    for line in sink.take_lines() {
        println!("  {line}");
    }
    println!();
    Ok(())
}
