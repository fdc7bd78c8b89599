use std::sync::LazyLock;

use pypwext::batch::SqsMessage;
use pypwext::idempotency::Idempotency;
use pypwext::{batch_response, idempotent, service_response, Json, PwError, PwResponse};

static STORE: LazyLock<Idempotency> = LazyLock::new(Idempotency::in_memory);

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    id: u64,
}

// Above the response layer: it would see the whole request.
#[idempotent(store = STORE)]
#[service_response]
async fn above(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    let _ = order;
    Ok(PwResponse::ok())
}

// Not async.
#[idempotent(store = STORE)]
fn sync_fn(order: u64) -> Result<u64, PwError> {
    Ok(order)
}

// No store.
#[idempotent(key = order)]
async fn no_store(order: u64) -> Result<u64, PwError> {
    Ok(order)
}

// Only a record: nothing to key on.
#[batch_response]
#[idempotent(store = STORE)]
async fn record_only(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

// A pattern that binds no one name.
#[idempotent(store = STORE)]
async fn pattern((a, b): (u64, u64)) -> Result<u64, PwError> {
    Ok(a + b)
}

fn main() {}
