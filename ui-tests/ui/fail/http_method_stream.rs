use pypwext::http::HttpStream;
use pypwext::{http_method, PwError};

// The stream is handed over unread: there is no whole body to give `response_body`.
#[http_method(url = "https://files.example.com/big")]
async fn both(response: HttpStream, response_body: String) -> Result<usize, PwError> {
    let _ = response;
    Ok(response_body.len())
}

fn main() {}
