use pypwext::logged;

// Settings of inject_lambda_context without it.
#[logged(correlation_id_path = "requestContext.requestId", log_event)]
async fn without_inject(request: lambda_http::Request) -> Result<(), String> {
    let _ = request;
    Ok(())
}

// A literal path is checked at compile time.
#[logged(inject_lambda_context, correlation_id_path = "headers.x-amzn-trace-id")]
async fn bad_path(request: lambda_http::Request) -> Result<(), String> {
    let _ = request;
    Ok(())
}

// A constant path is checked at compile time as a literal is.
const BAD: &str = "a..b";

#[logged(inject_lambda_context, correlation_id_path = BAD)]
async fn bad_constant_path(request: lambda_http::Request) -> Result<(), String> {
    let _ = request;
    Ok(())
}

mod paths {
    pub const UNCLOSED: &str = "headers.\"x-amzn-trace-id";
}

#[logged(inject_lambda_context, correlation_id_path = paths::UNCLOSED)]
async fn bad_path_in_a_module(request: lambda_http::Request) -> Result<(), String> {
    let _ = request;
    Ok(())
}

// No event to read the context from.
#[logged(inject_lambda_context)]
async fn no_event() -> Result<(), String> {
    Ok(())
}

// The first parameter is not a Lambda event.
#[logged(inject_lambda_context)]
async fn not_an_event(order_id: u64) -> Result<u64, String> {
    Ok(order_id)
}

fn main() {}
