use pypwext::{service_response, PwError, PwResponse};

// A parameter that is not an extractor.
#[service_response]
async fn not_an_extractor(order_id: u64) -> Result<PwResponse, PwError> {
    let _ = order_id;
    Ok(PwResponse::ok())
}

// A return type that is not a Result.
#[service_response]
async fn not_a_result() -> PwResponse {
    PwResponse::ok()
}

struct Order;

// An Ok value that is no answer.
#[service_response]
async fn not_an_answer() -> Result<Order, PwError> {
    Ok(Order)
}

fn main() {}
