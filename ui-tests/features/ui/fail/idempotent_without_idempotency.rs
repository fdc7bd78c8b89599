use pypwext::{idempotent, PwError};

#[idempotent(store = STORE)]
async fn handler(order: u64) -> Result<u64, PwError> {
    Ok(order)
}

fn main() {}
