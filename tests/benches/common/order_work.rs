//! The work both the in-process service bench (`tests/benches/service.rs`) and
//! the end-to-end bench's function (`examples/src/bin/bench_e2e_function.rs`)
//! measure, written once so that the two compare the same thing: price an
//! order and answer 201 (or 422), the pypwext way and by hand on lambda_http.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt as _};
use pypwext::{Json, PwError, PwResponse, StatusCode, collect_errors, logged, service_response, traced};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Debug)]
pub struct Order {
    pub customer: String,
    pub items: Vec<Line>,
}

#[derive(Deserialize, Serialize, Debug)]
pub struct Line {
    pub sku: String,
    pub quantity: u32,
}

fn price(line: &Line) -> u64 {
    u64::from(line.quantity) * (line.sku.len() as u64 * 10)
}

/// The work, the pypwext way: the full stack, logging the request and the
/// response at INFO.
#[logged(level = "info", operation = "create-order")]
#[collect_errors(root)]
#[service_response]
pub async fn with_pypwext(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

/// The same stack with `#[traced]` on top: the end-to-end bench's traced
/// form (`PYPWEXT_BENCH_TRACER`), against the stack above.
#[allow(dead_code)] // only the end-to-end bench's function runs it
#[traced]
#[logged(level = "info", operation = "create-order")]
#[collect_errors(root)]
#[service_response]
pub async fn with_pypwext_traced(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    answer(&order)
}

/// The handlers' work: price the order, answer 201 or 422.
pub fn answer(order: &Order) -> Result<PwResponse, PwError> {
    if order.items.is_empty() {
        return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, "no items"));
    }
    let total: u64 = order.items.iter().map(price).sum();
    Ok(PwResponse::new(StatusCode::CREATED)
        .with_field("customer", &order.customer)
        .with_field("total_cents", total))
}

/// The same answer written by hand: parse, price, answer JSON, map errors.
pub fn answer_by_hand(request: &lambda_http::Request) -> Result<lambda_http::Response<Body>, lambda_http::Error> {
    let json = |status: StatusCode, body: serde_json::Value| {
        lambda_http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::Text(body.to_string()))
    };
    let order: Order = match serde_json::from_slice(body_bytes(request.body())) {
        Ok(order) => order,
        Err(err) => {
            return Ok(json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": {"code": 400, "msg": err.to_string()}}),
            )?);
        }
    };
    if order.items.is_empty() {
        return Ok(json(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({"error": {"code": 422, "msg": "no items"}}),
        )?);
    }
    let total: u64 = order.items.iter().map(price).sum();
    Ok(json(
        StatusCode::CREATED,
        serde_json::json!({"customer": order.customer, "total_cents": total}),
    )?)
}

fn body_bytes(body: &Body) -> &[u8] {
    match body {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    }
}

/// Whether the by-hand handler has answered before (its `cold_start` key).
static STARTED: AtomicBool = AtomicBool::new(false);

/// Headers with their secrets redacted, as a hand-written handler would log them.
struct Redacted<'a>(&'a lambda_http::http::HeaderMap);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            match name.as_str() {
                "authorization" | "cookie" | "set-cookie" | "x-amz-security-token" => {
                    map.entry(&name.as_str(), &"*****")
                }
                _ => map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes())),
            };
        }
        map.finish()
    }
}

/// The same answer written by hand, logging what the full stack logs at INFO:
/// the request (method, path, query, redacted headers, body) and the response,
/// each line with the invocation's keys.
pub async fn by_hand_logged(request: lambda_http::Request) -> Result<lambda_http::Response<Body>, lambda_http::Error> {
    let context = request.lambda_context_ref();
    let request_id = context.map_or("", |c| c.request_id.as_str());
    let function_name = context.map_or("", |c| c.env_config.function_name.as_str());
    let memory = context.map_or(0, |c| c.env_config.memory);
    let arn = context.map_or("", |c| c.invoked_function_arn.as_str());
    let correlation_id = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(api)) => api.request_id.as_deref(),
        _ => None,
    };
    let cold_start = !STARTED.load(Ordering::Relaxed) && !STARTED.swap(true, Ordering::Relaxed);
    tracing::info!(
        function_request_id = request_id,
        function_name,
        function_memory_size = memory,
        function_arn = arn,
        correlation_id,
        cold_start,
        operation = "create-order",
        method = %request.method(),
        path = request.uri().path(),
        query = ?request.query_string_parameters_ref(),
        headers = ?Redacted(request.headers()),
        body = %String::from_utf8_lossy(body_bytes(request.body())),
        "request"
    );
    let response = answer_by_hand(&request)?;
    tracing::info!(
        function_request_id = request_id,
        function_name,
        function_memory_size = memory,
        function_arn = arn,
        correlation_id,
        cold_start,
        operation = "create-order",
        status = response.status().as_u16(),
        headers = ?Redacted(response.headers()),
        body = %String::from_utf8_lossy(body_bytes(response.body())),
        "response"
    );
    Ok(response)
}
