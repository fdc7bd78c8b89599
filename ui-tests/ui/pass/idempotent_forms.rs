use std::sync::LazyLock;

use pypwext::batch::{LambdaEvent, SqsEvent, SqsMessage};
use pypwext::idempotency::Idempotency;
use pypwext::{batch_response, idempotent, logged, service_response, Json, PwError, PwResponse, StatusCode};

static STORE: LazyLock<Idempotency> = LazyLock::new(Idempotency::in_memory);

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    id: String,
    total: f64,
}

// Below the response layer: the typed parameters.
#[logged(inject_lambda_context)]
#[service_response]
#[idempotent(store = STORE, key = order.id, validate = order.total)]
async fn create(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    Ok(PwResponse::new(StatusCode::CREATED).with_field("id", order.id))
}

// Below the batch layer, per record, keyed on the message id.
#[batch_response]
#[idempotent(store = STORE, key = message.message_id, key_prefix = "orders.on_order")]
async fn on_order(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

// Below the batch layer, the record's JSON as the key.
#[batch_response]
#[idempotent(store = STORE)]
async fn on_order_json(Json(order): Json<Order>, message: &SqsMessage) -> Result<(), PwError> {
    let _ = (order, message);
    Ok(())
}

// Alone: any `Result<T, E>` with a storable `T` and `E: From<PwError>`;
// several parameters make the key an object by name.
#[idempotent(store = STORE)]
async fn charge(payment: &str, cents: u32) -> Result<Vec<u32>, PwError> {
    let _ = payment;
    Ok(vec![cents])
}

// Around an outgoing call: the answer is stored, a repeat does not call again.
#[idempotent(store = STORE, key = id)]
#[pypwext::http_method(url = "http://127.0.0.1:9/orders/{id}")]
async fn fetch(id: u64) -> Result<serde_json::Value, PwError> {}

fn main() {
    let _ = fetch(1);
    let _ = create;
    let _: fn(LambdaEvent<SqsEvent>) -> _ = on_order;
    let _ = on_order_json;
    let _ = charge("p", 1);
}
