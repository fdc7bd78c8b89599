//! The forms `#[service_response]` accepts.

use pypwext::{collect_errors, logged, service_response, Json, PwError, PwResponse, StatusCode};

#[derive(serde::Deserialize, serde::Serialize, Debug)]
struct Order {
    id: u64,
}

#[logged(level = "info")]
#[collect_errors(root)]
#[service_response(just_status_code = false, code_from_error = false, always_return)]
async fn full(Json(order): Json<Order>, context: lambda_runtime::Context) -> Result<PwResponse, PwError> {
    let _ = context;
    Ok(PwResponse::new(StatusCode::CREATED).with_field("id", order.id))
}

#[pypwext::service_response]
#[logged]
pub async fn passthrough(request: lambda_http::Request) -> Result<String, lambda_http::Error> {
    Ok(request.uri().path().to_owned())
}

#[service_response]
async fn json_value() -> Result<serde_json::Value, std::io::Error> {
    Ok(serde_json::json!({"ok": true}))
}

fn assert_handler<F, Fut>(_: F)
where
    F: Fn(lambda_http::Request) -> Fut,
    Fut: std::future::Future<Output = Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error>> + Send,
{
}

fn main() {
    assert_handler(full);
    assert_handler(passthrough);
    assert_handler(json_value);
    // Ready for the real runtime's entry point.
    let _ = lambda_http::service_fn(full);
}
