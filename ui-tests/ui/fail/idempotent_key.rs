use std::sync::LazyLock;

use pypwext::idempotency::Idempotency;
use pypwext::{idempotent, PwError};

static STORE: LazyLock<Idempotency> = LazyLock::new(Idempotency::in_memory);

#[derive(serde::Deserialize)]
struct Order {
    id: u64,
    total: f64,
}

struct Opaque;

// A key that does not compile: the error is on the expression.
#[idempotent(store = STORE, key = order.number)]
async fn no_such_field(order: Order) -> Result<u64, PwError> {
    Ok(order.id)
}

// A key whose value is not `Serialize`.
#[idempotent(store = STORE, key = order)]
async fn not_serialize(order: Order) -> Result<f64, PwError> {
    Ok(order.total)
}

// A default key whose parameter is not `Serialize`.
#[idempotent(store = STORE)]
async fn default_not_serialize(opaque: Opaque) -> Result<u64, PwError> {
    let _ = opaque;
    Ok(1)
}

// A store that is not an `Idempotency`.
static NOT_A_STORE: u32 = 1;

#[idempotent(store = NOT_A_STORE, key = id)]
async fn wrong_store(id: u64) -> Result<u64, PwError> {
    Ok(id)
}

fn main() {}
