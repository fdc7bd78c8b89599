//! The forms `#[traced]` accepts: sync and async, alone or anywhere in a
//! stack (above and below `#[logged]`, above and below `#[service_response]`
//! and `#[batch_response]`, above `#[http_method]`), every argument, paths,
//! and return types with no rendering at all.

use pypwext::batch::SqsMessage;
use pypwext::{
    batch_response, http_method, logged, service_response, traced, tracer, Json, PwError, PwResponse,
};

#[traced]
fn bare() -> u32 {
    1
}

#[pypwext::traced(capture_response = false, capture_error, name = "every argument")]
async fn every_argument(n: u64) -> Result<u64, PwError> {
    tracer::put_annotation("n", n)?;
    Ok(n)
}

/// Neither `Serialize` nor `Debug`: not captured, still traced.
struct Opaque;

#[::pypwext::traced]
fn opaque() -> Opaque {
    Opaque
}

#[derive(serde::Deserialize, serde::Serialize, Debug)]
struct Order {
    id: u32,
}

#[traced]
#[logged(inject_lambda_context)]
#[service_response]
async fn above(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    tracer::put_metadata("order", &order)?;
    Ok(PwResponse::ok())
}

#[logged(inject_lambda_context)]
#[traced]
#[service_response]
async fn below_logged(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok().with_field("id", order.id))
}

#[service_response]
#[traced]
async fn below_service(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok().with_field("id", order.id))
}

#[traced]
#[batch_response(concurrency = 2)]
async fn batch(Json(order): Json<Order>, _message: &SqsMessage) -> Result<(), PwError> {
    tracer::put_annotation("order_id", order.id)?;
    Ok(())
}

#[batch_response(source = Sqs)]
#[traced(name = "one record")]
async fn per_record(Json(order): Json<Order>) -> Result<u32, PwError> {
    Ok(order.id)
}

#[traced]
#[http_method(url = "https://example.com/offers/{id}")]
async fn offers(id: u32) -> Result<String, PwError> {}

fn main() {
    let _ = (bare(), every_argument(1), opaque());
    let _ = (above, below_logged, below_service, batch, per_record, offers(1));
}
