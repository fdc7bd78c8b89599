use pypwext::{http_method, PwError};

#[http_method(url = "http://localhost:{port}/ping")]
async fn ping(port: u16) -> Result<String, PwError> {}

fn main() {}
