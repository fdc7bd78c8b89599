//! `#[logged(inject_lambda_context)]`: every line of an invocation carries the
//! Lambda context keys; concurrent invocations never mix them.

use std::sync::Arc;
use std::time::Duration;

use lambda_http::RequestExt as _;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_runtime::{Config, Context, LambdaEvent};
use pypwext::logging::{self, MemoryWriter, correlation_paths};
use pypwext::{ErrorAction, PwError, StatusCode, collect_errors, logged};
use pypwext_tests::OrderedObject;
use serde_json::{Value, json};
use tracing::instrument::WithSubscriber as _;

fn context(request_id: &str) -> Context {
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders".to_owned();
    context.xray_trace_id = Some(format!("Root=1-{request_id}"));
    context.deadline = 1_700_000_000_000;
    context.env_config = Arc::new(Config {
        function_name: "orders".to_owned(),
        memory: 512,
        version: "$LATEST".to_owned(),
        log_stream: "stream".to_owned(),
        log_group: "group".to_owned(),
    });
    context
}

fn subscriber(sink: &MemoryWriter) -> logging::PowertoolsSubscriber {
    pypwext_tests::install_global_subscriber();
    logging::builder()
        .service("orders")
        .level(tracing::Level::INFO)
        .writer(sink.clone())
        .build()
}

fn parse(sink: &MemoryWriter) -> Vec<OrderedObject> {
    sink.lines().iter().map(|l| OrderedObject::parse(l)).collect()
}

#[logged(inject_lambda_context, correlation_id_path = correlation_paths::EVENT_BRIDGE, log_event, level = "info")]
#[collect_errors(root)]
async fn on_event(event: LambdaEvent<Value>) -> Result<Option<Value>, PwError> {
    tracing::info!(detail = %event.payload["detail-type"], "handling");
    step().await?;
    Ok(Some(json!({"ok": true})))
}

#[collect_errors]
async fn step() -> Result<(), PwError> {
    Err(PwError::new(StatusCode::CONFLICT, "collected").with_action(ErrorAction::Continue))
}

#[test]
fn every_line_of_the_invocation_carries_the_context() {
    let sink = MemoryWriter::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let event = json!({"id": "evt-1", "detail-type": "OrderPlaced", "detail": {"order": 1}});
    let out = tracing::subscriber::with_default(subscriber(&sink), || {
        runtime.block_on(on_event(LambdaEvent::new(event.clone(), context("req-a"))))
    });
    assert_eq!(out.unwrap(), Some(json!({"ok": true})));

    let lines = parse(&sink);
    let messages: Vec<Value> = lines.iter().map(|l| l.get("message").unwrap().clone()).collect();
    assert_eq!(messages[0], event, "log_event logs the event first");
    assert_eq!(messages[1]["msg"], "Entering on_event");
    assert_eq!(messages[2], "handling");
    assert_eq!(messages[3]["msg"], "collected", "the collected error's WARNING line");
    assert_eq!(messages[4]["msg"], "Exiting on_event");
    assert_eq!(lines.len(), 5);
    for line in &lines {
        assert_eq!(line.get("function_request_id").unwrap(), "req-a", "{line:?}");
        assert_eq!(line.get("correlation_id").unwrap(), "evt-1");
        assert_eq!(line.get("function_name").unwrap(), "orders");
        assert_eq!(line.get("function_memory_size").unwrap(), 512);
        assert_eq!(
            line.get("xray_trace_id").unwrap(),
            "1-req-a",
            "the root id, as Powertools writes it"
        );
        assert!(line.get("cold_start").unwrap().is_boolean());
    }
    let mut expected = pypwext_tests::INVOCATION_LINE_KEYS.to_vec();
    expected.push("detail");
    assert_eq!(lines[2].keys(), expected);
}

#[logged(inject_lambda_context, correlation_id_path = correlation_paths::API_GATEWAY_HTTP, log_event, level = "info")]
async fn http_handler(request: lambda_http::Request) -> Result<String, PwError> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    tracing::info!("inside");
    Ok(request.uri().path().to_owned())
}

fn http_request(request_id: &str, api_request_id: &str) -> lambda_http::Request {
    let mut api_context = ApiGatewayV2httpRequestContext::default();
    api_context.request_id = Some(api_request_id.to_owned());
    http::Request::builder()
        .method("POST")
        .uri("https://example.com/orders?x=1")
        .header("authorization", "Bearer secret-token")
        .header("x-amz-security-token", "session-secret")
        .header("content-type", "application/json")
        .body(lambda_http::Body::from("{\"order\":1}"))
        .unwrap()
        .with_lambda_context(context(request_id))
        .with_request_context(RequestContext::ApiGatewayV2(api_context))
}

#[test]
fn a_request_handler_logs_the_request_with_secrets_redacted() {
    let sink = MemoryWriter::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let out = tracing::subscriber::with_default(subscriber(&sink), || {
        runtime.block_on(http_handler(http_request("req-h", "api-1")))
    });
    assert_eq!(out.unwrap(), "/orders");
    let lines = parse(&sink);
    let event = lines[0].get("message").unwrap();
    assert_eq!(event["method"], "POST");
    assert_eq!(event["path"], "/orders");
    assert_eq!(event["headers"]["authorization"], "*****");
    assert_eq!(event["headers"]["x-amz-security-token"], "*****");
    assert_eq!(event["headers"]["content-type"], "application/json");
    assert_eq!(event["body"], "{\"order\":1}");
    assert!(
        !sink.lines().iter().any(|l| l.contains("secret")),
        "no secret in any line"
    );
    for line in &lines {
        assert_eq!(line.get("correlation_id").unwrap(), "api-1");
        assert_eq!(line.get("function_request_id").unwrap(), "req-h");
    }
}

#[test]
fn invocations_one_after_another_on_a_thread_each_log_their_own_keys() {
    // The same request id every time (as in tests, or a replayed event):
    // only the correlation id tells the invocations apart.
    let sink = MemoryWriter::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber(&sink), || {
        for i in 0..3 {
            runtime
                .block_on(http_handler(http_request("req-same", &format!("api-{i}"))))
                .unwrap();
        }
    });
    let correlations: Vec<String> = parse(&sink)
        .iter()
        .map(|line| line.get("correlation_id").unwrap().as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..3).flat_map(|i| vec![format!("api-{i}"); 4]).collect();
    assert_eq!(correlations, expected, "event, entry, inside, exit per invocation");
}

#[test]
fn concurrent_invocations_never_mix_their_request_ids() {
    let sink = MemoryWriter::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let invocations = 200;
    let dispatch = tracing::Dispatch::new(subscriber(&sink));
    runtime.block_on(async {
        let tasks: Vec<_> = (0..invocations)
            .map(|i| {
                // The subscriber follows the task from thread to thread.
                let handler = http_handler(http_request(&format!("req-{i}"), &format!("api-{i}")));
                tokio::spawn(handler.with_subscriber(dispatch.clone()))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    let lines = parse(&sink);
    assert_eq!(
        lines.len(),
        invocations * 4,
        "event, entry, inside, exit per invocation"
    );
    for line in &lines {
        let request = line.get("function_request_id").unwrap().as_str().unwrap();
        let correlation = line.get("correlation_id").unwrap().as_str().unwrap();
        assert_eq!(
            request.trim_start_matches("req-"),
            correlation.trim_start_matches("api-"),
            "{line:?}"
        );
    }
}

#[logged(
    inject_lambda_context,
    correlation_id_path = "requestContext.domainName",
    level = "info"
)]
async fn domain_handler(request: lambda_http::Request) -> Result<String, PwError> {
    tracing::info!("inside");
    Ok(request.uri().path().to_owned())
}

#[logged(
    inject_lambda_context,
    correlation_id_path = "requestContext.domainName",
    level = "info"
)]
#[pypwext::service_response]
async fn domain_service(request: lambda_http::Request) -> Result<pypwext::PwResponse, PwError> {
    tracing::info!("inside");
    Ok(pypwext::PwResponse::new(StatusCode::OK).with_field("path", request.uri().path()))
}

#[pypwext::service_response]
async fn default_service() -> Result<pypwext::PwResponse, PwError> {
    tracing::info!("inside");
    Ok(pypwext::PwResponse::new(StatusCode::OK))
}

fn request_with_domain(request_id: &str, domain: &str) -> lambda_http::Request {
    let mut request = http_request(request_id, "api-d");
    let mut api_context = ApiGatewayV2httpRequestContext::default();
    api_context.request_id = Some("api-d".to_owned());
    api_context.domain_name = Some(domain.to_owned());
    request
        .extensions_mut()
        .insert(RequestContext::ApiGatewayV2(api_context));
    request
}

/// The lines `run` logs on a current-thread runtime.
fn lines_of(run: impl FnOnce(&tokio::runtime::Runtime)) -> Vec<OrderedObject> {
    let sink = MemoryWriter::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber(&sink), || run(&runtime));
    parse(&sink)
}

#[test]
fn a_path_of_the_handlers_own_reaches_into_the_request_context() {
    // The field is not one pypwext reads directly: the context is serialized
    // to find it, for a plain handler and for a `#[service_response]` one.
    let lines = lines_of(|runtime| {
        runtime
            .block_on(domain_handler(request_with_domain("req-d1", "plain.example.com")))
            .unwrap();
        let response = runtime
            .block_on(domain_service(request_with_domain("req-d2", "service.example.com")))
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    });
    let correlations: Vec<(&str, &str)> = lines
        .iter()
        .map(|line| {
            (
                line.get("function_request_id").unwrap().as_str().unwrap(),
                line.get("correlation_id").unwrap().as_str().unwrap(),
            )
        })
        .collect();
    assert!(correlations.len() >= 4, "{correlations:?}");
    for (request_id, correlation_id) in correlations {
        let expected = if request_id == "req-d1" {
            "plain.example.com"
        } else {
            "service.example.com"
        };
        assert_eq!(correlation_id, expected, "{request_id}");
    }
}

#[test]
fn a_service_handler_is_correlated_by_the_request_id_of_its_context() {
    let lines = lines_of(|runtime| {
        runtime
            .block_on(default_service(request_with_domain("req-s", "unused.example.com")))
            .unwrap();
    });
    assert_eq!(lines.len(), 1, "the line logged inside");
    assert_eq!(lines[0].get("correlation_id").unwrap(), "api-d");
}
