//! `#[service_response]`: answers, errors, extractors, the stack around it,
//! driven with real `lambda_http` requests.

use std::sync::Arc;

use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt as _};
use lambda_runtime::{Config, Context};
use pypwext::logging::{self, MemoryWriter};
use pypwext::{
    ErrorAction, InfoClassification, Json, PwError, PwResponse, StatusCode, collect_errors, logged, service_response,
};
use pypwext_tests::OrderedObject;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Deserialize, Serialize)]
struct Order {
    id: u64,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize, Serialize)]
struct Item {
    sku: String,
    quantity: u32,
}

fn context(request_id: &str) -> Context {
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders".to_owned();
    context.env_config = Arc::new(Config {
        function_name: "orders".to_owned(),
        memory: 128,
        version: "1".to_owned(),
        log_stream: String::new(),
        log_group: String::new(),
    });
    context
}

fn request(body: &str) -> lambda_http::Request {
    let mut api = ApiGatewayProxyRequestContext::default();
    api.request_id = Some("api-req-1".to_owned());
    http::Request::builder()
        .method("POST")
        .uri("https://api.example.com/orders")
        .header("authorization", "Bearer very-secret")
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
        .with_lambda_context(context("lambda-req-1"))
        .with_request_context(RequestContext::ApiGatewayV1(api))
}

struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Value,
    lines: Vec<OrderedObject>,
}

fn call<F>(handler: impl FnOnce(lambda_http::Request) -> F, request: lambda_http::Request) -> Answer
where
    F: std::future::Future<Output = Result<http::Response<Body>, lambda_http::Error>>,
{
    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder()
        .service("orders")
        .level(tracing::Level::INFO)
        .writer(sink.clone())
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let response = tracing::subscriber::with_default(subscriber, || runtime.block_on(handler(request)))
        .expect("the handler answers");
    let body = match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
        Body::Empty => Value::Null,
        Body::Binary(bytes) => Value::String(format!("<{} bytes>", bytes.len())),
        _ => Value::Null,
    };
    Answer {
        status: response.status(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned()),
        body,
        lines: sink.lines().iter().map(|l| OrderedObject::parse(l)).collect(),
    }
}

fn continue_error(code: StatusCode, msg: &str) -> PwError {
    PwError::new(code, msg.to_owned()).with_action(ErrorAction::Continue)
}

#[collect_errors]
async fn reserve(item: &Item) -> Result<Option<String>, PwError> {
    match item.sku.as_str() {
        "GONE" => Err(continue_error(StatusCode::GONE, "discontinued")),
        "LATE" => Err(continue_error(StatusCode::CONFLICT, "backordered").with_details(json!({"sku": "LATE"}))),
        "BOMB" => Err(PwError::new(StatusCode::FORBIDDEN, "blocked item")),
        sku => Ok(Some(sku.to_owned())),
    }
}

#[collect_errors(root)]
#[service_response]
async fn create_order(order: Json<Order>) -> Result<PwResponse, PwError> {
    let mut reserved = Vec::new();
    for item in &order.items {
        if let Some(sku) = reserve(item).await? {
            reserved.push(sku);
        }
    }
    Ok(PwResponse::new(StatusCode::OK)
        .with_field("order_id", order.id)
        .with_field("reserved", reserved))
}

#[test]
fn a_plain_answer_is_a_json_object() {
    let answer = call(
        create_order,
        request(r#"{"id": 1, "items": [{"sku": "A", "quantity": 1}]}"#),
    );
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    assert_eq!(answer.body, json!({"order_id": 1, "reserved": ["A"]}));
}

#[test]
fn collected_errors_set_the_highest_code_and_stay_out_of_the_body_by_default() {
    let body = r#"{"id": 2, "items": [{"sku": "A", "quantity": 1}, {"sku": "GONE", "quantity": 1}, {"sku": "LATE", "quantity": 2}]}"#;
    let answer = call(create_order, request(body));
    assert_eq!(answer.status, StatusCode::GONE, "410 is the highest of 410 and 409");
    assert_eq!(answer.body, json!({"order_id": 2, "reserved": ["A"]}));
}

#[collect_errors(root)]
#[service_response(just_status_code = false)]
async fn create_order_verbose(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    let mut reserved = Vec::new();
    for item in &order.items {
        if let Some(sku) = reserve(item).await? {
            reserved.push(sku);
        }
    }
    Ok(PwResponse::ok().with_field("reserved", reserved))
}

#[test]
fn with_just_status_code_false_every_error_is_listed_once() {
    let body = r#"{"id": 3, "items": [{"sku": "GONE", "quantity": 1}, {"sku": "LATE", "quantity": 2}, {"sku": "B", "quantity": 1}]}"#;
    let answer = call(create_order_verbose, request(body));
    assert_eq!(answer.status, StatusCode::GONE);
    assert_eq!(
        answer.body,
        json!({
            "reserved": ["B"],
            "error": [
                {"code": 410, "msg": "discontinued", "classification": "NA"},
                {"code": 409, "msg": "backordered", "classification": "NA", "details": {"sku": "LATE"}}
            ]
        })
    );

    // A raised error after collected ones: the raised one first, each exactly once.
    let body = r#"{"id": 4, "items": [{"sku": "GONE", "quantity": 1}, {"sku": "BOMB", "quantity": 1}]}"#;
    let answer = call(create_order_verbose, request(body));
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.body,
        json!({"error": [
            {"code": 403, "msg": "blocked item", "classification": "NA"},
            {"code": 410, "msg": "discontinued", "classification": "NA"}
        ]})
    );
}

#[test]
fn a_raised_error_answers_with_its_code_and_itself() {
    let answer = call(
        create_order,
        request(r#"{"id": 5, "items": [{"sku": "BOMB", "quantity": 1}]}"#),
    );
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.body,
        json!({"error": {"code": 403, "msg": "blocked item", "classification": "NA"}})
    );
}

#[test]
fn a_body_that_does_not_parse_is_a_400_naming_the_field() {
    let answer = call(
        create_order,
        request(r#"{"id": 6, "items": [{"sku": "A", "quantity": "two"}]}"#),
    );
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = &answer.body["error"];
    assert_eq!(error["code"], 400);
    assert_eq!(error["details"]["field"], "items[0].quantity");
    assert_eq!(error["details"]["reason"], "invalid type: string \"two\", expected u32");

    let truncated = call(create_order, request(r#"{"id": 6, "items": [{"#));
    assert_eq!(truncated.status, StatusCode::BAD_REQUEST);
    let msg = truncated.body["error"]["msg"].as_str().unwrap();
    assert!(msg.starts_with("the request body is not valid JSON: "), "{msg}");
    let empty = call(create_order, request(""));
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[test]
fn valid_json_that_lacks_a_field_is_a_400_naming_the_field_not_invalid_json() {
    let answer = call(create_order, request(r#"{"id": 6}"#));
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = &answer.body["error"];
    assert_eq!(error["code"], 400);
    assert_eq!(error["msg"], "the request body lacks the field `items`; add it");
    assert_eq!(error["details"]["field"], "items");
    assert_eq!(error["details"]["reason"], "missing field `items`");

    let nested = call(
        create_order,
        request(r#"{"id": 6, "items": [{"sku": "A", "quantity": 1}, {"sku": "B"}]}"#),
    );
    assert_eq!(nested.status, StatusCode::BAD_REQUEST);
    assert_eq!(nested.body["error"]["details"]["field"], "items[1].quantity");
    assert_eq!(
        nested.body["error"]["msg"],
        "the request body lacks the field `items[1].quantity`; add it"
    );
}

#[service_response]
async fn failing(request: lambda_http::Request) -> Result<PwResponse, lambda_http::Error> {
    match request.uri().path() {
        "/io" => Err(Box::new(std::io::Error::other("database password is hunter2"))),
        "/panic" => panic!("secret panic detail"),
        _ => Ok(PwResponse::ok()),
    }
}

fn request_to(path: &str) -> lambda_http::Request {
    http::Request::builder()
        .uri(format!("https://api.example.com{path}"))
        .body(Body::Empty)
        .unwrap()
        .with_lambda_context(context("lambda-req-9"))
}

#[test]
fn other_errors_and_panics_are_logged_500s_that_leak_nothing() {
    for (path, secret) in [("/io", "hunter2"), ("/panic", "secret panic detail")] {
        let answer = call(failing, request_to(path));
        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(answer.body, json!({"error": "Internal Server Error"}), "{path}");
        let error_lines: Vec<&OrderedObject> = answer
            .lines
            .iter()
            .filter(|l| l.get("level").unwrap() == "ERROR")
            .collect();
        assert_eq!(error_lines.len(), 1, "{path}: {:?}", answer.lines);
        let line = error_lines[0];
        assert!(
            line.get("exception").unwrap().as_str().unwrap().contains(secret),
            "{path}: logged, not leaked"
        );
        assert_eq!(line.get("function_request_id").unwrap(), "lambda-req-9");
    }
}

/// A custom extractor: the tenant named by a header; refuses a request
/// without one, and panics (a bug in the extractor) on a tenant called "boom".
struct Tenant(String);

impl pypwext::service::FromRequest for Tenant {
    fn from_request(slot: &mut pypwext::service::RequestSlot) -> Result<Self, PwError> {
        let request = slot.get()?;
        match request.headers().get("x-tenant").and_then(|v| v.to_str().ok()) {
            Some("boom") => panic!("extractor bug with secret detail"),
            Some(tenant) => Ok(Tenant(tenant.to_owned())),
            None => Err(PwError::new(StatusCode::FORBIDDEN, "no tenant")),
        }
    }
}

#[service_response(just_status_code = false)]
async fn tenant_orders(Tenant(tenant): Tenant, Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok().with_field("tenant", tenant).with_field("id", order.id))
}

fn request_for_tenant(tenant: Option<&str>) -> lambda_http::Request {
    let mut request = request(r#"{"id": 3, "items": []}"#);
    if let Some(tenant) = tenant {
        request.headers_mut().insert("x-tenant", tenant.parse().unwrap());
    }
    request
}

#[test]
fn custom_extractors_answer_refuse_and_have_their_panics_turned_into_500s() {
    let answer = call(tenant_orders, request_for_tenant(Some("acme")));
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, json!({"tenant": "acme", "id": 3}));

    let refused = call(tenant_orders, request_for_tenant(None));
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["error"]["msg"], "no tenant");

    let panicked = call(tenant_orders, request_for_tenant(Some("boom")));
    assert_eq!(panicked.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        panicked.body,
        json!({"error": "Internal Server Error"}),
        "nothing leaks"
    );
    let error_line = panicked
        .lines
        .iter()
        .find(|l| l.get("level").unwrap() == "ERROR")
        .expect("the panic is logged");
    assert!(
        error_line
            .get("exception")
            .unwrap()
            .as_str()
            .unwrap()
            .contains("secret detail")
    );
    assert_eq!(error_line.get("function_request_id").unwrap(), "lambda-req-1");
}

#[service_response(always_return = false)]
async fn strict(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    match request.uri().path() {
        "/raise" => Err(PwError::new(StatusCode::BAD_GATEWAY, "upstream down")),
        "/continue" => Err(continue_error(StatusCode::NOT_FOUND, "soft")),
        _ => Ok(PwResponse::ok()),
    }
}

#[test]
fn always_return_false_lets_raise_errors_fail_the_invocation() {
    pypwext_tests::install_global_subscriber();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let failed = runtime.block_on(strict(request_to("/raise"))).unwrap_err();
    assert_eq!(failed.to_string(), "upstream down");
    let soft = runtime.block_on(strict(request_to("/continue"))).unwrap();
    assert_eq!(soft.status(), StatusCode::NOT_FOUND);
}

#[service_response]
async fn plain_text(context: lambda_runtime::Context, request: lambda_http::Request) -> Result<String, PwError> {
    Ok(format!("{} {}", context.request_id, request.method()))
}

#[test]
fn other_answers_pass_through_and_extractors_see_the_context() {
    let answer = call(plain_text, request("{}"));
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, Value::String("lambda-req-1 POST".to_owned()));
    assert_eq!(answer.content_type, None, "lambda_http's own answer, untouched");
}

#[service_response]
async fn huge() -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok().with_text("x".repeat(pypwext::service::MAX_RESPONSE_BYTES + 1)))
}

#[test]
fn a_response_over_six_megabytes_is_a_logged_500() {
    let answer = call(huge, request_to("/"));
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    let line = answer
        .lines
        .iter()
        .find(|l| l.get("level").unwrap() == "ERROR")
        .unwrap();
    assert!(
        line.get("exception")
            .unwrap()
            .as_str()
            .unwrap()
            .contains("over Lambda's limit")
    );
}

#[logged(level = "info")]
#[collect_errors(root)]
#[service_response]
async fn logged_above(order: Json<Order>) -> Result<PwResponse, PwError> {
    tracing::info!("working");
    Ok(PwResponse::new(StatusCode::CREATED).with_field("id", order.id))
}

#[collect_errors(root)]
#[service_response]
#[logged(level = "info", classification = Pii)]
async fn logged_below(order: Json<Order>) -> Result<PwResponse, PwError> {
    tracing::info!("working");
    Ok(PwResponse::new(StatusCode::CREATED).with_field("id", order.id))
}

fn messages(answer: &Answer) -> Vec<&Value> {
    answer.lines.iter().map(|l| l.get("message").unwrap()).collect()
}

fn assert_every_line_has_the_context(answer: &Answer) {
    assert!(!answer.lines.iter().any(|l| format!("{l:?}").contains("very-secret")));
    for line in &answer.lines {
        assert_eq!(line.get("function_request_id").unwrap(), "lambda-req-1", "{line:?}");
        assert_eq!(line.get("correlation_id").unwrap(), "api-req-1");
        assert_eq!(line.get("function_name").unwrap(), "orders");
    }
}

#[test]
fn logged_above_sees_the_request_and_the_http_response() {
    let answer = call(logged_above, request(r#"{"id": 9, "items": []}"#));
    assert_eq!(answer.status, StatusCode::CREATED);
    let messages = messages(&answer);
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["msg"], "Entering logged_above");
    let logged_request = &messages[0]["args"]["request"];
    assert_eq!(logged_request["method"], "POST");
    assert_eq!(logged_request["path"], "/orders");
    assert_eq!(logged_request["headers"]["authorization"], "*****");
    assert_eq!(logged_request["body"], r#"{"id": 9, "items": []}"#);
    assert_eq!(messages[1], "working");
    assert_eq!(messages[2]["msg"], "Exiting logged_above");
    assert_eq!(messages[2]["return"]["status"], 201);
    assert_eq!(messages[2]["return"]["body"], r#"{"id":9}"#);
    assert_every_line_has_the_context(&answer);
}

#[test]
fn a_root_above_the_response_installs_its_collector_only_when_none_is_current() {
    let body = r#"{"id": 4, "items": [{"sku": "GONE", "quantity": 1}]}"#;
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // Alone: its own collector, gone after the call.
    let alone = runtime.block_on(create_order(request(body))).unwrap();
    assert_eq!(alone.status(), StatusCode::GONE);
    let Body::Text(text) = alone.body() else {
        panic!("a text body")
    };
    let answer: Value = serde_json::from_str(text).unwrap();
    // Collected (the order still answered), not raised (which would be the body).
    assert_eq!(answer, json!({"order_id": 4, "reserved": []}));
    assert!(pypwext::current_collector().is_none());

    // Inside an outer collector: that one collects, and the response takes
    // what it collected (each error reaches one response, once).
    let outer = pypwext::ErrorCollector::new();
    let inside = runtime.block_on(outer.scope(async {
        let before = PwError::new(StatusCode::CONFLICT, "earlier").with_action(ErrorAction::Continue);
        pypwext::current_collector().unwrap().add(before);
        create_order(request(body)).await.unwrap()
    }));
    assert_eq!(inside.status(), StatusCode::GONE, "the highest of 409 and 410");
    assert!(outer.is_empty(), "{:?}", outer.errors());
}

#[test]
fn the_handler_future_starts_at_its_first_poll_and_holds_the_request_once() {
    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder()
        .level(tracing::Level::INFO)
        .writer(sink.clone())
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    tracing::subscriber::with_default(subscriber, || {
        let future = logged_above(request(r#"{"id": 3, "items": []}"#));
        // Like an `async fn`'s: made, it has done nothing, not even its entry line.
        assert!(sink.lines().is_empty(), "{:?}", sink.lines());
        // What lambda_http holds and moves stays well under two requests (the
        // stack itself is boxed: see `start_handler`).
        let size = std::mem::size_of_val(&future);
        let request_size = std::mem::size_of::<lambda_http::Request>();
        assert!(
            size < 2 * request_size,
            "{size} bytes for a {request_size}-byte request"
        );
        let response = runtime.block_on(future).unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    });
    assert_eq!(sink.lines().len(), 3, "{:?}", sink.lines());
}

#[test]
fn logged_below_sees_the_typed_arguments_and_the_pw_response() {
    let answer = call(logged_below, request(r#"{"id": 9, "items": []}"#));
    assert_eq!(answer.status, StatusCode::CREATED);
    let messages = messages(&answer);
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["args"]["order"], json!({"id": 9, "items": []}));
    assert_eq!(answer.lines[0].get("classification").unwrap(), "PII");
    assert_eq!(messages[2]["return"], json!({"status": 201, "body": {"id": 9}}));
    assert_every_line_has_the_context(&answer);
}

#[test]
fn classification_of_errors_reaches_the_body() {
    #[service_response(just_status_code = false)]
    async fn classified() -> Result<PwResponse, PwError> {
        Err(PwError::new(StatusCode::NOT_FOUND, "no such customer").with_classification(InfoClassification::Pii))
    }
    let answer = call(classified, request_to("/"));
    assert_eq!(answer.body["error"]["classification"], "PII");
    assert!(answer.body["error"].get("action").is_none());
}
