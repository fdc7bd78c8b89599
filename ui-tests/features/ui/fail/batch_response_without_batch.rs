use pypwext::{batch_response, PwError};

#[batch_response(source = Sqs)]
async fn on_message() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
