//! Build-cost fixture (b): the work of `../with-pypwext` by hand on bare
//! lambda_http: parse the order with serde, price it, answer 201 or an error
//! as JSON, and write the request and the response as JSON lines on stdout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt as _, Response};
use serde::Deserialize;
use serde_json::{Value, json};

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

fn body_text(body: &Body) -> String {
    match body {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    }
}

/// Whether an invocation ran before this one (the `cold_start` key).
static STARTED: AtomicBool = AtomicBool::new(false);

/// One INFO line with the invocation's keys and `message`.
fn log_info(request: &Request, cold_start: bool, message: Value) {
    let context = request.lambda_context_ref();
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let line = json!({
        "level": "INFO",
        "message": message,
        "timestamp": timestamp,
        "service": "build-cost",
        "operation": "create-order",
        "cold_start": cold_start,
        "function_name": context.map(|c| c.env_config.function_name.as_str()),
        "function_memory_size": context.map(|c| c.env_config.memory),
        "function_arn": context.map(|c| c.invoked_function_arn.as_str()),
        "function_request_id": context.map(|c| c.request_id.as_str()),
    });
    println!("{line}");
}

/// Headers with their secrets redacted.
fn redacted(headers: &lambda_http::http::HeaderMap) -> Value {
    headers
        .iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "authorization" | "cookie" | "set-cookie" | "x-amz-security-token" => "*****".to_owned(),
                _ => String::from_utf8_lossy(value.as_bytes()).into_owned(),
            };
            (name.as_str().to_owned(), Value::String(value))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn answer(status: StatusCode, body: Value) -> Result<Response<Body>, lambda_http::Error> {
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_string()))?)
}

fn create_order(request: &Request) -> Result<Response<Body>, lambda_http::Error> {
    let order: Order = match serde_json::from_slice(request.body().as_ref()) {
        Ok(order) => order,
        Err(err) => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"error": {"code": 400, "msg": err.to_string(), "classification": "NA"}}),
            );
        }
    };
    if order.items.is_empty() {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": {"code": 422, "msg": "no items", "classification": "NA"}}),
        );
    }
    let total: u64 = order.items.iter().map(price).sum();
    answer(
        StatusCode::CREATED,
        json!({"customer": order.customer, "total_cents": total}),
    )
}

async fn handler(request: Request) -> Result<Response<Body>, lambda_http::Error> {
    let cold_start = !STARTED.swap(true, Ordering::Relaxed);
    log_info(
        &request,
        cold_start,
        json!({
            "method": request.method().as_str(),
            "path": request.uri().path(),
            "headers": redacted(request.headers()),
            "body": body_text(request.body()),
        }),
    );
    let response = create_order(&request)?;
    log_info(
        &request,
        cold_start,
        json!({
            "status": response.status().as_u16(),
            "headers": redacted(response.headers()),
            "body": body_text(response.body()),
        }),
    );
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::run(lambda_http::service_fn(handler)).await
}
