use pypwext::{collect_errors, logged, service_response, PwError, PwResponse};

#[logged(level = "info")]
#[collect_errors(root)]
#[service_response]
async fn hello() -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok().with_field("hello", "world"))
}

fn main() {
    let _ = hello;
}
