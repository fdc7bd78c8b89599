use std::sync::LazyLock;

use pypwext::idempotency::Idempotency;
use pypwext::{idempotent, PwError};

static STORE: LazyLock<Idempotency> = LazyLock::new(Idempotency::in_memory);

struct Receipt;

// The value cannot be stored: not `Serialize + DeserializeOwned`.
#[idempotent(store = STORE)]
async fn unstorable(id: u64) -> Result<Receipt, PwError> {
    let _ = id;
    Ok(Receipt)
}

// Not a `Result`.
#[idempotent(store = STORE)]
async fn not_a_result(id: u64) -> u64 {
    id
}

// An error type the guard's 409, 422 and 502 cannot become.
#[derive(Debug)]
struct MyError;

#[idempotent(store = STORE)]
async fn foreign_error(id: u64) -> Result<u64, MyError> {
    Ok(id)
}

fn main() {}
