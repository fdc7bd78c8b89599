use pypwext::{http_method, PwError};

// A placeholder that names no parameter, and a parameter the call never uses.
#[http_method(url = "https://api.example.com/customers/{customer_id}")]
async fn get_customer(id: &str) -> Result<String, PwError> {}

// Templates that cannot be URLs.
#[http_method(url = "api.example.com/x")]
async fn no_scheme() -> Result<String, PwError> {}

#[http_method(url = "https://api.example.com/{Id}#top")]
async fn mixed_case(id: &str) -> Result<String, PwError> {}

// Bad parts of the rest of the attribute.
#[http_method(method = "FETCH", url = "https://api.example.com/x", headers("bad header" = "x"), verbose)]
async fn bad_arguments() -> Result<String, PwError> {}

#[http_method(method = "GET")]
async fn no_url() -> Result<String, PwError> {}

fn main() {}
