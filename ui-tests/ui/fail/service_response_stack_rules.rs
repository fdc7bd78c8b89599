use pypwext::{collect_errors, logged, service_response, PwError, PwResponse};

// Below the response layer, a root's collector would be gone before the response reads it.
#[service_response]
#[collect_errors(root)]
async fn root_below() -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok())
}

// Above it, only a root makes sense: there is no error to collect from an HTTP response.
#[collect_errors]
#[service_response]
async fn plain_above() -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok())
}

// The response layer puts the Lambda context on every line by itself.
#[service_response]
#[logged(inject_lambda_context)]
async fn inject_below(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    let _ = request;
    Ok(PwResponse::ok())
}

fn main() {}
