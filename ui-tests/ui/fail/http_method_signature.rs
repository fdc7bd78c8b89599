use pypwext::{http_method, logged, service_response, PwError, PwResponse};

#[http_method(url = "https://api.example.com/x")]
fn not_async() -> Result<String, PwError> {}

#[http_method(url = "https://api.example.com/x")]
async fn not_a_result() -> String {}

// A body, but nothing from the answer to use in it.
#[http_method(url = "https://api.example.com/{id}")]
async fn with_body(id: &str) -> Result<String, PwError> {
    Ok(id.to_owned())
}

// The call is the body: nothing may wrap it from below.
#[http_method(url = "https://api.example.com/x")]
#[logged]
async fn not_last() -> Result<String, PwError> {}

#[service_response]
#[http_method(url = "https://api.example.com/x")]
async fn with_service() -> Result<PwResponse, PwError> {}

fn main() {}
