//! The forms `#[http_method]` accepts; the futures are `Send`.

use std::sync::LazyLock;

use pypwext::http::{BodyStream, HttpResponse, HttpSession, HttpStream};
use pypwext::{collect_errors, http_method, logged, PwError, StatusCode};

#[derive(serde::Serialize)]
struct Customer {
    name: String,
}

#[derive(serde::Deserialize)]
struct Created {
    id: u64,
}

static SESSION: LazyLock<HttpSession> = LazyLock::new(|| HttpSession::new().expect("default settings are valid"));

#[http_method(
    method = "POST",
    url = "https://{STAGE}.execute-api.{AWS_REGION}.amazonaws.com/{api_version}/my-api",
    params(email = "{email}"),
    headers("x-request-id" = "{id}"),
    body = customer,
    session = SESSION,
)]
async fn send_offer(api_version: &str, email: &str, id: u64, customer: &Customer) -> Result<Created, PwError> {}

#[pypwext::http_method(url = "http://localhost:{port}/health")]
async fn health(port: u16) -> Result<(), PwError> {}

#[http_method(method = "PUT", url = "https://api.example.com/notes/{id}", body = text)]
async fn raw(id: u32, text: String) -> Result<HttpResponse, PwError> {}

#[collect_errors]
#[logged(log_exception = false)]
#[http_method(method = "DELETE", url = "https://api.example.com/items/{id}")]
async fn delete(id: u32, response: HttpResponse, response_code: StatusCode) -> Result<Option<u16>, PwError> {
    let _ = response.text();
    Ok(Some(response_code.as_u16()))
}

// Streams both ways; the body stream is moved into the request.
#[logged]
#[http_method(method = "PUT", url = "https://files.example.com/{name}", body = data)]
async fn copy(name: &str, data: BodyStream) -> Result<HttpStream, PwError> {}

#[http_method(url = "https://files.example.com/{name}")]
async fn peek(name: &str, mut response: HttpStream, response_code: StatusCode) -> Result<(u16, usize), PwError> {
    let first = response.chunk().await?.map_or(0, |chunk| chunk.len());
    Ok((response_code.as_u16(), first))
}

fn assert_send<T: Send>(_: T) {}

fn send_streams(data: BodyStream) {
    assert_send(copy("a.bin", data));
    assert_send(peek("a.bin"));
}

fn main() {
    let customer = Customer { name: "Ada".into() };
    assert_send(send_offer("v1", "ada@example.com", 7, &customer));
    assert_send(health(8080));
    assert_send(raw(1, "note".into()));
    assert_send(delete(3));
    let _ = Created { id: 0 }.id;
    let _ = send_streams;
}
