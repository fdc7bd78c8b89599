//! Parameters-cost fixture: `../with-pypwext` (a service-only function on
//! pypwext that prices an order and answers 201, `#[logged]` at INFO), which
//! also reads one SSM parameter during init, through `pypwext::parameters`
//! and the SDK configuration of the environment. `scripts/parameters-cost.sh`
//! compares it with `../with-pypwext`.

use pypwext::{Json, PwError, PwResponse, StatusCode, collect_errors, logged, service_response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Order {
    customer: String,
    items: Vec<Line>,
}

#[derive(Debug, Deserialize)]
struct Line {
    sku: String,
    quantity: u32,
}

fn price(line: &Line) -> u64 {
    u64::from(line.quantity) * (line.sku.len() as u64 * 10)
}

/// 201 with the customer and the total, or 422 when the order has no items.
#[logged(level = "info", operation = "create-order")]
#[collect_errors(root)]
#[service_response]
async fn create_order(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    if order.items.is_empty() {
        return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, "no items"));
    }
    let total: u64 = order.items.iter().map(price).sum();
    Ok(PwResponse::new(StatusCode::CREATED)
        .with_field("customer", &order.customer)
        .with_field("total_cents", total))
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    pypwext::logging::builder().service("build-cost").init();
    // A function that cannot read its configuration does not start.
    let _greeting: String = pypwext::parameters::ssm("/build-cost/greeting").get().await?;
    lambda_http::run(lambda_http::service_fn(create_order)).await
}
