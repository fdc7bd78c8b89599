//! `#[http_method]` against a loopback echo server: templates, bodies,
//! answers by return type, errors, injected response parameters, the stack.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

// The root re-exports: no need to name the `http` module.
use pypwext::{
    ErrorAction, ErrorCollector, HttpResponse, HttpSession, PwError, StatusCode, collect_errors, http_method, logged,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;

/// What the echo server saw.
#[derive(Debug, Deserialize)]
struct Echo {
    method: String,
    path: String,
    query: String,
    headers: std::collections::BTreeMap<String, String>,
}

/// Answers every request with what it received, as JSON; `/status/<code>`
/// answers that code with `{"why":"asked"}`. Counts requests.
async fn echo_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    pypwext_tests::serve_each_request(listener, move |request, mut stream| {
        let counter = counter.clone();
        async move {
            let mut headers = serde_json::Map::new();
            for (name, value) in &request.headers {
                headers.insert(name.to_ascii_lowercase(), value.clone().into());
            }
            let (method, target) = (request.method.clone(), request.target.clone());
            counter.fetch_add(1, Ordering::SeqCst);
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let (status, body) = match path.strip_prefix("/status/") {
                Some(code) => (code.parse::<u16>().unwrap(), r#"{"why":"asked"}"#.to_owned()),
                None => (
                    200,
                    json!({
                        "method": method,
                        "path": path,
                        "query": query,
                        "headers": headers,
                        "body": String::from_utf8_lossy(&request.body),
                    })
                    .to_string(),
                ),
            };
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (addr, count)
}

#[derive(Debug, Serialize)]
struct Customer {
    name: String,
    tier: u8,
}

#[http_method(
    url = "http://127.0.0.1:{port}/api/{version}/customers/{id}?expand=orders",
    params(email = "{email}", kind = "vip-{tier}"),
    headers("x-request-id" = "req-{request_id}")
)]
async fn get_customer(
    port: u16,
    version: &str,
    id: &str,
    email: &str,
    tier: u8,
    request_id: u64,
) -> Result<Echo, PwError> {
}

#[http_method(method = "POST", url = "http://127.0.0.1:{port}/offers", body = customer)]
async fn send_offer(port: u16, customer: &Customer) -> Result<String, PwError> {}

#[http_method(method = "put", url = "http://127.0.0.1:{port}/notes", body = note)]
async fn put_note(port: u16, note: &str) -> Result<HttpResponse, PwError> {}

#[http_method(method = "DELETE", url = "http://127.0.0.1:{port}/status/{code}")]
async fn delete_with_status(port: u16, code: u16) -> Result<(), PwError> {}

#[http_method(url = "http://127.0.0.1:{port}/status/{code}")]
async fn status_and_body(
    port: u16,
    code: u16,
    response_code: StatusCode,
    response_body: String,
) -> Result<String, PwError> {
    Ok(format!("{} {response_body}", response_code.as_u16()))
}

#[http_method(url = "http://{host}:{port}/x")]
async fn to_host(host: &str, port: u16) -> Result<HttpResponse, PwError> {}

fn run<F: std::future::Future>(future: F) -> F::Output {
    pypwext_tests::install_global_subscriber();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(30), future)
            .await
            .expect("bounded")
    })
}

#[test]
fn templates_fill_the_url_query_and_headers() {
    run(async {
        let (addr, _) = echo_server().await;
        let echo = get_customer(addr.port(), "v2", "a/b c", "ada+1@example.com", 3, 77)
            .await
            .unwrap();
        assert_eq!(echo.method, "GET");
        assert_eq!(
            echo.path, "/api/v2/customers/a%2Fb%20c",
            "a value stays one path segment"
        );
        assert_eq!(echo.query, "expand=orders&email=ada%2B1%40example.com&kind=vip-3");
        assert_eq!(echo.headers["x-request-id"], "req-77");
        assert_eq!(echo.headers["accept"], "application/json");
    });
}

#[test]
fn bodies_are_json_or_as_is_and_answers_follow_the_return_type() {
    run(async {
        let (addr, _) = echo_server().await;
        let text = send_offer(
            addr.port(),
            &Customer {
                name: "Ada".into(),
                tier: 2,
            },
        )
        .await
        .unwrap();
        let echoed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(echoed["method"], "POST");
        assert_eq!(echoed["body"], r#"{"name":"Ada","tier":2}"#);

        let response = put_note(addr.port(), "plain text, not JSON").await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let echoed: Value = response.json().unwrap();
        assert_eq!(echoed["method"], "PUT");
        assert_eq!(echoed["body"], "plain text, not JSON");

        delete_with_status(addr.port(), 204).await.unwrap();
    });
}

#[test]
fn a_status_of_300_or_more_is_a_pw_error_with_the_body() {
    run(async {
        let (addr, _) = echo_server().await;
        let err = delete_with_status(addr.port(), 409).await.unwrap_err();
        assert_eq!(err.code(), StatusCode::CONFLICT);
        assert_eq!(
            err.details().unwrap(),
            &json!({"status": 409, "body": {"why": "asked"}})
        );
        let (addr, _) = echo_server().await;
        let response = to_host("localhost", addr.port()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    });
}

#[http_method(url = "http://127.0.0.1:{port}/status/{code}", session = QUICK)]
async fn status_as_response(port: u16, code: u16) -> Result<HttpResponse, PwError> {}

#[http_method(url = "http://127.0.0.1:{port}/status/{code}", session = QUICK)]
async fn status_as_text(port: u16, code: u16) -> Result<String, PwError> {}

#[derive(Debug, Deserialize)]
struct Why {
    why: String,
}

#[http_method(url = "http://127.0.0.1:{port}/status/{code}", session = QUICK)]
async fn status_as_json(port: u16, code: u16) -> Result<Why, PwError> {}

#[http_method(url = "http://127.0.0.1:{port}/status/{code}", session = QUICK)]
async fn status_as_unit(port: u16, code: u16) -> Result<(), PwError> {}

/// Declaring `response` is the way to see every status.
#[http_method(url = "http://127.0.0.1:{port}/status/{code}", session = QUICK)]
async fn status_seen(port: u16, code: u16, response: HttpResponse) -> Result<(u16, String), PwError> {
    Ok((response.status().as_u16(), response.text()))
}

#[test]
fn every_return_type_turns_a_status_of_300_or_more_into_a_pw_error() {
    run(async {
        let (addr, count) = echo_server().await;
        let port = addr.port();
        let body = json!({"why": "asked"});
        for code in [300u16, 404, 409, 500, 503] {
            let status = StatusCode::from_u16(code).unwrap();
            let errors = [
                ("HttpResponse", status_as_response(port, code).await.map(drop)),
                ("String", status_as_text(port, code).await.map(drop)),
                ("T: DeserializeOwned", status_as_json(port, code).await.map(drop)),
                ("()", status_as_unit(port, code).await),
            ];
            for (returns, outcome) in errors {
                let err = outcome.expect_err(&format!("{returns} with {code}"));
                assert_eq!(err.code(), status, "{returns}");
                assert_eq!(
                    err.details().unwrap(),
                    &json!({"status": code, "body": body}),
                    "{returns}"
                );
                assert!(
                    err.message().contains(&format!("the service answered {code}")),
                    "{returns}: {}",
                    err.message()
                );
            }
            // With `response` declared, the function sees the status itself.
            assert_eq!(
                status_seen(port, code).await.unwrap(),
                (code, r#"{"why":"asked"}"#.to_owned())
            );
        }
        // Under 300 each return type is an answer.
        for code in [200u16, 201, 299] {
            assert_eq!(status_as_response(port, code).await.unwrap().status().as_u16(), code);
            assert_eq!(status_as_text(port, code).await.unwrap(), r#"{"why":"asked"}"#);
            assert_eq!(status_as_json(port, code).await.unwrap().why, "asked");
            status_as_unit(port, code).await.unwrap();
            assert_eq!(status_seen(port, code).await.unwrap().0, code);
        }
        assert_eq!(
            count.load(Ordering::SeqCst),
            5 * 5 + 3 * 5,
            "one request per call: QUICK retries nothing"
        );
    });
}

#[test]
fn response_parameters_are_filled_from_the_answer() {
    run(async {
        let (addr, _) = echo_server().await;
        let out = status_and_body(addr.port(), 404).await.unwrap();
        assert_eq!(out, r#"404 {"why":"asked"}"#);
    });
}

#[test]
fn a_value_that_would_change_the_host_is_refused_before_sending() {
    run(async {
        let (addr, count) = echo_server().await;
        for host in ["evil.example/x", "a@b", "127.0.0.1#"] {
            let err = to_host(host, addr.port()).await.unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST, "{host}");
            assert!(
                err.message()
                    .contains("the value of `host` cannot stand in a host label"),
                "{}",
                err.message()
            );
        }
        assert_eq!(count.load(Ordering::SeqCst), 0, "nothing was sent");
    });
}

static QUICK: LazyLock<HttpSession> = LazyLock::new(|| {
    HttpSession::builder()
        .total_retries(0)
        .build()
        .expect("a session with valid settings")
});

#[http_method(url = "http://127.0.0.1:{port}/status/{code}", session = QUICK)]
async fn with_session(port: u16, code: u16) -> Result<(), PwError> {}

#[test]
fn a_named_session_is_used() {
    run(async {
        let (addr, count) = echo_server().await;
        let err = with_session(addr.port(), 503).await.unwrap_err();
        assert_eq!(err.code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(count.load(Ordering::SeqCst), 1, "QUICK retries nothing");
    });
}

/// The seed's shape: collected when the offer is refused, logged without an
/// exception line.
#[collect_errors]
#[logged(log_exception = false)]
#[http_method(method = "POST", url = "http://127.0.0.1:{port}/status/{code}", body = customer)]
async fn offer_or_collect(
    port: u16,
    code: u16,
    customer: &Customer,
    response_code: StatusCode,
) -> Result<Option<u16>, PwError> {
    if response_code.is_success() {
        return Ok(Some(response_code.as_u16()));
    }
    Err(PwError::new(response_code, "offer refused").with_action(ErrorAction::Continue))
}

#[test]
fn the_call_composes_with_the_stack() {
    run(async {
        let (addr, _) = echo_server().await;
        let customer = Customer {
            name: "Bob".into(),
            tier: 1,
        };
        let collector = ErrorCollector::new();
        let (ok, collected) = collector
            .scope(async {
                (
                    offer_or_collect(addr.port(), 201, &customer).await,
                    offer_or_collect(addr.port(), 409, &customer).await,
                )
            })
            .await;
        assert_eq!(ok.unwrap(), Some(201));
        assert_eq!(collected.unwrap(), None);
        assert_eq!(collector.errors()[0].code(), StatusCode::CONFLICT);
    });
}
