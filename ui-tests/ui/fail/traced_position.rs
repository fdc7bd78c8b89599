use pypwext::{http_method, traced, PwError};

// The call is the function's body: `#[traced]` goes above `#[http_method]`.
#[http_method(url = "https://example.com/offers")]
#[traced]
async fn offers() -> Result<String, PwError> {}

#[traced]
const fn constant() -> u32 {
    1
}

fn main() {}
