//! `#[http_method(method = "FUNC" | "EVENT")]`: Lambda invocations over the
//! Lambda REST API, against a loopback stand-in for the Lambda endpoint that
//! records what it was sent, so that every header can be checked. Against a
//! real peer that verifies signatures: tests/lambda_moto.rs.

use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use pypwext::http::{Credentials, HttpSession, LambdaResponse, WithDeadline as _};
use pypwext::{PwError, StatusCode, http_method};
use pypwext_tests::RawRequest;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;

static ENDPOINT: OnceLock<String> = OnceLock::new();
static SEEN: LazyLock<Arc<Mutex<Vec<RawRequest>>>> = LazyLock::new(Arc::default);

static LAMBDA: LazyLock<HttpSession> = LazyLock::new(|| {
    HttpSession::builder()
        .lambda_endpoint(ENDPOINT.get().expect("the endpoint is up").clone())
        .region("eu-west-1")
        .credentials(Credentials::new("AKIAPYPWEXTLAMBDA001", "lambda-test-secret", None))
        .backoff_factor(0.0)
        .build()
        .expect("valid settings")
});

#[http_method(method = "FUNC", url = "{name}", params(user = "{user}"), body = payload, session = LAMBDA)]
async fn invoke(name: &str, user: &str, payload: &Value) -> Result<Value, PwError> {}

#[http_method(method = "FUNC", url = "arn:aws:lambda:eu-west-1:123456789012:function:orders", body = payload, session = LAMBDA)]
async fn invoke_raw(payload: &Value) -> Result<LambdaResponse, PwError> {}

#[http_method(method = "EVENT", url = "orders:live", body = payload, session = LAMBDA)]
async fn enqueue(payload: &Value) -> Result<(), PwError> {}

#[http_method(method = "FUNC", url = "orders", body = payload, session = LAMBDA)]
async fn with_response(payload: &Value, response: LambdaResponse) -> Result<Option<String>, PwError> {
    Ok(response.executed_version())
}

#[http_method(method = "FUNC", url = "orders", params(blob = "{blob}"), session = LAMBDA)]
async fn with_context(blob: &str) -> Result<Value, PwError> {}

/// The stand-in: `failing` fails, `throttled…` answers 429 once, everything
/// else echoes the payload; `Event` invocations answer 202.
async fn start_endpoint() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ENDPOINT
        .set(format!("http://{}", listener.local_addr().unwrap()))
        .unwrap();
    // Each function named `throttled…` answers 429 to its first invocation.
    let throttled_once = Arc::new(Mutex::new(std::collections::HashSet::new()));
    pypwext_tests::serve_each_request(listener, move |request, mut stream| {
        let throttled_once = throttled_once.clone();
        async move {
            SEEN.lock().unwrap().push(request.clone());
            let event = request.header("x-amz-invocation-type") == Some("Event");
            let (status, extra, body) = if request.target.contains("/failing/") {
                (
                    200,
                    "x-amz-function-error: Unhandled\r\n".to_owned(),
                    r#"{"errorMessage":"boom","errorType":"Error"}"#.to_owned(),
                )
            } else if request.target.contains("/throttled")
                && throttled_once.lock().unwrap().insert(request.target.clone())
            {
                (
                    429,
                    "retry-after: 1\r\n".to_owned(),
                    r#"{"message":"Rate exceeded"}"#.to_owned(),
                )
            } else if event {
                (202, String::new(), String::new())
            } else {
                (
                    200,
                    "x-amz-executed-version: 7\r\n".to_owned(),
                    String::from_utf8_lossy(&request.body).into_owned(),
                )
            };
            let answer = format!(
                "HTTP/1.1 {status} X\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
}

fn last_seen() -> RawRequest {
    SEEN.lock().unwrap().last().cloned().expect("a request was sent")
}

#[test]
fn lambda_invocations_over_the_rest_api() {
    pypwext_tests::install_global_subscriber();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), async {
            start_endpoint().await;

            // FUNC: RequestResponse, the payload back, the client context's custom values.
            let answer = invoke("orders", "ada", &json!({"order": 1})).await.unwrap();
            assert_eq!(answer, json!({"order": 1}));
            let seen = last_seen();
            assert_eq!(seen.method, "POST");
            assert_eq!(seen.target, "/2015-03-31/functions/orders/invocations");
            assert_eq!(seen.header("x-amz-invocation-type"), Some("RequestResponse"));
            let context = base64::engine::general_purpose::STANDARD
                .decode(seen.header("x-amz-client-context").unwrap())
                .unwrap();
            assert_eq!(
                serde_json::from_slice::<Value>(&context).unwrap(),
                json!({"custom": {"user": "ada"}})
            );
            let authorization = seen.header("authorization").unwrap();
            assert!(
                authorization.contains("/eu-west-1/lambda/aws4_request"),
                "{authorization}"
            );

            // A full ARN, encoded into the path; the whole answer as LambdaResponse.
            let raw = invoke_raw(&json!({"x": true})).await.unwrap();
            assert_eq!(raw.status(), StatusCode::OK);
            assert_eq!(raw.executed_version().as_deref(), Some("7"));
            assert_eq!(raw.payload_json::<Value>().unwrap(), json!({"x": true}));
            assert_eq!(
                last_seen().target,
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aorders/invocations"
            );

            // `response: LambdaResponse` is filled from the answer.
            assert_eq!(with_response(&json!({})).await.unwrap().as_deref(), Some("7"));

            // EVENT: queued, 202.
            enqueue(&json!({"later": 1})).await.unwrap();
            assert_eq!(last_seen().header("x-amz-invocation-type"), Some("Event"));
            assert_eq!(last_seen().target, "/2015-03-31/functions/orders%3Alive/invocations");

            // The function failed: X-Amz-Function-Error surfaces as a 502 with the payload.
            let err = invoke("failing", "ada", &json!({})).await.unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_GATEWAY);
            assert!(err.message().contains("Unhandled"), "{}", err.message());
            assert_eq!(err.details().unwrap()["body"]["errorMessage"], "boom");

            // Throttled: a POST, yet retried, after Retry-After.
            let before = SEEN.lock().unwrap().len();
            let started = Instant::now();
            invoke("throttled", "ada", &json!({"n": 2})).await.unwrap();
            assert_eq!(SEEN.lock().unwrap().len() - before, 2, "the 429, then the invocation");
            assert!(
                started.elapsed() >= Duration::from_secs(1),
                "waited as Retry-After said"
            );

            // A function name a value cannot change, and a client context over Lambda's limit:
            // refused before anything is sent.
            let before = SEEN.lock().unwrap().len();
            let err = invoke("orders/../admin", "ada", &json!({})).await.unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST);
            let err = with_context(&"x".repeat(4000)).await.unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST);
            assert!(err.message().contains("over Lambda's 3583"), "{}", err.message());
            assert_eq!(SEEN.lock().unwrap().len(), before, "nothing was sent");

            // From code: the same request, the same answers and errors.
            let answer = LAMBDA
                .func("orders")
                .param("user", "ada")
                .header("X-Amz-Log-Type", "Tail")
                .json(&json!({"order": 2}))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.payload_json::<Value>().unwrap(), json!({"order": 2}));
            assert_eq!(answer.executed_version().as_deref(), Some("7"));
            let seen = last_seen();
            assert_eq!(seen.method, "POST");
            assert_eq!(seen.target, "/2015-03-31/functions/orders/invocations");
            assert_eq!(seen.header("x-amz-invocation-type"), Some("RequestResponse"));
            assert_eq!(seen.header("x-amz-log-type"), Some("Tail"));
            let context = base64::engine::general_purpose::STANDARD
                .decode(seen.header("x-amz-client-context").unwrap())
                .unwrap();
            assert_eq!(
                serde_json::from_slice::<Value>(&context).unwrap(),
                json!({"custom": {"user": "ada"}})
            );
            assert!(
                seen.header("authorization")
                    .unwrap()
                    .contains("/eu-west-1/lambda/aws4_request"),
                "signed for lambda"
            );

            let queued = LAMBDA.event("orders:live").body(r#"{"later":2}"#).send().await.unwrap();
            assert_eq!(queued.status(), StatusCode::ACCEPTED);
            assert_eq!(last_seen().header("x-amz-invocation-type"), Some("Event"));
            assert_eq!(last_seen().target, "/2015-03-31/functions/orders%3Alive/invocations");
            assert_eq!(last_seen().body, br#"{"later":2}"#);

            let err = LAMBDA.func("failing").body("{}").send().await.unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_GATEWAY);
            assert_eq!(err.message(), "failing: the function failed (Unhandled)");
            assert_eq!(err.details().unwrap()["body"]["errorMessage"], "boom");

            let before = SEEN.lock().unwrap().len();
            let started = Instant::now();
            LAMBDA.func("throttled-from-code").body("{}").send().await.unwrap();
            assert_eq!(SEEN.lock().unwrap().len() - before, 2, "the 429, then the invocation");
            assert!(
                started.elapsed() >= Duration::from_secs(1),
                "waited as Retry-After said"
            );

            let before = SEEN.lock().unwrap().len();
            let err = LAMBDA.func("orders/../admin").send().await.unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST);
            let err = LAMBDA
                .func("orders")
                .param("blob", "x".repeat(4000))
                .send()
                .await
                .unwrap_err();
            assert!(err.message().contains("over Lambda's 3583"), "{}", err.message());
            let err = LAMBDA
                .func("orders")
                .with_deadline(std::time::SystemTime::now())
                .send()
                .await
                .unwrap_err();
            assert_eq!(err.code(), StatusCode::GATEWAY_TIMEOUT, "{err:?}");
            assert_eq!(SEEN.lock().unwrap().len(), before, "nothing was sent");
        })
        .await
        .expect("bounded: 30 s");
    });
}
