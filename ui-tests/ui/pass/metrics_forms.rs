//! The forms `#[metrics]` accepts: sync and async, alone or anywhere in a
//! stack (above and below `#[service_response]`, with `#[logged]` and
//! `#[collect_errors]`), every argument, paths.

use pypwext::metrics::MetricUnit;
use pypwext::{collect_errors, logged, metrics, service_response, Json, PwError, PwResponse, StatusCode};

#[metrics]
fn bare() -> u32 {
    1
}

#[pypwext::metrics(
    namespace = "shop",
    service = "orders",
    capture_cold_start_metric,
    default_dimensions(environment = "prod", "aws-region" = "eu-west-1"),
)]
fn every_argument(items: &[u32]) -> Result<usize, PwError> {
    metrics::add_metric("Items", MetricUnit::Count, items.len() as f64)?;
    Ok(items.len())
}

#[::pypwext::metrics(capture_cold_start_metric = false)]
async fn asynchronous(n: u64) -> Result<u64, PwError> {
    pypwext::metrics::add_high_resolution_metric("Waited", MetricUnit::Milliseconds, n as f64)?;
    Ok(n)
}

#[derive(serde::Deserialize, serde::Serialize, Debug)]
struct Order {
    id: u32,
}

#[logged]
#[metrics(namespace = "shop")]
#[collect_errors(root)]
#[service_response]
async fn above(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
    Ok(PwResponse::new(StatusCode::CREATED).with_field("id", order.id))
}

#[service_response]
#[metrics(namespace = "shop")]
#[logged]
async fn below(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    metrics::add_metadata("order", &order)?;
    Ok(PwResponse::ok())
}

#[collect_errors]
#[metrics(namespace = "shop")]
fn collected(n: u32) -> Result<Option<u32>, PwError> {
    Ok(Some(n))
}

fn main() {
    let _ = (bare(), every_argument(&[1]), collected(1));
    let _ = (asynchronous(1), above, below);
}
