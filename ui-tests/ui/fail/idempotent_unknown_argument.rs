use std::sync::LazyLock;

use pypwext::idempotency::Idempotency;
use pypwext::{idempotent, PwError};

static STORE: LazyLock<Idempotency> = LazyLock::new(Idempotency::in_memory);

#[idempotent(store = STORE, keys = order, prefix = "p", key_prefix = 7)]
async fn handler(order: u64) -> Result<u64, PwError> {
    Ok(order)
}

fn main() {}
