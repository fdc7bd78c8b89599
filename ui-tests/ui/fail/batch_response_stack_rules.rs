use pypwext::batch::SqsMessage;
use pypwext::{batch_response, collect_errors, logged, service_response, PwError, PwResponse};

// Below the batch layer, a root's collector would be gone before the response reads it.
#[batch_response]
#[collect_errors(root)]
async fn root_below(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

// Above it, there is no error to collect from a partial batch response.
#[collect_errors(root)]
#[batch_response]
async fn collect_above(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

// Below it, the function sees one record, not the event.
#[batch_response]
#[logged(inject_lambda_context)]
async fn inject_below(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

// One core per function.
#[batch_response]
#[service_response]
async fn two_cores(message: &SqsMessage) -> Result<PwResponse, PwError> {
    let _ = message;
    Ok(PwResponse::ok())
}

// The records run concurrently: the function must be async.
#[batch_response]
fn not_async(message: &SqsMessage) -> Result<(), PwError> {
    let _ = message;
    Ok(())
}

fn main() {}
