use pypwext::{service_response, PwError, PwResponse};

#[service_response]
fn not_async() -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok())
}

struct Service;

impl Service {
    #[service_response]
    async fn method(&self) -> Result<PwResponse, PwError> {
        Ok(PwResponse::ok())
    }
}

#[service_response]
async fn no_return() {}

#[service_response(just_status_code = "no", verbose)]
async fn bad_arguments() -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok())
}

fn main() {}
