//! `ErrorWithReturn<T>` end to end, the Python pypwext's `send_offer` with
//! `PyPwExtErrorWithReturn`: a `#[collect_errors] #[logged] #[http_method]`
//! function against a loopback offers service, under a
//! `#[collect_errors(root)] #[service_response]` handler. A collected error
//! with a value returns the value, and the error reaches the response body;
//! one without a value returns `None`; outside a collector the caller gets
//! the error with its value.

use std::sync::OnceLock;
use std::time::Duration;

use lambda_http::Body;
use pypwext::logging::{self, MemoryWriter};
use pypwext::{
    ErrorAction, ErrorWithReturn, Json, PwError, PwResponse, StatusCode, collect_errors, http_method, logged,
    service_response,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;

#[derive(Debug, Deserialize, Serialize)]
struct Customer {
    email: String,
    org_no: String,
}

static OFFERS_PORT: OnceLock<u16> = OnceLock::new();

/// The seed's `send_offer`: sent is the customer's email; an offer the
/// customer already has is collected and still counts (the email in its
/// place); any other refusal is collected with nothing in its place.
#[collect_errors]
#[logged(log_exception = false)]
#[http_method(method = "POST", url = "http://127.0.0.1:{port}/offers", params(email = "{email}"), body = customer)]
async fn send_offer(
    port: u16,
    email: &str,
    customer: &Customer,
    response_code: StatusCode,
    response_body: String,
) -> Result<Option<String>, ErrorWithReturn<String>> {
    if response_code.is_success() {
        return Ok(Some(email.to_owned()));
    }
    let details = json!({"operation": "send_offer", "answer": response_body});
    if response_code == StatusCode::CONFLICT {
        return Err(
            PwError::new(StatusCode::CONFLICT, format!("{email} already has the offer"))
                .with_details(details)
                .with_return(email.to_owned()),
        );
    }
    Err(
        PwError::new(response_code, format!("failed to send offer to customer: {email}"))
            .with_action(ErrorAction::Continue)
            .with_details(details)
            .into(),
    )
}

#[collect_errors(root)]
#[service_response(just_status_code = false)]
async fn create_offers(Json(customers): Json<Vec<Customer>>) -> Result<PwResponse, PwError> {
    let port = *OFFERS_PORT.get().expect("the offers service is up");
    let mut updated = Vec::new();
    for customer in &customers {
        // `?`: a `Raise` error would answer here, as a `PwError`.
        if let Some(email) = send_offer(port, &customer.email, customer).await? {
            updated.push(email);
        }
    }
    Ok(PwResponse::ok()
        .with_field("updated", updated)
        .with_field("operation", "create-offer"))
}

/// The offers service: 201 for ada, 409 for bob (he has the offer), 400
/// for anyone else.
async fn start_offers_service() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    pypwext_tests::serve_each_request(listener, |request, mut stream| async move {
        let (status, body) = if request.target.contains("email=ada") {
            ("201 Created", r#"{"sent":true}"#)
        } else if request.target.contains("email=bob") {
            ("409 Conflict", r#"{"sent":false,"why":"has it"}"#)
        } else {
            ("400 Bad Request", r#"{"sent":false,"why":"no such customer"}"#)
        };
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
    });
    port
}

fn request(body: &Value) -> lambda_http::Request {
    http::Request::builder()
        .method("POST")
        .uri("https://api.example.com/offers")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn customer(email: &str) -> Value {
    json!({"email": email, "org_no": "5561234567"})
}

#[test]
fn a_collected_error_returns_its_value_and_reaches_the_response() {
    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder()
        .service("offers")
        .level(tracing::Level::INFO)
        .writer(sink.clone())
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = tracing::subscriber::set_default(subscriber);
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), async {
            let port = start_offers_service().await;
            OFFERS_PORT.set(port).unwrap();

            let customers = json!([
                customer("ada@example.com"),
                customer("bob@example.com"),
                customer("carl@example.com")
            ]);
            let response = create_offers(request(&customers)).await.unwrap();
            // The highest collected code replaces the 200.
            assert_eq!(response.status(), StatusCode::CONFLICT);
            let Body::Text(text) = response.body() else {
                panic!("a JSON body: {:?}", response.body());
            };
            let body: Value = serde_json::from_str(text).unwrap();
            // bob's error carried his email: it is in `updated`; carl's carried nothing.
            assert_eq!(body["updated"], json!(["ada@example.com", "bob@example.com"]));
            assert_eq!(body["operation"], "create-offer");
            assert_eq!(
                body["error"],
                json!([
                    {
                        "code": 409,
                        "msg": "bob@example.com already has the offer",
                        "classification": "NA",
                        "details": {"operation": "send_offer", "answer": "{\"sent\":false,\"why\":\"has it\"}"}
                    },
                    {
                        "code": 400,
                        "msg": "failed to send offer to customer: carl@example.com",
                        "classification": "NA",
                        "details": {"operation": "send_offer", "answer": "{\"sent\":false,\"why\":\"no such customer\"}"}
                    }
                ]),
                "{body}"
            );

            // Outside a collector the caller gets the error, value and all.
            let bob: Customer = serde_json::from_value(customer("bob@example.com")).unwrap();
            let err = send_offer(port, &bob.email, &bob).await.unwrap_err();
            assert_eq!(err.error().code(), StatusCode::CONFLICT);
            assert_eq!(err.error().action(), ErrorAction::Continue);
            assert_eq!(err.value().map(String::as_str), Some("bob@example.com"));
            let carl: Customer = serde_json::from_value(customer("carl@example.com")).unwrap();
            let err = send_offer(port, &carl.email, &carl).await.unwrap_err();
            assert_eq!(err.error().code(), StatusCode::BAD_REQUEST);
            assert_eq!(err.value(), None);
        })
        .await
        .expect("bounded: 30 s");
    });

    // Each collected error was logged once at WARNING, value not included.
    let lines = sink.lines();
    let warnings: Vec<&String> = lines.iter().filter(|l| l.contains(r#""level":"WARNING""#)).collect();
    assert_eq!(warnings.len(), 2, "{lines:#?}");
    assert!(warnings[0].contains("already has the offer"), "{}", warnings[0]);
    assert!(
        !lines.iter().any(|l| l.contains("Exception in send_offer")),
        "log_exception = false"
    );
}
